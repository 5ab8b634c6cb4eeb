//! What the explorer's two wasm modules share (the page's `divergence-web` and the flows'
//! `divergence-flow-web`): errors as JS exceptions, the panic hook, plain-JS values, and the
//! canvas and SVG ends of a chart recorded once by `divergence-plot`. No `#[wasm_bindgen]`
//! exports here, so neither module carries the other's.

pub mod canvas;
mod error;

pub use error::{WebError, WebResult};

use serde::Serialize;
use wasm_bindgen::JsValue;

/// A value as plain JS data (maps as objects, not `Map`s; numbers as numbers).
pub fn to_js(v: &impl Serialize) -> WebResult<JsValue> {
    Ok(v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}

/// Reports a panic on the console, naming the module, before wasm traps; the element then
/// restarts the module (`www/host.js` for the page's, `www/flow.js` for the flows').
pub fn install_panic_hook(module: &'static str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(move |info| {
            web_sys::console::error_1(&format!("{module} panicked: {info}").into());
        }));
    });
}
