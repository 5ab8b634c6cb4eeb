// Where the element sits: the host page's theme (followed live) and the figure grids' columns.

// CSS pixels a panel needs before panels go side by side.
const MIN_PANEL = 300;

/** Dark or light: the `theme` attribute, else the host page's own setting (a `dark`/`light`
 * class or `data-theme` on html or body, else its `color-scheme`), else the system's. */
export function isDark(el, media) {
  const t = el.getAttribute('theme');
  if (t === 'dark' || t === 'light') return t === 'dark';
  for (const n of [document.body, document.documentElement]) {
    if (!n) continue;
    const theme = n.dataset.theme ?? n.getAttribute('data-color-scheme');
    if (theme === 'dark' || theme === 'light') return theme === 'dark';
    if (n.classList.contains('dark')) return true;
    if (n.classList.contains('light')) return false;
  }
  const scheme = getComputedStyle(document.documentElement).colorScheme.split(/\s+/);
  if (scheme.length === 1 && (scheme[0] === 'dark' || scheme[0] === 'light')) return scheme[0] === 'dark';
  return media.matches;
}

/** Calls `redraw` when the host page's theme may have changed: the system's colour scheme,
 * or a class, `data-theme` or style on html or body (a theme's own toggle). */
export class ThemeWatch {
  constructor(redraw) {
    this.redraw = redraw;
    this.media = window.matchMedia('(prefers-color-scheme: dark)');
    this.observer = new MutationObserver(redraw);
  }

  start() {
    this.stop();
    this.media.addEventListener('change', this.redraw);
    const opts = { attributes: true, attributeFilter: ['class', 'data-theme', 'data-color-scheme', 'style'] };
    this.observer.observe(document.documentElement, opts);
    if (document.body) this.observer.observe(document.body, opts);
  }

  stop() {
    this.media.removeEventListener('change', this.redraw);
    this.observer.disconnect();
  }
}

/** Page or embed, wide or narrow (by the element's own `width`), and the figure grids'
 * columns: side by side while each panel gets ≥ 300 px, stacked otherwise (a 2 × 2 becomes
 * 1 × 4). */
export function layoutGrids(root, page, width) {
  root.classList.toggle('page', page);
  root.classList.toggle('embed', !page);
  root.classList.toggle('wide', width >= 720);
  const gap = 8;
  for (const grid of root.querySelectorAll('.grid')) {
    const n = grid.children.length;
    const fit = Math.floor((grid.clientWidth + gap) / (MIN_PANEL + gap));
    let cols = Math.max(1, Math.min(n, fit));
    if (n === 4 && cols === 3) cols = 2;
    grid.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
    grid.dataset.cols = cols;
  }
}
