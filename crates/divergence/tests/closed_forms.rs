//! The general quadrature path against independent closed forms, limits and identities.

use divergence::{eval, Divergence, Gaussian, Params, Target};

fn div(name: &str) -> Divergence {
    Divergence::new(name, &Params::default()).unwrap()
}

fn with(name: &str, f: impl FnOnce(&mut Params)) -> Divergence {
    let mut p = Params::default();
    f(&mut p);
    Divergence::new(name, &p).unwrap()
}

fn close(got: f64, want: f64, rel: f64, what: &str) {
    let tol = rel * want.abs().max(1e-3);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e} (diff {:e})",
        got - want
    );
}

/// Pairs of one Gaussian against another, from near-identical to far apart and lopsided.
fn gaussian_pairs() -> Vec<(f64, f64, f64, f64)> {
    vec![
        (0.0, 1.0, 0.3, 1.2),
        (-4.0, 1.0, 0.0, 2.0),
        (2.0, 0.05, 2.01, 0.06),
        (10.0, 3.0, -20.0, 0.5),
        (0.0, 50.0, 30.0, 40.0),
        (1.0, 0.7, 1.0, 0.7 * (1.0 + 1e-6)),
        (-45.0, 0.2, 45.0, 30.0),
    ]
}

/// Rényi divergence of order a between Gaussians, D_a(N(m,s²) ‖ N(μ,σ²)).
fn renyi_gauss(m: f64, s: f64, mu: f64, sg: f64, a: f64) -> f64 {
    let v = a * sg * sg + (1.0 - a) * s * s;
    if v <= 0.0 {
        return f64::INFINITY;
    }
    (sg / s).ln() + (sg * sg / v).ln() / (2.0 * (a - 1.0)) + a * (m - mu).powi(2) / (2.0 * v)
}

#[test]
fn gaussian_closed_forms() {
    for (m, s, mu, sg) in gaussian_pairs() {
        let p = Target::parse(&format!("1:{m}:{s}")).unwrap();
        let q = Gaussian::new(mu, sg).unwrap();
        let at = |d: &Divergence| eval(&p, &q, d);
        let tag = format!("p=N({m},{s}) q=N({mu},{sg})");
        let fkl = (sg / s).ln() + (s * s + (m - mu).powi(2)) / (2.0 * sg * sg) - 0.5;
        let rkl = (s / sg).ln() + (sg * sg + (mu - m).powi(2)) / (2.0 * s * s) - 0.5;
        close(
            at(&div("forward_kl")),
            fkl,
            1e-10,
            &format!("forward_kl {tag}"),
        );
        close(
            at(&div("reverse_kl")),
            rkl,
            1e-10,
            &format!("reverse_kl {tag}"),
        );
        let v2 = s * s + sg * sg;
        let bhat = 0.25 * (m - mu).powi(2) / v2 + 0.5 * (v2 / (2.0 * s * sg)).ln();
        close(
            at(&div("bhattacharyya")),
            bhat,
            1e-10,
            &format!("bhattacharyya {tag}"),
        );
        let hel = -(-bhat).exp_m1();
        close(
            at(&div("hellinger")),
            hel,
            1e-10,
            &format!("hellinger {tag}"),
        );
        close(
            at(&div("amari")),
            4.0 * hel,
            1e-10,
            &format!("amari(0) {tag}"),
        );
        for a in [0.2, 0.5, 0.9, 1.5, 3.0] {
            let want = renyi_gauss(m, s, mu, sg, a);
            let got = at(&with("renyi", |p| p.order = a));
            if want.is_infinite() {
                assert_eq!(got, f64::INFINITY, "renyi {a} {tag}");
            } else {
                close(got, want, 1e-10, &format!("renyi {a} {tag}"));
            }
        }
        let chi = renyi_gauss(m, s, mu, sg, 2.0).exp_m1();
        let got = at(&div("pearson_chi2"));
        if chi.is_infinite() {
            assert_eq!(got, f64::INFINITY);
        } else {
            close(got, chi, 1e-10, &format!("pearson {tag}"));
        }
        let ney = renyi_gauss(mu, sg, m, s, 2.0).exp_m1();
        let got = at(&div("neyman_chi2"));
        if ney.is_infinite() {
            assert_eq!(got, f64::INFINITY);
        } else {
            close(got, ney, 1e-10, &format!("neyman {tag}"));
        }
        let fisher = (sg / (s * s) - 1.0 / sg).powi(2) + (mu - m).powi(2) / s.powi(4);
        close(at(&div("fisher")), fisher, 1e-10, &format!("fisher {tag}"));
        for l in [0.3, 1.0, 7.0] {
            let k = |va: f64| l / (l * l + va).sqrt();
            let cross = k(s * s + sg * sg) * (-(m - mu).powi(2) / (2.0 * (l * l + v2))).exp();
            let want = k(2.0 * s * s) + k(2.0 * sg * sg) - 2.0 * cross;
            let got = at(&with("mmd", |p| p.bandwidth = l));
            assert!((got - want).abs() <= 1e-12 + 1e-12 * want, "mmd {l} {tag}");
        }
    }
}

