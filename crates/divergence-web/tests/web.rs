//! The wasm crate in headless Chromium: state conversions across the boundary, typed
//! errors as JS `Error`s, the RGBA layout of the heatmap, and a complete computation.
#![cfg(target_arch = "wasm32")]

use divergence::{Grid, Landscape};
use divergence_plot::{color, raster, Scale, INF_RGB};
use divergence_web::Explorer;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A canvas element of `w × h` pixels.
fn canvas(w: u32, h: u32) -> web_sys::HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: web_sys::HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    c
}

/// The canvas's 2D context.
fn context(c: &web_sys::HtmlCanvasElement) -> web_sys::CanvasRenderingContext2d {
    c.get_context("2d").unwrap().unwrap().dyn_into().unwrap()
}

fn get(v: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(v.clone(), |o, k| {
        js_sys::Reflect::get(&o, &(*k).into()).unwrap()
    })
}

#[wasm_bindgen_test]
fn preset_state_has_the_spec_shape() {
    let s = Explorer::preset_state("blog-kl").unwrap();
    assert_eq!(get(&s, &["q", "mu"]).as_f64(), Some(0.0));
    assert_eq!(get(&s, &["params", "kernelC"]).as_f64(), Some(1.0));
    assert_eq!(get(&s, &["params", "kernelBeta"]).as_f64(), Some(0.5));
    let mr = get(&s, &["view", "muRange"]);
    assert_eq!(
        js_sys::Array::from(&mr)
            .to_vec()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect::<Vec<_>>(),
        vec![-7.0, 7.0]
    );
    let t = js_sys::Array::from(&get(&s, &["target"]));
    assert_eq!(t.length(), 2);
    assert_eq!(get(&t.get(1), &["mean"]).as_f64(), Some(4.0));
    assert!(Explorer::preset_state("nope").is_err());
}

#[wasm_bindgen_test]
fn bad_state_is_a_js_error_and_changes_nothing() {
    let mut e = Explorer::new().unwrap();
    let before = js_sys::JSON::stringify(&e.state().unwrap()).unwrap();
    let s = Explorer::preset_state("blog-kl").unwrap();
    js_sys::Reflect::set(&get(&s, &["q"]), &"sigma".into(), &(-1.0).into()).unwrap();
    let err: JsValue = e.set_state(s).expect_err("refused").into();
    let err: js_sys::Error = err.dyn_into().expect("a real JS Error");
    assert!(
        String::from(err.message()).contains("q std"),
        "{}",
        String::from(err.message())
    );
    // a wrong type is refused too
    let s = Explorer::preset_state("blog-kl").unwrap();
    js_sys::Reflect::set(&s, &"divergences".into(), &"reverse_kl".into()).unwrap();
    let err: js_sys::Error = JsValue::from(e.set_state(s).expect_err("refused"))
        .dyn_into()
        .unwrap();
    assert!(String::from(err.message()).starts_with("invalid state"));
    assert_eq!(
        js_sys::JSON::stringify(&e.state().unwrap()).unwrap(),
        before
    );
}

#[wasm_bindgen_test]
fn rgba_layout_through_image_data() {
    // 3 μ × 2 σ, asymmetric: the top image row is the largest σ, columns run in μ.
    let grid = Grid::new((0.0, 2.0), (1.0, 2.0), 3, 2, false).unwrap();
    let land = Landscape {
        grid,
        values: vec![0.0, 1.0, 2.0, 3.0, 4.0, f64::INFINITY],
    };
    let scale = Scale::auto(&land.values, false, 1.0);
    let px = raster(&land, &scale, 4);
    let img = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&px), 3, 2).unwrap();
    let data = img.data().0;
    let at = |x: usize, y: usize| &data[4 * (y * 3 + x)..4 * (y * 3 + x) + 4];
    assert_eq!(
        &at(0, 0)[..3],
        &color(0.75),
        "top-left: σ = 2, μ = 0, value 3"
    );
    assert_eq!(&at(2, 0)[..3], &INF_RGB, "top-right: +inf");
    assert_eq!(
        &at(0, 1)[..3],
        &color(0.0),
        "bottom-left: σ = 1, μ = 0, value 0"
    );
    assert_eq!(&at(2, 1)[..3], &color(0.5), "bottom-right: value 2");
    assert!(data.chunks(4).all(|p| p[3] == 255));
}

