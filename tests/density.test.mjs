// Direct manipulation of the densities (#16 item 8): dragging a component of p on the density
// panel moves its mean (vertically its weight), the wheel changes its std, keys move q, a
// vertical swipe scrolls the page; and the read-outs of the density and pressure panels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, settled, onElement, shadow, until, panelMap, swipe, gesture, scrollSettled, drawnPixels, OUT } from './browser.mjs';

let env;
let page;
before(async () => {
  env = await start({ csp: true });
  page = await env.page('index.html', { width: 1280, height: 900 });
  await settled(page);
});
after(async () => { await env.close(); });

const el = (fn, arg, p = page) => onElement(p, fn, arg);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const tip = (p = page) => p.evaluate(() => {
  const t = document.querySelector('divergence-explorer').shadowRoot.querySelector('.tip');
  const r = t.getBoundingClientRect();
  return { hidden: t.hidden, text: t.textContent, x: r.left, y: r.bottom, right: r.right, top: r.top };
});

async function reset(p = page) {
  await el((e) => e.setPreset('blog-kl'), undefined, p);
  await settled(p);
}

const share = (t, k) => t[k].weight / t.reduce((a, c) => a + c.weight, 0);
const peak = (t, k) => share(t, k) / (t[k].std * SQRT_2PI);

test('dragging component 2 by its peak moves its mean; forward KL follows the mixture mean exactly', async () => {
  await reset();
  page.messages.length = 0; // what the drag itself reports
  const s0 = await el((e) => e.state);
  const m = await panelMap(page, 'density');
  const c = s0.target[1];
  const from = { x: m.px(c.mean), y: m.py(peak(s0.target, 1)) };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let k = 1; k <= 8; k++) await page.mouse.move(from.x - 15 * k, from.y);
  await page.mouse.up();
  await settled(page);
  const s1 = await el((e) => e.state);
  const expected = c.mean - 120 * m.perPx;
  assert.ok(Math.abs(s1.target[1].mean - expected) < 1e-3, `mean ${s1.target[1].mean}, expected ${expected}`);
  assert.ok(s1.target[1].mean < c.mean - 0.5, 'the mean moved left');
  assert.ok(Math.abs(s1.target[1].weight - c.weight) < 1e-3, `a horizontal drag keeps the weight: ${s1.target[1].weight}`);
  assert.deepEqual(s1.target[0], s0.target[0], 'component 1 unchanged');
  // Forward KL's optimum is moment matching: μ = the mixture mean, σ² = its variance.
  const t = s1.target;
  const mean = t.reduce((a, comp, k) => a + share(t, k) * comp.mean, 0);
  const second = t.reduce((a, comp, k) => a + share(t, k) * (comp.std ** 2 + comp.mean ** 2), 0);
  const fkl = (await el((e) => e.optima)).forward_kl[0];
  assert.ok(Math.abs(fkl.mu - mean) < 1e-6, `forward KL μ ${fkl.mu} vs mixture mean ${mean}`);
  assert.ok(Math.abs(fkl.sigma - Math.sqrt(second - mean ** 2)) < 1e-6, `forward KL σ ${fkl.sigma}`);
  assert.deepEqual(page.messages, []);
});

test('a vertical drag on a peak changes the component\'s weight so that its peak follows', async () => {
  await reset();
  const s0 = await el((e) => e.state);
  const m = await panelMap(page, 'density');
  const t0 = s0.target;
  const from = { x: m.px(t0[1].mean), y: m.py(peak(t0, 1)) };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let k = 1; k <= 5; k++) await page.mouse.move(from.x, from.y - 8 * k);
  await page.mouse.up();
  await settled(page);
  const t1 = (await el((e) => e.state)).target;
  // The component's peak rose by 40 px of the (drag-start) y axis: its share follows.
  const want = (peak(t0, 1) + 40 * m.perPy) * t0[1].std * SQRT_2PI;
  const others = t0[0].weight;
  assert.ok(t1[1].weight > t0[1].weight + 0.02, `weight ${t0[1].weight} → ${t1[1].weight}`);
  assert.ok(Math.abs(share(t1, 1) - want) < 2e-3, `share ${share(t1, 1)} vs ${want}`);
  assert.ok(Math.abs(t1[1].weight - (want * others) / (1 - want)) < 5e-3);
  assert.ok(Math.abs(t1[1].mean - t0[1].mean) < 1e-9, 'a vertical drag keeps the mean');
});