#[test]
fn divergences_vanish_at_p_equals_q() {
    let p = Target::parse("1:1.5:0.8").unwrap();
    let q = Gaussian::new(1.5, 0.8).unwrap();
    for d in Divergence::all(&Params::default()).unwrap() {
        let v = eval(&p, &q, &d);
        assert!(v.abs() < 1e-12, "{} at p = q: {v:e}", d.name());
    }
}

#[test]
fn alpha_and_order_limits_are_continuous() {
    let p = Target::parse("0.3:-2:0.5,0.7:1.5:1.3").unwrap();
    let q = Gaussian::new(0.4, 1.1).unwrap();
    let fkl = eval(&p, &q, &div("forward_kl"));
    let rkl = eval(&p, &q, &div("reverse_kl"));
    for eps in [1e-3, 1e-6, 1e-9, 1e-12] {
        let up = eval(&p, &q, &with("amari", |p| p.alpha = 1.0 - eps));
        let down = eval(&p, &q, &with("amari", |p| p.alpha = -1.0 + eps));
        // |D(α) − D(±1)| is O(eps): the bound is a generous constant times eps.
        assert!(
            (up - fkl).abs() < 10.0 * eps * fkl + 1e-13,
            "α→1 {eps}: {up} {fkl}"
        );
        assert!(
            (down - rkl).abs() < 10.0 * eps * rkl + 1e-13,
            "α→−1 {eps}: {down} {rkl}"
        );
        let over = eval(&p, &q, &with("amari", |p| p.alpha = 1.0 + eps));
        assert!((over - fkl).abs() < 10.0 * eps * fkl + 1e-13, "α→1+ {eps}");
        let r = eval(&p, &q, &with("renyi", |p| p.order = 1.0 + eps));
        assert!(
            (r - fkl).abs() < 10.0 * eps * fkl + 1e-13,
            "a→1 {eps}: {r} {fkl}"
        );
    }
    assert_eq!(
        eval(&p, &q, &with("amari", |p| p.alpha = 1.0)),
        fkl,
        "α = 1 is forward KL"
    );
    assert_eq!(eval(&p, &q, &with("amari", |p| p.alpha = -1.0)), rkl);
    assert_eq!(eval(&p, &q, &with("renyi", |p| p.order = 1.0)), fkl);
    // bhattacharyya is half of renyi(½); hellinger a quarter of amari(0)
    close(
        eval(&p, &q, &div("bhattacharyya")),
        0.5 * eval(&p, &q, &with("renyi", |p| p.order = 0.5)),
        1e-13,
        "bhattacharyya = renyi(½)/2",
    );
}

#[test]
fn bounds_hold_over_a_sweep() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let ln2 = std::f64::consts::LN_2;
    for mu in [-60.0, -7.0, -4.0, 0.0, 3.3, 50.0] {
        for sg in [0.05, 0.5, 1.0, 4.0, 50.0] {
            let q = Gaussian::new(mu, sg).unwrap();
            let js = eval(&p, &q, &div("jensen_shannon"));
            assert!((0.0..=ln2 + 1e-15).contains(&js), "js {js} at {mu},{sg}");
            let h = eval(&p, &q, &div("hellinger"));
            assert!((0.0..=1.0).contains(&h), "hellinger {h}");
            let tv = eval(&p, &q, &div("total_variation"));
            assert!((0.0..=1.0).contains(&tv), "tv {tv}");
            for d in Divergence::all(&Params::default()).unwrap() {
                let v = eval(&p, &q, &d);
                assert!(v >= 0.0 && !v.is_nan(), "{} at ({mu},{sg}) = {v}", d.name());
            }
        }
    }
}

