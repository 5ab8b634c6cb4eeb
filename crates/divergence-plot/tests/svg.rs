//! Landscape and line panels rendered to SVG: text sizes in CSS pixels, label boxes, and
//! charts drawn through a `Recording` replaying exactly as drawn directly.

use divergence::presets::preset;
use divergence::sampling::{exact, sampling_distribution};
use divergence::tradeoff::preference;
use divergence::{landscape, minima, Divergence, Gaussian, Grid, Landscape, Params, Target};
use divergence_plot::plotters::prelude::*;
use divergence_plot::*;

/// A text element: its content, font size and estimated box (x0, y0, x1, y1).
#[derive(Debug)]
struct Label {
    text: String,
    size: f64,
    anchor: String,
    bbox: (f64, f64, f64, f64),
}

/// Every `<text>` of an SVG with a box from its font size: 0.6 em per character wide,
/// 1 em tall, placed by plotters' anchors (`dy` and `text-anchor`) and rotation.
fn labels(svg: &str) -> Vec<Label> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let num = |a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
            let (x, y, fs) = (
                num("x").unwrap(),
                num("y").unwrap(),
                num("font-size").unwrap(),
            );
            let text = n.text().unwrap_or("").trim().to_string();
            let w = 0.6 * fs * text.chars().count() as f64;
            let (a, b) = match n.attribute("text-anchor") {
                Some("middle") => (-w / 2.0, w / 2.0),
                Some("end") => (-w, 0.0),
                _ => (0.0, w),
            };
            let (c, d) = match n.attribute("dy") {
                Some("0.76em") => (0.0, fs),
                Some("-0.5ex") => (-1.03 * fs, -0.03 * fs),
                _ => (-0.49 * fs, 0.51 * fs),
            };
            let rotated = n.attribute("transform").is_some_and(|t| t.contains("270"));
            let bbox = if rotated {
                (x + c, y - b, x + d, y - a)
            } else {
                (x + a, y + c, x + b, y + d)
            };
            Label {
                text,
                size: fs,
                anchor: n.attribute("text-anchor").unwrap_or("start").to_string(),
                bbox,
            }
        })
        .collect()
}

fn overlap(p: &Label, q: &Label) -> bool {
    let (a, b) = (p.bbox, q.bbox);
    let tol = 0.5;
    a.0 < b.2 - tol && b.0 < a.2 - tol && a.1 < b.3 - tol && b.1 < a.3 - tol
}

struct Fixture {
    target: Target,
    land: Landscape,
    mins: Vec<divergence::Minimum>,
}

fn fixture(name: &str) -> Fixture {
    let pre = preset("blog-kl").unwrap();
    let target = Target::new(&pre.target).unwrap();
    let d = Divergence::new(name, &Params::default()).unwrap();
    let grid = Grid::new(pre.mu_range, pre.sigma_range, 48, 48, false).unwrap();
    let land = landscape(&target, &d, &grid);
    let mins = minima(&target, &d, &land);
    Fixture { target, land, mins }
}

/// The landscape panel of `f` at `ratio` device pixels per CSS pixel.
fn panel<'a>(
    f: &'a Fixture,
    title: &'a str,
    bar_title: &'a str,
    scale: Scale,
    contours: &'a [Vec<(f64, f64)>],
    ratio: f64,
) -> Panel<'a> {
    let mm = f.target.moment_match();
    Panel {
        title,
        bar_title,
        land: &f.land,
        scale,
        minima: &f.mins,
        components: f.target.components(),
        moment: (mm.mu, mm.sigma),
        q: Some((0.0, 2.0)),
        contours,
        theme: Theme::new(false, ratio),
        path: None,
        legend: true,
    }
}

/// A landscape panel of `w × h` CSS pixels at `ratio` device pixels per CSS pixel.
fn landscape_svg(f: &Fixture, name: &str, log: bool, (w, h): (u32, u32), ratio: f64) -> String {
    register_font();
    let scale = Scale::auto(&f.land.values, log, 1.0);
    let lines = contours(&f.land, &contour_levels(&scale, 9));
    let (t, bar) = (title(name), bar_title(name, log));
    let panel = panel(f, &t, &bar, scale, &lines, ratio);
    let size = ((w as f64 * ratio) as u32, (h as f64 * ratio) as u32);
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw_panel(&area, &panel).unwrap();
        area.present().unwrap();
    }
    out
}

