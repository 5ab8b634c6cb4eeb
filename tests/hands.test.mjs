// The reader's hands (#16): every interaction ends on the exact view, q stays in view, bad
// input is kept and explained beside its field, busy and stale panels say so, the read-out
// follows mouse, finger and keyboard, touch scrolls the page, and the figure is accessible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { start, settled, errorText, onElement, shadow, until, landscapePoint, swipe, drawnPixels, plotRect, OUT } from './browser.mjs';

let env;
let page;
before(async () => {
  env = await start({ csp: true });
  page = await env.page('index.html', { width: 1280, height: 900 });
  await settled(page);
});
after(async () => { await env.close(); });

const el = (fn, arg) => onElement(page, fn, arg);
const SQRT17 = Math.sqrt(17);

async function exactBlogKl(p) {
  const o = await onElement(p, (e) => e.optima);
  assert.equal(o.forward_kl.length, 1);
  assert.ok(Math.abs(o.forward_kl[0].sigma - SQRT17) < 1e-6, `forward KL σ ${o.forward_kl[0].sigma}`);
  assert.ok(Math.abs(o.forward_kl[0].mu) < 1e-6, `forward KL μ ${o.forward_kl[0].mu}`);
  for (const m of o.reverse_kl.slice(0, 2)) assert.ok(Math.abs(m.value - 0.6930529) < 1e-6, `reverse KL minimum ${m.value}`);
}

async function reset(p = page) {
  await onElement(p, (e) => e.setPreset('blog-kl'));
  await settled(p);
}

