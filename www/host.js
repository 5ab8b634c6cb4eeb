// The element's wasm host: loads the module next to this file, reads the core's registry
// (divergences, parameter ranges, presets) once per module instance, and routes every call
// through `call`, so that a crash (a wasm trap) swaps in a fresh module instance restored to
// the last good view instead of leaving the page dead.

import { loadModule } from './util.js';

/** `{Explorer, memory, info}` of the shared module instance, or of a fresh one. `info` holds
 * the registry: `{divergences: [{name, title, params, path, scale}], params: [{key, label, min,
 * max, step, default, snaps}], presets: [{name, state}]}`. */
export async function loadWasm(fresh = false) {
  const { mod, exports } = await loadModule('divergence_web', fresh);
  const info = { divergences: mod.divergenceInfo(), params: mod.paramInfo(), presets: mod.presetInfo() };
  return { Explorer: mod.Explorer, memory: exports.memory, info };
}

const isTrap = (e) => e instanceof WebAssembly.RuntimeError;

// Landscape resolution (μ × σ cells); in quick mode, while a slider is held, divergences
// computed cell by cell drop to a third of it.
const FULL = [128, 96];

/** One `Explorer` on a module instance, owned by one element, and the settings that outlive
 * a module instance (resolution, quick mode, basins). The element supplies hooks:
 * `snapshot()` → the last good state; `crashed(msg)`, `restored(state, msg)`, `failed(msg)`. */
export class Host {
  constructor(hooks) {
    this.hooks = hooks;
    this.settings = { resolution: FULL, quick: false, basins: false };
    /** The live explorer, or null while loading or restarting. */
    this.ex = null;
    this.wasm = null;
    /** How many times a crash was recovered from. */
    this.recoveries = 0;
    this.recovering = false;
    this.lastCrash = null;
  }

  /** Loads the shared module instance and makes an explorer on it. */
  async start() {
    this.wasm = await loadWasm();
    this.ex = new this.wasm.Explorer();
  }

  // Applies the settings to a new explorer (start, recovery).
  configure(ex) {
    ex.setResolution(...this.settings.resolution);
    ex.setQuick(this.settings.quick);
    ex.setBasins(this.settings.basins);
  }

  /** Landscape grid `[nMu, nSigma]`, 8 to 1024 a side (else a RangeError). */
  setResolution([nMu, nSigma]) {
    const n = [nMu, nSigma].map(Number);
    if (!n.every((k) => Number.isInteger(k) && k >= 8 && k <= 1024)) {
      throw new RangeError(`resolution must be two integers from 8 to 1024, not ${nMu}×${nSigma}`);
    }
    this.set('resolution', n, (ex) => ex.setResolution(...n));
  }

  /** Quick mode, while the reader drags: coarser landscapes, minima read off the grid. */
  setQuick(on) { this.set('quick', !!on, (ex) => ex.setQuick(!!on)); }

  /** Whether basins of attraction are computed. */
  setBasins(on) { this.set('basins', !!on, (ex) => ex.setBasins(!!on)); }

  set(key, value, apply) {
    this.settings[key] = value;
    if (this.ex) this.call(apply);
  }

  /** The registry of the current module instance (see `loadWasm`). */
  get info() { return this.wasm?.info ?? null; }

  /** Bytes of the module instance's linear memory. */
  get memoryBytes() { return this.wasm?.memory?.buffer.byteLength ?? 0; }

  /** Display title of divergence `name` (the name itself if unknown). */
  title(name) { return this.info?.divergences.find((d) => d.name === name)?.title ?? name; }

  /** The state of preset `name`; an unknown name throws. */
  presetState(name) {
    const p = this.info?.presets.find((x) => x.name === name);
    if (!p) throw new Error(`unknown preset '${name}'; known: ${this.info?.presets.map((x) => x.name).join(', ')}`);
    return structuredClone(p.state);
  }

  /** The live explorer; throws while there is none (loading, or restarting after a crash). */
  explorer() {
    if (!this.ex) throw new Error(this.recovering ? 'the explorer is restarting after a crash' : 'the explorer is not loaded yet: await el.ready');
    return this.ex;
  }

  /** Runs `fn(explorer)`; a trap starts recovery and surfaces as an Error. */
  call(fn) {
    const ex = this.explorer();
    try {
      return fn(ex);
    } catch (e) {
      if (!isTrap(e)) throw e;
      this.recover(e);
      throw new Error(`the computation crashed (${e.message}); restarting from the last good view`);
    }
  }

  /** Drops the crashed module instance, loads a fresh one and restores the last good state;
   * a state that crashes twice in a row is not restored a third time (back to `blog-kl`). */
  async recover(err) {
    if (this.recovering) return;
    this.recovering = true;
    const good = this.hooks.snapshot();
    const crashed = this.ex;
    this.ex = null;
    this.hooks.crashed(`The computation crashed (${err.message}); restarting from the last good view…`);
    try {
      this.wasm = await loadWasm(true);
      const ex = new this.wasm.Explorer();
      const key = JSON.stringify(good);
      const again = this.lastCrash === key;
      this.lastCrash = key;
      const state = ex.setState(again ? this.presetState('blog-kl') : good);
      this.configure(ex);
      this.ex = ex;
      this.recoveries += 1;
      this.hooks.restored(state, `The computation crashed (${err.message}) and was restarted; ${again ? 'the view was reset to the blog-kl preset' : 'the last good view is restored'}.`);
    } catch (e) {
      this.hooks.failed(`The computation crashed and could not restart: ${e.message ?? e}. Reload the page.`);
    } finally {
      this.recovering = false;
      try { crashed?.free(); } catch { /* the old instance is gone with its module */ }
    }
  }
}
