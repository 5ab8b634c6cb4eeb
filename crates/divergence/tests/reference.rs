//! `eval` against the independent high-precision reference in `reference/reference.json`
//! (made by `reference/make_reference.py` with mpmath): SPEC §2's accuracy, relative 1e-9
//! (absolute 1e-12 near zero; KSD 1e-7), infinite exactly where the reference is; and the
//! same at the extremes (`reference/extreme.json`, made by `reference/make_extreme.py`).

use divergence::{eval, Component, Divergence, Gaussian, Params, Target};
use serde_json::Value;

fn check_file(text: &str) -> usize {
    let doc: Value = serde_json::from_str(text).expect("reference JSON");
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().expect("cases") {
        let comps: Vec<Component> = case["target"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Component {
                weight: c[0].as_f64().unwrap(),
                mean: c[1].as_f64().unwrap(),
                std: c[2].as_f64().unwrap(),
            })
            .collect();
        let p = Target::new(&comps).unwrap();
        let q = Gaussian::new(
            case["mu"].as_f64().unwrap(),
            case["sigma"].as_f64().unwrap(),
        )
        .unwrap();
        let pr = &case["params"];
        let params = Params {
            alpha: pr["alpha"].as_f64().unwrap(),
            order: pr["order"].as_f64().unwrap(),
            bandwidth: pr["bandwidth"].as_f64().unwrap(),
            kernel_c: pr["kernel_c"].as_f64().unwrap(),
            kernel_beta: pr["kernel_beta"].as_f64().unwrap(),
        };
        for v in case["values"].as_array().unwrap() {
            let name = v["divergence"].as_str().unwrap();
            let d = Divergence::new(name, &params).unwrap();
            let got = eval(&p, &q, &d);
            let ok = match &v["value"] {
                Value::String(s) if s == "inf" => got == f64::INFINITY,
                want => {
                    let want = want.as_f64().unwrap();
                    let tol = if name == "ksd" { 1e-7 } else { 1e-9 };
                    (got - want).abs() <= (tol * want.abs()).max(1e-12)
                }
            };
            if !ok {
                failures.push(format!(
                    "{} {name}: got {got:e}, reference {}",
                    case.get("name").unwrap_or(&case["seed"]),
                    v["value"]
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    checked
}

#[test]
fn eval_matches_the_mpmath_reference() {
    let n = check_file(include_str!("reference/reference.json"));
    assert!(n >= 1500, "only {n} reference values");
}

#[test]
fn eval_matches_the_extreme_reference() {
    // make_extreme.py: tiny weights, separations to 1e5, std ratios 1e4, q far in the tails,
    // α and orders next to their poles, 8 components, KSD under a wide q.
    let n = check_file(include_str!("reference/extreme.json"));
    assert!(n >= 50, "only {n} extreme reference values");
}