test('a press on a slider thumb that never moves ends the quick mode: settled() and exact optima', async () => {
  const slider = page.getByRole('slider', { name: 'Component 2 mean', exact: true });
  const box = await slider.boundingBox();
  // The thumb of a value of 4 on [−10, 10] (Chromium's thumb is 16 px wide).
  const x = box.x + 8 + ((4 + 10) / 20) * (box.width - 16);
  await page.mouse.move(x, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.up();
  await settled(page, 'divergence-explorer', 30_000);
  assert.equal((await el((e) => e.state)).target[1].mean, 4, 'the press did not move the value');
  await exactBlogKl(page);
  // The address bar follows again.
  assert.equal(await page.evaluate(() => location.hash.slice(1)), await el((e) => e.fragment()));
});

test('the quick mode also ends on a key let go and on a lost pointer capture', async () => {
  for (const ending of ['keyup', 'lostpointercapture']) {
    await shadow(page, (root, ending) => {
      const r = root.querySelector('input[type=range][aria-label="Component 1 std"]');
      r.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
      r.value = '1.2';
      r.dispatchEvent(new Event('input', { bubbles: true }));
      if (ending === 'keyup') window.dispatchEvent(new KeyboardEvent('keyup', { key: 'Shift' }));
      else r.dispatchEvent(new PointerEvent('lostpointercapture'));
    }, ending);
    await settled(page, 'divergence-explorer', 30_000);
    const { s, o } = await el((e) => ({ s: e.state, o: e.optima }));
    assert.equal(s.target[0].std, 1.2);
    // Forward KL's optimum is the moment-matched Gaussian, refined to full precision.
    const sd = Math.sqrt(0.5 * (1.44 + 1) + 16);
    assert.ok(Math.abs(o.forward_kl[0].sigma - sd) < 1e-6, `${ending}: ${o.forward_kl[0].sigma} vs ${sd}`);
    await reset();
  }
});

test('q stays in view: arrow keys clamp to the view, the number fields widen it and say so', async () => {
  const land = page.locator('divergence-explorer canvas.landscape').first();
  await land.focus();
  for (let k = 0; k < 15; k++) await page.keyboard.press('Shift+ArrowRight');
  for (let k = 0; k < 15; k++) await page.keyboard.press('Shift+ArrowUp');
  let s = await el((e) => e.state);
  assert.equal(s.q.mu, 7, 'q mean clamped to the view');
  assert.equal(s.q.sigma, 5, 'q std clamped to the view');
  const mean = page.getByRole('spinbutton', { name: 'q mean value', exact: true });
  await mean.fill('21');
  await mean.press('Enter');
  const std = page.getByRole('spinbutton', { name: 'q std value', exact: true });
  await std.fill('5.8');
  await std.press('Enter');
  await settled(page);
  s = await el((e) => e.state);
  assert.equal(s.q.mu, 21);
  assert.ok(s.view.muRange[0] <= -7 && s.view.muRange[1] >= 21, JSON.stringify(s.view));
  assert.ok(s.view.sigmaRange[1] >= 5.8, JSON.stringify(s.view));
  const note = await shadow(page, (root) => root.querySelector('.view-note').textContent);
  assert.match(note, /View widened to μ ∈ \[-7, 2\d\.?\d*\], σ ∈ \[0\.5, 6\.38\] to keep q in sight/);
  // The marker is drawn where q is: the (μ, σ) of q maps inside the plot area.
  const area = await el((e) => e.plotArea(0));
  assert.ok(s.q.mu < area.muRange[1] && s.q.sigma < area.sigmaRange[1], JSON.stringify(area));
  await reset();
});

test('a bad number stays in its field, marked invalid with the message beside it, and nothing jumps', async () => {
  const land = page.locator('divergence-explorer canvas.landscape').first();
  const before = await land.boundingBox();
  const prev = await el((e) => e.state);
  const mean = page.getByRole('spinbutton', { name: 'q mean value', exact: true });
  await mean.fill('4,5');
  await mean.press('Enter');
  assert.equal(await mean.inputValue(), '4,5', 'what the reader typed is kept');
  assert.equal(await mean.getAttribute('aria-invalid'), 'true');
  const msg = await shadow(page, (root) => {
    const f = root.querySelector('input[aria-label="q mean value"]');
    return root.getElementById(f.getAttribute('aria-describedby')).textContent;
  });
  assert.equal(msg, "'4,5' is not a number");
  await mean.blur();
  await el((e) => e.setState({ q: { sigma: 2.5 } }));
  await settled(page);
  assert.equal(await mean.inputValue(), '4,5', 'a re-render keeps the bad input');
  // Out of the allowed range: refused by the core, explained beside the field.
  const std = page.getByRole('spinbutton', { name: 'q std value', exact: true });
  await std.fill('-1');
  await std.press('Enter');
  assert.equal(await std.inputValue(), '-1');
  assert.equal(await std.getAttribute('aria-invalid'), 'true');
  assert.match(await shadow(page, (root) => root.querySelector('input[aria-label="q std value"] ~ .field-error').textContent), /q std/);
  assert.equal(await errorText(page), '', 'no banner for a field error');
  assert.deepEqual((await el((e) => e.state)).q, { ...prev.q, sigma: 2.5 });
  // A script's bad setState shows the banner over the page: the figure does not move.
  await el((e) => { try { e.setState({ q: { sigma: -1 } }); } catch { /* shown */ } });
  assert.match(await errorText(page), /q std/);
  assert.deepEqual(await land.boundingBox(), before, 'the banner does not push the layout');
  // Fixing the field clears the mark.
  await mean.fill('1.5');
  await mean.press('Enter');
  assert.equal(await mean.getAttribute('aria-invalid'), null);
  assert.equal((await el((e) => e.state)).q.mu, 1.5);
  await std.fill('2');
  await std.press('Enter');
  await reset();
});

test('busy and stale: KSD² shows its progress and aria-busy, and is marked behind during a drag', async () => {
  // The first busy state of the KSD² figure, recorded as it happens.
  await page.evaluate(() => {
    const el = document.querySelector('divergence-explorer');
    const root = el.shadowRoot;
    window.busy = null;
    const note = () => {
      const fig = root.querySelectorAll('.landscapes figure')[1];
      const bar = fig?.querySelector('[role=progressbar]');
      if (window.busy || fig?.getAttribute('aria-busy') !== 'true' || !bar || bar.hidden) return;
      const canvas = fig.querySelector('canvas.landscape');
      window.busy = { n: Number(bar.getAttribute('aria-valuenow')), label: bar.getAttribute('aria-label'), desc: root.getElementById(canvas.getAttribute('aria-describedby'))?.textContent };
    };
    window.watch = new MutationObserver(note);
    window.watch.observe(root, { subtree: true, attributes: true, childList: true, characterData: true });
    // A finer grid, so that KSD² takes several frames even in the quick mode of a drag.
    el.resolution = [384, 288];
    el.setState({ divergences: ['reverse_kl', 'ksd'] });
  });
  const b = await until(page, () => window.busy);
  await page.evaluate(() => window.watch.disconnect());
  assert.ok(b.n >= 0 && b.n < 100, JSON.stringify(b));
  assert.match(b.label, /KSD² landscape|KSD²: computing/);
  assert.match(b.desc, /still computing/, 'no minima shown as final while computing');
  await settled(page);
  const done = await shadow(page, (root) => [...root.querySelectorAll('.landscapes figure')].map((f) => [f.getAttribute('aria-busy'), f.querySelector('[role=progressbar]').hidden]));
  assert.deepEqual(done, [['false', true], ['false', true]]);
  // A drag on a component's mean: KSD² lags and is marked behind until it catches up.
  const slider = page.getByRole('slider', { name: 'Component 2 mean', exact: true });
  const box = await slider.boundingBox();
  const at = (v) => box.x + 8 + ((v + 10) / 20) * (box.width - 16);
  await page.mouse.move(at(4), box.y + box.height / 2);
  await page.mouse.down();
  // Every state the figures pass through, recorded as it happens (quick KSD² catches up fast),
  // with whether a stale figure's badge lies inside its heatmap (clear of the title above).
  await shadow(page, (root) => {
    window.seen = new Set();
    const inPlot = (f, i) => {
      const a = root.host.plotArea(i);
      const r = f.querySelector('canvas.landscape').getBoundingClientRect();
      const b = f.querySelector('.busy').getBoundingClientRect();
      return !!a && b.left >= r.left + a.x - 1 && b.top >= r.top + a.y - 1
        && b.right <= r.left + a.x + a.width + 1 && b.bottom <= r.top + a.y + a.height + 1;
    };
    const note = () => window.seen.add([...root.querySelectorAll('.landscapes figure')]
      .map((f, i) => (f.classList.contains('stale') ? `${f.querySelector('.busy').textContent}${inPlot(f, i) ? '' : ' (outside the plot)'}` : '')).join('|'));
    window.watch = new MutationObserver(note);
    window.watch.observe(root.querySelector('.landscapes'), { subtree: true, attributes: true, characterData: true, childList: true });
  });
  for (let k = 1; k <= 20; k++) await page.mouse.move(at(4 - 0.1 * k), box.y + box.height / 2);
  await page.mouse.up();
  const seen = await page.evaluate(() => { window.watch.disconnect(); return [...window.seen]; });
  assert.ok(seen.some((s) => s.endsWith('|behind · updating')), `KSD² marked behind during the drag, in its heatmap: ${seen.join(', ')}`);
  assert.ok(!seen.some((s) => s.includes('outside the plot')), `a badge over the title or axes: ${seen.join(', ')}`);
  await settled(page);
  assert.equal(await shadow(page, (root) => root.querySelectorAll('figure.stale, figure[aria-busy=true]').length), 0);
  await el((e) => { e.resolution = [128, 96]; });
  await reset();
});

test('the read-out follows the mouse and keyboard focus, next to it, naming the divergence', async () => {
  const pt = await landscapePoint(page, 1, -3, 1.5);
  await page.mouse.move(pt.x, pt.y);
  const tip = () => shadow(page, (root) => {
    const t = root.querySelector('.tip');
    const r = t.getBoundingClientRect();
    return { hidden: t.hidden, text: t.textContent, x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width };
  });
  let t = await tip();
  assert.equal(t.hidden, false);
  assert.match(t.text, /^Forward KL: μ = -3\.0\d\d, σ = 1\.[45]\d\d, D = /);
  assert.ok(Math.abs(t.y - pt.y) < 50 && Math.abs(t.x - pt.x) < t.w / 2 + 40, `tip at ${t.x},${t.y}; pointer at ${pt.x},${pt.y}`);
  // D is the landscape's value there, against the grid's nearest cell.
  const D = Number(t.text.split('D = ')[1]);
  const grid = await el((e) => { const l = e.landscape(1); const a = l.mu.reduce((b, m, k) => (Math.abs(m + 3) < Math.abs(l.mu[b] + 3) ? k : b), 0); const s = l.sigma.reduce((b, m, k) => (Math.abs(m - 1.5) < Math.abs(l.sigma[b] - 1.5) ? k : b), 0); return l.values[s * l.mu.length + a]; });
  assert.ok(Math.abs(D - grid) < 0.05 * grid, `${D} vs ${grid}`);
  await page.mouse.move(5, 5);
  // Keyboard: focus shows it at q's marker; a move is announced briefly.
  await page.locator('divergence-explorer canvas.landscape').first().focus();
  const q = (await el((e) => e.state)).q;
  const qp = await landscapePoint(page, 0, q.mu, q.sigma);
  t = await tip();
  assert.equal(t.hidden, false);
  assert.match(t.text, /^Reverse KL: μ = /);
  assert.ok(Math.hypot(t.x - qp.x, t.y - qp.y) < t.w / 2 + 50, 'beside q');
  // Every change of the long status paragraphs' text from now on, with the aria-live it had then.
  await shadow(page, (root) => {
    const nodes = [...root.querySelectorAll('figure.sampling [role=status], figure.tradeoff [role=status]')];
    window.heard = [];
    window.hush = new MutationObserver((records) => {
      // A record of aria-live holds the value before it: the value after it is the next one's
      // old value, or the attribute now.
      records.forEach((r, k) => {
        if (r.type !== 'childList' || !nodes.includes(r.target)) return;
        const before = records.slice(0, k).filter((a) => a.target === r.target && a.type === 'attributes').length;
        const next = records.filter((a) => a.target === r.target && a.type === 'attributes')[before];
        window.heard.push([r.target.closest('figure').className, next ? next.oldValue : r.target.getAttribute('aria-live')]);
      });
    });
    for (const n of nodes) window.hush.observe(n, { childList: true, attributes: true, attributeFilter: ['aria-live'], attributeOldValue: true });
  });
  await page.keyboard.press('ArrowLeft');
  const said = await shadow(page, (root) => root.querySelector('.sr-only[role=status]').textContent);
  const q2 = (await el((e) => e.state)).q;
  assert.equal(said.startsWith(`μ ${q2.mu.toFixed(2)}, σ ${q2.sigma.toFixed(2)}, D `), true, said);
  // The long status paragraphs are hushed while the reader keys: only the brief line speaks.
  await settled(page);
  const heard = await page.evaluate(() => { window.hush.takeRecords(); window.hush.disconnect(); return window.heard; });
  assert.ok(heard.some(([fig]) => fig === 'sampling'), `the sampling paragraph followed q: ${JSON.stringify(heard)}`);
  assert.deepEqual(heard.filter(([, live]) => live !== 'off'), [], 'no paragraph change spoken while keying');
  await page.locator('divergence-explorer canvas.landscape').first().blur();
  await reset();
});

test('accessible landscapes: a 2D slider named for its divergence, described by its minima and q', async () => {
  await reset(); // from blog-kl, whatever the test before left
  const describe = (i) => shadow(page, (root, i) => {
    const c = root.querySelectorAll('canvas.landscape')[i];
    return { role: c.getAttribute('role'), name: c.getAttribute('aria-label'), desc: root.getElementById(c.getAttribute('aria-describedby')).textContent, text: c.getAttribute('aria-valuetext') };
  }, i);
  const fmt = (v) => `${+v.toPrecision(6)}`;
  const loc = (v) => `${+v.toFixed(4)}`;
  let d = await describe(0);
  assert.equal(d.role, 'slider');
  assert.match(d.name, /^Reverse KL landscape/);
  let o = await el((e) => e.optima);
  for (const m of o.reverse_kl.slice(0, 2)) assert.ok(d.desc.includes(`D = ${fmt(m.value)} at μ = ${loc(m.mu)}, σ = ${loc(m.sigma)}`), d.desc);
  assert.match(d.desc, /q at μ = 0, σ = 2, D = /);
  const f = await describe(1);
  assert.match(f.name, /^Forward KL landscape/);
  assert.ok(f.desc.startsWith(`One minimum: D = ${fmt(o.forward_kl[0].value)} at μ = 0, σ = 4.1231.`), f.desc);
  // After a change, the description names the new minima, and the change is announced once.
  await el((e) => e.setState({ target: [{ weight: 0.5, mean: -4, std: 1 }, { weight: 0.5, mean: 2, std: 1 }] }));
  await settled(page);
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  o = await el((e) => e.optima);
  d = await describe(1);
  assert.ok(d.desc.includes(`at μ = ${loc(o.forward_kl[0].mu)}, σ = ${loc(o.forward_kl[0].sigma)}`), d.desc);
  assert.equal(+o.forward_kl[0].mu.toFixed(6), -1);
  const live = await shadow(page, (root) => root.querySelector('.sr-only[role=status]').textContent);
  assert.match(live, /minim/);
  await reset();
});

test('reduced motion: a descent path is drawn at once', async () => {
  const frames = async () => {
    await el((e) => { e.clearPaths(); e.descend(-1, 3); });
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(ok)))));
    return el((e) => e.paths.every((p) => p.finished));
  };
  assert.equal(await frames(), false, 'animated by default');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await frames(), true, 'all at once with reduced motion');
  const paths = await el((e) => e.paths);
  assert.ok(paths.every((p) => p.path.length > 3), 'whole paths');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await el((e) => e.clearPaths());
  await settled(page);
});