test('the wheel on a component changes its std by 10% a notch; the wheel elsewhere scrolls the page', async () => {
  await reset();
  const s0 = await el((e) => e.state);
  const m = await panelMap(page, 'density');
  await page.mouse.move(m.px(s0.target[0].mean), m.py(peak(s0.target, 0)));
  await page.mouse.wheel(0, 100);
  await settled(page);
  let t = (await el((e) => e.state)).target;
  assert.ok(Math.abs(t[0].std - s0.target[0].std * 1.1) < 1e-4, `std ${t[0].std}`);
  // Back at the (lower) peak: two notches the other way.
  const m1 = await panelMap(page, 'density');
  await page.mouse.move(m1.px(t[0].mean), m1.py(peak(t, 0)));
  await page.mouse.wheel(0, -100);
  await page.mouse.wheel(0, -100);
  await settled(page);
  await page.waitForTimeout(700); // the wheel run ends
  t = (await el((e) => e.state)).target;
  assert.ok(Math.abs(t[0].std - s0.target[0].std * 1.1 / 1.1 / 1.1) < 2e-4, `std ${t[0].std}`);
  // Far from every curve (top left of the plot area), the wheel belongs to the page.
  const before = await el((e) => e.state);
  const y0 = await page.evaluate(() => window.scrollY);
  await page.mouse.move(m.px(m.area.xRange[0]) + 5, m.py(m.area.yRange[1]) + 5);
  await page.mouse.wheel(0, 200);
  assert.ok(await until(page, (y) => window.scrollY > y, y0), 'the page scrolled');
  await scrollSettled(page);
  assert.deepEqual(await el((e) => e.state), before);
});

test('keyboard: Tab selects q on the focused density panel, arrows move it, + widens it, Tab leaves', async () => {
  await reset();
  const s0 = await el((e) => e.state);
  const canvas = page.locator('divergence-explorer canvas.density');
  const role = await canvas.evaluate((c) => [c.getAttribute('role'), c.getAttribute('aria-label'), c.tabIndex]);
  assert.equal(role[0], 'slider');
  assert.match(role[1], /^Densities p/);
  assert.equal(role[2], 0);
  await canvas.focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.match(await canvas.getAttribute('aria-valuetext'), /^q: μ/);
  const span = (await el((e) => e.panelArea('density'))).xRange;
  await page.keyboard.press('ArrowRight');
  let q = (await el((e) => e.state)).q;
  const step = (span[1] - span[0]) / 100;
  assert.ok(Math.abs(q.mu - (s0.q.mu + step)) < 1e-4, `q μ ${q.mu}, expected ${s0.q.mu + step}`);
  await page.keyboard.press('Shift+ArrowLeft');
  q = (await el((e) => e.state)).q;
  assert.ok(q.mu < s0.q.mu - 5 * step, `Shift: ten steps back, q μ ${q.mu}`);
  await page.keyboard.press('+');
  q = (await el((e) => e.state)).q;
  assert.ok(Math.abs(q.sigma - s0.q.sigma * 1.1) < 1e-4, `q σ ${q.sigma}`);
  assert.deepEqual((await el((e) => e.state)).target, s0.target, 'p unchanged');
  // The read-out sits at q's peak and says what the keys did.
  const t = await tip();
  assert.equal(t.hidden, false);
  assert.match(t.text, /^q: μ .*q\(x\) = /);
  // Shift+Tab back to component 2; ↑ raises its weight by 0.01.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('ArrowUp');
  const w = (await el((e) => e.state)).target[1].weight;
  assert.ok(Math.abs(w - (s0.target[1].weight + 0.01)) < 1e-9, `weight ${w}`);
  // From the last item, Tab leaves the panel (no keyboard trap).
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await canvas.evaluate((c) => c.getRootNode().activeElement === c), false, 'focus left the panel');
  await settled(page);
});

