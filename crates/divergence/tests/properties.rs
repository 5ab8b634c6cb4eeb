//! Property tests over the public API with arbitrary f64 inputs: every call returns a value
//! or a typed error, never panics; valid input never yields NaN; divergences are ≥ 0.

use divergence::{
    eval, eval_grad, landscape, minima, pressure, Component, Divergence, Gaussian, Grid, Params,
    Target,
};
use proptest::prelude::*;

/// Any f64 a caller could pass, weighted towards the awkward ones.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MIN_POSITIVE / 4.0),
        Just(1e300),
        Just(-1e300),
        Just(1e-300),
        -1e9..1e9f64,
        any::<f64>(),
    ]
}

fn valid_component() -> impl Strategy<Value = Component> {
    (1e-4..1.0f64, -50.0..50.0f64, 0.05..50.0f64).prop_map(|(weight, mean, std)| Component {
        weight,
        mean,
        std,
    })
}

/// Valid but extreme: the full accepted domain, not just the accuracy domain.
fn extreme_component() -> impl Strategy<Value = Component> {
    (1e-6..1e6f64, -1e8..1e8f64, -8.0..8.0f64).prop_map(|(weight, mean, ls)| Component {
        weight,
        mean,
        std: 10f64.powf(ls),
    })
}

fn cheap_divergences(p: &Params) -> Vec<Divergence> {
    Divergence::all(p)
        .unwrap()
        .into_iter()
        .filter(|d| !matches!(d, Divergence::Ksd { .. }))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn construction_never_panics(ws in prop::collection::vec((any_f64(), any_f64(), any_f64()), 0..11),
                                 mu in any_f64(), sigma in any_f64()) {
        let comps: Vec<Component> = ws.iter().map(|&(weight, mean, std)| Component { weight, mean, std }).collect();
        if let Ok(t) = Target::new(&comps) {
            prop_assert!((1..=8).contains(&t.len()));
            let total: f64 = t.components().iter().map(|c| c.weight).sum();
            prop_assert!((total - 1.0).abs() < 1e-12);
        }
        let _ = Gaussian::new(mu, sigma);
        let _ = Target::parse(&format!("{mu}:{sigma}:{mu}"));
    }

    #[test]
    fn params_are_validated(a in any_f64(), o in any_f64(), b in any_f64(), c in any_f64(), k in any_f64()) {
        let p = Params { alpha: a, order: o, bandwidth: b, kernel_c: c, kernel_beta: k };
        match p.validate() {
            Ok(()) => prop_assert!([a, o, b, c, k].iter().all(|v| v.is_finite())),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn valid_input_gives_no_nan_and_no_negative(
        comps in prop::collection::vec(valid_component(), 1..9),
        mu in -50.0..50.0f64, ls in -1.3..1.7f64,
        alpha in -3.0..3.0f64, order in 0.05..5.0f64,
    ) {
        let p = Target::new(&comps).unwrap();
        let q = Gaussian::new(mu, 10f64.powf(ls)).unwrap();
        let params = Params { alpha, order, ..Params::default() };
        for d in cheap_divergences(&params) {
            let v = eval(&p, &q, &d);
            prop_assert!(!v.is_nan() && v >= 0.0, "{} = {v}", d.name());
            let [g, gm, gs]: [f64; 3] = eval_grad(&p, &q, &d).into();
            prop_assert!(!g.is_nan());
            if g.is_finite() {
                prop_assert!(gm.is_finite() && gs.is_finite(), "{} gradient {gm} {gs}", d.name());
            }
            for v in pressure(&p, &q, &d, &[mu - 100.0, mu, mu + 1e4]) {
                prop_assert!(!v.is_nan(), "{} pressure NaN", d.name());
            }
        }
    }

    #[test]
    fn extreme_valid_input_returns(
        comps in prop::collection::vec(extreme_component(), 1..9),
        mu in -1e8..1e8f64, ls in -8.0..8.0f64,
    ) {
        let p = Target::new(&comps).unwrap();
        let q = Gaussian::new(mu, 10f64.powf(ls)).unwrap();
        // `ksd`'s exact double integral takes seconds on such views: checked separately.
        for d in cheap_divergences(&Params::default()) {
            let v = eval(&p, &q, &d);
            prop_assert!(!v.is_nan() && v >= 0.0, "{} = {v} at {comps:?} {q:?}", d.name());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn extreme_ksd_returns(
        comps in prop::collection::vec(extreme_component(), 1..4),
        mu in -1e8..1e8f64, ls in -8.0..8.0f64,
    ) {
        let p = Target::new(&comps).unwrap();
        let q = Gaussian::new(mu, 10f64.powf(ls)).unwrap();
        let v = eval(&p, &q, &Divergence::Ksd { c: 1.0, beta: 0.5 });
        prop_assert!(!v.is_nan() && v >= 0.0, "ksd = {v} at {comps:?} {q:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn landscapes_and_minima_return(
        comps in prop::collection::vec(valid_component(), 1..5),
        lo in -60.0..0.0f64, w in 0.5..60.0f64, s0 in 0.05..5.0f64, sw in 0.1..20.0f64,
        log_sigma in any::<bool>(),
    ) {
        let p = Target::new(&comps).unwrap();
        let g = Grid::new((lo, lo + w), (s0, s0 + sw), 9, 7, log_sigma).unwrap();
        for d in cheap_divergences(&Params::default()) {
            let l = landscape(&p, &d, &g);
            prop_assert!(l.values.iter().all(|v| !v.is_nan() && *v >= 0.0), "{}", d.name());
            for m in minima(&p, &d, &l) {
                prop_assert!(m.value.is_finite() && m.sigma > 0.0);
            }
        }
    }
}
