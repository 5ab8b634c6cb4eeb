//! The flows' wasm module in headless Chromium: a `FlowView` made from the element's state
//! follows the Fisher–Rao closed form, refuses bad input as JS `RangeError`/`TypeError` and
//! changes nothing then, restarts on a new q, and samples its mass curves slice by slice.
#![cfg(target_arch = "wasm32")]

use divergence::{Gaussian, State};
use divergence_flow_web::FlowView;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `blog-kl` with q at (`mu`, 1), as the element passes it.
fn state(mu: f64) -> JsValue {
    let mut s = State::preset("blog-kl").unwrap();
    s.q = Gaussian { mu, sigma: 1.0 };
    serde_wasm_bindgen::to_value(&s).unwrap()
}

fn get(v: &JsValue, path: &[&str]) -> JsValue {
    (path.iter()).fold(v.clone(), |o, k| {
        js_sys::Reflect::get(&o, &(*k).into()).unwrap()
    })
}

#[wasm_bindgen_test]
fn fisher_rao_forward_kl_follows_its_closed_form() {
    let mut v = FlowView::new(state(4.0), "fisher-rao", 1.0).unwrap();
    let info = |v: &FlowView, key: &[&str]| get(&v.info(0.0).unwrap(), key).as_f64().unwrap();
    // Made at t = 0: `work` brings the flows to t = 1, one integration step a unit (both KLs
    // cross a quarter of time in one step: two flows, four quarters), and only then are they
    // shown.
    assert_eq!(info(&v, &["t"]), 0.0);
    assert!(!v.work(0.0));
    assert_eq!((v.work_units(), info(&v, &["t"])), (1.0, 0.0));
    while info(&v, &["t"]) == 0.0 {
        assert!(!v.work(0.0));
    }
    assert_eq!((v.work_units(), info(&v, &["t"])), (8.0, 1.0));
    // q_t = e^{−t}q₀ + (1 − e^{−t})p below 0 at t = 1; Φ(−4) = 3.167124e-5.
    let e = (-1f64).exp();
    let closed = e * 3.167124183311992e-5 + (1.0 - e) / 2.0;
    let below = info(&v, &["massBelow", "forward_kl"]);
    assert!((below - closed).abs() < 1e-6, "{below}");
    // One unit (a step toward the next mass sample) per `work(0)`, then the whole curve.
    assert!(!v.work(0.0));
    assert_eq!(v.work_units(), 9.0);
    while !v.work(50.0) {}
    assert!(v.done() && get(&v.info(0.0).unwrap(), &["complete"]).as_bool() == Some(true));
    // A new q restarts the flows; the old ones show until the new reach t = 1 (or an API
    // call asks for them now): q₀ symmetric about 0 keeps half the mass below it.
    v.set_state(state(0.0)).unwrap();
    assert!(!v.done() && get(&v.info(0.0).unwrap(), &["complete"]).as_bool() == Some(false));
    assert_eq!(info(&v, &["massBelow", "forward_kl"]), below);
    v.catch_up();
    let below = info(&v, &["massBelow", "forward_kl"]);
    assert!((below - 0.5).abs() < 1e-9, "{below}");
    assert!(!v.done());
    // A jump of t past a quarter is computed by `work` too; a step back is shown at once.
    v.set("fisher-rao", 3.0).unwrap();
    assert_eq!(info(&v, &["t"]), 1.0);
    while !v.work(50.0) {}
    assert_eq!(info(&v, &["t"]), 3.0);
    v.set("fisher-rao", 0.5).unwrap();
    assert_eq!(info(&v, &["t"]), 0.5);
    assert!(v.done());
}

