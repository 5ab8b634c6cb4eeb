//! The line and histogram panels: densities, pressure ψ(x), ψ against p/q, the ψ trade-off
//! and the sampling estimators, each from the core's types on any plotters backend.

use crate::theme::{Theme, PALETTE, Q_PINK};
use crate::ticks::{self, tick_label, to_symlog, Axis, Tick};
use crate::{fmt_value, title};
use divergence::sampling::Estimates;
use divergence::tradeoff::{psi_star, Preference};
use divergence::{pressure as psi, pressure_norm, pressure_of_ratio, Divergence, Gaussian, Target};
use plotters::coord::Shift;
use plotters::prelude::*;

/// What drawing on a backend `DB` returns.
pub type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A drawn line chart's plot area (backend pixels) and the data ranges its axes span, so
/// that a page can map a pointer to data (x, and y in the chart's own units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineFrame {
    pub rect: crate::Rect,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// What drawing a line chart on a backend `DB` returns: where its plot area is.
pub type Framed<DB> = Result<LineFrame, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// `n + 1` evenly spaced points from `lo` to `hi`.
fn x_samples(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..=n)
        .map(|k| lo + (hi - lo) * k as f64 / n as f64)
        .collect()
}

/// The x window that shows p's components and q: every mean ± 4 stds.
pub fn x_window(target: &Target, q: &Gaussian) -> (f64, f64) {
    let mut lo = q.mu - 4.0 * q.sigma;
    let mut hi = q.mu + 4.0 * q.sigma;
    for c in target.components() {
        lo = lo.min(c.mean - 4.0 * c.std);
        hi = hi.max(c.mean + 4.0 * c.std);
    }
    (lo, hi)
}

/// Text size of a line chart in device pixels: 12.5–15 CSS pixels.
fn font_for<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, theme: &Theme) -> f64 {
    theme.base_text(area.dim_in_pixel(), 20.0, 12.0, 15.0)
}

/// One curve of a line chart; only labelled curves enter the legend.
struct Curve {
    label: Option<String>,
    color: RGBColor,
    width: u32,
    /// Drawn dashed (the post's m → ∞ curve).
    dash: bool,
    points: Vec<(f64, f64)>,
}

/// A labelled point on a line chart.
struct Marker {
    at: (f64, f64),
    label: String,
    color: RGBColor,
    /// Where the label's top-left sits, in text lines from the point (x, y; y down).
    offset: (f64, f64),
    /// The label may sit a few lines away, joined by a leader, when no place beside the point
    /// is clear (a point between two close curves).
    far: bool,
}

/// Axes and labels of a line chart.
struct Axes<'a> {
    caption: &'a str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_desc: &'a str,
    y_desc: &'a str,
    grid: bool,
    /// The x ticks, where not round values of x itself (a log axis in log₁₀ units).
    x_ticks: Option<Vec<Tick>>,
    /// The y ticks, where not round values of y itself (a symlog axis).
    y_ticks: Option<Vec<Tick>>,
    legend: SeriesLabelPosition,
}

/// As many round ticks over `range` as fit `len` pixels at `room` pixels each (2 to 10).
fn fit_ticks(range: &std::ops::Range<f64>, len: f64, room: f64) -> Vec<Tick> {
    let n = ((len / room) as usize).clamp(2, 10);
    ticks::linear(range.start, range.end, n)
}

