//! Drawing the explorer's panels on any plotters backend: landscape heatmaps (a raster plus
//! vector contours, markers and a colorbar), shared by the native figure (bitmap and SVG)
//! and the page (canvas, with the raster put as `ImageData`).

mod charts;
pub mod flows;
mod record;
mod theme;
pub mod ticks;

pub use charts::{
    density, density_framed, distinct_divergences, flow, pressure, pressure_framed, pressure_ratio,
    psi_threshold, sampling, tradeoff, x_window, Drawn, FlowFigure, FlowSeries, Framed, LineFrame,
    Pressures,
};
pub use record::{Recorder, Recording};
pub use theme::{Theme, MIN_TEXT, PALETTE, Q_PINK};

use divergence::{Component, Landscape, Minimum};
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};
use ticks::{tick_label, Axis, Tick};

pub use plotters;

/// Registers the bundled DejaVu Sans as plotters' `sans-serif` (native backends only; in a
/// browser the canvas draws text itself).
#[cfg(not(target_arch = "wasm32"))]
pub fn register_font() {
    static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
    for style in [FontStyle::Normal, FontStyle::Bold] {
        // Registering the same font twice is harmless; a failure leaves plotters' default.
        let _ = plotters::style::register_font("sans-serif", style, FONT);
    }
}

/// How values map to colours: linear or log10, between `lo` and `hi` (values beyond are
/// clipped to the ends).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub log: bool,
    pub lo: f64,
    pub hi: f64,
}

/// Colour of +inf cells (a divergent integral): neutral grey, named in the legend.
pub const INF_RGB: [u8; 3] = [150, 150, 150];

impl Scale {
    /// The range of the finite values, the top cut at quantile `clip` (1 = no clipping);
    /// a log scale starts at the smallest positive value and spans at most ten decades.
    pub fn auto(values: &[f64], log: bool, clip: f64) -> Scale {
        let finite = || values.iter().copied().filter(|x| x.is_finite());
        let (lo, top, positive) = finite().fold(
            (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY),
            |(lo, top, pos), x| {
                (
                    lo.min(x),
                    top.max(x),
                    if x > 0.0 { pos.min(x) } else { pos },
                )
            },
        );
        if !lo.is_finite() {
            return Scale {
                log,
                lo: 0.0,
                hi: 1.0,
            };
        }
        // The quantile by selection (linear time: this runs every frame of a drag), and no
        // copy at all for the maximum.
        let mut hi = if clip >= 1.0 {
            top
        } else {
            let mut v: Vec<f64> = finite().collect();
            let k = ((v.len() - 1) as f64 * clip.max(0.0)).round() as usize;
            *v.select_nth_unstable_by(k, f64::total_cmp).1
        };
        if log {
            // From the smallest positive value, at most ten decades up: beyond that, values
            // that overflow towards 1e300 would flatten every other colour.
            let lo = if positive.is_finite() {
                positive
            } else {
                1e-12
            };
            hi = hi.min(lo * 1e10);
            if hi <= lo {
                hi = lo * 10.0;
            }
            return Scale { log, lo, hi };
        }
        if hi <= lo {
            hi = lo + 1.0;
        }
        Scale { log, lo, hi }
    }

    fn tr(&self, v: f64) -> f64 {
        if self.log {
            v.max(self.lo).log10()
        } else {
            v
        }
    }

    /// Position in [0, 1] of a value, or None for +inf/NaN.
    pub fn t(&self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        let (a, b) = (self.tr(self.lo), self.tr(self.hi));
        Some(((self.tr(v) - a) / (b - a)).clamp(0.0, 1.0))
    }

    /// The value at position t ∈ [0, 1].
    pub fn value(&self, t: f64) -> f64 {
        let (a, b) = (self.tr(self.lo), self.tr(self.hi));
        let x = a + t * (b - a);
        if self.log {
            10f64.powf(x)
        } else {
            x
        }
    }
}

/// Entries in the colour table: adjacent entries differ by under one 8-bit step.
const COLORS: usize = 4096;

/// Reversed viridis as in the post: yellow is low. From a table (a spline per pixel cost
/// ~2 ms a frame at 256²).
pub fn color(t: f64) -> [u8; 3] {
    lookup(colors(), t)
}

fn colors() -> &'static [[u8; 3]] {
    static TABLE: std::sync::LazyLock<Vec<[u8; 3]>> = std::sync::LazyLock::new(|| {
        (0..COLORS)
            .map(|k| {
                let c = colorous::VIRIDIS.eval_rational(COLORS - 1 - k, COLORS - 1);
                [c.r, c.g, c.b]
            })
            .collect()
    });
    &TABLE
}

