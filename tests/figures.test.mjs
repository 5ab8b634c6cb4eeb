// Publication quality of every exported figure: each panel's SVG export at devicePixelRatio 1
// and 2, at 390- and 1280-px viewports, and `divergence figure` for the blog presets, rendered
// in Chromium; no two texts may overlap and no text may be under 10 CSS px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, settled, OUT } from './browser.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

// Every panel kind, from the elements that show it (embedded as a post would).
const ELEMENTS = [
  { preset: 'blog-kl', panels: 'landscape,density,pressure,tradeoff,sampling' },
  { preset: 'blog-stein', panels: 'landscape' },
  { preset: 'blog-psi', panels: 'psi,psi_log' },
];

/** Text boxes of an SVG document as Chromium lays it out: `[{text, size, box}]`. */
async function textBoxes(page, svg) {
  await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
  return page.evaluate(() => {
    const svg = document.querySelector('svg').getBoundingClientRect();
    return [...document.querySelectorAll('svg text')]
      .filter((t) => t.textContent.trim())
      .map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent.trim(), size: parseFloat(getComputedStyle(t).fontSize), box: [r.left, r.top, r.right, r.bottom], frame: [svg.left, svg.top, svg.right, svg.bottom] };
      });
  });
}

/** The problems of one figure: texts under 10 px, texts cut by the figure's edge, pairs of
 * texts overlapping (by more than 1 px either way: glyph boxes of neighbouring lines may touch). */
function problems(name, texts) {
  const out = [];
  for (const t of texts) if (t.size < 10) out.push(`${name}: '${t.text}' at ${t.size} px`);
  for (const { text, box: b, frame: f } of texts) {
    if (b[0] < f[0] - 1 || b[1] < f[1] - 1 || b[2] > f[2] + 1 || b[3] > f[3] + 1) out.push(`${name}: '${text}' cut by the edge`);
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const [a, b] = [texts[i].box, texts[j].box];
      const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
      const hgt = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
      if (w > 1 && hgt > 1) out.push(`${name}: '${texts[i].text}' overlaps '${texts[j].text}' (${w.toFixed(1)} × ${hgt.toFixed(1)} px)`);
    }
  }
  return out;
}

for (const width of [390, 1280]) {
  for (const dpr of [1, 2]) {
    test(`every panel's SVG export at ${width} px, devicePixelRatio ${dpr}: text ≥ 10 px, no overlaps`, async () => {
      const page = await env.page('embed.html', { width, height: 900 }, { dpr });
      const svgs = await page.evaluate(async (elements) => {
        document.body.replaceChildren();
        const els = elements.map((e) => {
          const el = document.createElement('divergence-explorer');
          for (const [k, v] of Object.entries(e)) el.setAttribute(k, v);
          document.body.append(el);
          return el;
        });
        await Promise.all(els.map((el) => el.ready.then(() => el.settled())));
        const out = [];
        for (const el of els) {
          const kinds = [...el.shadowRoot.querySelectorAll('canvas[data-panel]')].map((c) => [c.dataset.panel, Number(c.dataset.index ?? 0)]);
          for (const [kind, i] of kinds) out.push({ name: `${el.getAttribute('preset')} ${kind} ${i}`, svg: el.exportSvg(kind, i) });
        }
        return out;
      }, ELEMENTS);
      const found = [];
      const kinds = new Set(svgs.map((s) => s.name.split(' ')[1]));
      for (const k of ['landscape', 'density', 'pressure', 'ratio', 'tradeoff', 'sampling', 'psi', 'psi_log']) assert.ok(kinds.has(k), `panel ${k} exported`);
      for (const { name, svg } of svgs) {
        const texts = await textBoxes(page, svg);
        assert.ok(texts.length >= 4, `${name}: ${texts.length} texts`);
        found.push(...problems(`${name} (${width} px, DPR ${dpr})`, texts));
        if (width === 390 && dpr === 2) writeFileSync(`${OUT}figure-${name.replace(/ /g, '-')}.svg`, svg);
      }
      assert.deepEqual(found, []);
      await page.context().close();
    });
  }
}

test('`divergence figure` SVGs of the blog presets: text ≥ 10 px, no overlaps', async () => {
  const bin = join(ROOT, 'target/release/divergence');
  const dir = mkdtempSync(join(tmpdir(), 'divergence-figure-'));
  const page = await env.page('embed.html', { width: 1400, height: 1000 });
  try {
    const found = [];
    for (const preset of ['blog-kl', 'blog-stein']) {
      const out = join(dir, `${preset}.svg`);
      execFileSync(bin, ['figure', '--preset', preset, '--out', out]);
      const texts = await textBoxes(page, readFileSync(out, 'utf8'));
      assert.ok(texts.length >= 10, `${preset}: ${texts.length} texts`);
      found.push(...problems(`divergence figure --preset ${preset}`, texts));
    }
    assert.deepEqual(found, []);
  } finally {
    await page.context().close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an embed: figure first, one export menu per panel, no formula table; the page keeps them', async () => {
  const page = await env.page('embed.html', { width: 800, height: 900 });
  await settled(page, '#figure-pressure');
  const embed = await page.evaluate(() => {
    const r = document.querySelector('#figure-pressure').shadowRoot;
    return { menus: r.querySelectorAll('button.export').length, visible: [...r.querySelectorAll('.menu button')].filter((b) => b.getClientRects().length).length, formulas: r.querySelectorAll('.formulas').length };
  });
  assert.deepEqual(embed, { menus: 2, visible: 0, formulas: 0 });
  await page.getByRole('button', { name: 'Export pressure', exact: true }).click();
  assert.ok(await page.getByRole('button', { name: 'Export pressure as SVG' }).isVisible(), 'the menu opens');
  await page.context().close();
  const full = await env.page('index.html', { width: 1280, height: 900 });
  await settled(full);
  assert.equal(await full.evaluate(() => document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('.formulas').length), 1);
  // The table names each divergence by its registry title, one row each, as the picker does.
  const rows = await full.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('.formulas tbody tr td:first-child')].map((td) => td.textContent));
  const titles = await full.evaluate(async () => {
    const { divergenceInfo } = await import(new URL('www/pkg/divergence_web.js', document.baseURI).href);
    return divergenceInfo().filter((d) => d.name !== 'log_ksd').map((d) => d.title);
  });
  assert.deepEqual([...rows].sort(), [...titles].sort());
  await full.context().close();
});
