//! Canvas glue: every chart is drawn by `divergence-plot` once, onto a [`Recording`], and
//! replayed on plotters-canvas or on the SVG backend for exports (those two ends are in
//! `divergence_web_common::canvas`); here, the landscapes' heatmap raster put through
//! `ImageData` and one scaled `drawImage`.

use crate::state::PanelDef;
use divergence::{Gaussian, Landscape, Minimum, Target};
use divergence_plot as plot;
use divergence_plot::{
    draw_frame, draw_overlay, raster, tint_basins, Prepared, Recording, Rect, Scale, Theme,
};
use divergence_web_common::canvas::{backend, err, pixel_ratio, record, svg_text};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{Clamped, JsCast, JsError};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Colour options of a landscape panel.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct LandscapeOpts {
    /// None: the panel's default (log for `log_ksd`, and linear otherwise).
    pub log_scale: Option<bool>,
    /// Quantile of the values at which colours saturate (1 = the maximum).
    pub clip: Option<f64>,
    pub dark: bool,
    /// A descent path `[μ0, σ0, D0, μ1, …]` to overlay.
    pub path: Option<Vec<f64>>,
    pub title: Option<String>,
    /// Set by the explorer while a slider is held: contours from a grid of ~64 a side.
    #[serde(skip)]
    pub quick: bool,
}

/// The plot area in canvas pixels.
#[derive(Serialize)]
pub struct RectOut {
    pub x: i32,
    pub y: i32,
    pub w: u32,
    pub h: u32,
    #[serde(rename = "muRange")]
    pub mu_range: [f64; 2],
    #[serde(rename = "sigmaRange")]
    pub sigma_range: [f64; 2],
}

/// A line chart's plot area in canvas pixels and the data ranges of its axes (y in the
/// chart's units: density, or symlog ψ).
#[derive(Serialize)]
pub struct LineOut {
    pub x: i32,
    pub y: i32,
    pub w: u32,
    pub h: u32,
    #[serde(rename = "xRange")]
    pub x_range: [f64; 2],
    #[serde(rename = "yRange")]
    pub y_range: [f64; 2],
}

impl From<plot::LineFrame> for LineOut {
    fn from(f: plot::LineFrame) -> LineOut {
        LineOut {
            x: f.rect.x,
            y: f.rect.y,
            w: f.rect.w,
            h: f.rect.h,
            x_range: [f.x.0, f.x.1],
            y_range: [f.y.0, f.y.1],
        }
    }
}

/// Most cells a side that a landscape's contours are traced on, on the page (a plot is ~400
/// pixels wide) and while a slider is held; exports trace every cell.
const CONTOUR_SIDE: usize = 128;
const QUICK_CONTOUR_SIDE: usize = 64;

/// The panel's titles, colour scale and contours from the page's options: the costly part of
/// a landscape draw (contours), kept by the explorer while neither changes. The descent path
/// is set at each draw. `export`: contours from every cell (SVG), else from a grid of at
/// most `CONTOUR_SIDE` a side, so that a draw's time does not grow with the resolution.
pub fn prepare(
    panel: &PanelDef,
    land: &Landscape,
    target: &Target,
    opts: &LandscapeOpts,
    export: bool,
) -> Prepared {
    let log = opts.log_scale.unwrap_or(panel.log);
    let clip = opts.clip.unwrap_or(1.0);
    let side = match (export, opts.quick) {
        (true, _) => usize::MAX,
        (false, true) => QUICK_CONTOUR_SIDE,
        (false, false) => CONTOUR_SIDE,
    };
    let mut prep = Prepared::new(&panel.name, land, target, log, clip, side);
    if let Some(t) = &opts.title {
        prep.title = t.clone();
    }
    prep
}

/// What a prepared drawing was made from: the panel's revision (its landscape) and the
/// options `prepare` reads. A drawing is reused while these are unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedKey {
    revision: u64,
    log_scale: Option<bool>,
    clip_bits: Option<u64>,
    quick: bool,
    title: Option<String>,
}

impl PreparedKey {
    /// The key of a drawing prepared for panel revision `revision` with `opts`.
    pub fn new(revision: u64, opts: &LandscapeOpts) -> PreparedKey {
        PreparedKey {
            revision,
            log_scale: opts.log_scale,
            clip_bits: opts.clip.map(f64::to_bits),
            quick: opts.quick,
            title: opts.title.clone(),
        }
    }
}

// The descent path of the options as points.
fn path(opts: &LandscapeOpts) -> Option<Vec<[f64; 3]>> {
    (opts.path.as_ref()).map(|p| p.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect())
}

pub use divergence_web_common::canvas::{on_canvas, svg, Area};

