//! `divergence figure`: a preset's landscapes drawn natively (SPEC §6), PNG or SVG.

use crate::{fail, Fail};
use divergence::presets::{preset, PRESET_NAMES};
use divergence::{landscape, minima, Divergence, Grid, Params, Target};
use divergence_plot::plotters::prelude::*;
use divergence_plot::{contour_levels, contours, draw_panel, title, Panel, Scale};
use std::path::Path;

/// Grid resolution of a figure: fine for the cheap divergences, coarser for the double
/// integral of `ksd`.
fn resolution(name: &str) -> usize {
    if name == "ksd" {
        40
    } else {
        160
    }
}

struct Computed {
    title: String,
    div: Divergence,
    land: divergence::Landscape,
    minima: Vec<divergence::Minimum>,
    scale: Scale,
}

/// Renders preset `name` to `out` (`.png` or `.svg`), writing a temporary file first and
/// renaming it, so that a failure leaves no partial file.
pub fn write(name: &str, out: &Path) -> Result<(), Fail> {
    let Some(pre) = preset(name) else {
        return Err(fail(
            "--preset",
            format!(
                "unknown preset '{name}' (expected one of: {})",
                PRESET_NAMES.join(", ")
            ),
        ));
    };
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let svg = match ext.as_deref() {
        Some("png") => false,
        Some("svg") => true,
        _ => return Err(fail("--out", "must end in .png or .svg")),
    };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(fail(
            "--out",
            format!("directory '{}' does not exist", dir.display()),
        ));
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp.{}",
        out.file_name().and_then(|f| f.to_str()).unwrap_or("figure"),
        std::process::id(),
        if svg { "svg" } else { "png" }
    ));
    // Probe writability before spending seconds on the landscapes.
    std::fs::write(&tmp, b"")
        .map_err(|e| fail("--out", format!("cannot write in '{}': {e}", dir.display())))?;
    let result = render(&pre, &tmp, svg).and_then(|_| {
        std::fs::rename(&tmp, out)
            .map_err(|e| fail("--out", format!("cannot write '{}': {e}", out.display())))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn render(pre: &divergence::presets::Preset, path: &Path, svg: bool) -> Result<(), Fail> {
    let target = Target::new(&pre.target).map_err(|e| fail("--preset", e))?;
    let params = Params::default();
    let mut panels = Vec::new();
    for &name in &pre.divergences {
        // `log_ksd` is `ksd` on a log colour scale (the Stein post's fourth panel); the
        // other panels use a log scale too, which shows the landscapes' decades, except
        // plain `ksd`, drawn linearly as in the post.
        let div_name = match name {
            "log_ksd" => "ksd",
            n => n,
        };
        let d = Divergence::new(div_name, &params).map_err(|e| fail("--preset", e))?;
        // `ksd` and `log_ksd` share one landscape.
        let (land, mins) = match panels.iter().find(|c: &&Computed| c.div == d) {
            Some(c) => (c.land.clone(), c.minima.clone()),
            None => {
                let n = resolution(div_name);
                let grid = Grid::new(pre.mu_range, pre.sigma_range, n, n, false)
                    .map_err(|e| fail("--preset", e))?;
                let land = landscape(&target, &d, &grid);
                let mins = minima(&target, &d, &land);
                (land, mins)
            }
        };
        let scale = Scale::auto(&land.values, name != "ksd", 1.0);
        let title = title(name);
        panels.push(Computed {
            title,
            div: d,
            land,
            minima: mins,
            scale,
        });
    }
    let n = panels.len();
    let (cols, rows) = if n <= 2 { (n, 1) } else { (2, n.div_ceil(2)) };
    let size = (700 * cols as u32, 560 * rows as u32);
    divergence_plot::register_font();
    let r = if svg {
        draw_all(
            SVGBackend::new(path, size).into_drawing_area(),
            &panels,
            &target,
            rows,
            cols,
        )
    } else {
        draw_all(
            BitMapBackend::new(path, size).into_drawing_area(),
            &panels,
            &target,
            rows,
            cols,
        )
    };
    r.map_err(|e| fail("--out", format!("drawing failed: {e}")))?;
    if svg {
        // plotters labels its embedded raster `data:png`; browsers want the MIME type.
        let text = std::fs::read_to_string(path).map_err(|e| fail("--out", e))?;
        std::fs::write(
            path,
            text.replace("href=\"data:png;", "href=\"data:image/png;"),
        )
        .map_err(|e| fail("--out", e))?;
    }
    Ok(())
}

fn draw_all<DB: DrawingBackend>(
    root: DrawingArea<DB, divergence_plot::plotters::coord::Shift>,
    panels: &[Computed],
    target: &Target,
    rows: usize,
    cols: usize,
) -> Result<(), String> {
    let moment = target.moment_match();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let areas = root.split_evenly((rows, cols));
    for (area, c) in areas.iter().zip(panels) {
        let levels = contour_levels(&c.scale, 9);
        let lines = contours(&c.land, &levels);
        let panel = Panel {
            title: &c.title,
            land: &c.land,
            scale: c.scale,
            minima: &c.minima,
            components: target.components(),
            moment: (moment.mu, moment.sigma),
            q: None,
            contours: &lines,
            dark: false,
            path: None,
            pixel_ratio: 1.0,
        };
        draw_panel(area, &panel).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}
