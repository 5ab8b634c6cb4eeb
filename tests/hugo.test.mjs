// The explorer where it lives: inside a real Hugo blog (tests/hugo-site: a ~720-px column,
// minified output, a dark toggle of the theme's own), installed by `cp -r dist/. SITE/` as
// the README says, at desktop and phone sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, OUT } from './browser.mjs';
import { serve } from './serve.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
let site, server, browser;

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'divergence-hugo-'));
  cpSync(join(ROOT, 'tests/hugo-site'), site, { recursive: true });
  cpSync(join(ROOT, 'dist'), site, { recursive: true });
  execFileSync('hugo', ['--source', site, '--destination', join(site, 'public'), '--quiet'], { stdio: 'inherit' });
  server = await serve({ root: join(site, 'public') });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 900 }, dpr: 1 },
  { name: 'phone', viewport: { width: 390, height: 844 }, dpr: 3 },
];

async function open(path, size) {
  const ctx = await browser.newContext({ viewport: size.viewport, deviceScaleFactor: size.dpr, isMobile: size.name === 'phone', hasTouch: size.name === 'phone' });
  const page = await ctx.newPage();
  page.messages = [];
  page.on('console', (m) => page.messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.messages.push(`pageerror: ${e.message}`));
  await page.goto(server.url + path);
  await page.evaluate(() => Promise.all([...document.querySelectorAll('divergence-explorer')].map((e) => e.ready.then(() => e.settled()))));
  return page;
}

/** Per element: its landscapes' and sliders' boxes in page coordinates, and the column's. */
function layout(page) {
  return page.evaluate(() => {
    const box = (n) => { const r = n.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top + scrollY, bottom: r.bottom + scrollY, width: r.width }; };
    const column = box(document.querySelector('.post-content'));
    return [...document.querySelectorAll('divergence-explorer')].map((e) => ({
      preset: e.getAttribute('preset'),
      column,
      landscapes: [...e.shadowRoot.querySelectorAll('canvas[data-panel=landscape]')].map(box),
      figures: [...e.shadowRoot.querySelectorAll('canvas[data-panel]')].map(box),
      sliders: [...e.shadowRoot.querySelectorAll('input[type=range]')].filter((s) => s.getClientRects().length).map((s) => ({ ...box(s), name: s.getAttribute('aria-label') })),
    }));
  });
}