#[wasm_bindgen_test]
fn work_completes_with_the_post_optima_and_draws() {
    let mut e = Explorer::new().unwrap();
    e.set_resolution(24, 20);
    let mut rounds = 0;
    while !e.work(50.0) {
        rounds += 1;
        assert!(rounds < 1000);
    }
    let o = e.optima().unwrap();
    let f = js_sys::Array::from(&get(&o, &["forward_kl"]));
    assert_eq!(f.length(), 1);
    assert!((get(&f.get(0), &["sigma"]).as_f64().unwrap() - 17f64.sqrt()).abs() < 1e-6);
    let v = e.landscape_values(1);
    assert_eq!(v.length(), 24 * 20);
    let canvas = canvas(500, 400);
    let rect = e
        .draw_landscape(0, canvas.clone(), js_sys::Object::new().into())
        .unwrap();
    let (x, y) = (
        get(&rect, &["x"]).as_f64().unwrap(),
        get(&rect, &["y"]).as_f64().unwrap(),
    );
    let w = get(&rect, &["w"]).as_f64().unwrap();
    let pix = context(&canvas)
        .get_image_data(x + w / 2.0, y + 5.0, 1.0, 1.0)
        .unwrap()
        .data()
        .0;
    assert!(
        !(pix[0] == 255 && pix[1] == 255 && pix[2] == 255),
        "the heatmap is painted: {pix:?}"
    );
}

#[wasm_bindgen_test]
fn moving_q_alone_recomputes_no_landscape() {
    let mut e = Explorer::new().unwrap();
    e.set_resolution(24, 20);
    while !e.work(50.0) {}
    let before = Explorer::cells_computed();
    let values = e.landscape_values(0).to_vec();
    let state = e.state().unwrap();
    let q = get(&state, &["q"]);
    js_sys::Reflect::set(&q, &"mu".into(), &1.25.into()).unwrap();
    js_sys::Reflect::set(&q, &"sigma".into(), &0.75.into()).unwrap();
    e.set_state(state).unwrap();
    assert_eq!(get(&e.state().unwrap(), &["q", "mu"]).as_f64(), Some(1.25));
    assert!(e.work(50.0), "nothing left to compute");
    assert_eq!(Explorer::cells_computed(), before, "no cell recomputed");
    assert_eq!(e.landscape_values(0).to_vec(), values);
    // A target change does recompute: the counter is live.
    let state = e.state().unwrap();
    let comp = js_sys::Array::from(&get(&state, &["target"])).get(1);
    js_sys::Reflect::set(&comp, &"mean".into(), &3.5.into()).unwrap();
    e.set_state(state).unwrap();
    while !e.work(50.0) {}
    assert!(Explorer::cells_computed() >= before + 2.0 * 24.0 * 20.0);
}

#[wasm_bindgen_test]
fn registry_exports_have_their_shapes() {
    let divs = js_sys::Array::from(&divergence_web::divergence_info().unwrap());
    assert_eq!(divs.length(), 14, "13 divergences and log_ksd");
    let names: Vec<String> = divs
        .iter()
        .map(|d| get(&d, &["name"]).as_string().unwrap())
        .collect();
    assert_eq!(&names[..13], &divergence::NAMES[..]);
    let log_ksd = divs.get(13);
    assert_eq!(get(&log_ksd, &["name"]).as_string().unwrap(), "log_ksd");
    assert_eq!(get(&log_ksd, &["title"]).as_string().unwrap(), "log KSD²");
    assert_eq!(get(&log_ksd, &["scale"]).as_string().unwrap(), "log");
    assert_eq!(
        get(&log_ksd, &["params"]).as_string(),
        None,
        "params is an array"
    );
    let amari = divs.get(8);
    assert_eq!(
        get(&amari, &["path"]).as_string().unwrap(),
        "row-correlation"
    );
    assert_eq!(
        js_sys::Array::from(&get(&amari, &["params"])).get(0),
        "alpha"
    );
    assert_eq!(
        get(&divs.get(0), &["path"]).as_string().unwrap(),
        "closed-form"
    );
    let params = js_sys::Array::from(&divergence_web::param_info().unwrap());
    let keys: Vec<String> = params
        .iter()
        .map(|p| get(&p, &["key"]).as_string().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["alpha", "order", "bandwidth", "kernelC", "kernelBeta"]
    );
    let alpha = params.get(0);
    assert_eq!(get(&alpha, &["min"]).as_f64(), Some(-3.0));
    assert_eq!(get(&alpha, &["default"]).as_f64(), Some(0.0));
    let snaps = js_sys::Array::from(&get(&alpha, &["snaps"]));
    assert_eq!(get(&snaps.get(0), &["value"]).as_f64(), Some(-1.0));
    assert_eq!(
        get(&snaps.get(0), &["label"]).as_string().unwrap(),
        "reverse KL"
    );
    let presets = js_sys::Array::from(&divergence_web::preset_info().unwrap());
    assert_eq!(
        presets.length() as usize,
        divergence::presets::PRESET_NAMES.len()
    );
    let stein = presets.get(1);
    assert_eq!(get(&stein, &["name"]).as_string().unwrap(), "blog-stein");
    assert_eq!(
        get(&stein, &["state", "params", "kernelBeta"]).as_f64(),
        Some(0.5)
    );
    // A preset's state is accepted as is by setState.
    let mut e = Explorer::new().unwrap();
    e.set_state(get(&stein, &["state"])).unwrap();
    assert_eq!(e.panel_count(), 4);
}

