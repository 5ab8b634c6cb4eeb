//! Gradients against central finite differences; pressure against the pointwise derivative
//! of each integrand and against far-tail values; minima and descent on the post's target.

use divergence::{
    basins, candidates, descend, eval, eval_grad, landscape, minima, pressure, Component,
    Descender, Divergence, Gaussian, Grid, Params, Target,
};

fn all() -> Vec<Divergence> {
    let mut ds = Divergence::all(&Params::default()).unwrap();
    for alpha in [-2.0, 0.6, 2.5] {
        ds.push(Divergence::Amari { alpha });
    }
    for order in [0.3, 2.0] {
        ds.push(Divergence::Renyi { order });
    }
    ds
}

#[test]
fn gradients_match_finite_differences() {
    let p = Target::parse("0.3:-2:0.5,0.7:1.5:1.3").unwrap();
    for (mu, sg) in [(0.4, 1.1), (-2.5, 0.7), (3.0, 1.25)] {
        for d in all() {
            let [v, gm, gs]: [f64; 3] = eval_grad(&p, &Gaussian::new(mu, sg).unwrap(), &d).into();
            if !v.is_finite() {
                continue;
            }
            let f = |m: f64, s: f64| eval(&p, &Gaussian::new(m, s).unwrap(), &d);
            let h = 1e-5;
            let fm = (f(mu + h, sg) - f(mu - h, sg)) / (2.0 * h);
            let fs = (f(mu, sg + h) - f(mu, sg - h)) / (2.0 * h);
            let scale = 1e-6 * (1.0 + v.abs());
            assert!(
                (gm - fm).abs() < scale + 1e-6 * fm.abs(),
                "{} ∂μ at ({mu},{sg}): {gm} vs {fm}",
                d.name()
            );
            assert!(
                (gs - fs).abs() < scale + 1e-6 * fs.abs(),
                "{} ∂σ at ({mu},{sg}): {gs} vs {fs}",
                d.name()
            );
        }
    }
}

/// −∂/∂q of the f-divergence integrand q·f(p/q), by central differences in the value q,
/// shifted so that it is 0 at q = p: SPEC §3's ψ.
#[test]
fn f_divergence_pressure_is_minus_the_integrand_derivative() {
    let p = Target::parse("0.4:-1:0.6,0.6:2:1.0").unwrap();
    let q = Gaussian::new(0.5, 1.4).unwrap();
    let xs = [-3.0, -1.0, 0.0, 0.7, 2.0, 3.5];
    type F = fn(f64) -> f64;
    let gens: Vec<(&str, F)> = vec![
        ("forward_kl", |r| r * r.ln()),
        ("reverse_kl", |r| -r.ln()),
        ("jensen_shannon", |r| {
            0.5 * (r * (2.0 * r / (1.0 + r)).ln() + (2.0 / (1.0 + r)).ln())
        }),
        ("hellinger", |r| 0.5 * (r.sqrt() - 1.0).powi(2)),
        ("total_variation", |r| 0.5 * (r - 1.0).abs()),
        ("pearson_chi2", |r| (r - 1.0).powi(2)),
        ("neyman_chi2", |r| (r - 1.0).powi(2) / r),
        ("amari", |r| 4.0 * (1.0 - r.sqrt())),
    ];
    for (name, f) in gens {
        let d = Divergence::new(name, &Params::default()).unwrap();
        let psi = pressure(&p, &q, &d, &xs);
        let minus_deriv = |pv: f64, qv: f64| {
            let g = |qq: f64| qq * f(pv / qq);
            let h = 1e-6 * qv;
            -(g(qv + h) - g(qv - h)) / (2.0 * h)
        };
        for (k, &x) in xs.iter().enumerate() {
            let (pv, qv) = (p.log_pdf(x).exp(), q.log_pdf(x).exp());
            let want = minus_deriv(pv, qv) - minus_deriv(qv, qv);
            assert!(
                (psi[k] - want).abs() < 1e-6 * (1.0 + want.abs()),
                "{name} at {x}: {} vs {want}",
                psi[k]
            );
        }
    }
}

