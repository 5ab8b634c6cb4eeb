//! The one conversion of errors into JS exceptions: a refused value (out of range, not
//! finite, too many items) is a `RangeError`, text or a shape that does not parse and unknown
//! names a `TypeError`, anything else an `Error`; each with the core's message.

use divergence::Reason;
use wasm_bindgen::{JsError, JsValue};

/// An error on its way to JS.
#[derive(Debug)]
pub enum WebError {
    /// A refused input from the core.
    Core(divergence::Error),
    /// A value of the wrong shape or type.
    Type(String),
    /// A number outside what a call accepts.
    Range(String),
    /// An error already made on the JS side (drawing).
    Js(JsValue),
}

impl From<divergence::Error> for WebError {
    fn from(e: divergence::Error) -> Self {
        WebError::Core(e)
    }
}

impl From<JsError> for WebError {
    fn from(e: JsError) -> Self {
        WebError::Js(e.into())
    }
}

impl From<serde_wasm_bindgen::Error> for WebError {
    fn from(e: serde_wasm_bindgen::Error) -> Self {
        WebError::Type(e.to_string())
    }
}

impl From<WebError> for JsValue {
    fn from(e: WebError) -> JsValue {
        match e {
            WebError::Core(e) => match e.reason() {
                Reason::NotFinite | Reason::OutOfRange | Reason::Count => {
                    js_sys::RangeError::new(&e.to_string()).into()
                }
                Reason::Parse | Reason::UnknownName => {
                    js_sys::TypeError::new(&e.to_string()).into()
                }
            },
            WebError::Type(m) => js_sys::TypeError::new(&m).into(),
            WebError::Range(m) => js_sys::RangeError::new(&m).into(),
            WebError::Js(v) => v,
        }
    }
}

/// A result whose error becomes the right JS exception.
pub type WebResult<T> = Result<T, WebError>;