test('read-outs: x, p(x), q(x) beside the pointer on the density panel; ψ per divergence on the pressure panel', async () => {
  await reset();
  const s = await el((e) => e.state);
  const m = await panelMap(page, 'density');
  await page.mouse.move(m.px(1), m.py(m.area.yRange[1] * 0.9));
  let t = await tip();
  assert.equal(t.hidden, false);
  const mx = /^x = (-?[\d.]+): p\(x\) = ([\d.e-]+), q\(x\) = ([\d.e-]+)$/.exec(t.text);
  assert.ok(mx, t.text);
  const at = Number(mx[1]);
  assert.ok(Math.abs(at - 1) < 2 * m.perPx, `x ${at}`);
  const n = (x, mu, sd) => Math.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * SQRT_2PI);
  const p = s.target.reduce((a, c, k) => a + share(s.target, k) * n(at, c.mean, c.std), 0);
  assert.ok(Math.abs(Number(mx[2]) / p - 1) < 1e-3, `p(x) ${mx[2]} vs ${p}`);
  assert.ok(Math.abs(Number(mx[3]) / n(at, s.q.mu, s.q.sigma) - 1) < 1e-3, `q(x) ${mx[3]}`);
  assert.ok(Math.abs(t.x - m.px(1)) < 40, 'beside the pointer');
  const pm = await panelMap(page, 'pressure');
  await page.mouse.move(pm.px(0.5), pm.py(0));
  t = await tip();
  assert.equal(t.hidden, false);
  assert.match(t.text, /^x = 0\.\d+: Reverse KL ψ = [-\d.e]+, Forward KL ψ = [-\d.e]+/);
  // Forward KL's ψ at x is p/q − 1 (fixed to 0 where q = p).
  const x = Number(/^x = ([\d.]+)/.exec(t.text)[1]);
  const fkl = Number(/Forward KL ψ = ([-\d.e]+)/.exec(t.text)[1]);
  const ratio = s.target.reduce((a, c, k) => a + share(s.target, k) * n(x, c.mean, c.std), 0) / n(x, s.q.mu, s.q.sigma);
  assert.ok(Math.abs(fkl - (ratio - 1)) < 1e-3 * Math.max(1, Math.abs(ratio)), `ψ ${fkl} vs ${ratio - 1}`);
  await page.mouse.move(5, 5);
});

// ψ of forward KL (r − 1) and reverse KL (log r) at x, r = p(x)/q(x) from the public state
// (SPEC §3, fixed to 0 where q = p).
function psiAt(s, x) {
  const n = (t, mu, sd) => Math.exp(-0.5 * ((t - mu) / sd) ** 2) / (sd * SQRT_2PI);
  const r = s.target.reduce((a, c, k) => a + share(s.target, k) * n(x, c.mean, c.std), 0) / n(x, s.q.mu, s.q.sigma);
  return { forward: r - 1, reverse: Math.log(r) };
}

// The pressure read-out's x and each ψ, checked against the closed forms; returns x.
function checkPressure(text, s) {
  const m = /^x = (-?[\d.]+): Reverse KL ψ = ([-\d.e+]+), Forward KL ψ = ([-\d.e+]+)$/.exec(text);
  assert.ok(m, text);
  const x = Number(m[1]);
  const want = psiAt(s, x);
  const close = (got, ref) => Math.abs(got - ref) <= 1e-5 * Math.max(1, Math.abs(ref));
  assert.ok(close(Number(m[2]), want.reverse), `reverse KL ψ(${x}) ${m[2]} vs log r = ${want.reverse}`);
  assert.ok(close(Number(m[3]), want.forward), `forward KL ψ(${x}) ${m[3]} vs r − 1 = ${want.forward}`);
  return x;
}