#[inline]
fn lookup(table: &[[u8; 3]], t: f64) -> [u8; 3] {
    // + ½ then truncation: `round` is a libm call in wasm.
    table[((t.clamp(0.0, 1.0) * (COLORS - 1) as f64 + 0.5) as usize).min(COLORS - 1)]
}

/// Blends each cell of a raster (top row = largest σ, as [`raster`] lays it out) towards its
/// basin's colour; cells of no basin are left as they are.
pub fn tint_basins(pixels: &mut [u8], channels: usize, nm: usize, labels: &[Option<usize>]) {
    let ns = labels.len() / nm.max(1);
    for i in 0..ns {
        for j in 0..nm {
            let Some(l) = labels[i * nm + j] else {
                continue;
            };
            let c = colorous::CATEGORY10[(l + 1) % 10];
            let at = ((ns - 1 - i) * nm + j) * channels;
            for (px, t) in pixels[at..at + 3].iter_mut().zip([c.r, c.g, c.b]) {
                *px = ((*px as f64) * 0.45 + (t as f64) * 0.55).round() as u8;
            }
        }
    }
}

/// The landscape as pixels, `channels` 3 (RGB) or 4 (RGBA), top row = largest σ.
pub fn raster(land: &Landscape, scale: &Scale, channels: usize) -> Vec<u8> {
    let (nm, ns) = (land.grid.mu.len(), land.grid.sigma.len());
    let mut out = vec![255u8; nm * ns * channels];
    if nm == 0 {
        return out;
    }
    // Scale::t per cell, with its ends transformed once.
    let (a, b) = (scale.tr(scale.lo), scale.tr(scale.hi));
    let inv = 1.0 / (b - a);
    let table = colors();
    for (row, values) in out
        .chunks_exact_mut(nm * channels)
        .zip(land.values.chunks_exact(nm).rev())
    {
        for (px, &v) in row.chunks_exact_mut(channels).zip(values) {
            let rgb = if v.is_finite() {
                let tv = if scale.log {
                    colour_log10(v.max(scale.lo))
                } else {
                    v
                };
                lookup(table, (tv - a) * inv)
            } else {
                INF_RGB
            };
            // Byte by byte: a 3-byte copy_from_slice is a memory.copy per pixel in wasm.
            (px[0], px[1], px[2]) = (rgb[0], rgb[1], rgb[2]);
        }
    }
    out
}

/// log10 for colour indices: exponent bits plus 2·atanh((m−1)/(m+1)) to the 9th power for
/// the mantissa m ∈ [1/√2, √2), within 1e-7 decades (a colour step spans ≥ 2.4e-4 decades):
/// libm's log10 per pixel was most of a log-scale raster's cost in wasm.
fn colour_log10(v: f64) -> f64 {
    if !(v > 0.0 && v.is_normal()) {
        return v.log10();
    }
    let bits = v.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let ln_m = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 * (1.0 / 7.0 + s2 / 9.0))));
    (e as f64 * std::f64::consts::LN_2 + ln_m) * std::f64::consts::LOG10_E
}

/// Every `k`-th row and column of a landscape, the last ones kept: cheaper contours of a
/// landscape being dragged.
pub fn decimate(land: &Landscape, k: usize) -> Landscape {
    let pick = |n: usize| -> Vec<usize> {
        let mut ix: Vec<usize> = (0..n).step_by(k.max(1)).collect();
        if ix.last() != Some(&(n - 1)) {
            ix.push(n - 1);
        }
        ix
    };
    let g = &land.grid;
    let (jm, is) = (pick(g.mu.len()), pick(g.sigma.len()));
    Landscape {
        grid: divergence::Grid {
            mu: jm.iter().map(|&j| g.mu[j]).collect(),
            sigma: is.iter().map(|&i| g.sigma[i]).collect(),
            log_sigma: g.log_sigma,
        },
        values: is
            .iter()
            .flat_map(|&i| jm.iter().map(move |&j| land.at(i, j)))
            .collect(),
    }
}

/// `n` contour levels evenly spaced in the scale's (linear or log) space, ends excluded.
pub fn contour_levels(scale: &Scale, n: usize) -> Vec<f64> {
    (1..=n)
        .map(|k| scale.value(k as f64 / (n + 1) as f64))
        .collect()
}

