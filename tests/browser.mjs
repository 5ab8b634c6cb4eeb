// Shared set-up for the browser tests: a static server and Debian's Chromium via
// playwright-core, with console errors and warnings collected per page.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { serve } from './serve.mjs';

export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const OUT = new URL('../out/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

export async function start({ csp = false, pkg = null } = {}) {
  const server = await serve({ root: new URL('..', import.meta.url).pathname, csp, pkg });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
  return {
    url: server.url,
    browser,
    async page(path = '', viewport = { width: 1400, height: 1000 }, opts = {}) {
      const ctx = await browser.newContext({ viewport, deviceScaleFactor: opts.dpr ?? 1, colorScheme: opts.colorScheme ?? 'light' });
      const page = await ctx.newPage();
      page.messages = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') page.messages.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => page.messages.push(`pageerror: ${e.message}`));
      await page.goto(server.url + path);
      return page;
    },
    async close() { await browser.close(); await server.close(); },
  };
}

/** Resolves when the element has computed and drawn everything for its current state
 * (`el.settled()`); rejects after `ms` (with the element's error text, if any) rather than
 * hanging the test run. */
export function settled(page, sel = 'divergence-explorer', ms = 120_000) {
  return page.evaluate(([sel, ms]) => {
    const el = document.querySelector(sel);
    const alert = () => el.shadowRoot.querySelector('[role=alert]');
    return Promise.race([el.settled(), new Promise((_, fail) => setTimeout(() => {
      const a = alert();
      fail(new Error(`not settled after ${ms} ms: ${a && !a.hidden ? a.textContent : 'no error shown'}`));
    }, ms))]);
  }, [sel, ms]);
}

/** The error banner's text in the element's shadow root; empty when none is shown. */
export function errorText(page, sel = 'divergence-explorer') {
  return page.evaluate((sel) => {
    const a = document.querySelector(sel).shadowRoot.querySelector('[role=alert]');
    return a.hidden ? '' : a.textContent;
  }, sel);
}

/** Landscape `i`'s plot area in canvas (device) pixels, `[x, y, w, h]`, from the public
 * `el.plotArea(i)` (CSS pixels) and the canvas's own size. */
export function plotRect(page, i, sel = 'divergence-explorer') {
  return page.evaluate(([i, sel]) => {
    const el = document.querySelector(sel);
    const c = el.shadowRoot.querySelectorAll('canvas.landscape')[i];
    const a = el.plotArea(i);
    const s = c.width / c.getBoundingClientRect().width;
    return [a.x, a.y, a.width, a.height].map((v) => Math.round(v * s));
  }, [i, sel]);
}

/** Pixels of a canvas in the element's shadow root that differ from its corner pixel,
 * counted inside the rectangle [x, y, w, h] (default: the whole canvas). */
export function drawnPixels(page, index, rect, sel = 'divergence-explorer') {
  return page.evaluate(({ index, rect, sel }) => {
    const c = document.querySelector(sel).shadowRoot.querySelectorAll('canvas')[index];
    const [x, y, w, h] = rect ?? [0, 0, c.width, c.height];
    // Read a copy, so that the page's own canvases are never read back.
    const copy = document.createElement('canvas');
    copy.width = c.width; copy.height = c.height;
    const cx = copy.getContext('2d', { willReadFrequently: true });
    cx.drawImage(c, 0, 0);
    const d = cx.getImageData(x, y, w, h).data;
    const bg = cx.getImageData(0, 0, 1, 1).data;
    let n = 0;
    for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k] - bg[0]) + Math.abs(d[k + 1] - bg[1]) + Math.abs(d[k + 2] - bg[2]) > 30) n++;
    return { drawn: n, total: d.length / 4 };
  }, { index, rect, sel });
}

/** A hash of a canvas's pixels, to tell whether a redraw changed it. */
export function canvasHash(page, index, sel = 'divergence-explorer') {
  return page.evaluate(({ index, sel }) => {
    const c = document.querySelector(sel).shadowRoot.querySelectorAll('canvas')[index];
    const copy = document.createElement('canvas');
    copy.width = c.width; copy.height = c.height;
    const cx = copy.getContext('2d', { willReadFrequently: true });
    cx.drawImage(c, 0, 0);
    const d = cx.getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let k = 0; k < d.length; k += 7) h = Math.imul(h ^ d[k], 16777619);
    return h >>> 0;
  }, { index, sel });
}

const sessions = new WeakMap();
/** Live JS heap bytes after a full garbage collection (Chrome DevTools Protocol). */
export async function heapAfterGc(page) {
  if (!sessions.has(page)) sessions.set(page, await page.context().newCDPSession(page));
  const cdp = sessions.get(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

/** Runs `fn(el, arg)` in the page with the element `sel`; `fn` must be self-contained. */
export function onElement(page, fn, arg, sel = 'divergence-explorer') {
  return page.evaluate(([src, arg, sel]) => {
    const e = document.querySelector(sel);
    return new Function('el', 'arg', `return (${src})(el, arg)`)(e, arg);
  }, [fn.toString(), arg, sel]);
}
