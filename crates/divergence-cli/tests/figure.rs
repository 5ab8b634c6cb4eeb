//! `divergence figure --panels …`: every panel alone and all together, to PNG (decoded:
//! size and real pixels) and SVG (parsed: text and titles); a bad panel name refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_divergence"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A fresh empty directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("divergence-figure-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn figure(preset: &str, panels: &str, out: &Path) {
    let o = run(&[
        "figure",
        "--preset",
        preset,
        "--panels",
        panels,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        o.status.success(),
        "{panels}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// (width, height, distinct colours) of a PNG.
fn png_stats(path: &Path) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> =
        buf[..info.buffer_size()].chunks_exact(px).collect();
    (info.width, info.height, colours.len())
}

/// The texts of an SVG's `<text>` elements.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG parses");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// A title each panel shows.
fn title_of(panel: &str) -> &'static str {
    match panel {
        "landscape" => "Reverse KL(q‖p)",
        "density" => "Densities",
        "pressure" => "Pressure ψ(x) = −δD/δq(x)",
        "ratio" => "ψ against r = p/q (log–log)",
        "tradeoff" => "ψ trade-off, m = 1 heavy modes, β = 0.500",
        _ => "reverse KL: mean of log q/p",
    }
}

/// Every panel `--panels` takes, as SPEC §4 lists them.
const ALL: &str = "landscape,density,pressure,ratio,tradeoff,sampling";

#[test]
fn each_panel_alone_and_all_together_draw_png_and_svg() {
    let d = dir("each");
    let all = ALL;
    let mut sets: Vec<&str> = ALL.split(',').collect();
    sets.push(ALL);
    for set in sets {
        let png = d.join(format!("{}.png", set.replace(',', "-")));
        figure("blog-kl", set, &png);
        let (w, h, colours) = png_stats(&png);
        assert!(w >= 600 && h >= 300, "{set}: {w}×{h}");
        // Not blank: text, curves and (for landscapes) a colour map.
        let least = if set.contains("landscape") { 500 } else { 20 };
        assert!(colours >= least, "{set}: {colours} colours");
        let svg = d.join(format!("{}.svg", set.replace(',', "-")));
        figure("blog-kl", set, &svg);
        let texts = svg_texts(&svg);
        assert!(texts.len() >= 10, "{set}: {} texts", texts.len());
        for panel in set.split(',') {
            let t = title_of(panel);
            assert!(
                texts.iter().any(|x| x == t),
                "{set}: title '{t}' missing from {texts:?}"
            );
        }
    }
    // Everything together is taller than any panel alone, and holds every title.
    let (_, h_all, _) = png_stats(&d.join(format!("{}.png", all.replace(',', "-"))));
    let (_, h_land, _) = png_stats(&d.join("landscape.png"));
    assert!(h_all > 2 * h_land, "{h_all} vs {h_land}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_stein_landscapes_are_two_by_two_with_titled_colour_bars() {
    let d = dir("stein");
    let png = d.join("stein.png");
    figure("blog-stein", "landscape", &png);
    let (w, h, _) = png_stats(&png);
    let (w1, h1, _) = {
        let one = d.join("kl.png");
        figure("blog-kl", "landscape", &one);
        png_stats(&one)
    };
    // blog-kl: two side by side; blog-stein: the same width, two rows.
    assert_eq!((w, h), (w1, 2 * h1));
    let svg = d.join("stein.svg");
    figure("blog-stein", "landscape", &svg);
    let texts = svg_texts(&svg);
    for t in [
        "Reverse KL(q‖p)",
        "Forward KL(p‖q)",
        "KSD²",
        "log KSD²",
        "KL(q‖p), log scale",
        "KSD², linear scale",
        "KSD², log scale",
        "Mean (μ)",
        "Standard deviation (σ)",
        "moment-matched Gaussian",
    ] {
        assert!(texts.iter().any(|x| x == t), "'{t}' missing: {texts:?}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_bad_panel_name_exits_2_and_writes_nothing() {
    let d = dir("bad");
    for bad in ["landscape,histogram", "", "density,,pressure", "Density"] {
        let out = d.join("x.png");
        let o = run(&[
            "figure",
            "--preset",
            "blog-kl",
            "--panels",
            bad,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(o.stdout.is_empty());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("--panels"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        let left: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert!(left.is_empty(), "{bad:?} left {left:?}");
    }
    let _ = std::fs::remove_dir_all(&d);
}