/// Contour polylines of the landscape at `levels`, in (μ, σ) coordinates. Cells at +inf
/// are treated as very high so that lines close around them.
pub fn contours(land: &Landscape, levels: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let (nm, ns) = (land.grid.mu.len(), land.grid.sigma.len());
    let top = land
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let vals: Vec<f64> = land
        .values
        .iter()
        .map(|&v| if v.is_finite() { v } else { 2.0 * top + 1.0 })
        .collect();
    let Ok(lines) = contour::ContourBuilder::new(nm, ns, true).lines(&vals, levels) else {
        return Vec::new();
    };
    // Grid index space → data space, interpolating between grid nodes (log σ grids too).
    let interp = |xs: &[f64], u: f64| {
        let u = u.clamp(0.0, (xs.len() - 1) as f64);
        let k = (u.floor() as usize).min(xs.len() - 2);
        xs[k] + (u - k as f64) * (xs[k + 1] - xs[k])
    };
    // The builder puts value k at coordinate k + ½ and closes rings along a padded border:
    // shift back, and cut each ring into runs that stay inside the grid.
    let inside = |u: f64, n: usize| (-1e-9..=(n - 1) as f64 + 1e-9).contains(&u);
    let mut out = Vec::new();
    for line in lines {
        for ls in line.geometry().0.iter() {
            let mut run: Vec<(f64, f64)> = Vec::new();
            for c in ls.0.iter() {
                let (u, v) = (c.x - 0.5, c.y - 0.5);
                if inside(u, nm) && inside(v, ns) {
                    run.push((interp(&land.grid.mu, u), interp(&land.grid.sigma, v)));
                } else if run.len() > 1 {
                    out.push(std::mem::take(&mut run));
                } else {
                    run.clear();
                }
            }
            if run.len() > 1 {
                out.push(run);
            }
        }
    }
    out
}

/// A panel's heading: the registry's (e.g. "Reverse KL(q‖p)"), or the name itself.
pub fn title(name: &str) -> String {
    divergence::registry::panel_info(name).map_or_else(|| name.to_string(), |p| p.heading.into())
}

/// The colour bar's title: the divergence's symbol and the colour scale, e.g.
/// "KL(q‖p), log scale".
pub fn bar_title(name: &str, log: bool) -> String {
    let symbol = divergence::registry::panel_info(name).map_or(name, |p| p.symbol);
    format!("{symbol}, {} scale", if log { "log" } else { "linear" })
}

/// Everything one landscape panel shows.
pub struct Panel<'a> {
    pub title: &'a str,
    /// The colour bar's title ([`bar_title`]).
    pub bar_title: &'a str,
    pub land: &'a Landscape,
    pub scale: Scale,
    pub minima: &'a [Minimum],
    pub components: &'a [Component],
    /// The moment-matched Gaussian (mixture mean, mixture std).
    pub moment: (f64, f64),
    /// q's current (μ, σ), if shown.
    pub q: Option<(f64, f64)>,
    pub contours: &'a [Vec<(f64, f64)>],
    pub theme: Theme,
    /// A descent path to overlay, `[μ, σ, D]` per step.
    pub path: Option<&'a [[f64; 3]]>,
    /// A legend of the marks (components, moment match, minima, q) under the axes.
    pub legend: bool,
}

/// What a landscape panel draws besides its values, computed from them: titles, colour
/// scale, contour lines, the moment-matched Gaussian and a descent path.
pub struct Prepared {
    pub title: String,
    pub bar_title: String,
    pub scale: Scale,
    pub contours: Vec<Vec<(f64, f64)>>,
    pub moment: (f64, f64),
    pub path: Option<Vec<[f64; 3]>>,
}

impl Prepared {
    /// For the panel `name` (a divergence, or `log_ksd`) on a `log` or linear colour scale
    /// saturating at quantile `clip`, contours traced on a grid of about `contour_side` cells
    /// a side at most (a larger grid is decimated: contours are most of a landscape draw's
    /// time, and a plot a few hundred pixels wide shows no finer lines).
    /// `usize::MAX` traces every cell.
    pub fn new(
        name: &str,
        land: &Landscape,
        target: &divergence::Target,
        log: bool,
        clip: f64,
        contour_side: usize,
    ) -> Prepared {
        let scale = Scale::auto(&land.values, log, clip);
        let levels = contour_levels(&scale, 9);
        let side = land.grid.mu.len().max(land.grid.sigma.len());
        let lines = if side > contour_side.saturating_add(contour_side / 2) {
            contours(&decimate(land, side.div_ceil(contour_side.max(1))), &levels)
        } else {
            contours(land, &levels)
        };
        let mm = target.moment_match();
        Prepared {
            title: title(name),
            bar_title: bar_title(name, log),
            scale,
            contours: lines,
            moment: (mm.mu, mm.sigma),
            path: None,
        }
    }

    /// The panel of `land` with its `minima`, `target`'s components and q's marker.
    pub fn panel<'a>(
        &'a self,
        land: &'a Landscape,
        minima: &'a [Minimum],
        target: &'a divergence::Target,
        q: Option<&divergence::Gaussian>,
        theme: Theme,
    ) -> Panel<'a> {
        Panel {
            title: &self.title,
            bar_title: &self.bar_title,
            land,
            scale: self.scale,
            minima,
            components: target.components(),
            moment: self.moment,
            q: q.map(|q| (q.mu, q.sigma)),
            contours: &self.contours,
            theme,
            path: self.path.as_deref(),
            legend: true,
        }
    }
}

