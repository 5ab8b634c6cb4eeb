//! `divergence flow` and `divergence optimize --metric/--optimizer` through the real binary:
//! the post's numbers (NUMERICS), and bad input refused naming the flag.

mod common;

use common::{json, run, POST};
use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Mass below 0 of each row: the cells left of 0 and half the cell at 0.
fn below_zero(v: &Value) -> Vec<f64> {
    let x = floats(&v["x"]);
    let dx = x[1] - x[0];
    v["q"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let q = floats(row);
            let ends = x.iter().zip(&q);
            let below: f64 = ends
                .map(|(&a, &b)| {
                    if a < -1e-9 {
                        b
                    } else if a.abs() <= 1e-9 {
                        0.5 * b
                    } else {
                        0.0
                    }
                })
                .sum();
            // Each row is a normalised density, ≥ 0.
            assert!(q.iter().all(|&d| d >= 0.0));
            assert!((q.iter().sum::<f64>() * dx - 1.0).abs() < 1e-12);
            below * dx
        })
        .collect()
}

fn flow_args<'a>(div: &'a str, geometry: &'a str, times: &'a str) -> Vec<&'a str> {
    vec![
        "flow",
        "--target",
        POST,
        "--divergence",
        div,
        "--from",
        "4,1",
        "--geometry",
        geometry,
        "--times",
        times,
        "--x-range",
        "-12:12",
    ]
}

#[test]
fn flows_give_the_posts_numbers() {
    let f = json(&flow_args("forward_kl", "fisher-rao", "1,4"));
    assert_eq!(floats(&f["x"]).len(), 2001);
    assert_eq!(floats(&f["times"]), vec![1.0, 4.0]);
    let m = below_zero(&f);
    assert!(
        (m[0] - 0.316072).abs() < 1e-6 && (m[1] - 0.490843).abs() < 1e-6,
        "{m:?}"
    );
    let r = json(&flow_args("reverse_kl", "fisher-rao", "1,4"));
    let m = below_zero(&r);
    assert!(
        (m[0] - 5.1214e-4).abs() < 1e-6 && (m[1] - 0.359999).abs() < 1e-6,
        "{m:?}"
    );
    // Wasserstein (Fokker–Planck): the barrier holds, ~3.6e-4 by t = 1.
    let w = json(&flow_args("reverse_kl", "wasserstein", "0,1"));
    let m = below_zero(&w);
    assert!(m[0] < 4e-5 && (m[1] - 3.6e-4).abs() < 0.05e-4, "{m:?}");
    // --points and the default range (p and q₀ to ±8 std: [−12, 12] here).
    let v = json(&[
        "flow",
        "--target",
        POST,
        "--divergence",
        "hellinger",
        "--from",
        "4,1",
        "--geometry",
        "wasserstein",
        "--times",
        "0.5",
        "--points",
        "801",
    ]);
    let x = floats(&v["x"]);
    assert_eq!((x.len(), x[0], x[800]), (801, -12.0, 12.0));
}

#[test]
fn optimize_follows_the_metric() {
    let opt = |extra: &[&str]| {
        let mut a = vec![
            "optimize",
            "--target",
            POST,
            "--divergence",
            "reverse_kl",
            "--from",
            "1,2",
        ];
        a.extend_from_slice(extra);
        let v = json(&a);
        let o = &v["optimum"];
        let last = v["path"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last[0], o["mu"]);
        (
            o["mu"].as_f64().unwrap(),
            o["sigma"].as_f64().unwrap(),
            v["metric"].clone(),
        )
    };
    // The default is the natural gradient, which drains (1, 2) into the right mode.
    let (mu, s, m) = opt(&[]);
    assert!(
        (mu - 3.9996).abs() < 1e-4 && (s - 1.0008).abs() < 1e-4 && m == "fisher",
        "{mu} {s}"
    );
    assert_eq!(opt(&["--metric", "fisher"]).0, mu);
    for metric in ["euclidean", "log-sigma"] {
        let (mu, s, _) = opt(&["--metric", metric]);
        assert!(
            mu.abs() < 1e-6 && (s - 3.4727).abs() < 1e-4,
            "{metric}: {mu} {s}"
        );
    }
    let v = json(&[
        "optimize",
        "--target",
        POST,
        "--divergence",
        "forward_kl",
        "--from",
        "-5,0.7",
        "--optimizer",
        "adam",
    ]);
    assert_eq!(v["optimizer"], "adam");
    assert!((v["optimum"]["sigma"].as_f64().unwrap() - 17f64.sqrt()).abs() < 1e-6);
}

#[test]
fn bad_input_names_the_flag() {
    let with = |flag: &str, value: &str| {
        let mut a = flow_args("reverse_kl", "fisher-rao", "1");
        let i = a.iter().position(|s| *s == flag).unwrap();
        a[i + 1] = value;
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let opt = |flag: &str, value: &str| {
        [
            "optimize",
            "--target",
            POST,
            "--divergence",
            "reverse_kl",
            "--from",
            "1,2",
            flag,
            value,
        ]
        .map(String::from)
        .to_vec()
    };
    let cases = [
        (with("--times", "-1"), "--times"),
        (with("--times", "nan"), "--times"),
        (with("--times", "2,1"), "--times"),
        (with("--times", "0,x"), "--times"),
        (with("--geometry", "sinkhorn"), "--geometry"),
        (with("--x-range", "5:-5"), "--x-range"),
        (with("--from", "4,-1"), "--from"),
        (with("--divergence", "ksd"), "--divergence"),
        (opt("--metric", "riemann"), "--metric"),
        (opt("--optimizer", "sgd"), "--optimizer"),
    ];
    for (args, flag) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&a);
        assert_eq!(code, 2, "{a:?}");
        assert!(out.is_empty(), "{a:?}: stdout {out}");
        assert_eq!(err.lines().count(), 1, "{a:?}: {err}");
        assert!(err.contains(flag), "{a:?}: {err}");
    }
}