/// Draws a captioned line chart with a legend: the shape of the density and pressure panels.
fn line_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axes: Axes,
    curves: &[Curve],
    markers: &[Marker],
    theme: &Theme,
) -> Framed<DB> {
    let font = font_for(area, theme);
    let fg = theme.fg();
    area.fill(&theme.bg())?;
    let text = (FontFamily::SansSerif, font).into_font().color(&fg);
    let (w, h) = area.dim_in_pixel();
    let x_ticks = (axes.x_ticks.clone())
        .unwrap_or_else(|| fit_ticks(&axes.x, w as f64 - font * 4.4 - 28.0, font * 4.0));
    let y_ticks = (axes.y_ticks.clone())
        .unwrap_or_else(|| fit_ticks(&axes.y, h as f64 - font * 5.0, font * 2.4));
    let mut c = ChartBuilder::on(area)
        .caption(
            axes.caption,
            (FontFamily::SansSerif, font * 1.15).into_font().color(&fg),
        )
        .margin(8)
        .margin_right(20)
        .x_label_area_size(font * 2.9)
        .y_label_area_size(font * 4.4)
        .build_cartesian_2d(
            Axis::new(axes.x.start, axes.x.end, &x_ticks),
            Axis::new(axes.y.start, axes.y.end, &y_ticks),
        )?;
    let mut mesh = c.configure_mesh();
    let (xt, yt) = (&x_ticks, &y_ticks);
    let (x_fmt, y_fmt) = (|v: &f64| tick_label(xt, *v), |v: &f64| tick_label(yt, *v));
    mesh.x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .axis_style(fg)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if axes.grid {
        mesh.light_line_style(TRANSPARENT)
            .bold_line_style(fg.mix(0.12));
    } else {
        mesh.disable_mesh();
    }
    mesh.draw()?;
    let (xr, yr) = c.plotting_area().get_pixel_range();
    let frame = LineFrame {
        rect: crate::Rect {
            x: xr.start,
            y: yr.start,
            w: (xr.end - xr.start).max(1) as u32,
            h: (yr.end - yr.start).max(1) as u32,
        },
        x: (axes.x.start, axes.x.end),
        y: (axes.y.start, axes.y.end),
    };
    for curve in curves {
        let (col, w) = (curve.color, curve.width);
        let points = curve.points.iter().copied();
        let s = if curve.dash {
            let (dash, gap) = ((font * 0.6) as u32, (font * 0.4) as u32);
            c.draw_series(DashedLineSeries::new(
                points,
                dash,
                gap,
                col.stroke_width(w),
            ))?
        } else {
            c.draw_series(LineSeries::new(points, col.stroke_width(w)))?
        };
        if let Some(l) = &curve.label {
            let step = (font * 0.5) as i32;
            let dash = curve.dash;
            s.label(l.as_str()).legend(move |(x, y)| {
                // Two strokes: with a gap between them when dashed, touching when solid.
                let gap = if dash { step } else { 0 };
                EmptyElement::at((x, y))
                    + PathElement::new([(0, 0), (step, 0)], col.stroke_width(w))
                    + PathElement::new([(step + gap, 0), (3 * step + gap, 0)], col.stroke_width(w))
            });
        }
    }
    // Each label at the first of its candidate places that stays inside the plot and clear of
    // the legend, the points, the labels placed before it and the curves (else at the place
    // that overlaps them least).
    let (xr, yr) = c.plotting_area().get_pixel_range();
    let inner = [
        xr.start as f64,
        yr.start as f64,
        xr.end as f64,
        yr.end as f64,
    ];
    let labelled: Vec<&String> = curves.iter().filter_map(|c| c.label.as_ref()).collect();
    let legend_w = labelled
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as f64
        * 0.62
        * font
        + 3.0 * font
        + 16.0;
    let legend_h = labelled.len() as f64 * font * 1.7 + 16.0;
    let (lx, ly) = match axes.legend {
        SeriesLabelPosition::UpperLeft => (inner[0], inner[1]),
        SeriesLabelPosition::LowerRight => (inner[2] - legend_w, inner[3] - legend_h),
        SeriesLabelPosition::MiddleRight => {
            (inner[2] - legend_w, (inner[1] + inner[3] - legend_h) / 2.0)
        }
        _ => (inner[2] - legend_w, inner[1]),
    };
    let r = font / 3.0;
    let mut taken: Vec<[f64; 4]> = vec![[lx, ly, lx + legend_w + 10.0, ly + legend_h + 10.0]];
    let points: Vec<(f64, f64)> = (markers.iter())
        .map(|m| {
            let (x, y) = c.backend_coord(&m.at);
            (f64::from(x), f64::from(y))
        })
        .collect();
    taken.extend(points.iter().map(|&(x, y)| [x - r, y - r, x + r, y + r]));
    // The curves in pixels, which labels keep off (none to place: none needed; the density
    // and pressure panels, drawn at every frame of a drag, have no labelled points).
    let labels = markers.iter().any(|m| !m.label.is_empty());
    let mut paths: Vec<Vec<(f64, f64)>> = (curves.iter().filter(|_| labels))
        .map(|cv| {
            (cv.points.iter())
                .map(|p| {
                    let (x, y) = c.backend_coord(p);
                    (f64::from(x), f64::from(y))
                })
                .collect()
        })
        .collect();
    // Labels are placed in the markers' order (one that may go farther comes last), then drawn,
    // leaders first.
    let size = theme.scaled(font, 0.9);
    let mut placed = Vec::with_capacity(markers.len());
    for (m, &(px, py)) in markers.iter().zip(&points) {
        if m.label.is_empty() {
            placed.push((m.offset, None));
            continue;
        }
        // Measured: a label left of its point ends at the point, whatever the font.
        let w = f64::from(crate::text_width(area, &m.label, size)) / font;
        let hgt = 1.3 * size / font;
        let near = [
            m.offset,
            (0.6, 0.2),
            (0.6, -1.4),
            (-w - 0.6, 0.2),
            (-w - 0.6, -1.4),
            (0.8, -0.6),
            (-w - 0.8, -0.6),
            (-w / 2.0, 0.7),
            (-w / 2.0, -2.0),
            (-w - 0.8, 1.2),
            (0.8, 1.2),
            (-w - 0.8, -2.4),
            (0.8, -2.4),
        ];
        // Two to four lines away, joined to the point by a leader.
        let far: &[(f64, f64)] = if m.far {
            &[
                (-w - 0.8, 2.6),
                (0.8, 2.6),
                (-w / 2.0, 2.6),
                (-w - 0.8, -3.6),
                (0.8, -3.6),
                (-w / 2.0, -3.6),
                (-w - 0.8, 3.8),
                (0.8, 3.8),
                (-w - 0.8, -4.8),
                (0.8, -4.8),
            ]
        } else {
            &[]
        };
        // A leader from the dot's edge to the nearest point of the text's box `b`.
        let leader_to = |b: [f64; 4]| {
            let (ex, ey) = (px.clamp(b[0], b[2]) - px, py.clamp(b[1], b[3]) - py);
            let len = ex.hypot(ey).max(1.0);
            ((ex * r / len, ey * r / len), (ex, ey))
        };
        // Overlap (in square pixels) with what is placed and what falls outside the plot, a
        // hundred times over (text on text is unreadable), plus four fonts' worth per pixel of
        // curve through the text; a leader through what is placed costs like a font-wide strip.
        let cost = |(dx, dy): (f64, f64), led: bool| {
            let pad = theme.px(2.0);
            let b = [
                px + dx * font - pad,
                py + dy * font - pad,
                px + (dx + w) * font + pad,
                py + (dy + hgt) * font + pad,
            ];
            let area = (b[2] - b[0]) * (b[3] - b[1]);
            let clip = |lo: f64, hi: f64, a: f64, z: f64| (hi.min(z) - lo.max(a)).max(0.0);
            let inside =
                clip(b[0], b[2], inner[0], inner[2]) * clip(b[1], b[3], inner[1], inner[3]);
            let mine = [px - r, py - r, px + r, py + r];
            let hits: f64 = (taken.iter().filter(|t| **t != mine))
                .map(|t| clip(b[0], b[2], t[0], t[2]) * clip(b[1], b[3], t[1], t[3]))
                .sum();
            let crossed: f64 = (paths.iter())
                .flat_map(|p| p.windows(2))
                .map(|s| length_inside(s[0], s[1], b))
                .sum();
            let through: f64 = if led {
                let (from, to) = leader_to(b);
                let seg = ((px + from.0, py + from.1), (px + to.0, py + to.1));
                (taken.iter().filter(|t| **t != mine))
                    .map(|t| length_inside(seg.0, seg.1, *t))
                    .sum()
            } else {
                0.0
            };
            100.0 * (hits + area - inside + font * through) + 4.0 * font * crossed
        };
        let mut best = (f64::INFINITY, m.offset, false);
        for (&o, led) in (near.iter().map(|o| (o, false))).chain(far.iter().map(|o| (o, true))) {
            let k = cost(o, led);
            if k < best.0 {
                best = (k, o, led);
            }
            if k == 0.0 {
                break;
            }
        }
        let (dx, dy) = best.1;
        let bx = [
            px + dx * font,
            py + dy * font,
            px + (dx + w) * font,
            py + (dy + hgt) * font,
        ];
        taken.push(bx);
        let leader = best.2.then(|| leader_to(bx));
        if let Some((from, to)) = leader {
            // Later labels keep off the leader as off a curve.
            paths.push(vec![(px + from.0, py + from.1), (px + to.0, py + to.1)]);
        }
        placed.push((best.1, leader));
    }
    for (m, &(_, leader)) in markers.iter().zip(&placed) {
        if let Some((from, to)) = leader {
            c.draw_series(std::iter::once(
                EmptyElement::at(m.at)
                    + PathElement::new(
                        vec![(from.0 as i32, from.1 as i32), (to.0 as i32, to.1 as i32)],
                        m.color.stroke_width(theme.px(1.0).round().max(1.0) as u32),
                    ),
            ))?;
        }
    }
    for (m, &((dx, dy), _)) in markers.iter().zip(&placed) {
        let style = (FontFamily::SansSerif, size).into_font().color(&m.color);
        c.draw_series(std::iter::once(
            EmptyElement::at(m.at)
                + Circle::new((0, 0), r as i32, m.color.filled())
                + Text::new(
                    m.label.clone(),
                    ((dx * font) as i32, (dy * font) as i32),
                    style,
                ),
        ))?;
    }
    c.configure_series_labels()
        .label_font(text)
        // Room for the widest legend stroke (2 em, dashed) before the label, at any scale.
        .legend_area_size((2.5 * font).ceil() as i32)
        .background_style(theme.bg().mix(0.8))
        .border_style(fg)
        .position(axes.legend)
        .draw()?;
    Ok(frame)
}