/// Draws a landscape panel; before the first landscape is ready only the frame shows.
pub fn landscape(
    canvas: HtmlCanvasElement,
    prepared: Option<&mut Prepared>,
    shown: Option<&(Landscape, Vec<Minimum>)>,
    target: &Target,
    q: &Gaussian,
    opts: &LandscapeOpts,
    basins: Option<&[Option<usize>]>,
) -> Result<RectOut, JsError> {
    let theme = Theme::new(opts.dark, pixel_ratio());
    let (size, mut canvas_db) = ((canvas.width(), canvas.height()), backend(&canvas)?);
    let mut replay = |rec: &Recording| rec.replay(&mut canvas_db).map_err(err);
    let (Some((land, mins)), Some(prepared)) = (shown, prepared) else {
        replay(&record(size, |a| a.fill(&theme.bg()))?.1)?;
        return Ok(RectOut {
            x: 0,
            y: 0,
            w: 0,
            h: 0,
            mu_range: [0.0; 2],
            sigma_range: [0.0; 2],
        });
    };
    prepared.path = path(opts);
    let p = prepared.panel(land, mins, target, Some(q), theme);
    let (rect, frame) = record(size, |a| framed(a, &p))?;
    replay(&frame)?;
    put_raster(&canvas, land, &prepared.scale, rect, basins)?;
    replay(&record(size, |a| draw_overlay(a, &p))?.1)?;
    let g = &land.grid;
    Ok(RectOut {
        x: rect.x,
        y: rect.y,
        w: rect.w,
        h: rect.h,
        mu_range: [g.mu[0], g.mu[g.mu.len() - 1]],
        sigma_range: [g.sigma[0], g.sigma[g.sigma.len() - 1]],
    })
}

/// The background, axes, titles and colour bar of a landscape panel; its plot area.
fn framed(
    a: &Area,
    p: &plot::Panel,
) -> Result<Rect, plotters::drawing::DrawingAreaErrorKind<std::convert::Infallible>> {
    a.fill(&p.theme.bg())?;
    draw_frame(a, p)
}

/// A landscape panel as an SVG document: frame, axes and text as vectors, the heatmap as an
/// embedded PNG (made by the browser's canvas), contours and markers as vectors on top.
#[allow(clippy::too_many_arguments)]
pub fn landscape_svg(
    panel: &PanelDef,
    land: &Landscape,
    mins: &[Minimum],
    target: &Target,
    q: &Gaussian,
    opts: &LandscapeOpts,
    size: (u32, u32),
) -> Result<String, JsError> {
    let mut prep = prepare(panel, land, target, opts, true);
    prep.path = path(opts);
    let theme = Theme::new(opts.dark, 1.0);
    let p = prep.panel(land, mins, target, Some(q), theme);
    let (rect, frame) = record(size, |a| framed(a, &p))?;
    let frame = svg_text(size, &frame)?;
    let overlay = svg_text(size, &record(size, |a| draw_overlay(a, &p))?.1)?;
    let png = raster_canvas(land, &prep.scale, None)?
        .to_data_url_with_type("image/png")
        .map_err(|_| JsError::new("toDataURL"))?;
    let image = format!(
        r#"<image x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none" href="{png}"/>"#,
        rect.x, rect.y, rect.w, rect.h
    );
    let head = frame
        .rfind("</svg>")
        .ok_or_else(|| JsError::new("svg frame"))?;
    let body = overlay
        .find('>')
        .ok_or_else(|| JsError::new("svg overlay"))?
        + 1;
    Ok(format!("{}{image}{}", &frame[..head], &overlay[body..]))
}

/// The landscape's RGBA pixels as `ImageData` on a scratch canvas, scaled into `rect` by
/// one `drawImage` (smoothed: cells blend rather than block).
fn put_raster(
    canvas: &HtmlCanvasElement,
    land: &Landscape,
    scale: &Scale,
    rect: Rect,
    basins: Option<&[Option<usize>]>,
) -> Result<(), JsError> {
    let scratch = raster_canvas(land, scale, basins)?;
    let ctx = context(canvas)?;
    ctx.set_image_smoothing_enabled(true);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
        &scratch,
        rect.x as f64,
        rect.y as f64,
        rect.w as f64,
        rect.h as f64,
    )
    .map_err(|_| JsError::new("drawImage"))
}

/// The landscape's pixels on a canvas of one pixel per cell.
fn raster_canvas(
    land: &Landscape,
    scale: &Scale,
    basins: Option<&[Option<usize>]>,
) -> Result<HtmlCanvasElement, JsError> {
    let (w, h) = (land.grid.mu.len() as u32, land.grid.sigma.len() as u32);
    let mut rgba = raster(land, scale, 4);
    if let Some(b) = basins.filter(|b| b.len() == land.values.len()) {
        tint_basins(&mut rgba, 4, w as usize, b);
    }
    thread_local! {
        /// One scratch canvas for every panel: a new element per draw is garbage per frame.
        static SCRATCH: std::cell::RefCell<Option<HtmlCanvasElement>> = const { std::cell::RefCell::new(None) };
    }
    let scratch = match SCRATCH.with(|s| s.borrow().clone()) {
        Some(c) => c,
        None => {
            let doc = web_sys::window()
                .and_then(|w| w.document())
                .ok_or_else(|| JsError::new("no document"))?;
            let c: HtmlCanvasElement = doc
                .create_element("canvas")
                .map_err(|_| JsError::new("cannot create a canvas"))?
                .dyn_into()
                .map_err(|_| JsError::new("not a canvas"))?;
            SCRATCH.with(|s| *s.borrow_mut() = Some(c.clone()));
            c
        }
    };
    if scratch.width() != w || scratch.height() != h {
        scratch.set_width(w);
        scratch.set_height(h);
    }
    let img = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h)
        .map_err(|_| JsError::new("ImageData"))?;
    context(&scratch)?
        .put_image_data(&img, 0.0, 0.0)
        .map_err(|_| JsError::new("putImageData"))?;
    Ok(scratch)
}

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsError> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| JsError::new("no 2d context"))
}
