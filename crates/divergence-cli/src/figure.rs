//! `divergence figure`: any set of the page's panels for a preset, drawn natively with the
//! plot crate (the same code the page draws with) and composed into one PNG or SVG.

use crate::{fail, Fail};
use divergence::flow::Geometry;
use divergence::presets::{preset, Preset, PRESET_NAMES};
use divergence::sampling::{exact, sampling_distribution, Estimates};
use divergence::tradeoff::{preference, Preference};
use divergence::{landscape, minima, Divergence, Gaussian, Grid, Params, Target};
use divergence_plot::flows::Flows;
use divergence_plot::plotters::coord::Shift;
use divergence_plot::plotters::prelude::*;
use divergence_plot::{draw_panel, Prepared, Theme};
use std::path::Path;

/// The panels `--panels` takes, in the order the figure stacks them.
pub const PANELS: [&str; 7] = [
    "landscape",
    "density",
    "pressure",
    "ratio",
    "tradeoff",
    "sampling",
    "flow",
];

/// The time the flow panel shows (its mass curves run on to the page's end, 5).
const FLOW_T: f64 = 1.0;

/// The sampling panel's settings, as the page starts: N samples, repeated draws, seed.
const SAMPLING: (usize, usize, u64) = (100, 300, 1);

/// A landscape panel's size in pixels (the page's 5 : 4), and the figure's width when it
/// holds line panels.
const LAND: (u32, u32) = (700, 560);
const WIDE: u32 = 1400;

/// The panels named in a comma-separated list, in [`PANELS`] order, each once.
pub fn parse_panels(list: &str) -> Result<Vec<&'static str>, Fail> {
    let mut chosen = [false; PANELS.len()];
    for name in list.split(',').map(str::trim) {
        let Some(k) = PANELS.iter().position(|p| *p == name) else {
            return Err(fail(
                "--panels",
                format!(
                    "unknown panel '{name}' (expected a comma-separated list of: {})",
                    PANELS.join(", ")
                ),
            ));
        };
        chosen[k] = true;
    }
    Ok(PANELS
        .iter()
        .zip(chosen)
        .filter_map(|(p, c)| c.then_some(*p))
        .collect())
}

struct Computed {
    name: &'static str,
    div: Divergence,
    land: divergence::Landscape,
    minima: Vec<divergence::Minimum>,
    /// A log colour scale.
    log: bool,
}

/// Grid resolution of a landscape: fine for the cheap divergences, coarser for the double
/// integral of `ksd`.
fn resolution(name: &str) -> usize {
    if name == "ksd" {
        40
    } else {
        160
    }
}