/// The length of the segment from `a` to `z` inside the box `[x0, y0, x1, y1]` (Liang–Barsky
/// clipping).
fn length_inside(a: (f64, f64), z: (f64, f64), b: [f64; 4]) -> f64 {
    let (dx, dy) = (z.0 - a.0, z.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-dx, a.0 - b[0]),
        (dx, b[2] - a.0),
        (-dy, a.1 - b[1]),
        (dy, b[3] - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return 0.0;
            }
        } else if p < 0.0 {
            t0 = t0.max(q / p);
        } else {
            t1 = t1.min(q / p);
        }
    }
    (t1 - t0).max(0.0) * dx.hypot(dy)
}

/// p (thick), its weighted components (thin) and q over x.
pub fn density<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    target: &Target,
    q: &Gaussian,
    theme: &Theme,
) -> Drawn<DB> {
    density_framed(area, target, q, theme).map(|_| ())
}

/// [`density`], returning where its plot area is (for pointer input on the page).
pub fn density_framed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    target: &Target,
    q: &Gaussian,
    theme: &Theme,
) -> Framed<DB> {
    let (lo, hi) = x_window(target, q);
    let xs = x_samples(lo, hi, 600);
    let curve = |label: Option<&str>, color, width, f: &dyn Fn(f64) -> f64| Curve {
        label: label.map(str::to_string),
        color,
        width,
        dash: false,
        points: xs.iter().map(|&x| (x, f(x))).collect(),
    };
    let mut curves: Vec<Curve> = (0..target.len())
        .map(|k| {
            let label = (k == 0).then_some("components");
            curve(label, theme.muted(), 1, &|x| {
                target.log_component(k, x).exp()
            })
        })
        .collect();
    curves.push(curve(Some("p (target)"), theme.fg(), 3, &|x| {
        target.log_pdf(x).exp()
    }));
    curves.push(curve(Some("q"), Q_PINK, 3, &|x| q.log_pdf(x).exp()));
    // Headroom for the legend's three rows (upper right), so that no peak, and no handle the
    // page draws on it, sits under the legend on a narrow panel.
    let font = font_for(area, theme);
    let plot_h = (area.dim_in_pixel().1 as f64 - 5.5 * font).max(font);
    let legend = (6.0 * font / plot_h).clamp(0.04, 0.5);
    let headroom = 1.0 / (0.97 - legend);
    let top = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.1))
        .fold(0.0, f64::max)
        * headroom;
    let axes = Axes {
        caption: "Densities",
        x: lo..hi,
        y: 0.0..top.max(1e-12),
        x_desc: "x",
        y_desc: "",
        grid: false,
        x_ticks: None,
        y_ticks: None,
        legend: SeriesLabelPosition::UpperRight,
    };
    line_chart(area, axes, &curves, &[], theme)
}

