// The render loop: one requestAnimationFrame at a time, each a descent step, a slice of
// landscape work (elapsed-time budget) and a redraw of what changed; the quick mode while a
// control is dragged; `settled()`'s waiters.

// Milliseconds per frame: of work (a slice ends after the unit that passes it), and in all,
// counting the browser's rasterising of each draw (panels.js), after which waiting panels
// are left for the next frame (at least one is drawn). Style, layout, composite and the
// reader's input come on top: ~4 ms in software-rendered Chromium on 2 cores. While a
// control is held every frame brings a new state, so frames are lighter and the landscapes
// that finish are drawn in the next ones (BENCHMARKS.md: drag frames at the 16.7-ms vsync).
const BUDGET = { idle: { work: 6, frame: 14 }, dragging: { work: 3, frame: 9 } };

export class Frames {
  constructor(el) {
    this.x = el;
    this.raf = 0;
    this.idle = false;
    this.dirty = false;
    this.dragging = false;
    this.waiters = [];
    this.lastEvent = '';
    this.endDrag = null;
  }

  /** Something shown may have changed (state, size, theme, display options): redraw next frame. */
  schedule() {
    this.dirty = true;
    this.next();
  }

  /** A frame for more work; panels are redrawn only if dirty or what they show moved. */
  next() {
    this.idle = false;
    if (this.raf || !this.x._root) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.render(); });
  }

  stop() {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.idle = false;
  }

  /** Resolves when idle (everything computed and drawn), or rejects with the next failure. */
  wait() {
    return new Promise((ok, fail) => { if (this.idle) ok(); else this.waiters.push({ ok, fail }); });
  }

  /** Resolves every waiter, or rejects them with `err`. */
  settle(err) {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) if (err) w.fail(err); else w.ok();
  }

  // While a control is held: quick, coarser landscapes (host.js).
  setDragging(on) {
    if (this.dragging === on) return;
    this.dragging = on;
    this.x._host.setQuick(on);
    this.schedule();
  }

  /** A drag on `control` starts the quick mode, and every way a drag can end ends it (a
   * release anywhere, a cancel, lost capture, focus leaving the window, a touch ending, a
   * key let go, a press that never moved), after which the page refines at full resolution. */
  beginDrag(control) {
    this.endDrag?.();
    const types = ['pointerup', 'pointercancel', 'touchend', 'touchcancel', 'keyup'];
    const end = () => {
      for (const t of types) window.removeEventListener(t, end, true);
      window.removeEventListener('blur', end);
      control.removeEventListener('lostpointercapture', end);
      control.removeEventListener('change', end);
      this.endDrag = null;
      this.setDragging(false);
    };
    for (const t of types) window.addEventListener(t, end, true);
    window.addEventListener('blur', end); // the window's own blur: elements' blurs do not bubble
    control.addEventListener('lostpointercapture', end);
    control.addEventListener('change', end);
    this.endDrag = end;
    this.setDragging(true);
  }

  // One frame: a descent step, a slice of landscape work, then the panels that wait, oldest
  // first, until the frame's time is spent; once everything is computed and drawn, the URL,
  // the change event, `ready` and `settled()` follow.
  render() {
    const x = this.x;
    const ex = x._host.ex;
    if (!ex) return;
    const start = performance.now();
    const budget = this.dragging ? BUDGET.dragging : BUDGET.idle;
    let done;
    try {
      x._host.call(() => {
        x._descents.step(ex);
        // An idle frame with a draw due works only what leaves room for it (one unit at least).
        const due = this.dragging ? 0 : x._panels.due(false);
        done = ex.work(Math.max(1, Math.min(budget.work, budget.frame - due)));
      });
    } catch (e) {
      return this.broken(`Computation failed: ${e.message ?? e}`);
    }
    let drawn, more;
    try {
      const panels = x._panels;
      if (this.dirty) panels.invalidate();
      this.dirty = false;
      const dark = x._dark;
      x._root.classList.toggle('dark', dark);
      panels.collect(ex, x._descents.running);
      if (panels.waiting(this.dragging)) {
        x._host.call(() => panels.draw(ex, { dragging: this.dragging, dark, deadline: start + budget.frame }));
      }
      // Progress, staleness and descriptions (cheap when nothing changed): every frame.
      x._host.call(() => x._status.frame(ex));
      // What this frame's work finished (a descent's last step) waits for the next frame.
      panels.collect(ex, x._descents.running);
      // The change event, the URL and `ready` wait for the figure, not for the flows.
      drawn = !panels.waiting(this.dragging, false);
      // Frames go on for a moving descent, a flip point or a sampling experiment (started by
      // a draw or a change) and waiting panels, the flows among them while they work;
      // `settled()` waits for them all.
      more = x._descents.running || ex.tradeoffPending() || ex.samplingPending() || panels.waiting(this.dragging);
    } catch (e) {
      return this.broken(`Drawing failed: ${e.message ?? e}`);
    }
    if (!done || !drawn || more) {
      this.next();
      if (!done || !drawn) return;
    }
    const key = JSON.stringify(x._state);
    // The address bar follows the state once a slider is let go (a URL per drag frame costs ~1 ms).
    if (x.hasAttribute('link') && !this.dragging) x._url.follow(key);
    if (key !== this.lastEvent) {
      this.lastEvent = key;
      x.dispatchEvent(new CustomEvent('divergence-change', { detail: { state: x.state, optima: x.optima } }));
    }
    if (x._readyResolve) { x._readyResolve(); x._readyResolve = null; }
    if (!this.raf && !this.dragging) { this.idle = true; this.settle(); }
  }

  // A failed frame: shown, and whoever waits on `settled()` learns of it (a crash instead
  // restarts the module, and the waiters wait for the restored view).
  broken(msg) {
    if (this.x._host.recovering) return;
    this.x._showError(msg);
    this.settle(new Error(msg));
  }
}
