//! The real `divergence` binary: JSON shapes and values (SPEC §4), and bad input.

mod common;

use common::{json, run, POST};
use serde_json::Value;

#[test]
fn eval_one_and_all() {
    let v = json(&[
        "eval",
        "--target",
        POST,
        "--mu",
        "-4",
        "--sigma",
        "1",
        "--divergence",
        "reverse_kl",
    ]);
    let core = divergence::eval(
        &divergence::Target::parse(POST).unwrap(),
        &divergence::Gaussian::new(-4.0, 1.0).unwrap(),
        &divergence::Divergence::ReverseKl,
    );
    assert_eq!(v["value"].as_f64().unwrap(), core);
    // KL(N(−4,1) ‖ ½N(−4,1)+½N(4,1)): just above the minimum 0.693053, below ln 2
    assert!(core > 0.693053 && core < std::f64::consts::LN_2, "{core}");

    let v = json(&[
        "eval",
        "--target",
        POST,
        "--mu=0",
        "--sigma",
        "0.6",
        "--divergence",
        "all",
    ]);
    let vals = v["values"].as_object().unwrap();
    assert_eq!(vals.len(), 13);
    for name in divergence::NAMES {
        assert!(vals.contains_key(name), "{name}");
    }
    // σ = 0.6 < s/√2: pearson's integral diverges and is spelled "inf"
    assert_eq!(vals["pearson_chi2"], Value::String("inf".into()));
    assert!(vals["hellinger"].as_f64().unwrap() > 0.0);

    let v = json(&[
        "eval",
        "--target",
        POST,
        "--mu",
        "1",
        "--sigma",
        "2",
        "--divergence",
        "amari",
        "--alpha",
        "-1",
    ]);
    let r = json(&[
        "eval",
        "--target",
        POST,
        "--mu",
        "1",
        "--sigma",
        "2",
        "--divergence",
        "reverse_kl",
    ]);
    assert_eq!(v["value"], r["value"]);
}