/// For the non-f divergences ψ = −δD/δq: discretise q on a grid, perturb one cell, and
/// compare the change in D (from the exact evaluator on the perturbed density).
#[test]
fn mmd_and_ksd_pressure_match_their_functional_derivatives() {
    let p = Target::parse("0.5:-2:0.8,0.5:2:0.8").unwrap();
    let q = Gaussian::new(0.5, 1.3).unwrap();
    let n = 2001;
    let (lo, hi) = (q.mu - 10.0 * q.sigma, q.mu + 10.0 * q.sigma);
    let h = (hi - lo) / (n - 1) as f64;
    let xs: Vec<f64> = (0..n).map(|k| lo + k as f64 * h).collect();
    let qw: Vec<f64> = xs.iter().map(|&x| q.log_pdf(x).exp() * h).collect();
    let s: Vec<f64> = xs.iter().map(|&x| p.log_pdf_derivs(x).1).collect();
    // δ/δq(x_i) of ∫∫ q q u = 2 Σ_j q_j h u(x_i, x_j): so ψ = −2 E_q[u(x, ·)].
    let ksd = Divergence::Ksd { c: 1.0, beta: 0.5 };
    let probe = [-2.0, 0.0, 1.0, 3.0];
    let psi = pressure(&p, &q, &ksd, &probe);
    for (k, &x) in probe.iter().enumerate() {
        let sx = p.log_pdf_derivs(x).1;
        let want: f64 = -2.0
            * (0..n)
                .map(|j| qw[j] * divergence::imq_stein(x, xs[j], sx, s[j], 1.0, 0.5))
                .sum::<f64>();
        assert!(
            (psi[k] - want).abs() < 1e-8 * (1.0 + want.abs()),
            "ksd ψ({x}): {} vs {want}",
            psi[k]
        );
    }
    // MMD: δ/δq(x) of E_pp + E_qq − 2E_pq is 2E_q k(x,·) − 2E_p k(x,·).
    let mmd = Divergence::Mmd { bandwidth: 1.0 };
    let psi = pressure(&p, &q, &mmd, &probe);
    for (k, &x) in probe.iter().enumerate() {
        let kx = |y: f64| (-(x - y) * (x - y) / 2.0).exp();
        let eq: f64 = (0..n).map(|j| qw[j] * kx(xs[j])).sum();
        let big = 4001;
        let (a, b) = (-12.0, 12.0);
        let hh = (b - a) / (big - 1) as f64;
        let ep: f64 = (0..big)
            .map(|j| {
                let y = a + j as f64 * hh;
                p.log_pdf(y).exp() * kx(y) * hh
            })
            .sum();
        let want = 2.0 * (ep - eq);
        assert!(
            (psi[k] - want).abs() < 1e-9,
            "mmd ψ({x}): {} vs {want}",
            psi[k]
        );
    }
}

#[test]
fn pressure_in_far_tails_is_large_or_inf_never_nan() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let q = Gaussian::new(0.0, 1.0).unwrap();
    // At x = 45, q = e^−1013 underflows but ln(p/q) = 2025/2 − 41²/2 − ln 2 = 172 − ln 2.
    let d = (45.0f64 * 45.0 - 41.0 * 41.0) / 2.0 - std::f64::consts::LN_2;
    let f = Divergence::ForwardKl;
    let r = Divergence::ReverseKl;
    let got = pressure(&p, &q, &f, &[45.0, 1000.0]);
    assert!(
        (got[0] - d.exp()).abs() < 1e-11 * d.exp(),
        "{} vs {}",
        got[0],
        d.exp()
    );
    assert_eq!(got[1], f64::INFINITY);
    let got = pressure(&p, &q, &r, &[45.0, 1000.0]);
    assert!((got[0] - d).abs() < 1e-11 * d);
    assert!(
        (got[1] - ((1e6 - 996.0 * 996.0) / 2.0 - std::f64::consts::LN_2)).abs() < 1e-9 * got[1]
    );
    for dv in all() {
        for v in pressure(&p, &q, &dv, &[-1e4, -60.0, 0.0, 60.0, 1e4]) {
            assert!(!v.is_nan(), "{} gives NaN", dv.name());
        }
    }
}