test('keyboard on the pressure panel: a slider over x; arrows, Page keys, Home and End move a cursor whose read-out names each ψ', async () => {
  await reset();
  const s = await el((e) => e.state);
  const canvas = page.locator('divergence-explorer canvas[data-panel=pressure]');
  assert.deepEqual(await canvas.evaluate((c) => [c.getAttribute('role'), c.tabIndex]), ['slider', 0]);
  assert.match(await canvas.getAttribute('aria-label'), /^Pressure ψ\(x\) over x: arrow keys move a read-out/);
  // In the tab order right after the density panel's export buttons.
  await shadow(page, (root) => [...root.querySelector('canvas.density').parentElement.querySelectorAll('button')].pop().focus());
  await page.keyboard.press('Tab');
  assert.equal(await canvas.evaluate((c) => c.getRootNode().activeElement === c), true, 'Tab reaches the pressure panel');
  const m = await panelMap(page, 'pressure');
  const [x0, x1] = m.area.xRange;
  assert.deepEqual([Number(await canvas.getAttribute('aria-valuemin')), Number(await canvas.getAttribute('aria-valuemax'))],
    [Math.ceil(x0 * 1e3) / 1e3, Math.floor(x1 * 1e3) / 1e3]);
  const seen = async () => {
    const t = await tip();
    const c = await shadow(page, (root) => {
      const r = root.querySelector('.cursor').getBoundingClientRect();
      return { hidden: root.querySelector('.cursor').hidden, x: r.left, top: r.top, bottom: r.bottom };
    });
    return { t, c, now: Number(await canvas.getAttribute('aria-valuenow')), text: await canvas.getAttribute('aria-valuetext'),
      said: await shadow(page, (root) => root.querySelector('.sr-only[role=status]').textContent) };
  };
  // Focus: the cursor at q's mean, its read-out beside it.
  let r = await seen();
  assert.equal(r.t.hidden, false);
  assert.equal(r.now, s.q.mu);
  assert.equal(checkPressure(r.t.text, s), s.q.mu);
  assert.equal(r.text, r.t.text, 'the slider\'s value text is the read-out');
  assert.equal(r.c.hidden, false);
  assert.ok(Math.abs(r.c.x - m.px(s.q.mu)) < 1.5, `cursor line at ${r.c.x}, x = 0 at ${m.px(s.q.mu)}`);
  assert.ok(Math.abs(r.c.top - m.py(m.area.yRange[1])) < 1.5 && Math.abs(r.c.bottom - m.py(m.area.yRange[0])) < 1.5, 'over the plot area');
  // Every key moves the cursor, says the read-out once, and touches nothing in the state.
  const step = (x1 - x0) / 100;
  const keys = [['ArrowRight', s.q.mu + step], ['Shift+ArrowRight', s.q.mu + 11 * step], ['ArrowDown', s.q.mu + 10 * step],
    ['PageDown', s.q.mu], ['End', x1], ['ArrowRight', x1], ['Home', x0], ['PageUp', x0 + 10 * step]];
  for (const [key, want] of keys) {
    await shadow(page, (root) => {
      window.spoken = 0;
      window.speech?.disconnect();
      window.speech = new MutationObserver((records) => { window.spoken += records.length; });
      window.speech.observe(root.querySelector('.sr-only[role=status]'), { childList: true, characterData: true, subtree: true });
    });
    await page.keyboard.press(key);
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    r = await seen();
    const x = Math.min(Math.floor(x1 * 1e3), Math.max(Math.ceil(x0 * 1e3), Math.round(want * 1e3))) / 1e3;
    assert.equal(r.now, x, `${key}: cursor at ${r.now}, expected ${x}`);
    assert.equal(checkPressure(r.t.text, s), x, key);
    assert.equal(r.said, r.t.text, `${key}: announced`);
    assert.equal(await page.evaluate(() => window.spoken), 1, `${key}: announced once`);
    assert.ok(Math.abs(r.c.x - m.px(x)) < 1.5, `${key}: cursor line at ${r.c.x} vs ${m.px(x)}`);
    // Beside the point where the cursor meets the first curve (ψ on the symlog axis).
    const psi = psiAt(s, x).reverse;
    const y = m.py(Math.min(m.area.yRange[1], Math.max(m.area.yRange[0], Math.sign(psi) * Math.log10(1 + Math.abs(psi)))));
    assert.ok(r.t.x - 40 <= m.px(x) && m.px(x) <= r.t.right + 40, `${key}: read-out over x ${r.t.x}–${r.t.right}, cursor at ${m.px(x)}`);
    assert.ok(Math.abs(r.t.y - (y - 14)) < 3 || Math.abs(r.t.top - (y + 18)) < 3, `${key}: read-out ${r.t.top}–${r.t.y}, the curve at ${y}`);
  }
  await page.evaluate(() => window.speech.disconnect());
  assert.deepEqual(await el((e) => e.state), s, 'the keys read, they change nothing');
  await page.screenshot({ path: `${OUT}pressure-keys-1280.png` });
  // A change of state while focused: the read-out at the cursor follows the new q.
  const moved = await el((e) => e.setState({ q: { mu: 1, sigma: 1.5 } }));
  await settled(page);
  r = await seen();
  assert.equal(checkPressure(r.t.text, moved), r.now);
  assert.equal(r.text, r.t.text);
  // Leaving the panel hides the cursor and its read-out; the slider keeps the cursor's place.
  const last = r.now;
  await canvas.blur();
  r = await seen();
  assert.equal(r.t.hidden, true);
  assert.equal(r.c.hidden, true);
  assert.equal(r.text, null, 'no value text left to go stale');
  await reset();
  assert.equal(Number(await canvas.getAttribute('aria-valuenow')), last);
  // On a phone the read-out wraps inside the figure's column.
  const p = await env.phone();
  await p.locator('divergence-explorer canvas[data-panel=pressure]').focus();
  await p.keyboard.press('End');
  const t = await tip(p);
  const column = await shadow(p, (root) => { const b = root.querySelector('.plots').getBoundingClientRect(); return [b.left, b.right]; });
  assert.equal(t.hidden, false);
  checkPressure(t.text, await el((e) => e.state, undefined, p));
  assert.ok(t.x >= column[0] && t.right <= column[1], `read-out ${t.x}–${t.right} inside ${column}`);
  await p.screenshot({ path: `${OUT}pressure-keys-390.png` });
  assert.deepEqual(p.messages, []);
  await p.context().close();
});