#[wasm_bindgen_test]
fn refused_values_are_range_errors_and_bad_names_type_errors() {
    let mut e = Explorer::new().unwrap();
    let s = Explorer::preset_state("blog-kl").unwrap();
    js_sys::Reflect::set(&get(&s, &["params"]), &"order".into(), &0.0.into()).unwrap();
    let err = JsValue::from(e.set_state(s).expect_err("refused"));
    assert!(err.is_instance_of::<js_sys::RangeError>());
    let s = Explorer::preset_state("blog-kl").unwrap();
    let names = js_sys::Array::of1(&"nope".into());
    js_sys::Reflect::set(&s, &"divergences".into(), &names).unwrap();
    let err = JsValue::from(e.set_state(s).expect_err("refused"));
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let msg = String::from(err.dyn_into::<js_sys::Error>().unwrap().message());
    assert!(msg.contains("unknown divergence 'nope'"), "{msg}");
    let err = JsValue::from(Explorer::preset_state("nope").expect_err("refused"));
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let err = JsValue::from(e.start_descent(0.0, -1.0).expect_err("refused"));
    assert!(err.is_instance_of::<js_sys::RangeError>());
}

#[wasm_bindgen_test]
fn redrawn_landscapes_match_a_fresh_explorer_after_every_kind_of_change() {
    // Drawings are kept between draws (contours, colour scale): after a move of q, a new
    // target and new colour options, each redraw must equal a fresh explorer's, pixel for pixel.
    let pixels = |e: &Explorer, opts: &str| {
        let canvas = canvas(320, 260);
        let opts = js_sys::JSON::parse(opts).unwrap();
        e.draw_landscape(0, canvas.clone(), opts).unwrap();
        let image = context(&canvas).get_image_data(0.0, 0.0, 320.0, 260.0);
        image.unwrap().data().0
    };
    let settle = |e: &mut Explorer| while !e.work(50.0) {};
    let mut kept = Explorer::new().unwrap();
    kept.set_resolution(24, 20);
    settle(&mut kept);
    let linear = r#"{"dark":false,"clip":1,"logScale":false}"#;
    let log = r#"{"dark":false,"clip":0.9,"logScale":true}"#;
    pixels(&kept, linear);
    let state = kept.state().unwrap();
    let mut changes = vec![];
    // q alone, the target, q with new options, q again: each drawn with the options of the
    // draw before it, as a page redraws (a kept drawing is reused only then).
    for (path, value, opts) in [
        (["q", "mu"], 1.25, linear),
        (["target", "mean"], 3.5, linear),
        (["q", "sigma"], 0.75, log),
        (["q", "mu"], 2.0, log),
    ] {
        let at = if path[0] == "target" {
            js_sys::Array::from(&get(&state, &["target"])).get(1)
        } else {
            get(&state, &["q"])
        };
        js_sys::Reflect::set(&at, &path[1].into(), &value.into()).unwrap();
        kept.set_state(state.clone()).unwrap();
        settle(&mut kept);
        let mut fresh = Explorer::new().unwrap();
        fresh.set_resolution(24, 20);
        fresh.set_state(state.clone()).unwrap();
        settle(&mut fresh);
        changes.push(pixels(&kept, opts) == pixels(&fresh, opts));
    }
    assert_eq!(changes, vec![true; 4]);
}