/// Pixel rectangle (x, y, w, h) of a panel's plot area, where the raster goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: u32,
    pub h: u32,
}

type Chart<'b, DB> = ChartContext<'b, DB, Cartesian2d<Axis, Axis>>;

/// Width in pixels of `text` in `style`, measured by the backend (an estimate of 0.6 em per
/// character where it cannot measure).
fn text_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, size: f64) -> u32 {
    let style = (FontFamily::SansSerif, size)
        .into_font()
        .into_text_style(area);
    area.estimate_text_size(text, &style)
        .map(|(w, _)| w)
        .unwrap_or((0.6 * size * text.chars().count() as f64).ceil() as u32)
}

/// The marks a landscape shows, as its legend lists them.
#[derive(Clone, Copy)]
enum Mark {
    Component,
    Moment,
    Minimum,
    Q,
}

impl Mark {
    fn label(self) -> &'static str {
        match self {
            Mark::Component => "components",
            Mark::Moment => "moment-matched Gaussian",
            Mark::Minimum => "minima",
            Mark::Q => "q",
        }
    }

    /// The mark centred at pixel `at` of `c`, `sz` pixels in radius (a local minimum's dot
    /// is smaller).
    fn draw<DB: DrawingBackend>(
        self,
        c: &DrawingArea<DB, Shift>,
        at: (i32, i32),
        sz: i32,
        global: bool,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        match self {
            Mark::Component => c.draw(&Cross::new(at, sz, RED.stroke_width(2))),
            Mark::Moment => c.draw(
                &(EmptyElement::at(at)
                    + PathElement::new(vec![(-sz, 0), (sz, 0)], RED.stroke_width(2))
                    + PathElement::new(vec![(0, -sz), (0, sz)], RED.stroke_width(2))),
            ),
            Mark::Minimum => {
                let r = if global { sz } else { sz * 2 / 3 };
                c.draw(
                    &(EmptyElement::at(at)
                        + Circle::new((0, 0), r, WHITE.filled())
                        + Circle::new((0, 0), r, BLACK.stroke_width(if global { 2 } else { 1 }))),
                )
            }
            Mark::Q => {
                c.draw(&(EmptyElement::at(at) + Circle::new((0, 0), sz, Q_PINK.stroke_width(3))))
            }
        }
    }
}

/// Where everything of a landscape panel goes, worked out once from its size and text.
struct Layout {
    /// Text sizes: axis and legend text, tick labels.
    font: f64,
    small: f64,
    /// Marker radius in pixels.
    sz: i32,
    x_ticks: Vec<Tick>,
    y_ticks: Vec<Tick>,
    bar_ticks: Vec<Tick>,
    y_desc: &'static str,
    bar_title: String,
    /// Widths: the colour-bar column, the y label area, the bar's label area.
    bar_w: u32,
    y_area: u32,
    bar_labels: u32,
    /// The legend's items by line, and its height.
    legend: Vec<Vec<(Mark, u32)>>,
    legend_h: u32,
}