/// What the pressure panels show: ψ of each named divergence, for p = `target` and `q`.
pub struct Pressures<'a> {
    pub target: &'a Target,
    pub q: &'a Gaussian,
    pub divs: &'a [(String, Divergence)],
}

/// One `(name, divergence)` per distinct divergence of `panels` (`log_ksd` draws the same
/// pressure and flow as `ksd`): what the pressure and flow panels show a curve for.
pub fn distinct_divergences(panels: &[divergence::Panel]) -> Vec<(String, Divergence)> {
    let mut out: Vec<(String, Divergence)> = Vec::new();
    for p in panels {
        if !out.iter().any(|(_, d)| *d == p.div) {
            out.push((p.div.name().to_string(), p.div));
        }
    }
    out
}

/// ψ(x) for each named divergence over x, on a symlog axis; +inf drawn at the top edge.
pub fn pressure<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Pressures,
    theme: &Theme,
) -> Drawn<DB> {
    pressure_framed(area, input, theme).map(|_| ())
}

/// [`pressure`], returning where its plot area is (y in symlog units).
pub fn pressure_framed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Pressures,
    theme: &Theme,
) -> Framed<DB> {
    let Pressures { target, q, divs } = *input;
    let (lo, hi) = x_window(target, q);
    let xs = x_samples(lo, hi, 300);
    let values: Vec<Vec<f64>> = divs
        .iter()
        .map(|(_, d)| {
            // KSD's pressure is a quadrature per point: every sixth point, interpolated.
            if !matches!(d, Divergence::Ksd { .. }) {
                return psi(target, q, d, &xs);
            }
            let coarse: Vec<f64> = xs.iter().step_by(6).copied().collect();
            let v = psi(target, q, d, &coarse);
            (0..xs.len())
                .map(|k| {
                    let (a, t) = (k / 6, (k % 6) as f64 / 6.0);
                    let b = (a + 1).min(v.len() - 1);
                    v[a] * (1.0 - t) + v[b] * t
                })
                .collect()
        })
        .collect();
    let finite = values.iter().flatten().copied().filter(|v| v.is_finite());
    let (ylo, yhi) = finite.fold((0.0f64, 0.0f64), |(a, b), v| {
        (a.min(to_symlog(v)), b.max(to_symlog(v)))
    });
    let (ylo, yhi) = (
        ylo.max(-30.0).floor().min(-1.0),
        yhi.min(300.0).ceil().max(1.0),
    );
    let curves: Vec<Curve> = divs
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(k, ((name, _), ys))| Curve {
            label: Some(title(name)),
            color: PALETTE[k % PALETTE.len()],
            width: 2,
            dash: false,
            points: xs
                .iter()
                .zip(ys)
                .map(|(&x, &y)| (x, if y.is_finite() { to_symlog(y) } else { yhi }))
                .collect(),
        })
        .collect();
    let n = ((area.dim_in_pixel().1 as f64 / (font_for(area, theme) * 2.4)) as usize).max(4);
    let axes = Axes {
        caption: "Pressure ψ(x) = −δD/δq(x)",
        x: lo..hi,
        y: ylo..yhi,
        x_desc: "x",
        y_desc: "ψ (symlog)",
        grid: true,
        x_ticks: None,
        y_ticks: Some(ticks::symlog(ylo, yhi, n)),
        legend: SeriesLabelPosition::UpperLeft,
    };
    line_chart(area, axes, &curves, &[], theme)
}

