// Types of <divergence-explorer> (www/explorer.js), the script API of SPEC §5.

/** A divergence name: `forward_kl`, `reverse_kl`, …, or `log_ksd` (KSD² on a log colour scale). */
export type DivergenceName =
  | 'forward_kl' | 'reverse_kl' | 'jensen_shannon' | 'hellinger' | 'bhattacharyya'
  | 'total_variation' | 'pearson_chi2' | 'neyman_chi2' | 'amari' | 'renyi' | 'fisher'
  | 'ksd' | 'log_ksd' | 'mmd';

export type PresetName = 'blog-kl' | 'blog-stein' | 'blog-psi' | 'blog-is' | 'asymmetric' | 'three-modes' | 'light-mode';

/** One mixture component of the target p. */
export interface Component { weight: number; mean: number; std: number }

/** The element's state (`el.state`). */
export interface ExplorerState {
  target: Component[];
  q: { mu: number; sigma: number };
  divergences: DivergenceName[];
  params: { alpha: number; order: number; bandwidth: number; kernelC: number; kernelBeta: number };
  view: { muRange: [number, number]; sigmaRange: [number, number] };
  /** The metric of descent paths and basins: Fisher–Rao of N(μ, σ²) (the natural gradient),
   * plain (μ, σ), or (μ, log σ). The same start ends where `divergence optimize --metric` does. */
  metric: Metric;
}

export type Metric = 'fisher' | 'euclidean' | 'log-sigma';

/** The flows-of-q panel (`el.flow`): q started at the current Gaussian and flowing as a free
 * density under each chosen divergence, at time `t`. */
export interface FlowInfo {
  t: number;
  /** The end of the time slider (5). */
  tMax: number;
  geometry: FlowGeometry;
  /** x points of each flow. */
  points: number;
  /** Per divergence drawn: the mass of q_t on each of p's components, in target order. */
  masses: Partial<Record<DivergenceName, number[]>>;
  /** Per divergence drawn: the mass of q_t below x = 0. */
  massBelow: Partial<Record<DivergenceName, number>>;
  below: number;
  /** Per divergence whose flow is not computed (or diverged): why, as the panel says. */
  refused: Partial<Record<DivergenceName, string>>;
  /** Whether these are the flows of the state, t and geometry last asked for (`el.flow` and
   * `setFlow` compute them on the spot: always true there; the panel shows the previous
   * flows while its frames compute new ones). */
  current: boolean;
  /** Whether the flows are current and their mass-over-time curves complete. */
  complete: boolean;
}

export type FlowGeometry = 'fisher-rao' | 'wasserstein';

/** A partial state for `setState`: given keys replace, nested objects merge one level deep. */
export interface PartialExplorerState {
  target?: Component[];
  q?: Partial<ExplorerState['q']>;
  divergences?: DivergenceName[];
  params?: Partial<ExplorerState['params']>;
  view?: Partial<ExplorerState['view']>;
  metric?: Metric;
}

/** A local minimum of a landscape. */
export interface Minimum { mu: number; sigma: number; value: number }

/** Each shown landscape's local minima by value, keyed by divergence name. */
export type Optima = Partial<Record<DivergenceName, Minimum[]>>;

/** A gradient-descent path: `[μ, σ, D]` per step. */
export interface DescentPath { name: DivergenceName; path: [number, number, number][]; finished: boolean }

/** A landscape's raw values: row-major from the smallest σ, infinities as `Infinity`. */
export interface Landscape {
  divergence: DivergenceName;
  mu: number[];
  sigma: number[];
  values: Float64Array;
  minima: Minimum[];
}

/** A landscape as JSON data (the shape of `divergence landscape`): a row per σ, `'inf'` for ∞. */
export interface LandscapeJson {
  divergence: DivergenceName;
  mu: number[];
  sigma: number[];
  values: (number | 'inf')[][];
  minima: Minimum[];
}

/** The plot area of a landscape in CSS pixels from its canvas's top-left corner. */
export interface PlotArea {
  x: number; y: number; width: number; height: number;
  muRange: [number, number]; sigmaRange: [number, number];
}

/** The plot area of the density or pressure panel in CSS pixels from its canvas's top-left
 * corner, with the data its axes span (y: density, or ψ in symlog units for pressure). */
export interface LineArea {
  x: number; y: number; width: number; height: number;
  xRange: [number, number]; yRange: [number, number];
}

/** The ψ trade-off for the current target and α. */
export interface Tradeoff {
  /** Heavy modes; the index of the light component; its weight over the heavy ones' mean. */
  m: number; light: number; psi: number; heavyOnly: number; allModes: number; flip: number; psiStar: number; beta: number;
}

export interface SamplingSettings { n: number; reps: number; seed: number }

/** Exact values of the three estimated quantities. */
export interface Estimates { reverseKl: number; forwardKl: number; bhattacharyya: number }

/** The sampling experiment: `reps` draws of N samples from q (index 0 is "this draw"). */
export interface Sampling extends SamplingSettings {
  exact: Estimates;
  reverseKl: number[];
  forwardKl: number[];
  bhattacharyya: number[];
  ess: number[];
}

/** A panel that exports: a landscape (with its index) or one of the other panels. */
export type PanelKind = 'landscape' | 'density' | 'pressure' | 'ratio' | 'tradeoff' | 'psi' | 'psi_log' | 'sampling' | 'flow';