impl Layout {
    fn of<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> Layout {
        let th = &p.theme;
        let (w, h) = area.dim_in_pixel();
        let font = th.base_text((w, h), 22.0, 11.0, 16.0);
        let small = th.scaled(font, 0.85);
        let sz = (h as f64 / 40.0).clamp(5.0, 10.0) as i32;
        // The legend: marks flowed into lines across the panel's width.
        let mut legend: Vec<Vec<(Mark, u32)>> = Vec::new();
        if p.legend {
            let marks = [Mark::Component, Mark::Moment, Mark::Minimum, Mark::Q];
            let shown = marks
                .into_iter()
                .filter(|m| !matches!(m, Mark::Q) || p.q.is_some());
            let avail = w.saturating_sub(12);
            let mut used = 0u32;
            for m in shown {
                let iw = (small * 1.55) as u32
                    + text_width(area, m.label(), small)
                    + (small * 0.9) as u32;
                if legend.is_empty() || used + iw > avail {
                    legend.push(Vec::new());
                    used = 0;
                }
                used += iw;
                if let Some(line) = legend.last_mut() {
                    line.push((m, iw));
                }
            }
        }
        let legend_h = if legend.is_empty() {
            0
        } else {
            (legend.len() as f64 * small * 1.45 + small * 0.4) as u32
        };
        // The colour bar's ticks and labels.
        let s = p.scale;
        let bar_h = h.saturating_sub(legend_h) as f64 - font * 4.6;
        let n_bar = ((bar_h / (small * 2.2)) as usize).clamp(2, 9);
        let bar_ticks = if s.log {
            ticks::log(s.lo, s.hi, n_bar)
        } else {
            ticks::linear(s.lo, s.hi, n_bar)
        };
        let widest = |ts: &[Tick]| {
            ts.iter()
                .map(|t| text_width(area, &t.label, small))
                .max()
                .unwrap_or(0)
        };
        let bar_labels = widest(&bar_ticks) + (small * 0.6) as u32;
        let bar_title = if (text_width(area, p.bar_title, small) as f64) < bar_h {
            p.bar_title.to_string()
        } else {
            p.bar_title
                .split(',')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let strip = (font * 0.9) as u32;
        let bar_w = strip + bar_labels + (small * 1.6) as u32 + th.px(6.0) as u32;
        // The axes' ticks: as many as fit with room between labels.
        let g = &p.land.grid;
        let (m0, m1) = (g.mu[0], g.mu[g.mu.len() - 1]);
        let (s0, s1) = (g.sigma[0], g.sigma[g.sigma.len() - 1]);
        let plot_h = bar_h;
        let n_y = ((plot_h / (small * 2.2)) as usize).clamp(2, 7);
        let y_ticks = ticks::linear(s0, s1, n_y);
        let y_area = widest(&y_ticks) + (font * 2.0) as u32 + 4;
        let plot_w = w.saturating_sub(bar_w + y_area + 16) as f64;
        let x_ticks = (2..=8)
            .rev()
            .map(|n| ticks::linear(m0, m1, n))
            .find(|t| {
                let gaps = t.len().max(1) as f64;
                let need = widest(t) as f64 + small * 1.2;
                need * gaps <= plot_w * 0.95
            })
            .unwrap_or_else(|| ticks::linear(m0, m1, 2));
        let y_desc = ["Standard deviation (σ)", "Std. dev. (σ)", "σ"]
            .into_iter()
            .find(|d| (text_width(area, d, font) as f64) < plot_h * 0.95)
            .unwrap_or("σ");
        Layout {
            font,
            small,
            sz,
            x_ticks,
            y_ticks,
            bar_ticks,
            y_desc,
            bar_title,
            bar_w,
            y_area,
            bar_labels,
            legend,
            legend_h,
        }
    }

    /// The chart's area, the colour bar's column and the legend's strip.
    fn split<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> (
        DrawingArea<DB, Shift>,
        DrawingArea<DB, Shift>,
        DrawingArea<DB, Shift>,
    ) {
        let (w, h) = area.dim_in_pixel();
        let (upper, legend) = area.split_vertically(h.saturating_sub(self.legend_h));
        let (left, bar) = upper.split_horizontally(w.saturating_sub(self.bar_w));
        (left, bar, legend)
    }
}

/// The landscape's chart; its title drawn in `ink` (the overlay passes `TRANSPARENT`: the
/// same layout, the title drawn once).
fn chart<'b, DB: DrawingBackend>(
    left: &'b DrawingArea<DB, Shift>,
    p: &Panel,
    l: &Layout,
    ink: RGBAColor,
) -> Result<Chart<'b, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let g = &p.land.grid;
    ChartBuilder::on(left)
        .caption(
            p.title,
            (FontFamily::SansSerif, l.font * 1.2)
                .into_font()
                .color(&ink),
        )
        .margin(6)
        .margin_right(10)
        .x_label_area_size(l.small * 1.3 + l.font * 1.5 + 4.0)
        .y_label_area_size(l.y_area)
        .build_cartesian_2d(
            Axis::new(g.mu[0], g.mu[g.mu.len() - 1], &l.x_ticks),
            Axis::new(g.sigma[0], g.sigma[g.sigma.len() - 1], &l.y_ticks),
        )
}

/// Draws the frame (title, axes, colour bar, legend) and returns the plot area's pixel
/// rectangle; the raster goes there next, then [`draw_overlay`].
pub fn draw_frame<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
) -> Result<Rect, DrawingAreaErrorKind<DB::ErrorType>> {
    let l = Layout::of(area, p);
    let (left, bar, legend) = l.split(area);
    let fg = p.theme.fg();
    let mut c = chart(&left, p, &l, fg.to_rgba())?;
    let text = (FontFamily::SansSerif, l.font).into_font().color(&fg);
    let ticks = (FontFamily::SansSerif, l.small).into_font().color(&fg);
    let (xt, yt) = (&l.x_ticks, &l.y_ticks);
    c.configure_mesh()
        .disable_mesh()
        .x_desc("Mean (μ)")
        .y_desc(l.y_desc)
        .label_style(ticks)
        .axis_desc_style(text)
        .axis_style(fg)
        .x_label_formatter(&|v| tick_label(xt, *v))
        .y_label_formatter(&|v| tick_label(yt, *v))
        .draw()?;
    let (xr, yr) = c.plotting_area().get_pixel_range();
    let rect = Rect {
        x: xr.start,
        y: yr.start,
        w: (xr.end - xr.start).max(1) as u32,
        h: (yr.end - yr.start).max(1) as u32,
    };
    draw_colorbar(&bar, p, &l, rect)?;
    draw_legend(&legend, p, &l)?;
    Ok(rect)
}