#[test]
fn divergent_integrals_are_inf() {
    let p = Target::parse("0.5:-4:1,0.5:4:2").unwrap();
    // pearson: finite iff 2/s_max² − 1/σ² > 0 ⇔ σ > s_max/√2 = √2
    let at = |d: &Divergence, sg: f64| eval(&p, &Gaussian::new(0.5, sg).unwrap(), d);
    assert_eq!(at(&div("pearson_chi2"), 1.4), f64::INFINITY);
    assert!(at(&div("pearson_chi2"), 1.45).is_finite());
    // neyman: finite iff σ² < 2 s_max² = 8
    assert!(at(&div("neyman_chi2"), 2.8).is_finite());
    assert_eq!(at(&div("neyman_chi2"), 2.0 * 2f64.sqrt()), f64::INFINITY);
    assert_eq!(at(&div("neyman_chi2"), 2.9), f64::INFINITY);
    // amari α = 1.6 at (−7, 0.5) on the post's target: finite, but about e^944 (NUMERICS)
    let post = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let v = eval(
        &post,
        &Gaussian::new(-7.0, 0.5).unwrap(),
        &with("amari", |p| p.alpha = 1.6),
    );
    assert_eq!(v, f64::INFINITY);
    let v = eval(
        &post,
        &Gaussian::new(-7.0, 0.5).unwrap(),
        &with("amari", |p| p.alpha = 1.2),
    );
    assert!(v.is_finite() && v > 1e10, "{v}");
}

/// Brute-force trapezoid sums on a very fine grid: an independent second method for
/// the divergences without closed forms.
#[test]
fn mixtures_against_brute_force_sums() {
    let p = Target::parse("0.2:-3:0.6,0.5:0.5:1.1,0.3:4:0.8").unwrap();
    // σ = 1.4 keeps neyman_chi2 finite: −1/1.1² + 2/1.4² > 0.
    let q = Gaussian::new(1.0, 1.4).unwrap();
    let n = 400_001;
    let (lo, hi) = (-25.0, 25.0);
    let h = (hi - lo) / (n - 1) as f64;
    let sum = |f: &dyn Fn(f64, f64) -> f64| {
        (0..n)
            .map(|k| {
                let x = lo + k as f64 * h;
                let (lp, lq) = (p.log_pdf(x), q.log_pdf(x));
                let w = if k == 0 || k == n - 1 { 0.5 } else { 1.0 };
                w * f(lp.exp(), lq.exp())
            })
            .sum::<f64>()
            * h
    };
    type Integrand = fn(f64, f64) -> f64;
    let cases: Vec<(&str, Integrand)> = vec![
        ("forward_kl", (|a, b| a * (a / b).ln())),
        ("reverse_kl", (|a, b| b * (b / a).ln())),
        (
            "jensen_shannon",
            (|a, b| {
                let m = 0.5 * (a + b);
                0.5 * (a * (a / m).ln() + b * (b / m).ln())
            }),
        ),
        ("total_variation", (|a, b| 0.5 * (a - b).abs())),
        ("neyman_chi2", (|a, b| (a - b).powi(2) / a)),
    ];
    for (name, f) in cases {
        // TV's kinks limit the trapezoid rule to O(h²) there: ~1e-9 at this h.
        close(eval(&p, &q, &div(name)), sum(&f), 1e-8, name);
    }
    let s = |x: f64| p.log_pdf_derivs(x).1;
    let fsum: f64 = (0..n)
        .map(|k| {
            let x = lo + k as f64 * h;
            let sq = -(x - q.mu) / (q.sigma * q.sigma);
            q.log_pdf(x).exp() * (sq - s(x)).powi(2)
        })
        .sum::<f64>()
        * h;
    close(eval(&p, &q, &div("fisher")), fsum, 1e-9, "fisher");
}

#[test]
fn ksd_against_a_tensor_sum_and_zero_at_p() {
    let d = div("ksd");
    let p1 = Target::parse("1:0.3:1.2").unwrap();
    assert!(eval(&p1, &Gaussian::new(0.3, 1.2).unwrap(), &d).abs() < 1e-10);
    let p = Target::parse("0.5:-2:0.8,0.5:2:0.8").unwrap();
    let q = Gaussian::new(0.5, 1.3).unwrap();
    // Tensor trapezoid over z ∈ [−9, 9]² (spectrally accurate for this smooth integrand).
    let n = 1201;
    let h = 18.0 / (n - 1) as f64;
    let xs: Vec<f64> = (0..n)
        .map(|k| q.mu + q.sigma * (-9.0 + k as f64 * h))
        .collect();
    let w: Vec<f64> = xs
        .iter()
        .map(|&x| q.log_pdf(x).exp() * q.sigma * h)
        .collect();
    let s: Vec<f64> = xs.iter().map(|&x| p.log_pdf_derivs(x).1).collect();
    let mut total = 0.0;
    for i in 0..n {
        for j in 0..n {
            total += w[i] * w[j] * divergence::imq_stein(xs[i], xs[j], s[i], s[j], 1.0, 0.5);
        }
    }
    close(eval(&p, &q, &d), total, 1e-8, "ksd");
}
