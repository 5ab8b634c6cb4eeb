//! Text layout in the browser by the canvas's own `measureText`.
//!
//! Patched for Divergence Explorer: upstream measures each string with a `<span>` given an
//! inline `style` attribute, which a strict Content-Security-Policy (`style-src 'self'`)
//! blocks, and which forces a layout per call. A 2D context measures without touching the DOM.
use super::{FontData, FontFamily, FontStyle, LayoutBox};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{window, CanvasRenderingContext2d, HtmlCanvasElement};

#[derive(Debug, Clone)]
pub enum FontError {
    UnknownError,
}

impl std::fmt::Display for FontError {
    fn fmt(&self, fmt: &mut std::fmt::Formatter) -> Result<(), std::fmt::Error> {
        write!(fmt, "Unknown error")
    }
}

impl std::error::Error for FontError {}

#[derive(Clone)]
pub struct FontDataInternal(String, String);

thread_local! {
    static MEASURE: RefCell<Option<CanvasRenderingContext2d>> = const { RefCell::new(None) };
}

fn measuring_context() -> Option<CanvasRenderingContext2d> {
    MEASURE.with(|m| {
        if m.borrow().is_none() {
            let canvas: HtmlCanvasElement = window()?
                .document()?
                .create_element("canvas")
                .ok()?
                .dyn_into()
                .ok()?;
            *m.borrow_mut() = canvas.get_context("2d").ok()??.dyn_into().ok();
        }
        m.borrow().clone()
    })
}

impl FontData for FontDataInternal {
    type ErrorType = FontError;
    fn new(family: FontFamily, style: FontStyle) -> Result<Self, FontError> {
        Ok(FontDataInternal(
            family.as_str().into(),
            style.as_str().into(),
        ))
    }
    fn estimate_layout(&self, size: f64, text: &str) -> Result<LayoutBox, Self::ErrorType> {
        let ctx = measuring_context().ok_or(FontError::UnknownError)?;
        ctx.set_font(&format!("{} {}px {}", self.1, size, self.0));
        let m = ctx.measure_text(text).map_err(|_| FontError::UnknownError)?;
        let width = m.width().ceil() as i32;
        let height = (m.font_bounding_box_ascent() + m.font_bounding_box_descent())
            .max(size)
            .ceil() as i32;
        Ok(((0, 0), (width, height)))
    }
}