/// ψ against r = p/q on log–log axes (r from 1 to 1e8): slope 2 for Pearson χ², 1 for
/// forward KL, ½ for Hellinger and Bhattacharyya, ~0 for log r and bounded ones.
pub fn pressure_ratio<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Pressures,
    theme: &Theme,
) -> Drawn<DB> {
    let Pressures { target, q, divs } = *input;
    let n = 200;
    let curves: Vec<Curve> = divs
        .iter()
        .enumerate()
        .map(|(k, (name, d))| {
            let norm = pressure_norm(target, q, d);
            let points = (1..=n)
                .filter_map(|i| {
                    let lr = 8.0 * i as f64 / n as f64;
                    let v = pressure_of_ratio(d, lr * std::f64::consts::LN_10, norm)?;
                    (v > 0.0 && v.is_finite()).then(|| (lr, v.log10()))
                })
                .collect();
            Curve {
                label: Some(title(name)),
                color: PALETTE[k % PALETTE.len()],
                width: 2,
                dash: false,
                points,
            }
        })
        .filter(|c| !c.points.is_empty())
        .collect();
    let axes = Axes {
        caption: "ψ against r = p/q (log–log)",
        x: 0.0..8.0,
        y: -3.0..17.0,
        x_desc: "log₁₀ r",
        y_desc: "log₁₀ ψ",
        grid: true,
        x_ticks: None,
        y_ticks: None,
        legend: SeriesLabelPosition::UpperLeft,
    };
    line_chart(area, axes, &curves, &[], theme).map(|_| ())
}

/// The ψ trade-off: ψ*(m, β) over β for m = 1, 2, 5, 10 and ∞, with reverse KL,
/// Bhattacharyya and forward KL marked, and the target's own (β, ψ) and computed flip.
pub fn tradeoff<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pref: Option<&Preference>,
    beta: f64,
    theme: &Theme,
) -> Drawn<DB> {
    let fg = theme.fg();
    let palette = [PALETTE[0], PALETTE[2], PALETTE[4], PALETTE[5], fg];
    let betas = x_samples(0.0, 1.0, 200);
    let mut curves: Vec<Curve> = [1.0, 2.0, 5.0, 10.0, f64::INFINITY]
        .iter()
        .zip(palette)
        .map(|(&m, color)| Curve {
            label: Some(if m.is_infinite() {
                "m = ∞: (1−β)^(1/β)".to_string()
            } else {
                format!("m = {m}")
            }),
            color,
            width: 2,
            dash: false,
            points: betas.iter().map(|&b| (b, psi_star(m, b))).collect(),
        })
        .collect();
    let top = pref
        .map_or(0.0, |p| p.psi.max(p.flip) * 1.15)
        .clamp(0.45, 1.0);
    let grey = fg.mix(0.35).to_rgba();
    let grey = RGBColor(grey.0, grey.1, grey.2);
    for b in [0.0, 0.5, 1.0] {
        curves.push(Curve {
            label: None,
            color: grey,
            width: 1,
            dash: false,
            points: vec![(b, 0.0), (b, top)],
        });
    }
    let names = [
        (0.0, "reverse KL", (0.4, -1.2)),
        (0.5, "Bhattacharyya", (0.4, -1.2)),
        (1.0, "forward KL", (-5.5, -1.4)),
    ];
    let mut markers: Vec<Marker> = names
        .iter()
        .map(|&(b, name, offset)| Marker {
            at: (b, psi_star(f64::INFINITY, b)),
            label: name.to_string(),
            color: fg,
            offset,
            far: false,
        })
        .collect();
    let caption;
    if let Some(p) = pref {
        let prefers_all = p.all_modes < p.heavy_only;
        let accent = if prefers_all {
            RGBColor(214, 51, 108)
        } else {
            RGBColor(255, 127, 14)
        };
        // Labels in text lines from their points: below (0.3) or above (-1.3). Where the two
        // points are close, the upper one's label goes above and the lower one's below; a label
        // at the top edge goes below, and the other one then a line lower.
        let high = p.psi.min(1.0) >= 0.9 * top;
        let near = (p.psi - p.flip).abs() < 0.12 * top;
        let (psi_dy, flip_dy) = match (near, p.psi >= p.flip, high) {
            (false, _, _) => (0.3, 0.3),
            (true, true, false) => (-1.3, 0.3),
            (true, true, true) => (0.3, 1.5),
            (true, false, _) => (0.3, -1.3),
        };
        markers.push(Marker {
            at: (beta, p.psi.min(1.0)),
            label: format!(
                "this target: ψ = {:.3} → {}",
                p.psi,
                if prefers_all {
                    "all modes"
                } else {
                    "heavy only"
                }
            ),
            color: accent,
            offset: (0.5, psi_dy),
            far: true,
        });
        markers.push(Marker {
            at: (beta, p.flip.min(1.0)),
            label: format!("flip at ψ = {:.4}", p.flip),
            color: accent,
            offset: (0.5, flip_dy),
            far: true,
        });
        caption = format!("ψ trade-off, m = {} heavy modes, β = {beta:.3}", p.m);
    } else {
        caption = "ψ trade-off: ψ*(m, β)".to_string();
    }
    let axes = Axes {
        caption: &caption,
        x: 0.0..1.0,
        y: 0.0..top,
        x_desc: "β = (1+α)/2",
        y_desc: "light/heavy weight ψ",
        grid: true,
        x_ticks: None,
        y_ticks: None,
        legend: if pref.is_some_and(|p| p.psi >= 0.6 * top) {
            // The target's point and label are up there: the legend goes below them.
            SeriesLabelPosition::MiddleRight
        } else {
            SeriesLabelPosition::UpperRight
        },
    };
    line_chart(area, axes, &curves, &markers, theme).map(|_| ())
}