#[test]
fn landscape_text_is_at_least_ten_css_pixels_at_any_pixel_ratio() {
    let f = fixture("reverse_kl");
    for ratio in [1.0, 2.0, 3.0] {
        for w in [300, 640] {
            let svg = landscape_svg(&f, "reverse_kl", true, (w, w * 4 / 5), ratio);
            let ls = labels(&svg);
            assert!(ls.len() > 15, "{}", ls.len());
            for l in &ls {
                assert!(l.size >= 10.0 * ratio, "{l:?} at ratio {ratio}");
                // Not oversized either: text scales with the ratio once, not twice.
                assert!(l.size <= 16.0 * ratio, "{l:?} at ratio {ratio}");
            }
        }
    }
}

#[test]
fn landscape_labels_do_not_overlap_and_stay_inside() {
    for (name, log) in [
        ("reverse_kl", true),
        ("forward_kl", false),
        ("forward_kl", true),
    ] {
        let f = fixture(name);
        for w in [300u32, 400, 640] {
            let h = w * 4 / 5;
            let svg = landscape_svg(&f, name, log, (w, h), 1.0);
            let ls = labels(&svg);
            for (i, a) in ls.iter().enumerate() {
                let b = a.bbox;
                assert!(
                    b.0 >= -1.0 && b.1 >= -1.0 && b.2 <= w as f64 + 1.0 && b.3 <= h as f64 + 1.0,
                    "{name} at {w}: {a:?} outside"
                );
                for c in &ls[i + 1..] {
                    assert!(!overlap(a, c), "{name} at {w} px: {a:?} overlaps {c:?}");
                }
            }
            let texts: Vec<&str> = ls.iter().map(|l| l.text.as_str()).collect();
            for want in [
                "Mean (μ)",
                "components",
                "moment-matched Gaussian",
                "minima",
                "q",
            ] {
                assert!(texts.contains(&want), "{want} missing at {w}: {texts:?}");
            }
            assert!(
                texts.iter().any(|t| t.starts_with("KL(")),
                "colour-bar title missing at {w}: {texts:?}"
            );
        }
    }
}

#[test]
fn log_colour_bar_ticks_are_round() {
    let f = fixture("forward_kl");
    let svg = landscape_svg(&f, "forward_kl", true, (640, 512), 1.0);
    let scale = Scale::auto(&f.land.values, true, 1.0);
    // The colour bar's labels: the numbers set from their left end (axis ticks are centred
    // or set from their right end).
    let bar: Vec<f64> = labels(&svg)
        .iter()
        .filter(|l| l.anchor == "start")
        .filter_map(|l| l.text.parse::<f64>().ok())
        .collect();
    assert!(bar.len() >= 3, "{bar:?}");
    for v in bar {
        let m = v / 10f64.powf(v.log10().floor());
        assert!([1.0, 2.0, 5.0].iter().any(|t| (m - t).abs() < 1e-9), "{v}");
        assert!(v >= scale.lo && v <= scale.hi);
    }
}

/// What the line panels draw: blog-kl's target, q = N(0, 2²), two divergences.
struct Lines {
    target: Target,
    q: Gaussian,
    divs: Vec<(String, Divergence)>,
    pref: Option<divergence::tradeoff::Preference>,
    exact: divergence::sampling::Estimates,
    draws: Vec<divergence::sampling::Estimates>,
}

fn lines() -> Lines {
    register_font();
    let pre = preset("blog-kl").unwrap();
    let target = Target::new(&pre.target).unwrap();
    let q = Gaussian::new(0.0, 2.0).unwrap();
    let p = Params::default();
    let divs = ["reverse_kl", "forward_kl"]
        .iter()
        .map(|n| (n.to_string(), Divergence::new(n, &p).unwrap()))
        .collect();
    let pref = preference(&target, 0.5).ok();
    let exact = exact(&target, &q);
    let draws = sampling_distribution(&target, &q, 50, 40, 1);
    Lines {
        target,
        q,
        divs,
        pref,
        exact,
        draws,
    }
}

/// The line panel `kind` drawn on `a`.
fn line_panel<DB: DrawingBackend>(
    a: &DrawingArea<DB, plotters::coord::Shift>,
    kind: &str,
    l: &Lines,
    theme: &Theme,
) {
    let pressures = Pressures {
        target: &l.target,
        q: &l.q,
        divs: &l.divs,
    };
    match kind {
        "density" => density(a, &l.target, &l.q, theme),
        "pressure" => pressure(a, &pressures, theme),
        "ratio" => pressure_ratio(a, &pressures, theme),
        "tradeoff" => tradeoff(a, l.pref.as_ref(), 0.5, theme),
        "psi" => psi_threshold(a, true, l.pref.as_ref(), 0.5, theme),
        _ => sampling(a, &l.exact, &l.draws, theme),
    }
    .unwrap();
}