#[test]
fn post_minima_and_descent() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 48, 48, false).unwrap();
    let rkl = Divergence::ReverseKl;
    let m = minima(&p, &rkl, &landscape(&p, &rkl, &grid));
    // Two global minima at the modes and a third, shallow one at (0, 3.4727), checked by
    // perturbing it: D rises by ≥ 1e-4 in every direction.
    assert_eq!(m.len(), 3, "{m:?}");
    assert!(
        m[2].mu.abs() < 1e-6 && (m[2].sigma - 3.4727).abs() < 1e-4,
        "{m:?}"
    );
    for (dm, ds) in [(0.05, 0.0), (-0.05, 0.0), (0.0, 0.07), (0.0, -0.07)] {
        let v = eval(
            &p,
            &Gaussian::new(m[2].mu + dm, m[2].sigma + ds).unwrap(),
            &rkl,
        );
        assert!(v > m[2].value + 1e-4);
    }
    let (a, b) = (m[0], m[1]);
    for x in [a, b] {
        assert!(
            (x.mu.abs() - 3.9996).abs() < 1e-4 && (x.sigma - 1.0008).abs() < 1e-4,
            "{x:?}"
        );
        assert!((x.value - 0.693053).abs() < 1e-6, "{x:?}");
    }
    assert!(
        (a.mu + b.mu).abs() < 1e-6,
        "the two minima mirror each other"
    );
    let fkl = Divergence::ForwardKl;
    let m = minima(&p, &fkl, &landscape(&p, &fkl, &grid));
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].mu.abs() < 1e-6 && (m[0].sigma - 17f64.sqrt()).abs() < 1e-6,
        "{m:?}"
    );
    assert!((m[0].value - 0.723553).abs() < 1e-6);
    // Descent from the right half ends in the right mode; every step lowers D.
    let d = descend(&p, &rkl, 2.0, 1.5, 200);
    assert!(d.converged);
    let last = d.path.last().unwrap();
    assert!((last[0] - 3.9996).abs() < 1e-4, "{last:?}");
    assert!(d.path.windows(2).all(|w| w[1][2] <= w[0][2] + 1e-12));
}

#[test]
fn stepwise_descent_matches_descend_and_plateaus_give_no_candidates() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let js = Divergence::JensenShannon;
    let whole = descend(&p, &js, 1.0, 2.5, 60);
    let mut d = Descender::new(&p, &js, 1.0, 2.5, 60);
    // A call is one evaluation's worth: a Newton step takes its four Hessian gradients and at
    // least one line-search trial, and adds at most one iterate.
    let mut calls = 0;
    loop {
        let before = d.path().len();
        let done = d.step(&p, &js);
        calls += 1;
        assert!(d.path().len() <= before + 1, "one iterate at most a call");
        if done {
            break;
        }
    }
    assert!(calls >= 5 * (d.path().len() - 1), "{calls} calls");
    let stepped = d.into_descent();
    assert_eq!(stepped.path, whole.path);
    assert_eq!(stepped.converged, whole.converged);
    assert!(whole.converged);

    // Disjoint supports: JS is ln 2 to rounding over most of this view. Those flat cells are
    // not minima; the real ones (q on either component) still are.
    let p = Target::new(&[
        Component {
            weight: 1e-6,
            mean: 0.0,
            std: 1.0,
        },
        Component {
            weight: 1.0,
            mean: 1000.0,
            std: 1e-3,
        },
    ])
    .unwrap();
    let grid = Grid::new((-1000.0, 1000.0), (1e-3, 1e3), 128, 96, false).unwrap();
    let c = candidates(&landscape(&p, &js, &grid));
    assert!(!c.is_empty() && c.len() <= 2, "{c:?}");
}

#[test]
fn basins_split_reverse_kl_at_zero_and_forward_kl_has_one() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 57, 37, false).unwrap();
    let rkl = Divergence::ReverseKl;
    let land = landscape(&p, &rkl, &grid);
    let mins = minima(&p, &rkl, &land);
    let b = basins(&p, &rkl, &land, &mins);
    let nm = grid.mu.len();
    let side =
        |k: usize| b[k].map(|m| mins[m].mu.signum() as i32 * (mins[m].mu.abs() > 1.0) as i32);
    let (mut left, mut right) = (0, 0);
    for (k, &lab) in b.iter().enumerate() {
        let mu = grid.mu[k % nm];
        assert!(lab.is_some(), "cell {k} (μ = {mu}) has no basin");
        // Left of 0 drains to the left mode (or the shallow central minimum), right to the right.
        if mu < -1e-9 {
            assert_ne!(side(k), Some(1), "cell at μ = {mu} went right");
            left += (side(k) == Some(-1)) as usize;
        } else if mu > 1e-9 {
            assert_ne!(side(k), Some(-1), "cell at μ = {mu} went left");
            right += (side(k) == Some(1)) as usize;
        }
    }
    assert_eq!(left, right, "the split is symmetric");
    assert!(
        left > b.len() / 4,
        "{left} of {} cells in the left basin",
        b.len()
    );

    let fkl = Divergence::ForwardKl;
    let land = landscape(&p, &fkl, &grid);
    let mins = minima(&p, &fkl, &land);
    assert_eq!(mins.len(), 1);
    assert!(basins(&p, &fkl, &land, &mins).iter().all(|&l| l == Some(0)));
}