test('touch: a vertical swipe over the density panel scrolls the page and changes nothing; a drag from a peak moves it', async () => {
  const p = await env.phone();
  const s0 = await el((e) => e.state, undefined, p);
  const m = await panelMap(p, 'density');
  let y0 = await p.evaluate(() => window.scrollY);
  // Over component 1's curve but away from its peak: the page's.
  await swipe(p, m.px(s0.target[0].mean + 1.5), m.py(peak(s0.target, 0) / 2), 0, -250);
  await settled(p);
  assert.ok(await p.evaluate(() => window.scrollY) > y0 + 100, 'the page scrolled');
  assert.deepEqual(await el((e) => e.state, undefined, p), s0, 'nothing changed');
  // A drag from component 2's peak ring moves its mean, and the page stays.
  const m2 = await panelMap(p, 'density');
  y0 = await p.evaluate(() => window.scrollY);
  await swipe(p, m2.px(s0.target[1].mean), m2.py(peak(s0.target, 1)), -60, 0);
  await settled(p);
  const t = (await el((e) => e.state, undefined, p)).target;
  assert.ok(Math.abs(t[1].mean - (s0.target[1].mean - 60 * m2.perPx)) < 0.05, `mean ${t[1].mean}`);
  assert.equal(await p.evaluate(() => window.scrollY), y0, 'no scroll while dragging a peak');
  await p.screenshot({ path: `${OUT}density-390.png` });
  assert.deepEqual(p.messages, []);
  await p.context().close();
});

// The page's scroll position and zoom, and from now on every touch event's type, finger count
// and whether the element claimed it (`defaultPrevented`, read after it, at the window).
function watchTouches(p) {
  return p.evaluate(() => {
    window.touchLog = [];
    for (const t of ['touchstart', 'touchmove']) window.addEventListener(t, (e) => window.touchLog.push([t, e.touches.length, e.defaultPrevented]));
    return [window.scrollY, visualViewport.scale];
  });
}
const touchLog = (p) => p.evaluate(() => window.touchLog.splice(0));
const still = (p) => p.evaluate(() => [window.scrollY, visualViewport.scale]);