test('a skip link leads past the controls to the figure', async () => {
  // Start from the page's heading, just before the element.
  await page.evaluate(() => { const h1 = document.querySelector('h1'); h1.tabIndex = -1; h1.focus(); });
  await page.keyboard.press('Tab');
  const first = await shadow(page, (root) => root.activeElement?.textContent);
  assert.equal(first, 'Skip to the figure');
  await page.keyboard.press('Enter');
  const role = await shadow(page, (root) => [root.activeElement?.getAttribute('role'), root.activeElement?.getAttribute('aria-label')]);
  assert.equal(role[0], 'slider');
  assert.match(role[1], /^Reverse KL landscape/);
  await page.keyboard.press('Tab');
  assert.match(await shadow(page, (root) => root.activeElement?.getAttribute('aria-label')), /landscape|Export/);
});

async function axe(p) {
  const src = await readFile(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  // Evaluated through the DevTools protocol: the page's strict CSP refuses inline scripts.
  await p.evaluate(src);
  return p.evaluate(async () => (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.length} (${v.nodes[0].target.join(' ')})`));
}

test('axe-core finds nothing on index.html and embed.html', async () => {
  for (const [path, sel] of [['index.html', 'divergence-explorer'], ['embed.html', '#figure-stein']]) {
    const p = await env.page(path, { width: 1280, height: 900 });
    await settled(p, sel);
    assert.deepEqual(await axe(p), [], path);
    await p.context().close();
  }
});

test('touch: vertical swipes on a slider and a landscape scroll the page and change nothing', async () => {
  const p = await env.phone();
  const slider = p.getByRole('slider', { name: 'Component 2 mean', exact: true });
  await slider.scrollIntoViewIfNeeded();
  const s0 = await onElement(p, (e) => e.state);
  let y0 = await p.evaluate(() => window.scrollY);
  let box = await slider.boundingBox();
  await swipe(p, box.x + box.width * 0.2, box.y + box.height / 2, 0, -200);
  await settled(p);
  assert.ok(await p.evaluate(() => window.scrollY) > y0 + 100, 'the page scrolled');
  assert.deepEqual(await onElement(p, (e) => e.state), s0, 'the slider did not move');
  const land = p.locator('divergence-explorer canvas.landscape').first();
  await land.scrollIntoViewIfNeeded();
  y0 = await p.evaluate(() => window.scrollY);
  box = await land.boundingBox();
  await swipe(p, box.x + box.width * 0.3, box.y + box.height * 0.6, 0, -250);
  await settled(p);
  assert.ok(await p.evaluate(() => window.scrollY) > y0 + 100, 'the page scrolled over the landscape');
  assert.deepEqual((await onElement(p, (e) => e.state)).q, s0.q, 'q did not move');
  // A tap moves q there, with the read-out beside the finger.
  await land.scrollIntoViewIfNeeded();
  const pt = await landscapePoint(p, 0, -3, 1.5);
  await p.touchscreen.tap(pt.x, pt.y);
  await settled(p);
  const q = (await onElement(p, (e) => e.state)).q;
  assert.ok(Math.abs(q.mu + 3) < 0.1 && Math.abs(q.sigma - 1.5) < 0.1, JSON.stringify(q));
  const tip = await shadow(p, (root) => { const t = root.querySelector('.tip'); const r = t.getBoundingClientRect(); return { hidden: t.hidden, text: t.textContent, y: r.bottom }; });
  assert.equal(tip.hidden, false);
  assert.match(tip.text, /^Reverse KL: μ = -[23]\.\d+/);
  assert.ok(Math.abs(tip.y - pt.y) < 60, 'beside the finger');
  await p.screenshot({ path: `${OUT}hands-390.png` });
  // A drag that starts on q's marker moves q (and does not scroll).
  const from = await landscapePoint(p, 0, q.mu, q.sigma);
  y0 = await p.evaluate(() => window.scrollY);
  const to = await landscapePoint(p, 0, 1, 3);
  await swipe(p, from.x, from.y, to.x - from.x, to.y - from.y);
  await settled(p);
  const q2 = (await onElement(p, (e) => e.state)).q;
  assert.ok(Math.abs(q2.mu - 1) < 0.1 && Math.abs(q2.sigma - 3) < 0.1, JSON.stringify(q2));
  assert.equal(await p.evaluate(() => window.scrollY), y0, 'no scroll while dragging q');
  // A horizontal drag on a slider moves it.
  await slider.scrollIntoViewIfNeeded();
  box = await slider.boundingBox();
  const at = (v) => box.x + 8 + ((v + 10) / 20) * (box.width - 16);
  await swipe(p, at(4), box.y + box.height / 2, at(6) - at(4), 0);
  await settled(p);
  const m2 = (await onElement(p, (e) => e.state)).target[1].mean;
  assert.ok(Math.abs(m2 - 6) < 0.3, `horizontal drag moved the mean to ${m2}`);
  // Targets on a coarse pointer are at least 24 px.
  const small = await shadow(p, (root) => [...root.querySelectorAll('input[type=checkbox], input[type=radio], button, select, input.num')]
    .filter((n) => n.offsetParent).map((n) => { const r = n.getBoundingClientRect(); return [n.getAttribute('aria-label') ?? n.textContent, Math.round(r.width), Math.round(r.height)]; })
    .filter(([, w, hgt]) => w < 24 || hgt < 24));
  assert.deepEqual(small, []);
  // A double-tap on a landscape is two taps (q moves there), not a zoom; the figure stays drawn.
  await land.scrollIntoViewIfNeeded();
  const zoom = await p.evaluate(() => visualViewport.scale);
  const s3 = await onElement(p, (e) => e.state);
  const dt = await landscapePoint(p, 0, -2, 2);
  await p.touchscreen.tap(dt.x, dt.y);
  await p.touchscreen.tap(dt.x, dt.y);
  await settled(p);
  const s4 = await onElement(p, (e) => e.state);
  assert.ok(Math.abs(s4.q.mu + 2) < 0.1 && Math.abs(s4.q.sigma - 2) < 0.1, JSON.stringify(s4.q));
  assert.deepEqual({ ...s4, q: s3.q }, s3, 'only q moved');
  assert.equal(await p.evaluate(() => visualViewport.scale), zoom, 'no double-tap zoom');
  const { drawn, total } = await drawnPixels(p, 0, await plotRect(p, 0));
  assert.ok(drawn > 0.9 * total, `landscape drawn: ${drawn} of ${total}`);
  assert.deepEqual(p.messages, []);
  await p.context().close();
});

test('screenshots at 1280 px for people to look at', async () => {
  const pt = await landscapePoint(page, 0, 2, 2.5);
  await page.mouse.move(pt.x, pt.y);
  await page.screenshot({ path: `${OUT}hands-1280.png` });
  assert.deepEqual(page.messages, []);
});