const LINE_PANELS: [(&str, u32, u32); 5] = [
    ("density", 390, 195),
    ("pressure", 390, 292),
    ("ratio", 640, 480),
    ("tradeoff", 1280, 427),
    ("sampling", 1280, 427),
];

#[test]
fn line_panels_text_is_at_least_ten_css_pixels_and_scales_once() {
    let l = lines();
    for ratio in [1.0, 2.0] {
        for (kind, w, h) in LINE_PANELS {
            let theme = Theme::new(false, ratio);
            let size = ((w as f64 * ratio) as u32, (h as f64 * ratio) as u32);
            let mut out = String::new();
            {
                let a = SVGBackend::with_string(&mut out, size).into_drawing_area();
                line_panel(&a, kind, &l, &theme);
                a.present().unwrap();
            }
            let ls = labels(&out);
            assert!(ls.len() > 8, "{kind}: {}", ls.len());
            for l in &ls {
                assert!(
                    l.size >= 10.0 * ratio && l.size <= 16.0 * ratio,
                    "{kind} at ratio {ratio}: {l:?}"
                );
            }
        }
    }
}

/// An SVG document of `size` drawn by `f` on its backend (presented when dropped).
fn svg_of(size: (u32, u32), f: impl FnOnce(SVGBackend)) -> String {
    let mut out = String::new();
    f(SVGBackend::with_string(&mut out, size));
    out
}

/// An SVG document of `size` replayed from `rec`.
fn replayed_svg(size: (u32, u32), rec: &Recording) -> String {
    svg_of(size, |mut b| {
        rec.replay(&mut b).unwrap();
        b.present().unwrap();
    })
}

#[test]
fn recorded_charts_replay_to_the_same_svg_as_direct_drawing() {
    let l = lines();
    let theme = Theme::new(true, 1.5);
    for (kind, w, h) in LINE_PANELS.into_iter().chain([("psi", 640, 400)]) {
        let direct = svg_of((w, h), |b| {
            line_panel(&b.into_drawing_area(), kind, &l, &theme)
        });
        let mut rec = Recording::new((w, h));
        line_panel(&rec.area(), kind, &l, &theme);
        let replayed = replayed_svg((w, h), &rec);
        assert!(labels(&direct).len() > 8, "{kind}");
        assert_eq!(replayed, direct, "{kind}");
    }
}

#[test]
fn a_recorded_landscape_replays_to_the_same_svg_and_pixels() {
    let f = fixture("forward_kl");
    let (w, h) = (520, 416);
    let direct = landscape_svg(&f, "forward_kl", true, (w, h), 1.0);
    let with_panel = |draw: &mut dyn FnMut(&Panel)| {
        let scale = Scale::auto(&f.land.values, true, 1.0);
        let lines = contours(&f.land, &contour_levels(&scale, 9));
        let (t, bar) = (title("forward_kl"), bar_title("forward_kl", true));
        draw(&panel(&f, &t, &bar, scale, &lines, 1.0))
    };
    let mut rec = Recording::new((w, h));
    with_panel(&mut |p| draw_panel(&rec.area(), p).unwrap());
    assert_eq!(replayed_svg((w, h), &rec), direct);
    // On a bitmap, text goes through the font rasteriser and the heatmap through a blit.
    let mut want = vec![0u8; (w * h * 3) as usize];
    with_panel(&mut |p| {
        let a = BitMapBackend::with_buffer(&mut want, (w, h)).into_drawing_area();
        draw_panel(&a, p).unwrap();
        a.present().unwrap();
    });
    let mut got = vec![0u8; want.len()];
    {
        let mut b = BitMapBackend::with_buffer(&mut got, (w, h));
        rec.replay(&mut b).unwrap();
        b.present().unwrap();
    }
    assert!(want.iter().filter(|&&v| v != 0).count() > want.len() / 2);
    assert!(got == want, "replayed pixels differ from direct drawing");
}