/// Round decade ticks from 10^`lo` to 10^`hi` on an axis in log₁₀ units, labelled by value.
fn decades(lo: i32, hi: i32) -> Vec<Tick> {
    (lo..=hi)
        .map(|k| Tick {
            value: f64::from(k),
            label: if k >= 0 {
                format!("{}", 10i64.pow(k.unsigned_abs()))
            } else {
                format!("{:.*}", k.unsigned_abs() as usize, 10f64.powi(k))
            },
        })
        .collect()
}

/// The ψ post's two figures, live: the threshold ψ*(m, β) above which covering the light mode
/// wins, for m = 1 (solid) and m → ∞ (dashed, (1−β)^(1/β)), plus this target's m when it is
/// another; over β on linear axes, or (`log`) over 1 − β from 10⁻³ to 1 on log–log axes.
/// Reverse KL, Bhattacharyya (and, on linear axes, forward KL) are marked on the m → ∞
/// curve, and this target's (β, ψ) as a point.
pub fn psi_threshold<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    log: bool,
    pref: Option<&Preference>,
    beta: f64,
    theme: &Theme,
) -> Drawn<DB> {
    let fg = theme.fg();
    // Linear: (β, ψ). Log–log: (log₁₀(1 − β), log₁₀ ψ).
    let to = |b: f64, psi: f64| {
        if log {
            ((1.0 - b).log10(), psi.log10())
        } else {
            (b, psi)
        }
    };
    let betas: Vec<f64> = if log {
        x_samples(-3.0, 0.0, 300)
            .iter()
            .map(|t| 1.0 - 10f64.powf(*t))
            .collect()
    } else {
        x_samples(0.0, 1.0, 300)
    };
    let line = |m: f64, label: String, color, dash| Curve {
        label: Some(label),
        color,
        width: 2,
        dash,
        points: (betas.iter())
            .map(|&b| to(b, psi_star(m, b)))
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect(),
    };
    let mut curves = vec![
        line(1.0, "m = 1".into(), PALETTE[0], false),
        line(f64::INFINITY, "m → ∞".into(), PALETTE[1], true),
    ];
    if let Some(p) = pref.filter(|p| p.m > 1) {
        curves.push(line(
            p.m as f64,
            format!("m = {} (this target)", p.m),
            PALETTE[2],
            false,
        ));
    }
    let named: &[(f64, &str, (f64, f64))] = if log {
        &[
            (0.0, "reverse KL", (-5.6, 0.4)),
            (0.5, "Bhattacharyya", (-7.4, 0.4)),
        ]
    } else {
        &[
            (0.0, "reverse KL", (0.5, -1.3)),
            (0.5, "Bhattacharyya", (0.5, -1.3)),
            (1.0, "forward KL", (-5.6, -1.5)),
        ]
    };
    let mut markers: Vec<Marker> = (named.iter())
        .map(|&(b, name, offset)| Marker {
            at: to(b, psi_star(f64::INFINITY, b)),
            label: name.to_string(),
            color: fg,
            offset,
            far: false,
        })
        .collect();
    let top = if log {
        0.3
    } else {
        pref.map_or(0.0, |p| p.psi * 1.15).clamp(0.42, 1.0)
    };
    let bottom = if log { -3.5 } else { 0.0 };
    if let Some(p) = pref {
        let at = to(beta, p.psi);
        let inside = at.0.is_finite() && at.1 >= bottom && at.1 <= top && (!log || at.0 >= -3.0);
        if inside {
            let covers = p.all_modes < p.heavy_only;
            let accent = if covers {
                Q_PINK
            } else {
                RGBColor(255, 127, 14)
            };
            // Between the two curves, by the named points: its label may go farther.
            markers.push(Marker {
                at,
                label: format!(
                    "ψ = {:.2}: {}",
                    p.psi,
                    if covers { "covers" } else { "drops" }
                ),
                color: accent,
                offset: (0.6, 0.2),
                far: true,
            });
        }
    }
    let axes = if log {
        Axes {
            caption: "ψ* against 1 − β, log–log",
            x: -3.0..0.0,
            y: bottom..top,
            x_desc: "1 − β",
            y_desc: "threshold ψ*",
            grid: true,
            x_ticks: Some(decades(-3, 0)),
            y_ticks: Some(decades(-3, 0)),
            legend: SeriesLabelPosition::LowerRight,
        }
    } else {
        Axes {
            caption: "Threshold ψ* as a function of β",
            x: 0.0..1.0,
            y: bottom..top,
            x_desc: "β = (1+α)/2",
            y_desc: "threshold ψ*",
            grid: true,
            x_ticks: None,
            y_ticks: None,
            legend: SeriesLabelPosition::UpperRight,
        }
    };
    line_chart(area, axes, &curves, &markers, theme).map(|_| ())
}

/// One estimator's sampling distribution: its draws, the exact value and the current draw.
struct Sampled<'a> {
    title: &'a str,
    draws: &'a [f64],
    exact: f64,
    current: f64,
}