for (const size of SIZES) {
  test(`Hugo post at ${size.name} size: figure first, filling the column, q-only controls`, async () => {
    const page = await open('posts/kl/', size);
    const figs = await layout(page);
    assert.equal(figs.length, 2);
    for (const f of figs) {
      assert.equal(f.landscapes.length, 2, `${f.preset}: two landscapes`);
      const lowest = Math.max(...f.figures.map((c) => c.bottom));
      for (const s of f.sliders) assert.ok(s.top >= lowest - 1, `slider ${s.name} (top ${s.top}) comes after the figure (bottom ${lowest})`);
      if (size.name === 'desktop') {
        const span = Math.max(...f.landscapes.map((c) => c.right)) - Math.min(...f.landscapes.map((c) => c.left));
        assert.ok(span >= 0.8 * f.column.width, `landscapes span ${span} of a ${f.column.width}-px column`);
        assert.ok(Math.abs(f.landscapes[0].top - f.landscapes[1].top) < 2, 'side by side on a desktop');
      } else {
        for (const c of f.landscapes) assert.ok(c.width >= 0.9 * f.column.width, `a landscape ${c.width} px wide in a ${f.column.width}-px column`);
      }
    }
    assert.deepEqual(figs[1].sliders.map((s) => s.name), ['q mean', 'q std'], 'controls="q" shows exactly q\'s two sliders');
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth), 'nothing scrolls sideways');
    await page.screenshot({ path: `${OUT}hugo-kl-${size.name}.png`, fullPage: true });
    // The theme's own toggle turns the figure dark, live.
    const background = () => page.evaluate(() => {
      const e = document.querySelector('divergence-explorer');
      const c = e.shadowRoot.querySelector('canvas[data-panel=landscape]');
      const copy = document.createElement('canvas');
      copy.width = c.width; copy.height = c.height;
      const cx = copy.getContext('2d', { willReadFrequently: true });
      cx.drawImage(c, 0, 0);
      const [r, g, b] = cx.getImageData(2, 2, 1, 1).data;
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    });
    assert.ok(await background() > 0.8, 'light page: light figure');
    await page.click('#theme-toggle');
    await page.evaluate(() => Promise.all([...document.querySelectorAll('divergence-explorer')].map((e) => e.settled())));
    assert.ok(await background() < 0.25, 'after the toggle: dark figure');
    await page.screenshot({ path: `${OUT}hugo-kl-${size.name}-dark.png`, fullPage: true });
    assert.deepEqual(page.messages, []);
    await page.context().close();
  });

  test(`Hugo post at ${size.name} size: the Stein 2×2 and the ψ figures`, async () => {
    const page = await open('posts/stein/', size);
    const figs = await layout(page);
    assert.equal(figs[0].landscapes.length, 4, 'the Stein grid');
    if (size.name === 'phone') {
      const lefts = new Set(figs[0].landscapes.map((c) => Math.round(c.left)));
      assert.equal(lefts.size, 1, 'stacked 1×4 on a phone');
      for (const c of figs[0].landscapes) assert.ok(c.width >= 0.9 * figs[0].column.width);
    }
    assert.ok(figs[1].figures.length >= 2, 'the ψ post\'s two figures');
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth), 'nothing scrolls sideways');
    await page.screenshot({ path: `${OUT}hugo-stein-${size.name}.png`, fullPage: true });
    assert.deepEqual(page.messages, []);
    await page.context().close();
  });
}

test('the installed bundle carries its version, and the shortcode loads it once per page', async () => {
  const version = readFileSync(join(site, 'static/divergence/VERSION'), 'utf8').trim();
  assert.match(version, /^\d+\.\d+\.\d+\+[0-9a-f]+/);
  const html = readFileSync(join(site, 'public/posts/kl/index.html'), 'utf8');
  assert.equal(html.match(/divergence\/explorer\.js/g).length, 1);
  assert.ok(html.includes(version), 'the script URL names the version');
  assert.ok(!/<divergence-explorer[^>]*\scontrols[\s=>]/.test(html), 'no `controls` attribute for a minifier to rewrite');
});

test('a reader downloads at most 300 KiB (gzipped) of the explorer: one minified module, its CSS, the wasm and its glue', async () => {
  const { gzipSync } = await import('node:zlib');
  const ctx = await browser.newContext({ viewport: SIZES[0].viewport });
  const page = await ctx.newPage();
  const fetched = [];
  page.on('response', (r) => { if (r.url().includes('/divergence/')) fetched.push(r); });
  await page.goto(`${server.url}posts/kl/`);
  await page.evaluate(() => Promise.all([...document.querySelectorAll('divergence-explorer')].map((e) => e.ready.then(() => e.settled()))));
  const files = new Map();
  for (const r of fetched) files.set(new URL(r.url()).pathname, gzipSync(await r.body()).length);
  const names = [...files.keys()].map((f) => f.replace(/^.*\/divergence\//, '')).sort();
  assert.deepEqual(names, ['explorer.css', 'explorer.js', 'pkg/divergence_web.js', 'pkg/divergence_web_bg.wasm']);
  const total = [...files.values()].reduce((a, b) => a + b, 0);
  console.log(`transfer of the explorer in a post, gzipped: ${(total / 1024).toFixed(1)} KiB (${[...files].map(([f, n]) => `${f.replace(/^.*\/divergence\//, '')} ${n}`).join(', ')})`);
  assert.ok(total <= 300 * 1024, `${total} bytes`);
  await ctx.close();
});