#[test]
fn gradient_flow_goes_downhill_to_the_mode_on_its_side() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let rkl = Divergence::ReverseKl;
    for (mu0, side) in [(1.0, 1.0), (-0.5, -1.0), (6.0, 1.0)] {
        let cell = (14.0 / 127.0, 4.5 / 95.0);
        let mut d = Descender::gradient_flow(&p, &rkl, (mu0, 2.0), cell, divergence::FLOW_STEPS);
        while !d.step(&p, &rkl) {}
        let d = d.into_descent();
        assert!(d.converged, "from μ = {mu0}");
        let end = d.path.last().unwrap();
        assert!(
            (end[0] - side * 3.9996017).abs() < 1e-6,
            "from μ = {mu0}: {end:?}"
        );
        assert!((end[1] - 1.0007963).abs() < 1e-6, "{end:?}");
        assert!(d.path.windows(2).all(|w| w[1][2] <= w[0][2] + 1e-12));
    }
}

#[test]
fn grid_minima_land_within_a_fraction_of_a_cell() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 44, 33, false).unwrap();
    let (dmu, dsigma) = grid.cell();
    for d in [
        Divergence::ReverseKl,
        Divergence::ForwardKl,
        Divergence::Hellinger,
    ] {
        let land = landscape(&p, &d, &grid);
        let quick = divergence::grid_minima(&land);
        let exact = minima(&p, &d, &land);
        assert_eq!(quick.len(), exact.len(), "{}", d.name());
        // Mirror minima tie in value, so their order is rounding's: pair each with the
        // nearest refined one.
        for a in &quick {
            let b = exact
                .iter()
                .min_by(|x, y| {
                    let dist = |m: &&divergence::Minimum| (m.mu - a.mu).hypot(m.sigma - a.sigma);
                    dist(x).total_cmp(&dist(y))
                })
                .unwrap();
            assert!(
                (a.mu - b.mu).abs() < 0.25 * dmu,
                "{}: {a:?} vs {b:?}",
                d.name()
            );
            assert!(
                (a.sigma - b.sigma).abs() < 0.25 * dsigma,
                "{}: {a:?} vs {b:?}",
                d.name()
            );
            assert!(
                (a.value - b.value).abs() < 0.01 * b.value,
                "{}: {a:?} vs {b:?}",
                d.name()
            );
        }
    }
}

#[test]
fn ksd_pressure_on_a_grid_matches_quadrature_per_point() {
    // The FFT over a uniform x grid against the adaptive quadrature per x (single points).
    for (t, mu, sigma, c, beta, lo, hi) in [
        ("0.5:-4:1,0.5:4:1", 0.0, 2.0, 1.0, 0.5, -8.0, 8.0),
        ("0.3:-2:0.5,0.7:3:1.5", 1.0, 0.7, 0.6, 0.8, -6.0, 9.0),
        (
            "0.2:0:1,0.5:6:2,0.3:-5:0.8",
            -1.0,
            4.0,
            2.0,
            0.3,
            -20.0,
            15.0,
        ),
    ] {
        let p = Target::parse(t).unwrap();
        let q = Gaussian::new(mu, sigma).unwrap();
        let ksd = Divergence::Ksd { c, beta };
        let xs: Vec<f64> = (0..=50).map(|k| lo + (hi - lo) * k as f64 / 50.0).collect();
        let grid = pressure(&p, &q, &ksd, &xs);
        let scale = grid.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        for (&x, &g) in xs.iter().zip(&grid) {
            let want = pressure(&p, &q, &ksd, &[x])[0];
            assert!(
                (g - want).abs() <= 1e-6 * want.abs().max(1e-3 * scale),
                "{t} q = ({mu}, {sigma}) x = {x}: grid {g} vs quadrature {want}"
            );
        }
    }
}