/// Histograms of the estimators' sampling distributions side by side, the exact value as a
/// line and the first draw ("this draw") as a pink line. Draws beyond the 1st–99th
/// percentile window (widened to show the exact value) are counted into the edge bins.
pub fn sampling<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    exact: &Estimates,
    draws: &[Estimates],
    theme: &Theme,
) -> Drawn<DB> {
    let col = |f: fn(&Estimates) -> f64| draws.iter().map(f).collect::<Vec<f64>>();
    let (r, f, b) = (
        col(|e| e.reverse_kl),
        col(|e| e.forward_kl),
        col(|e| e.bhattacharyya),
    );
    let first = |v: &[f64]| v.first().copied().unwrap_or(f64::NAN);
    let panels = [
        Sampled {
            title: "reverse KL: mean of log q/p",
            draws: &r,
            exact: exact.reverse_kl,
            current: first(&r),
        },
        Sampled {
            title: "forward KL: mean of (p/q) log(p/q)",
            draws: &f,
            exact: exact.forward_kl,
            current: first(&f),
        },
        Sampled {
            title: "Bhattacharyya: mean of √(p/q)",
            draws: &b,
            exact: exact.bhattacharyya,
            current: first(&b),
        },
    ];
    let fg = theme.fg();
    area.fill(&theme.bg())?;
    let font = theme.scaled(font_for(area, theme), 0.9);
    let text = (FontFamily::SansSerif, font).into_font().color(&fg);
    // Narrow panels get the estimators' names alone as titles.
    let room = area.dim_in_pixel().0 as f64 / panels.len() as f64 - 20.0;
    let longest = panels
        .iter()
        .map(|s| s.title.chars().count())
        .max()
        .unwrap_or(0);
    let short = longest as f64 * 0.62 * font * 1.1 > room;
    for (sub, s) in area
        .split_evenly((1, panels.len().max(1)))
        .iter()
        .zip(panels)
    {
        let title = if short {
            s.title.split(':').next().unwrap_or(s.title)
        } else {
            s.title
        };
        let mut v: Vec<f64> = s.draws.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_unstable_by(f64::total_cmp);
        let q = |f: f64| {
            v.get(((v.len() as f64 - 1.0) * f).round() as usize)
                .copied()
        };
        let (Some(q01), Some(q99)) = (q(0.01), q(0.99)) else {
            continue;
        };
        let mut lo = q01.min(s.exact).min(s.current);
        let mut hi = q99.max(s.exact).max(s.current);
        let pad = ((hi - lo) * 0.08).max(1e-9 * (1.0 + lo.abs()));
        lo -= pad;
        hi += pad;
        let bins = 30usize;
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0usize; bins];
        for &x in &v {
            let b = (((x - lo) / width).floor().max(0.0) as usize).min(bins - 1);
            counts[b] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.12;
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd =
            (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        let (w, h) = sub.dim_in_pixel();
        let xt = fit_ticks(&(lo..hi), w as f64 - font * 2.8 - 20.0, font * 5.0);
        let yt = fit_ticks(&(0.0..top), h as f64 - font * 6.0, font * 2.4);
        let mut c = ChartBuilder::on(sub)
            .caption(
                title,
                (FontFamily::SansSerif, font * 1.1).into_font().color(&fg),
            )
            .margin(6)
            .margin_right(14)
            .x_label_area_size(font * 3.4)
            .y_label_area_size(font * 2.8)
            .build_cartesian_2d(Axis::new(lo, hi, &xt), Axis::new(0.0, top, &yt))?;
        c.configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|v| tick_label(&xt, *v))
            .y_label_formatter(&|v| tick_label(&yt, *v))
            .x_desc(if short {
                format!("{} ± {}", fmt_value(mean), fmt_value(sd))
            } else {
                format!("mean {} ± {} (sd)", fmt_value(mean), fmt_value(sd))
            })
            .y_desc("draws")
            .label_style(text.clone())
            .axis_desc_style(text.clone())
            .axis_style(fg)
            .draw()?;
        let bar = PALETTE[0].mix(0.75);
        c.draw_series(counts.iter().enumerate().map(|(b, &k)| {
            let x0 = lo + b as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, k as f64)], bar.filled())
        }))?;
        for (x, col, label) in [(s.exact, fg, "exact"), (s.current, Q_PINK, "this draw")] {
            c.draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, top)],
                col.stroke_width(2),
            )))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], col.stroke_width(2)));
        }
        c.configure_series_labels()
            .label_font(text.clone())
            .background_style(theme.bg().mix(0.8))
            .border_style(fg)
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    Ok(())
}

/// One divergence's flow of q in the flow chart.
pub struct FlowSeries<'a> {
    /// The divergence's name (as in `state.divergences`).
    pub name: &'a str,
    /// q_t on the chart's x, or why this flow is not drawn.
    pub q: Result<&'a [f64], &'a str>,
    /// `(t, mass q_t puts on each of p's components)`, in time order, as far as computed.
    pub masses: &'a [(f64, Vec<f64>)],
}

