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
      const touch = opts.touch ? { hasTouch: true, isMobile: true } : {};
      const ctx = await browser.newContext({ viewport, deviceScaleFactor: opts.dpr ?? 1, colorScheme: opts.colorScheme ?? 'light', ...touch });
      const page = await ctx.newPage();
      page.messages = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') page.messages.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => page.messages.push(`pageerror: ${e.message}`));
      await page.goto(server.url + path);
      return page;
    },
    /** A phone: 390 × 800 CSS px at 2× with a touch screen, the page loaded and settled. */
    async phone(path = 'index.html') {
      const p = await this.page(path, { width: 390, height: 800 }, { dpr: 2, touch: true });
      await settled(p);
      return p;
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
/** The page's Chrome DevTools Protocol session, made once. */
async function devtools(page) {
  if (!sessions.has(page)) sessions.set(page, await page.context().newCDPSession(page));
  return sessions.get(page);
}

/** Live JS heap bytes after a full garbage collection (Chrome DevTools Protocol). */
export async function heapAfterGc(page) {
  const cdp = await devtools(page);
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

/** Runs `fn(root, arg)` in the page with the shadow root of element `sel`; `fn` must be
 * self-contained. */
export function shadow(page, fn, arg, sel = 'divergence-explorer') {
  return page.evaluate(([src, arg, sel]) => {
    const root = document.querySelector(sel).shadowRoot;
    return new Function('root', 'arg', `return (${src})(root, arg)`)(root, arg);
  }, [fn.toString(), arg, sel]);
}

/** Polls `fn(arg)` in the page (every 50 ms, up to `ms`) until it returns something truthy,
 * and returns that. (Playwright's waitForFunction evaluates strings, which a strict CSP forbids.) */
export async function until(page, fn, arg, ms = 10_000) {
  const t0 = Date.now();
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${fn}`);
    await page.waitForTimeout(50);
  }
}

/** Page coordinates of (μ, σ) on landscape `i`, from the public `el.plotArea(i)`. */
export async function landscapePoint(page, i, mu, sigma, sel = 'divergence-explorer') {
  const area = await onElement(page, (e, i) => e.plotArea(i), i, sel);
  const box = await page.locator(`${sel} canvas.landscape`).nth(i).boundingBox();
  return {
    x: box.x + area.x + ((mu - area.muRange[0]) / (area.muRange[1] - area.muRange[0])) * area.width,
    y: box.y + area.y + (1 - (sigma - area.sigmaRange[0]) / (area.sigmaRange[1] - area.sigmaRange[0])) * area.height,
  };
}

/** Maps data (x, y) of the `density` or `pressure` panel to page pixels (`px`, `py`), from
 * the public `el.panelArea(kind)`, after scrolling the panel into view; `perPx`/`perPy` are
 * data units per CSS pixel. */
export async function panelMap(page, kind, sel = 'divergence-explorer') {
  const canvas = page.locator(`${sel} canvas[data-panel=${kind}]`);
  await canvas.scrollIntoViewIfNeeded();
  await scrollSettled(page);
  const area = await onElement(page, (e, k) => e.panelArea(k), kind, sel);
  const box = await canvas.boundingBox();
  const [x0, x1] = area.xRange;
  const [y0, y1] = area.yRange;
  return {
    area,
    px: (x) => box.x + area.x + ((x - x0) / (x1 - x0)) * area.width,
    py: (y) => box.y + area.y + (1 - (y - y0) / (y1 - y0)) * area.height,
    perPx: (x1 - x0) / area.width,
    perPy: (y1 - y0) / area.height,
  };
}

/** Resolves once the page's scroll position and zoom have held still for 10 animation
 * frames in a row (a touch fling runs on after the finger lifts); rejects after `ms`. */
export function scrollSettled(page, ms = 10_000) {
  return page.evaluate((ms) => new Promise((ok, fail) => {
    const t0 = performance.now();
    const where = () => `${window.scrollX},${window.scrollY},${visualViewport.scale},${visualViewport.offsetLeft},${visualViewport.offsetTop}`;
    let last = where();
    let still = 0;
    const tick = () => {
      const now = where();
      still = now === last ? still + 1 : 0;
      last = now;
      if (still >= 10) ok(now);
      else if (performance.now() - t0 > ms) fail(new Error(`the page still scrolls after ${ms} ms (${now})`));
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }), ms);
}

/** A gesture of one finger per entry of `fingers` (`{x, y, dx, dy}`: from (x, y) by (dx, dy)),
 * all moving together in `steps` steps, as CDP touch events; resolves once the page's scroll
 * (a fling included) has settled. The fingers land only on an idle page (every explorer
 * settled, the scroll still): a busy main thread delays the touches' acknowledgements, and a
 * finger held still past the long-press time is no longer a swipe. */
export async function gesture(page, fingers, steps = 10) {
  const cdp = await devtools(page);
  await page.evaluate(() => Promise.all([...document.querySelectorAll('divergence-explorer')].map((e) => e.settled())));
  await scrollSettled(page);
  const at = (k) => fingers.map((f, id) => ({ id, x: f.x + (f.dx * k) / steps, y: f.y + (f.dy * k) / steps }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let k = 1; k <= steps; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(k) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await scrollSettled(page);
}

/** A one-finger swipe from (x, y) by (dx, dy); see `gesture`. */
export function swipe(page, x, y, dx, dy) { return gesture(page, [{ x, y, dx, dy }]); }