/// The segments of every opaque `<polyline>` and `<line>` of an SVG drawn in `stroke` (grid
/// lines are faint).
fn strokes(svg: &str, stroke: &str) -> Vec<((f64, f64), (f64, f64))> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
    let mut out = Vec::new();
    for n in doc.descendants() {
        let opaque = n
            .attribute("opacity")
            .and_then(|o| o.parse::<f64>().ok())
            .unwrap_or(1.0)
            > 0.5;
        if n.attribute("stroke") != Some(stroke) || !opaque {
            continue;
        }
        let num = |a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
        if n.has_tag_name("line") {
            if let (Some(a), Some(b), Some(c), Some(d)) =
                (num("x1"), num("y1"), num("x2"), num("y2"))
            {
                out.push(((a, b), (c, d)));
            }
        } else if n.has_tag_name("polyline") {
            let pts: Vec<(f64, f64)> = (n.attribute("points").unwrap_or(""))
                .split_whitespace()
                .filter_map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            out.extend(pts.windows(2).map(|w| (w[0], w[1])));
        }
    }
    out
}

/// Whether the segment a–b passes through the box (x0, y0, x1, y1), tested at 200 points.
fn crosses((a, b): ((f64, f64), (f64, f64)), bbox: (f64, f64, f64, f64)) -> bool {
    (0..=200).any(|k| {
        let t = k as f64 / 200.0;
        let (x, y) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
        x > bbox.0 && x < bbox.2 && y > bbox.1 && y < bbox.3
    })
}

#[test]
fn labels_of_points_between_curves_stay_clear_of_the_curves() {
    register_font();
    // The ψ post's figures (blog-psi: ψ = 0.18/0.82 ≈ 0.22 at β = ½, between the m = 1 and
    // m → ∞ curves, by Bhattacharyya's point) and the trade-off panel (light-mode: the target's
    // ψ and its flip point among five curves), at a phone's, a column's and a page's widths
    // (the trade-off panel spans the page's):
    // no curve passes through those points' labels (they may sit farther, with a leader).
    let pref = |name: &str| {
        let target = Target::new(&preset(name).unwrap().target).unwrap();
        preference(&target, 0.5).unwrap()
    };
    let (psi, light) = (pref("blog-psi"), pref("light-mode"));
    let curve_colours = [
        "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#1E1E1E",
    ];
    for kind in ["psi", "psi_log", "tradeoff"] {
        let sizes: &[(u32, u32)] = match kind {
            "tradeoff" => &[(640, 400), (1280, 427)],
            _ => &[(330, 250), (360, 270), (640, 400)],
        };
        for &(w, h) in sizes {
            for ratio in [1.0, 2.0] {
                let theme = Theme::new(false, ratio);
                let size = ((w as f64 * ratio) as u32, (h as f64 * ratio) as u32);
                let svg = svg_of(size, |b| {
                    let a = b.into_drawing_area();
                    match kind {
                        "tradeoff" => tradeoff(&a, Some(&light), 0.5, &theme),
                        _ => psi_threshold(&a, kind == "psi_log", Some(&psi), 0.5, &theme),
                    }
                    .unwrap();
                    a.present().unwrap();
                });
                let segs: Vec<_> = (curve_colours.iter())
                    .flat_map(|c| strokes(&svg, c))
                    .collect();
                assert!(
                    segs.len() > 100,
                    "{kind}: the curves are found: {}",
                    segs.len()
                );
                let all = labels(&svg);
                let marked: Vec<_> = (all.iter())
                    .filter(|l| {
                        ["ψ = ", "this target", "flip at"]
                            .iter()
                            .any(|m| l.text.starts_with(m))
                    })
                    .collect();
                assert_eq!(
                    marked.len(),
                    if kind == "tradeoff" { 2 } else { 1 },
                    "{kind}: {marked:?}"
                );
                for l in marked {
                    // Measured as the chart measures (the registered font), not 0.6 em a character.
                    let (x0, y0, _, y1) = l.bbox;
                    let font = (FontFamily::SansSerif, l.size).into_font();
                    let x1 = x0 + f64::from(font.box_size(&l.text).unwrap().0);
                    // Both boxes are estimates: a curve may graze a label's outer 2 px.
                    let e = 2.0 * ratio;
                    let inner = (x0 + e, y0 + e, x1 - e, y1 - e);
                    let hit = segs.iter().find(|s| crosses(**s, inner));
                    assert!(
                        hit.is_none(),
                        "{kind}, {w}×{h} at {ratio}: {l:?} crossed by {hit:?}"
                    );
                }
            }
        }
    }
}
