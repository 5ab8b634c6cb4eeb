//! The two ends of a chart drawn once by `divergence-plot` onto a [`Recording`]: replayed on
//! a canvas (plotters-canvas, at the screen's pixel ratio) or as an SVG document for exports,
//! so that each chart is compiled once, not once per backend.

use divergence_plot::{Recorder, Recording, Theme};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsError;
use web_sys::HtmlCanvasElement;

/// A drawing area that records what a chart draws.
pub type Area<'a> = DrawingArea<Recorder<'a>, Shift>;

/// A drawing failure as a JS error.
pub fn err<E: std::fmt::Debug>(e: E) -> JsError {
    JsError::new(&format!("drawing failed: {e:?}"))
}

/// The plotters backend of `canvas`'s 2d context.
pub fn backend(canvas: &HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(|| JsError::new("no 2d context"))
}

/// Draws with `f` onto a recording of `size` pixels, returning what `f` returns.
pub fn record<T, E: std::fmt::Debug>(
    size: (u32, u32),
    f: impl FnOnce(&Area) -> Result<T, E>,
) -> Result<(T, Recording), JsError> {
    let mut rec = Recording::new(size);
    let out = f(&rec.area()).map_err(err)?;
    Ok((out, rec))
}

/// A recording replayed as an SVG document.
pub fn svg_text(size: (u32, u32), rec: &Recording) -> Result<String, JsError> {
    let mut out = String::new();
    {
        let mut svg = SVGBackend::with_string(&mut out, size);
        rec.replay(&mut svg).map_err(err)?;
        svg.present().map_err(err)?;
    }
    Ok(out)
}

/// Draws a chart with `f` on `canvas` at the screen's pixel ratio, returning what `f` returns.
pub fn on_canvas<T, E: std::fmt::Debug>(
    canvas: &HtmlCanvasElement,
    dark: bool,
    f: impl FnOnce(&Area, &Theme) -> Result<T, E>,
) -> Result<T, JsError> {
    let theme = Theme::new(dark, pixel_ratio());
    let (out, rec) = record((canvas.width(), canvas.height()), |a| f(a, &theme))?;
    rec.replay(&mut backend(canvas)?).map_err(err)?;
    Ok(out)
}

/// Draws a chart with `f` on an SVG document of `size` CSS pixels (each side clamped to
/// 64..=8192), returned as text.
pub fn svg<E: std::fmt::Debug>(
    size: (u32, u32),
    dark: bool,
    f: impl FnOnce(&Area, &Theme) -> Result<(), E>,
) -> Result<String, JsError> {
    let size = (size.0.clamp(64, 8192), size.1.clamp(64, 8192));
    let theme = Theme::new(dark, 1.0);
    svg_text(size, &record(size, |a| f(a, &theme))?.1)
}

/// The screen's device pixel ratio (1 without a window).
pub fn pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio())
}