/** Detail of the `divergence-change` event, fired after each complete render of a new state. */
export interface DivergenceChangeDetail { state: ExplorerState; optima: Optima }

/**
 * `<divergence-explorer>`. Attributes: `preset` (a PresetName), `panels` (comma-separated:
 * `controls,landscape,density,pressure,tradeoff,psi,psi_log,sampling,flow`; by default the preset's
 * figure and controls, or everything with `layout="page"`), `divergences` (comma-separated
 * names), `show-controls` (alias `controls`; comma-separated:
 * `preset,target,q,divergences,params,paths,colors`, shown unfolded), `caption`, `height`
 * (the controls' height), `theme` (`light` | `dark`; by default the host page's class,
 * data-theme or color-scheme, else the system's, followed live), `layout="page"` (the full
 * page), `exports="off"`, `notes` (the formula table in an embed) and `link` (state in the
 * URL fragment, and a "Copy link" control).
 */
export declare class DivergenceExplorer extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Resolves after the first full render; rejects if the element fails to start. */
  readonly ready: Promise<void>;
  /**
   * Resolves once everything for the current state is computed and drawn at full resolution:
   * every landscape complete with refined minima (and basins, if on), descents finished, the
   * trade-off's flip point, the sampling experiment and the flows computed, every visible panel
   * drawn, no frame pending. Waits for `ready` first and, while a slider is held,
   * for its release. Rejects if a computation fails or a crash cannot be recovered from.
   */
  settled(): Promise<void>;
  /** A copy of the state; null before the element has loaded. */
  readonly state: ExplorerState | null;
  /** Merges, validates and re-renders; bad input throws an Error (shown in the page) and keeps the state. */
  setState(partial: PartialExplorerState): ExplorerState;
  /** Replaces the state with a preset's; an unknown name throws. */
  setPreset(name: PresetName): ExplorerState;
  /** The current landscapes' local minima by value. */
  readonly optima: Optima;
  /** Landscape grid `[nMu, nSigma]` (default 128 × 96); setting it recomputes; 8 to 1024 a side, else RangeError. */
  resolution: [number, number];
  /** Landscape `i`'s plot area on its canvas, for mapping (μ, σ) to pixels; null until drawn. */
  plotArea(i?: number): PlotArea | null;
  /** The density or pressure panel's plot area, for mapping x (and y) to pixels; null until drawn. */
  panelArea(kind: 'density' | 'pressure'): LineArea | null;
  /** Landscape `i`'s raw values as computed so far (complete after `settled()`). */
  landscape(i?: number): Landscape;
  /** Starts gradient descent from (mu, sigma) on every landscape; resolves when every descent stops. */
  descend(mu: number, sigma: number): Promise<DescentPath[]>;
  /** The current descent paths; empty when there are none. */
  readonly paths: DescentPath[];
  /** Removes the descent paths. */
  clearPaths(): void;
  /** Whether each landscape is tinted by basin of attraction. */
  basins: boolean;
  /** Basin label per cell of landscape `i` (index into its minima, −1 for none), row-major from the smallest σ. */
  basinLabels(i?: number): number[];
  /** The ψ trade-off for the current target and α; null before loading. */
  readonly tradeoff: Tradeoff | null;
  /** The sampling experiment for the current q (computed on the spot if the frames have not
   * yet: up to ~0.4 s for 2·10⁶ samples); null before loading. */
  readonly sampling: Sampling | null;
  /** Sets `n`, `reps` and/or `seed`; bad values throw and change nothing. Returns
   * `el.sampling`. */
  setSampling(partial: Partial<SamplingSettings>): Sampling;
  /** The flows-of-q panel at its time (computed on the spot if the frames have not yet);
   * null until the flows' own wasm module has loaded (imported the first time a flow panel is
   * built; `settled()` waits for it), or if it failed. */
  readonly flow: FlowInfo | null;
  /** Sets the flow panel's time (0 to 5) and/or geometry; bad values throw and change nothing.
   * Returns `el.flow` (null while the flows' module loads: the values apply once it has). */
  setFlow(partial: { t?: number; geometry?: FlowGeometry }): FlowInfo | null;
  /** New draws: the next seed. */
  resample(): Sampling;
  /** How many times the element restarted its wasm module after a crash. */
  readonly recoveries: number;
  /** Bytes of the wasm module's linear memory. */
  readonly wasmMemoryBytes: number;
  /** A panel as SVG text (vector axes and text; a landscape's heatmap as an embedded PNG). */
  exportSvg(kind?: PanelKind, i?: number): string;
  /** Landscape `i` as JSON data. */
  exportJson(i?: number): LandscapeJson;
  /** Landscape `i` as CSV: a header of μ values, then one row per σ. */
  exportCsv(i?: number): string;
  /** The state as a URL fragment (without '#'); numbers round-trip exactly. */
  fragment(): string;
  /** Applies a fragment; a malformed one is reported, ignored, and changes nothing. */
  applyFragment(hash: string): boolean;

  addEventListener<K extends keyof DivergenceExplorerEventMap>(type: K, listener: (this: DivergenceExplorer, ev: DivergenceExplorerEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof DivergenceExplorerEventMap>(type: K, listener: (this: DivergenceExplorer, ev: DivergenceExplorerEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export interface DivergenceExplorerEventMap extends HTMLElementEventMap {
  'divergence-change': CustomEvent<DivergenceChangeDetail>;
}

declare global {
  interface HTMLElementTagNameMap { 'divergence-explorer': DivergenceExplorer }
}