fn draw_colorbar<DB: DrawingBackend>(
    bar: &DrawingArea<DB, Shift>,
    p: &Panel,
    l: &Layout,
    plot: Rect,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let s = p.scale;
    let fg = p.theme.fg();
    let tr = |v: f64| if s.log { v.log10() } else { v };
    let (a, b) = (tr(s.lo), tr(s.hi));
    // The bar spans the plot area's height, beside it.
    let by = bar.get_base_pixel().1;
    let top = (plot.y - by).max(0) as u32;
    let bottom = (bar.dim_in_pixel().1 as i32 - (plot.y + plot.h as i32 - by)).max(0) as u32;
    let inner = bar.margin(top, bottom, (l.font * 0.4) as u32, 0);
    let ticks: Vec<Tick> = (l.bar_ticks.iter())
        .map(|t| Tick {
            value: tr(t.value),
            label: t.label.clone(),
        })
        .collect();
    let strip = (l.font * 0.9) as u32;
    let w = inner.dim_in_pixel().0;
    let mut c = ChartBuilder::on(&inner)
        .y_label_area_size(0)
        .right_y_label_area_size(l.bar_labels)
        .margin_right(w.saturating_sub(strip + l.bar_labels))
        .build_cartesian_2d(Axis::new(0.0, 1.0, &[]), Axis::new(a, b, &ticks))?;
    c.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .label_style((FontFamily::SansSerif, l.small).into_font().color(&fg))
        .axis_style(fg)
        .y_label_formatter(&|v| tick_label(&ticks, *v))
        .draw()?;
    let n = 64;
    c.draw_series((0..n).map(|k| {
        let (t0, t1) = (k as f64 / n as f64, (k + 1) as f64 / n as f64);
        let [r, g, bb] = color(t0 + 0.5 / n as f64);
        Rectangle::new(
            [(0.0, a + t0 * (b - a)), (1.0, a + t1 * (b - a))],
            RGBColor(r, g, bb).filled(),
        )
    }))?;
    // The title, read upwards along the bar's right side.
    let (cx, cy) = (
        bar.dim_in_pixel().0 as i32 - (l.small * 0.8) as i32 - p.theme.px(2.0) as i32,
        plot.y - by + plot.h as i32 / 2,
    );
    let title = (FontFamily::SansSerif, l.small)
        .into_font()
        .transform(FontTransform::Rotate270)
        .color(&fg)
        .pos(Pos::new(HPos::Center, VPos::Center));
    bar.draw(&Text::new(l.bar_title.as_str(), (cx, cy), title))?;
    if p.land.values.iter().any(|v| !v.is_finite()) {
        // +inf cells' grey, under the bar.
        let [r, g, bb] = INF_RGB;
        let x0 = (l.font * 0.4) as i32;
        let y0 = plot.y - by + plot.h as i32 + (l.small * 0.5) as i32;
        let side = strip as i32;
        bar.draw(&Rectangle::new(
            [(x0, y0), (x0 + side, y0 + side)],
            RGBColor(r, g, bb).filled(),
        ))?;
        bar.draw(&Text::new(
            "+inf",
            (x0 + side + (l.small * 0.3) as i32, y0 + side / 2),
            (FontFamily::SansSerif, l.small)
                .into_font()
                .color(&fg)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// The legend: each mark drawn as on the landscape, then its name; lines left-aligned.
fn draw_legend<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    p: &Panel,
    l: &Layout,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let line_h = l.small * 1.45;
    let style = (FontFamily::SansSerif, l.small)
        .into_font()
        .color(&p.theme.fg())
        .pos(Pos::new(HPos::Left, VPos::Center));
    let sz = l.sz.min((l.small * 0.45) as i32);
    for (k, line) in l.legend.iter().enumerate() {
        let y = (line_h * (k as f64 + 0.5)) as i32;
        let mut x = 8;
        for &(m, iw) in line {
            m.draw(strip, (x + (l.small * 0.5) as i32, y), sz, true)?;
            strip.draw(&Text::new(
                m.label(),
                (x + (l.small * 1.35) as i32, y),
                style.clone(),
            ))?;
            x += iw as i32;
        }
    }
    Ok(())
}

/// A colour-bar or axis label: three significant digits, exponent form outside
/// [0.01, 10⁴).
pub fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(0.01..1e4).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Contours (white), the minima (the global one larger, ringed), red × per component and
/// red + at the moment match on top of them, a descent path and q's ring.
pub fn draw_overlay<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let l = Layout::of(area, p);
    let (left, _, _) = l.split(area);
    let mut c = chart(&left, p, &l, TRANSPARENT)?;
    let white = WHITE.mix(0.85);
    for line in p.contours {
        c.draw_series(std::iter::once(PathElement::new(
            line.clone(),
            white.stroke_width(1),
        )))?;
    }
    let sz = l.sz;
    // Marks in the panel's pixels, drawn as the legend draws them.
    let plot = c.plotting_area().clone();
    let (bx, by) = left.get_base_pixel();
    let at = |x: f64, y: f64| {
        let (px, py) = plot.map_coordinate(&(x, y));
        (px - bx, py - by)
    };
    let best = p.minima.first().map_or(0.0, |m| m.value);
    for m in p.minima {
        let global = m.value <= best + 1e-9 * best.abs().max(1e-12);
        Mark::Minimum.draw(&left, at(m.mu, m.sigma), sz, global)?;
    }
    for comp in p.components {
        Mark::Component.draw(&left, at(comp.mean, comp.std), sz, true)?;
    }
    let (mm, ms) = p.moment;
    Mark::Moment.draw(&left, at(mm, ms), sz, true)?;
    if let Some(path) = p.path {
        let pts: Vec<(f64, f64)> = path.iter().map(|s| (s[0], s[1])).collect();
        let orange = RGBColor(255, 120, 0);
        c.draw_series(std::iter::once(PathElement::new(
            pts.clone(),
            orange.stroke_width(2),
        )))?;
        // Every iterate as a dot, the start ringed.
        c.draw_series(
            pts.iter()
                .map(|&pt| Circle::new(pt, (sz / 3).max(2), orange.filled())),
        )?;
        if let Some(&first) = pts.first() {
            c.draw_series(std::iter::once(Circle::new(
                first,
                sz * 2 / 3,
                orange.stroke_width(2),
            )))?;
        }
    }
    if let Some((qm, qs)) = p.q {
        Mark::Q.draw(&left, at(qm, qs), sz, true)?;
    }
    Ok(())
}

/// A raster placed at a pixel rectangle through the backend's `blit_bitmap` (native
/// backends; RGB, top row first).
pub struct Raster {
    pub rect: Rect,
    pub rgb: Vec<u8>,
}

impl Raster {
    /// Resamples an RGB image of `w × h` bilinearly (cell centres as samples) to fill `rect`.
    pub fn fit(rgb: &[u8], w: usize, h: usize, rect: Rect) -> Raster {
        let (rw, rh) = (rect.w as usize, rect.h as usize);
        let mut out = Vec::with_capacity(rw * rh * 3);
        let coord = |t: usize, n: usize, m: usize| {
            let u = ((t as f64 + 0.5) * n as f64 / m as f64 - 0.5).clamp(0.0, (n - 1) as f64);
            let k = (u.floor() as usize).min(n.saturating_sub(2));
            (k, (k + 1).min(n - 1), u - k as f64)
        };
        for y in 0..rh {
            let (y0, y1, fy) = coord(y, h, rh);
            for x in 0..rw {
                let (x0, x1, fx) = coord(x, w, rw);
                for ch in 0..3 {
                    let p = |xx: usize, yy: usize| rgb[3 * (yy * w + xx) + ch] as f64;
                    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
                    let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
                    out.push((top * (1.0 - fy) + bot * fy).round() as u8);
                }
            }
        }
        Raster { rect, rgb: out }
    }
}

impl<'a> PointCollection<'a, BackendCoord> for &'a Raster {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Empty<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::empty()
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Raster {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        _: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        backend.blit_bitmap(
            (self.rect.x, self.rect.y),
            (self.rect.w, self.rect.h),
            &self.rgb,
        )
    }
}

/// Draws a whole landscape panel natively: frame, raster, overlay.
pub fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let rect = draw_frame(area, p)?;
    let g = &p.land.grid;
    let rgb = raster(p.land, &p.scale, 3);
    // `rect` is in the backend's absolute pixels, which is what `blit_bitmap` takes.
    let r = Raster::fit(&rgb, g.mu.len(), g.sigma.len(), rect);
    area.draw(&r)?;
    draw_overlay(area, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use divergence::{Grid, Landscape};

    fn fixture() -> Landscape {
        // 3 μ × 2 σ, asymmetric so that flips and transposes show.
        let grid = Grid::new((0.0, 2.0), (1.0, 2.0), 3, 2, false).unwrap();
        Landscape {
            grid,
            values: vec![0.0, 1.0, 2.0, 3.0, 4.0, f64::INFINITY],
        }
    }

    #[test]
    fn raster_puts_the_largest_sigma_row_first() {
        let l = fixture();
        let s = Scale::auto(&l.values, false, 1.0);
        assert_eq!((s.lo, s.hi), (0.0, 4.0));
        let px = raster(&l, &s, 4);
        assert_eq!(px.len(), 3 * 2 * 4);
        // first pixel: σ = 2, μ = 0 → value 3 → t = 0.75
        assert_eq!(&px[0..3], &color(0.75));
        assert_eq!(px[3], 255);
        // last of the first row is +inf: grey
        assert_eq!(&px[8..11], &INF_RGB);
        // second row starts at σ = 1, μ = 0 → value 0 → yellow end of reversed viridis
        assert_eq!(&px[12..15], &color(0.0));
        let c = color(0.0);
        assert!(
            c[0] > 200 && c[1] > 200 && c[2] < 80,
            "yellow is low: {c:?}"
        );
    }

    #[test]
    fn colour_log10_is_within_a_tenth_of_a_colour_step() {
        let mut worst = 0.0f64;
        let mut v = 1e-300;
        while v < 1e300 {
            worst = worst.max((colour_log10(v) - v.log10()).abs());
            v *= 1.0137;
        }
        assert!(worst < 1e-7, "{worst:e}");
        // A colour step over ten decades is 10/4095 ≈ 2.4e-3 decades.
        assert!(worst < 0.1 * 10.0 / (COLORS - 1) as f64);
    }

    #[test]
    fn log_scale_and_levels() {
        let s = Scale::auto(&[0.0, 1e-3, 1.0, 10.0], true, 1.0);
        assert_eq!((s.lo, s.hi), (1e-3, 10.0));
        assert!((s.t(1e-1).unwrap() - 0.5).abs() < 1e-12);
        let lv = contour_levels(&s, 3);
        assert!((lv[1] - 0.1).abs() < 1e-12);
        assert_eq!(s.t(f64::INFINITY), None);
    }

    /// D = μ² + σ² on an `n` × `n` grid: its level sets are circles.
    fn bowl(n: usize) -> Landscape {
        let grid = Grid::new((-2.0, 2.0), (0.1, 2.0), n, n, false).unwrap();
        let values = (grid.sigma.iter())
            .flat_map(|&s| grid.mu.iter().map(move |&m| m * m + s * s))
            .collect();
        Landscape { grid, values }
    }

    #[test]
    fn prepared_contours_come_from_a_bounded_grid_and_still_follow_the_level_sets() {
        let target = divergence::Target::new(&[Component {
            weight: 1.0,
            mean: 0.0,
            std: 1.0,
        }])
        .unwrap();
        let points = |p: &Prepared| p.contours.iter().map(Vec::len).sum::<usize>();
        // Up to 1.5 × the side given, every cell is traced: the page's 128 × 96 as before.
        let small = bowl(128);
        let prep = Prepared::new("reverse_kl", &small, &target, false, 1.0, 128);
        assert_eq!(
            prep.contours,
            contours(&small, &contour_levels(&prep.scale, 9))
        );
        // At 1024² the page traces every 8th row and column; an export traces all.
        let big = bowl(1024);
        let page = Prepared::new("reverse_kl", &big, &target, false, 1.0, 128);
        let all = Prepared::new("reverse_kl", &big, &target, false, 1.0, usize::MAX);
        assert!(
            points(&all) > 6 * points(&page),
            "{} vs {}",
            points(&all),
            points(&page)
        );
        // Each point still lies on a level's circle, within a thousandth of its radius.
        let radii: Vec<f64> = contour_levels(&page.scale, 9)
            .iter()
            .map(|l| l.sqrt())
            .collect();
        for &(m, s) in page.contours.iter().flatten() {
            let r = (m * m + s * s).sqrt();
            let off = radii
                .iter()
                .map(|l| (r - l).abs() / l)
                .fold(f64::INFINITY, f64::min);
            assert!(off < 1e-3, "({m}, {s}) is off every level by {off:e}");
        }
    }

    #[test]
    fn contours_follow_a_known_level_set() {
        // D = μ² + σ² on a grid: the level-1 contour is the unit circle.
        let grid = Grid::new((-2.0, 2.0), (0.1, 2.0), 81, 81, false).unwrap();
        let mut values = Vec::new();
        for &s in &grid.sigma {
            for &m in &grid.mu {
                values.push(m * m + s * s);
            }
        }
        let l = Landscape { grid, values };
        let lines = contours(&l, &[1.0]);
        assert!(!lines.is_empty());
        for line in &lines {
            for &(m, s) in line {
                assert!(((m * m + s * s).sqrt() - 1.0).abs() < 0.01, "({m}, {s})");
            }
        }
    }
}