/// Renders `panels` of preset `name` to `out` (`.png` or `.svg`), writing a temporary file
/// first and renaming it, so that a failure leaves no partial file.
pub fn write(name: &str, panels: &str, out: &Path) -> Result<(), Fail> {
    let Some(pre) = preset(name) else {
        return Err(fail(
            "--preset",
            format!(
                "unknown preset '{name}' (expected one of: {})",
                PRESET_NAMES.join(", ")
            ),
        ));
    };
    let panels = parse_panels(panels)?;
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
    let result = render(&pre, &panels, &tmp, svg).and_then(|_| {
        std::fs::rename(&tmp, out)
            .map_err(|e| fail("--out", format!("cannot write '{}': {e}", out.display())))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Everything the chosen panels draw, computed before drawing.
struct Figure {
    target: Target,
    q: Gaussian,
    panels: Vec<&'static str>,
    lands: Vec<Computed>,
    /// One entry per distinct divergence, for the pressure panels.
    divs: Vec<(String, Divergence)>,
    beta: f64,
    pref: Option<Preference>,
    sampled: Option<(Estimates, Vec<Estimates>)>,
    flows: Option<Flows>,
}

impl Figure {
    fn compute(pre: &Preset, panels: &[&'static str]) -> Result<Figure, Fail> {
        let target = Target::new(&pre.target).map_err(|e| fail("--preset", e))?;
        let q = Gaussian::new(pre.q.0, pre.q.1).map_err(|e| fail("--preset", e))?;
        let params = Params::default();
        let has = |p: &str| panels.contains(&p);
        let mut lands: Vec<Computed> = Vec::new();
        let mut divs: Vec<(String, Divergence)> = Vec::new();
        for &name in &pre.divergences {
            // `log_ksd` is `ksd` on a log colour scale (the Stein post's fourth panel).
            let div_name = if name == "log_ksd" { "ksd" } else { name };
            let d = Divergence::new(div_name, &params).map_err(|e| fail("--preset", e))?;
            if !divs.iter().any(|(_, e)| *e == d) {
                divs.push((div_name.to_string(), d));
            }
            if !has("landscape") {
                continue;
            }
            // `ksd` and `log_ksd` share one landscape.
            let (land, mins) = match lands.iter().find(|c| c.div == d) {
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
            lands.push(Computed {
                name,
                div: d,
                land,
                minima: mins,
                // The preset's colour scale, as the page starts; `log_ksd` always log.
                log: name == "log_ksd" || (pre.log_scale && name != "ksd"),
            });
        }
        let beta = ((1.0 + params.alpha) / 2.0).clamp(0.0, 1.0);
        let pref = has("tradeoff")
            .then(|| preference(&target, beta).ok())
            .flatten();
        let sampled = has("sampling").then(|| {
            let (n, reps, seed) = SAMPLING;
            (
                exact(&target, &q),
                sampling_distribution(&target, &q, n, reps, seed),
            )
        });
        // The page's flow panel as it opens: Fisher–Rao, the mass curves complete.
        let flows = has("flow").then(|| {
            let mut f = Flows::new(String::new(), &target, q, &divs, Geometry::FisherRao);
            f.work(&mut || false);
            f.set_time(FLOW_T);
            f
        });
        Ok(Figure {
            flows,
            target,
            q,
            panels: panels.to_vec(),
            lands,
            divs,
            beta,
            pref,
            sampled,
        })
    }

    /// Landscape columns and rows: side by side up to three, 2 × 2 for four.
    fn grid(&self) -> (u32, u32) {
        let n = self.lands.len() as u32;
        let cols = if n <= 3 { n.max(1) } else { 2 };
        (cols, n.div_ceil(cols))
    }

    /// The figure's width and the rows below the landscapes, each (height, panels side by
    /// side): the line panels two to a row (one alone spans the row, as the page's 3 : 1
    /// strips), the sampling histograms a full-width strip.
    fn layout(&self) -> (u32, Vec<(u32, Vec<&'static str>)>) {
        let (cols, _) = self.grid();
        let lines: Vec<&'static str> = (self.panels.iter().copied())
            .filter(|p| !matches!(*p, "landscape" | "sampling" | "flow"))
            .collect();
        let sampling = self.panels.contains(&"sampling");
        let flow = self.panels.contains(&"flow");
        let lands = if self.lands.is_empty() {
            0
        } else {
            LAND.0 * cols
        };
        let width = if sampling || flow || lines.len() > 1 {
            lands.max(WIDE)
        } else {
            lands.max(WIDE / 2)
        };
        let mut rows: Vec<(u32, Vec<&'static str>)> = lines
            .chunks(2)
            .map(|pair| (WIDE / 2 * 7 / 10, pair.to_vec()))
            .collect();
        if sampling {
            rows.push((width / 3, vec!["sampling"]));
        }
        if flow {
            rows.push((width / 2, vec!["flow"]));
        }
        (width, rows)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let theme = Theme::new(false, 1.0);
        root.fill(&theme.bg()).map_err(e)?;
        let (width, rows) = self.layout();
        let (cols, land_rows) = self.grid();
        let mut y = 0i32;
        if !self.lands.is_empty() {
            let w = width / cols;
            for (k, c) in self.lands.iter().enumerate() {
                let (col, row) = (k as u32 % cols, k as u32 / cols);
                let area = root
                    .clone()
                    .shrink(((col * w) as i32, (row * LAND.1) as i32), (w, LAND.1));
                let prep = Prepared::new(c.name, &c.land, &self.target, c.log, 1.0, usize::MAX);
                let panel = prep.panel(&c.land, &c.minima, &self.target, Some(&self.q), theme);
                draw_panel(&area, &panel).map_err(e)?;
            }
            y = (land_rows * LAND.1) as i32;
        }
        for (h, row) in rows {
            let w = width / row.len() as u32;
            for (k, &p) in row.iter().enumerate() {
                let area = root.clone().shrink(((k as u32 * w) as i32, y), (w, h));
                self.line_panel(&area, p, &theme).map_err(e)?;
            }
            y += h as i32;
        }
        root.present().map_err(|e| e.to_string())
    }

    fn line_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        name: &str,
        theme: &Theme,
    ) -> divergence_plot::Drawn<DB> {
        let (t, q) = (&self.target, &self.q);
        let pressures = divergence_plot::Pressures {
            target: t,
            q,
            divs: &self.divs,
        };
        match (name, &self.sampled) {
            ("density", _) => divergence_plot::density(area, t, q, theme),
            ("pressure", _) => divergence_plot::pressure(area, &pressures, theme),
            ("ratio", _) => divergence_plot::pressure_ratio(area, &pressures, theme),
            ("tradeoff", _) => {
                divergence_plot::tradeoff(area, self.pref.as_ref(), self.beta, theme)
            }
            ("sampling", Some((ex, draws))) => divergence_plot::sampling(area, ex, draws, theme),
            ("flow", _) => match &self.flows {
                Some(f) => f.draw(area, theme),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn size(&self) -> (u32, u32) {
        let (width, rows) = self.layout();
        let lands = if self.lands.is_empty() {
            0
        } else {
            self.grid().1 * LAND.1
        };
        (width, lands + rows.iter().map(|r| r.0).sum::<u32>())
    }
}

fn render(pre: &Preset, panels: &[&'static str], path: &Path, svg: bool) -> Result<(), Fail> {
    let fig = Figure::compute(pre, panels)?;
    let size = fig.size();
    divergence_plot::register_font();
    let r = if svg {
        fig.draw(&SVGBackend::new(path, size).into_drawing_area())
    } else {
        fig.draw(&BitMapBackend::new(path, size).into_drawing_area())
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