/// The flows of q as a free density (SPEC §4) at time `t`: q_t against p over x per
/// divergence, and below each the mass on p's components over t ∈ [0, t_max].
pub struct FlowFigure<'a> {
    pub x: &'a [f64],
    /// p on `x`.
    pub p: &'a [f64],
    pub t: f64,
    pub t_max: f64,
    /// `fisher-rao` or `wasserstein`.
    pub geometry: &'a str,
    pub series: &'a [FlowSeries<'a>],
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The flow chart: the divergences side by side (stacked on a narrow area), each with q_t
/// against p over x above and the mass on each of p's components over time below; a flow
/// that is not available or diverged says why in text instead.
pub fn flow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &FlowFigure,
    theme: &Theme,
) -> Drawn<DB> {
    area.fill(&theme.bg())?;
    let n = fig.series.len().max(1);
    let w = area.dim_in_pixel().0;
    let font = font_for(area, theme);
    // Side by side while each column keeps ~22 characters of width; stacked otherwise.
    let cells = if w as f64 / n as f64 >= font * 22.0 {
        area.split_evenly((1, n))
    } else {
        area.split_evenly((n, 1))
    };
    let (lo, hi) = match (fig.x.first(), fig.x.last()) {
        (Some(&a), Some(&b)) if a < b => (a, b),
        _ => (0.0, 1.0),
    };
    let geometry = match fig.geometry {
        "wasserstein" => "Wasserstein",
        _ => "Fisher–Rao",
    };
    for (cell, s) in cells.iter().zip(fig.series) {
        let caption = format!("{}, {geometry} flow, t = {:.2}", title(s.name), fig.t);
        let q = match s.q {
            Ok(q) => q,
            Err(why) => {
                let fg = theme.fg();
                let (cw, _) = cell.dim_in_pixel();
                let style = (FontFamily::SansSerif, font).into_font().color(&fg);
                cell.draw(&Text::new(caption, (10, 10), style.clone()))?;
                let chars = ((cw as f64 - 20.0) / (font * 0.5)).max(10.0) as usize;
                for (k, line) in wrap(why, chars).into_iter().enumerate() {
                    let y = (10.0 + font * 1.5 * (k as f64 + 1.5)) as i32;
                    cell.draw(&Text::new(line, (10, y), style.clone()))?;
                }
                continue;
            }
        };
        let (top, bottom) = cell.split_vertically((cell.dim_in_pixel().1 as f64 * 0.6) as u32);
        let step = (fig.x.len() / 1200).max(1);
        let pts = |v: &[f64]| -> Vec<(f64, f64)> {
            (fig.x.iter().zip(v).step_by(step))
                .map(|(&x, &y)| (x, y))
                .collect()
        };
        let curves = [
            Curve {
                label: Some("p".into()),
                color: theme.fg(),
                width: 2,
                dash: false,
                points: pts(fig.p),
            },
            Curve {
                label: Some("q_t".into()),
                color: Q_PINK,
                width: 3,
                dash: false,
                points: pts(q),
            },
        ];
        let ymax = (fig.p.iter().chain(q).copied())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            * 1.08;
        let axes = Axes {
            caption: &caption,
            x: lo..hi,
            y: 0.0..ymax.max(1e-12),
            x_desc: "x",
            y_desc: "",
            grid: false,
            x_ticks: None,
            y_ticks: None,
            legend: SeriesLabelPosition::UpperRight,
        };
        line_chart(&top, axes, &curves, &[], theme)?;
        let k = s.masses.first().map_or(0, |m| m.1.len());
        let lines: Vec<Curve> = (0..k)
            .map(|c| Curve {
                label: Some(format!("mode {}", c + 1)),
                color: PALETTE[c % PALETTE.len()],
                width: 2,
                dash: false,
                points: s.masses.iter().map(|(t, m)| (*t, m[c])).collect(),
            })
            .collect();
        // The current time on each line: the last sample at or before t.
        let now = s.masses.iter().rev().find(|(t, _)| *t <= fig.t + 1e-9);
        let markers: Vec<Marker> = now
            .map(|(t, m)| {
                (m.iter().enumerate())
                    .map(|(c, &v)| Marker {
                        at: (*t, v),
                        label: String::new(),
                        color: PALETTE[c % PALETTE.len()],
                        offset: (0.0, 0.0),
                        far: false,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let axes = Axes {
            caption: "mass of q_t on each component of p",
            x: 0.0..fig.t_max,
            y: 0.0..1.05,
            x_desc: "t",
            y_desc: "",
            grid: true,
            x_ticks: None,
            y_ticks: None,
            legend: SeriesLabelPosition::MiddleRight,
        };
        line_chart(&bottom, axes, &lines, &markers, theme)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::length_inside;

    #[test]
    fn length_inside_clips_a_segment_to_the_box() {
        let b = [0.0, 0.0, 10.0, 10.0];
        // Across the diagonal, half outside on each side: 10√2 of 20√2.
        let d = length_inside((-5.0, -5.0), (15.0, 15.0), b);
        assert!((d - 10.0 * 2f64.sqrt()).abs() < 1e-12, "{d}");
        // Wholly inside, wholly outside, along an edge's line but beyond it.
        assert_eq!(length_inside((2.0, 3.0), (5.0, 7.0), b), 5.0);
        assert_eq!(length_inside((-3.0, 1.0), (-1.0, 9.0), b), 0.0);
        assert_eq!(length_inside((11.0, 0.0), (11.0, 10.0), b), 0.0);
        // Horizontal, entering from the left: 4 inside.
        assert_eq!(length_inside((-6.0, 5.0), (4.0, 5.0), b), 4.0);
    }
}