#[wasm_bindgen_test]
fn bad_input_is_a_js_error_and_changes_nothing() {
    let mut v = FlowView::new(state(4.0), "wasserstein", 1.0).unwrap();
    let before = js_sys::JSON::stringify(&v.info(0.0).unwrap()).unwrap();
    let range = |r: Result<(), divergence_flow_web::WebError>| {
        JsValue::from(r.expect_err("refused"))
            .dyn_into::<js_sys::RangeError>()
            .map(|e| String::from(e.message()))
            .expect("a RangeError")
    };
    assert!(range(v.set("wasserstein", -1.0)).contains("flow time"));
    assert!(range(v.set("wasserstein", f64::NAN)).contains("flow time"));
    assert!(range(v.set("l2", 1.0)).contains("fisher-rao, wasserstein"));
    let mut bad = state(4.0);
    js_sys::Reflect::set(&get(&bad, &["q"]), &"sigma".into(), &(-1.0).into()).unwrap();
    assert!(range(v.set_state(bad)).contains("q std"));
    bad = state(4.0);
    js_sys::Reflect::set(&bad, &"divergences".into(), &"reverse_kl".into()).unwrap();
    let err: js_sys::TypeError = JsValue::from(v.set_state(bad).expect_err("refused"))
        .dyn_into()
        .expect("a TypeError");
    assert!(String::from(err.message()).starts_with("invalid state"));
    assert_eq!(
        js_sys::JSON::stringify(&v.info(0.0).unwrap()).unwrap(),
        before
    );
}

#[wasm_bindgen_test]
fn a_change_back_to_the_flows_shown_drops_the_pending_work() {
    let mut v = FlowView::new(state(4.0), "fisher-rao", 1.0).unwrap();
    v.catch_up();
    let current = |v: &FlowView| get(&v.info(0.0).unwrap(), &["current"]).as_bool();
    let shown = |v: &FlowView| {
        let i = v.info(0.0).unwrap();
        (get(&i, &["geometry"]).as_string(), get(&i, &["t"]).as_f64())
    };
    // Another geometry, or another q, then back before it is computed.
    v.set("wasserstein", 1.0).unwrap();
    assert_eq!(current(&v), Some(false));
    v.set("fisher-rao", 1.0).unwrap();
    assert_eq!(current(&v), Some(true));
    v.set_state(state(0.0)).unwrap();
    assert_eq!(current(&v), Some(false));
    v.set_state(state(4.0)).unwrap();
    assert_eq!(current(&v), Some(true));
    // Another geometry and q, then back to this q: the geometry asked for stays asked.
    v.set("wasserstein", 1.0).unwrap();
    v.set_state(state(0.0)).unwrap();
    v.set_state(state(4.0)).unwrap();
    assert_eq!(current(&v), Some(false));
    while current(&v) != Some(true) {
        v.work(0.0);
    }
    assert_eq!(shown(&v), (Some("wasserstein".into()), Some(1.0)));
    // A far time pending, then a scrub near the time shown: shown at once.
    v.set("wasserstein", 4.0).unwrap();
    assert_eq!((current(&v), shown(&v).1), (Some(false), Some(1.0)));
    v.set("wasserstein", 1.2).unwrap();
    assert_eq!((current(&v), shown(&v).1), (Some(true), Some(1.2)));
}

#[wasm_bindgen_test]
fn each_flow_draws_alone_and_one_past_the_last_is_a_range_error() {
    let mut v = FlowView::new(state(4.0), "fisher-rao", 1.0).unwrap();
    v.catch_up();
    let names = v.names();
    let want = State::preset("blog-kl").unwrap().divergences;
    assert_eq!(names, want);
    let doc = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement =
        doc.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(600);
    canvas.set_height(440);
    let ink = |c: &web_sys::HtmlCanvasElement| {
        let cx: web_sys::CanvasRenderingContext2d =
            c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
        let d = cx.get_image_data(0.0, 0.0, 600.0, 440.0).unwrap().data();
        // Pixels away from the white background, and a digest of them.
        (
            d.chunks(4).filter(|p| p[0] < 200 || p[1] < 200).count(),
            d.iter().map(|&b| b as u64).sum::<u64>(),
        )
    };
    let mut seen = Vec::new();
    for k in 0..names.len() {
        v.draw_flow(canvas.clone(), k, false).unwrap();
        let (n, digest) = ink(&canvas);
        assert!(n > 600 * 440 / 50, "flow {k}: {n} pixels drawn");
        seen.push(digest);
    }
    assert_ne!(seen[0], seen[1], "each canvas shows its own flow");
    let err: js_sys::RangeError = JsValue::from(
        v.draw_flow(canvas, names.len(), false)
            .expect_err("refused"),
    )
    .dyn_into()
    .expect("a RangeError");
    assert!(String::from(err.message()).contains("there are 2"));
}