#[test]
fn landscape_shape_and_minima() {
    let v = json(&[
        "landscape",
        "--target",
        POST,
        "--divergence",
        "forward_kl",
        "--mu-range",
        "-7:7",
        "--sigma-range",
        "0.5:5",
        "--grid",
        "15x11",
    ]);
    assert_eq!(v["mu"].as_array().unwrap().len(), 15);
    assert_eq!(v["sigma"].as_array().unwrap().len(), 11);
    let rows = v["values"].as_array().unwrap();
    assert_eq!(rows.len(), 11);
    assert!(rows.iter().all(|r| r.as_array().unwrap().len() == 15));
    let m = &v["minima"][0];
    assert!(m["mu"].as_f64().unwrap().abs() < 1e-6);
    assert!((m["sigma"].as_f64().unwrap() - 17f64.sqrt()).abs() < 1e-6);
    assert!((m["value"].as_f64().unwrap() - 0.723553).abs() < 1e-6);
    let v = json(&[
        "landscape",
        "--target",
        POST,
        "--divergence",
        "reverse_kl",
        "--mu-range",
        "-7:7",
        "--sigma-range",
        "0.5:5",
        "--grid",
        "40x30",
        "--log-sigma",
    ]);
    let s: Vec<f64> = v["sigma"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!((s[1] / s[0] - s[29] / s[28]).abs() < 1e-12, "log spacing");
    let mins = v["minima"].as_array().unwrap();
    assert!((mins[0]["value"].as_f64().unwrap() - 0.693053).abs() < 1e-6);
    assert!((mins[0]["mu"].as_f64().unwrap().abs() - 3.9996).abs() < 1e-4);
    assert!((mins[1]["mu"].as_f64().unwrap() + mins[0]["mu"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn pressure_and_optimize() {
    let v = json(&[
        "pressure",
        "--target",
        POST,
        "--mu",
        "0",
        "--sigma",
        "1",
        "--divergence",
        "forward_kl",
        "--x",
        "-4,0,200",
    ]);
    let p = v["pressure"].as_array().unwrap();
    assert_eq!(v["x"].as_array().unwrap().len(), 3);
    assert!(p[0].as_f64().unwrap() > 1000.0);
    assert_eq!(p[2], Value::String("inf".into()));
    let v = json(&[
        "optimize",
        "--target",
        POST,
        "--divergence",
        "reverse_kl",
        "--from",
        "-2,1.5",
    ]);
    let path = v["path"].as_array().unwrap();
    assert!(path.len() > 2);
    assert_eq!(path[0][0].as_f64().unwrap(), -2.0);
    let o = &v["optimum"];
    assert!((o["mu"].as_f64().unwrap() + 3.9996).abs() < 1e-4, "{o}");
    assert!((o["value"].as_f64().unwrap() - 0.693053).abs() < 1e-6);
}

#[test]
fn figure_png_and_svg() {
    let dir = std::env::temp_dir().join(format!("divfig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("f.png");
    json(&[
        "figure",
        "--preset",
        "blog-kl",
        "--out",
        png.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR width and height: two 700×560 panels
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 1400);
    assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 560);
    let svg = dir.join("f.svg");
    json(&[
        "figure",
        "--preset",
        "blog-kl",
        "--out",
        svg.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
    assert!(text.contains("Reverse KL") && text.contains("<text"));
    assert!(
        text.contains("data:image/png;base64"),
        "heatmap raster embedded"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "no temporary files left"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_one_line_exit_2_nothing_written() {
    let dir = std::env::temp_dir().join(format!("divbad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("x.png");
    let o = out.to_str().unwrap();
    // Each case is a good command with one argument set (or added) to a bad value.
    fn set<S: AsRef<str>>(base: &[S], k: &str, v: &str) -> Vec<String> {
        let mut a: Vec<String> = base.iter().map(|s| s.as_ref().to_string()).collect();
        match a.iter().position(|x| x == k) {
            Some(i) => a[i + 1] = v.to_string(),
            None => a.extend([k.to_string(), v.to_string()]),
        }
        a
    }
    let e = [
        "eval",
        "--target",
        POST,
        "--mu",
        "0",
        "--sigma",
        "1",
        "--divergence",
        "reverse_kl",
    ];
    let land = [
        "landscape",
        "--target",
        POST,
        "--divergence",
        "reverse_kl",
        "--mu-range",
        "-7:7",
        "--sigma-range",
        "0.5:5",
    ];
    let pres = [
        "pressure",
        "--target",
        POST,
        "--mu",
        "0",
        "--sigma",
        "1",
        "--divergence",
        "reverse_kl",
    ];
    let opt = ["optimize", "--target", POST, "--divergence", "reverse_kl"];
    let fig = ["figure", "--preset", "blog-kl"];
    let eval_with = |div: &str, k: &str, v: &str| set(&set(&e, "--divergence", div), k, v);
    let bad_out = format!("{o}.jpg");
    let nine = ["1:0:1"; 9].join(",");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (set(&e, "--target", "0.5:-4"), "--target"),
        (set(&e, "--target", "0.5:-4:0"), "--target"),
        (set(&e, "--target", "x:1:1"), "--target"),
        (set(&e, "--target", "-1:1:1"), "--target"),
        (set(&e, "--target", &nine), "--target"),
        (set(&e, "--mu", "abc"), "--mu"),
        (set(&e, "--mu", "nan"), "--mu"),
        (set(&e, "--mu", "1e300"), "--mu"),
        (set(&e, "--sigma", "-1"), "--sigma"),
        (set(&e, "--sigma", "0"), "--sigma"),
        (set(&e, "--sigma", "inf"), "--sigma"),
        (set(&e, "--divergence", "kl"), "--divergence"),
        (
            e.iter()
                .map(|s| s.to_string())
                .filter(|s| s != "--mu" && s != "0")
                .collect(),
            "--mu",
        ),
        (eval_with("renyi", "--order", "0"), "--order"),
        (eval_with("mmd", "--bandwidth", "-2"), "--bandwidth"),
        (eval_with("ksd", "--kernel-c", "0"), "--kernel-c"),
        (eval_with("ksd", "--kernel-beta", "nan"), "--kernel-beta"),
        (eval_with("amari", "--alpha", "inf"), "--alpha"),
        (set(&land, "--mu-range", "7:-7"), "--mu-range"),
        (set(&land, "--sigma-range", "0:5"), "--sigma-range"),
        (set(&land, "--mu-range", "-7"), "--mu-range"),
        (set(&land, "--grid", "10"), "--grid"),
        (set(&land, "--grid", "1x10"), "--grid"),
        (set(&pres, "--x", "1,a"), "--x"),
        (set(&opt, "--from", "0"), "--from"),
        (set(&opt, "--from", "0,-1"), "--from"),
        (set(&set(&fig, "--preset", "nope"), "--out", o), "--preset"),
        (set(&fig, "--out", &bad_out), "--out"),
        (set(&fig, "--out", "/nonexistent-dir/f.png"), "--out"),
        (vec!["frobnicate".to_string()], "frobnicate"),
        (Vec::new(), "subcommand"),
    ];
    for (args, needle) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&refs);
        assert_eq!(code, 2, "{args:?}: exit {code}, stderr {err}");
        assert!(out.is_empty(), "{args:?}: stdout {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: '{err}' should name {needle}"
        );
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no file written"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