test('touch: a pinch on a peak ring scales its std by the fingers\' gap and keeps the page still; a pinch elsewhere and double-taps change nothing', async () => {
  const p = await env.phone();
  const s0 = await el((e) => e.state, undefined, p);
  const m = await panelMap(p, 'density');
  const page0 = await watchTouches(p);
  // Two fingers 30 px apart either side of component 2's peak, spreading to 90 px.
  const cx = Math.round(m.px(s0.target[1].mean));
  const cy = Math.round(m.py(peak(s0.target, 1)));
  await gesture(p, [{ x: cx - 15, y: cy, dx: -30, dy: 0 }, { x: cx + 15, y: cy, dx: 30, dy: 0 }]);
  const pinched = (await el((e) => e.state, undefined, p)).target;
  const std = s0.target[1].std * (90 / 30);
  assert.ok(Math.abs(pinched[1].std - std) < 1e-3, `std ${pinched[1].std}, the gap ratio says ${std}`);
  assert.deepEqual({ ...pinched[1], std: 0 }, { ...s0.target[1], std: 0 }, 'mean and weight unchanged');
  assert.deepEqual(pinched[0], s0.target[0], 'component 1 unchanged');
  // The element claimed the two-finger gesture: neither scroll nor zoom.
  const log = await touchLog(p);
  const two = log.filter(([t, n]) => t === 'touchmove' && n === 2);
  assert.ok(two.length >= 5 && two.every(([, , claimed]) => claimed), JSON.stringify(log));
  assert.deepEqual(await still(p), page0, 'the page did not scroll or zoom');
  assert.match((await tip(p)).text, new RegExp(`^Component 2: mean 4, std ${std}, weight 0.5`));
  // The landscapes follow: forward KL's optimum is the mixture's mean and std.
  await settled(p);
  const mean = pinched.reduce((a, c, k) => a + share(pinched, k) * c.mean, 0);
  const second = pinched.reduce((a, c, k) => a + share(pinched, k) * (c.std ** 2 + c.mean ** 2), 0);
  const fkl = (await el((e) => e.optima, undefined, p)).forward_kl[0];
  assert.ok(Math.abs(fkl.mu - mean) < 1e-6, `forward KL μ ${fkl.mu} vs ${mean}`);
  assert.ok(Math.abs(fkl.sigma - Math.sqrt(second - mean ** 2)) < 1e-6, `forward KL σ ${fkl.sigma} vs ${Math.sqrt(second - mean ** 2)}`);
  // A pinch centred on component 1's curve, away from its peak, belongs to the page.
  const s1 = await el((e) => e.state, undefined, p);
  const m1 = await panelMap(p, 'density');
  const c1 = s1.target[0];
  const x1 = c1.mean + 1.5;
  const y1 = share(s1.target, 0) * Math.exp(-0.5 * 1.5 ** 2) / (c1.std * SQRT_2PI);
  await gesture(p, [{ x: m1.px(x1) - 15, y: m1.py(y1), dx: -30, dy: 0 }, { x: m1.px(x1) + 15, y: m1.py(y1), dx: 30, dy: 0 }]);
  assert.deepEqual(await el((e) => e.state, undefined, p), s1, 'nothing changed');
  const away = await touchLog(p);
  assert.ok(away.length >= 5 && away.every(([, , claimed]) => !claimed), JSON.stringify(away));
  // Double-taps, on a peak's ring and on empty plot: nothing changes, the page does not zoom,
  // the panel is drawn and the element settles.
  const m2 = await panelMap(p, 'density');
  const page2 = await still(p);
  for (const [x, y] of [[m2.px(c1.mean), m2.py(peak(s1.target, 0))], [m2.px(m2.area.xRange[0]) + 10, m2.py(m2.area.yRange[1]) + 10]]) {
    await p.touchscreen.tap(x, y);
    await p.touchscreen.tap(x, y);
  }
  await settled(p);
  assert.deepEqual(await el((e) => e.state, undefined, p), s1, 'double-taps change nothing');
  assert.deepEqual(await still(p), page2, 'no double-tap zoom');
  const index = await p.evaluate(() => [...document.querySelector('divergence-explorer').shadowRoot.querySelectorAll('canvas')].findIndex((c) => c.dataset.panel === 'density'));
  const { drawn, total } = await drawnPixels(p, index);
  assert.ok(drawn > 0.02 * total, `density panel drawn: ${drawn} of ${total} pixels`);
  assert.deepEqual(p.messages, []);
  await p.context().close();
});

test('screenshot at 1280 px with the density read-out', async () => {
  await reset();
  const m = await panelMap(page, 'density');
  const s = await el((e) => e.state);
  await page.mouse.move(m.px(s.target[1].mean), m.py(peak(s.target, 1)));
  await page.screenshot({ path: `${OUT}density-1280.png` });
  assert.equal((await tip()).hidden, false);
});
