//! Flows of q as a free density: Fisher–Rao against the closed forms of both KLs, order of
//! convergence, Wasserstein under refinement of x and t, mass, positivity, dissipation of D,
//! and refusals.

use divergence::flow::{flow, mode_masses, Flow, FlowError, FlowOptions, Geometry};
use divergence::{Divergence, Gaussian, Params, Target};

const POST: &str = "0.5:-4:1,0.5:4:1";

fn post() -> Target {
    Target::parse(POST).unwrap()
}

fn q0() -> Gaussian {
    Gaussian::new(4.0, 1.0).unwrap()
}

/// ∫_{x<0} q on the grid: cells left of 0 and half the cell at 0.
fn mass_below_zero(x: &[f64], q: &[f64]) -> f64 {
    let dx = x[1] - x[0];
    x.iter()
        .zip(q)
        .map(|(&v, &d)| {
            if v < -1e-12 {
                d
            } else if v.abs() <= 1e-12 {
                0.5 * d
            } else {
                0.0
            }
        })
        .sum::<f64>()
        * dx
}

/// Composite Simpson of f over [a, b] with n (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        s += f(a + h * i as f64) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

fn opts() -> FlowOptions {
    FlowOptions {
        x_range: Some((-12.0, 12.0)),
        ..FlowOptions::default()
    }
}

#[test]
fn fisher_rao_kls_match_their_closed_forms() {
    let p = post();
    let q = q0();
    let times = [1.0, 4.0];
    let fwd = flow(
        &p,
        &Divergence::ForwardKl,
        q,
        Geometry::FisherRao,
        &times,
        opts(),
    )
    .unwrap();
    let rev = flow(
        &p,
        &Divergence::ReverseKl,
        q,
        Geometry::FisherRao,
        &times,
        opts(),
    )
    .unwrap();
    let pd = |x: f64| p.log_pdf(x).exp();
    let qd = |x: f64| q.log_pdf(x).exp();
    for (i, &t) in times.iter().enumerate() {
        let e = (-t).exp();
        // Forward: e^{−t}q₀ + (1 − e^{−t})p, integrated independently by Simpson.
        let want_f = simpson(|x| e * qd(x) + (1.0 - e) * pd(x), -30.0, 0.0, 60_000);
        // Reverse: q₀^{e^{−t}} p^{1−e^{−t}}, normalised.
        let g = |x: f64| (e * q.log_pdf(x) + (1.0 - e) * p.log_pdf(x)).exp();
        let want_r = simpson(g, -30.0, 0.0, 60_000) / simpson(g, -30.0, 30.0, 120_000);
        let got_f = mass_below_zero(&fwd.x, &fwd.q[i]);
        let got_r = mass_below_zero(&rev.x, &rev.q[i]);
        // (The grid's cut at 0 is a trapezoid end: O(dx²·q′(0)) ≈ 3e-9.)
        assert!(
            (got_f - want_f).abs() < 1e-8,
            "forward t={t}: {got_f} vs {want_f}"
        );
        assert!(
            (got_r - want_r).abs() < 1e-8,
            "reverse t={t}: {got_r} vs {want_r}"
        );
        // Either side of 0 to 1e-6 against NUMERICS' checked numbers.
        let (nf, nr) = if t == 1.0 {
            (0.316072, 5.1214e-4)
        } else {
            (0.490843, 0.359999)
        };
        assert!((got_f - nf).abs() < 1e-6 && ((1.0 - got_f) - (1.0 - nf)).abs() < 1e-6);
        assert!((got_r - nr).abs() < 1e-6, "reverse t={t}: {got_r} vs {nr}");
        // Pointwise too.
        let z: f64 = rev.x.iter().map(|&x| g(x)).sum::<f64>() * (rev.x[1] - rev.x[0]);
        for (k, &x) in fwd.x.iter().enumerate() {
            let f = e * qd(x) + (1.0 - e) * pd(x);
            assert!((fwd.q[i][k] - f).abs() < 1e-9 * (1.0 + f), "forward at {x}");
            assert!(
                (rev.q[i][k] - g(x) / z).abs() < 1e-9 * (1.0 + g(x) / z),
                "reverse at {x}"
            );
        }
    }
}

#[test]
fn fisher_rao_amari_limits_are_the_kls_and_mode_masses_follow() {
    let p = post();
    let times = [0.5, 1.0, 4.0];
    let fwd = flow(
        &p,
        &Divergence::ForwardKl,
        q0(),
        Geometry::FisherRao,
        &times,
        opts(),
    )
    .unwrap();
    let a1 = flow(
        &p,
        &Divergence::Amari { alpha: 1.0 },
        q0(),
        Geometry::FisherRao,
        &times,
        opts(),
    )
    .unwrap();
    let rev = flow(
        &p,
        &Divergence::ReverseKl,
        q0(),
        Geometry::FisherRao,
        &times,
        opts(),
    )
    .unwrap();
    let am1 = flow(
        &p,
        &Divergence::Amari { alpha: -1.0 },
        q0(),
        Geometry::FisherRao,
        &times,
        opts(),
    )
    .unwrap();
    let max_diff = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    };
    let m0 = {
        let f = Flow::new(
            &p,
            &Divergence::ForwardKl,
            q0(),
            Geometry::FisherRao,
            opts(),
        )
        .unwrap();
        f.mode_masses()
    };
    for (i, &t) in times.iter().enumerate() {
        assert!(max_diff(&fwd.q[i], &a1.q[i]) < 1e-12);
        assert!(max_diff(&rev.q[i], &am1.q[i]) < 1e-12);
        // Forward KL: mass on component k is e^{−t}m₀ₖ + (1 − e^{−t})wₖ.
        let e = (-t).exp();
        let m = mode_masses(&p, &fwd.x, &fwd.q[i]);
        for k in 0..2 {
            assert!((m[k] - (e * m0[k] + (1.0 - e) * 0.5)).abs() < 1e-9, "{m:?}");
        }
        assert!((m[0] + m[1] - 1.0).abs() < 1e-12);
    }
}

/// Mass below 0 at t = 1 for successive refinements; returns the successive differences.
fn refinement(mut run: impl FnMut(usize) -> f64, levels: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..levels).map(&mut run).collect();
    v.windows(2).map(|w| (w[1] - w[0]).abs()).collect()
}

#[test]
fn fisher_rao_general_case_is_second_order_in_time() {
    let p = post();
    for div in [
        Divergence::Hellinger,
        Divergence::Bhattacharyya,
        Divergence::NeymanChi2,
        Divergence::Amari { alpha: 0.5 },
    ] {
        let d = refinement(
            |l| {
                let o = FlowOptions {
                    max_dt: Some(0.05 / 2f64.powi(l as i32)),
                    ..opts()
                };
                let r = flow(&p, &div, q0(), Geometry::FisherRao, &[1.0], o).unwrap();
                mass_below_zero(&r.x, &r.q[0])
            },
            4,
        );
        for w in d.windows(2) {
            let ratio = w[0] / w[1];
            assert!(
                (3.3..4.8).contains(&ratio),
                "{}: differences {d:?}",
                div.name()
            );
        }
    }
}

fn wasserstein_rkl(points: usize, dt: f64) -> divergence::flow::FlowResult {
    let o = FlowOptions {
        points,
        max_dt: Some(dt),
        ..opts()
    };
    flow(
        &post(),
        &Divergence::ReverseKl,
        q0(),
        Geometry::Wasserstein,
        &[1.0],
        o,
    )
    .unwrap()
}

fn ratios(d: &[f64]) -> Vec<f64> {
    d.windows(2).map(|w| w[0] / w[1]).collect()
}

#[test]
fn wasserstein_reverse_kl_converges_under_refinement() {
    let below = |r: &divergence::flow::FlowResult| mass_below_zero(&r.x, &r.q[0]);
    // Halving dx and dt together: backward Euler's first-order time error dominates, so the
    // successive differences halve.
    let both: Vec<_> = (0..4)
        .map(|l| wasserstein_rkl(2000 * (1 << l) + 1, 0.01 / (1 << l) as f64))
        .collect();
    let m: Vec<f64> = both.iter().map(below).collect();
    let d: Vec<f64> = m.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    for r in ratios(&d).into_iter().skip(1) {
        assert!(
            (1.85..2.15).contains(&r),
            "mass below 0 {m:?}, differences {d:?}"
        );
    }
    // Whole densities converge at the same order (L¹ at the common points).
    let l1 = |a: &divergence::flow::FlowResult, b: &divergence::flow::FlowResult| {
        let dx = a.x[1] - a.x[0];
        a.q[0]
            .iter()
            .enumerate()
            .map(|(i, v)| (v - b.q[0][2 * i]).abs())
            .sum::<f64>()
            * dx
    };
    let e: Vec<f64> = both.windows(2).map(|w| l1(&w[0], &w[1])).collect();
    for r in ratios(&e).into_iter().skip(1) {
        assert!((1.85..2.15).contains(&r), "L1 differences {e:?}");
    }
    // Separately: first order in t, second order in x.
    let dt: Vec<f64> = (0..4)
        .map(|l| below(&wasserstein_rkl(2001, 0.01 / (1 << l) as f64)))
        .collect();
    let dd: Vec<f64> = dt.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    for r in ratios(&dd) {
        assert!((1.8..2.2).contains(&r), "dt only: {dt:?}");
    }
    let dxs: Vec<f64> = (0..4)
        .map(|l| below(&wasserstein_rkl(250 * (1 << l) + 1, 1e-3)))
        .collect();
    let dd: Vec<f64> = dxs.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    for r in ratios(&dd) {
        assert!((3.6..4.4).contains(&r), "dx only: {dxs:?}");
    }
    // The barrier holds: ~3.6e-4 of the mass crosses to the other mode by t = 1 (NUMERICS).
    let extrapolated = 2.0 * m[3] - m[2];
    assert!((extrapolated - 3.6e-4).abs() < 0.05e-4, "{m:?}");
    assert!(
        (m[0] - extrapolated).abs() < 1e-7,
        "default-resolution error {}",
        m[0] - extrapolated
    );
}

fn every_available() -> Vec<(Divergence, Geometry)> {
    let params = Params {
        alpha: -2.0,
        order: 0.7,
        ..Params::default()
    };
    let mut out = Vec::new();
    for d in Divergence::all(&params)
        .unwrap()
        .into_iter()
        .chain([Divergence::Amari { alpha: 0.5 }])
    {
        for g in [Geometry::FisherRao, Geometry::Wasserstein] {
            if divergence::flow::available(&d, g).is_ok() {
                out.push((d, g));
            }
        }
    }
    out
}

#[test]
fn mass_is_conserved_and_q_stays_nonnegative() {
    let p = post();
    let avail = every_available();
    assert!(avail.len() >= 16, "{} flows available", avail.len());
    for (d, g) in avail {
        for start in [
            q0(),
            Gaussian::new(-1.0, 0.3).unwrap(),
            Gaussian::new(0.0, 3.0).unwrap(),
        ] {
            let mut f = Flow::new(&p, &d, start, g, opts()).unwrap();
            for t in [0.3, 1.0, 2.5] {
                if let Err(e) = f.advance_to(t) {
                    // Refused only where D(q₀) itself is infinite (χ² against a narrow q₀).
                    assert!(matches!(e, FlowError::Diverged { .. }), "{e}");
                    assert_eq!(divergence::eval(&p, &start, &d), f64::INFINITY, "{e}");
                    break;
                }
                let m = f.raw_mass();
                assert!(
                    (m - 1.0).abs() < 1e-9,
                    "{} {g} from {start:?}: mass {m} at {t}",
                    d.name()
                );
                let q = f.density();
                assert!(
                    q.iter().all(|v| v.is_finite() && *v >= 0.0),
                    "{} {g}",
                    d.name()
                );
            }
        }
    }
}

/// D(q) on the grid for the divergences whose dissipation is checked.
fn energy(div: &Divergence, lp: &[f64], q: &[f64], dx: f64) -> f64 {
    let f = |r: f64| match div {
        Divergence::ReverseKl => -r.ln(),
        Divergence::ForwardKl => r * r.ln(),
        Divergence::Hellinger => 0.5 * (r.sqrt() - 1.0).powi(2),
        Divergence::NeymanChi2 => (1.0 - r).powi(2) / r,
        Divergence::JensenShannon => {
            0.5 * (r * (2.0 * r / (1.0 + r)).ln() + (2.0 / (1.0 + r)).ln())
        }
        Divergence::TotalVariation => 0.5 * (r - 1.0).abs(),
        Divergence::Amari { alpha } => {
            let b = 0.5 * (1.0 + alpha);
            (b + (1.0 - b) * r - r.powf(b)) / (b * (1.0 - b)) * 1.0
        }
        _ => unreachable!(),
    };
    q.iter()
        .zip(lp)
        .filter(|(v, _)| **v > 0.0)
        .map(|(&v, &l)| v * f(l.exp() / v))
        .sum::<f64>()
        * dx
}

#[test]
fn every_flow_dissipates_its_divergence() {
    let p = post();
    for d in [
        Divergence::ReverseKl,
        Divergence::ForwardKl,
        Divergence::Hellinger,
        Divergence::NeymanChi2,
        Divergence::JensenShannon,
        Divergence::TotalVariation,
        Divergence::Amari { alpha: -2.0 },
    ] {
        for g in [Geometry::FisherRao, Geometry::Wasserstein] {
            if divergence::flow::available(&d, g).is_err() {
                continue;
            }
            let mut f = Flow::new(&p, &d, Gaussian::new(2.0, 1.5).unwrap(), g, opts()).unwrap();
            let lp: Vec<f64> = f.x().iter().map(|&x| p.log_pdf(x)).collect();
            let mut last = energy(&d, &lp, &f.density(), f.dx());
            for k in 1..=20 {
                f.advance_to(0.1 * k as f64).unwrap();
                let e = energy(&d, &lp, &f.density(), f.dx());
                assert!(
                    e <= last + 1e-12,
                    "{} {g}: D rose from {last} to {e} at t = {}",
                    d.name(),
                    f.time()
                );
                last = e;
            }
            let e0 = energy(
                &d,
                &lp,
                &Flow::new(&p, &d, Gaussian::new(2.0, 1.5).unwrap(), g, opts())
                    .unwrap()
                    .density(),
                f.dx(),
            );
            assert!(last < e0, "{} {g}: no decrease", d.name());
        }
    }
}

#[test]
fn stepping_matches_one_shot_and_rewinds() {
    let p = post();
    for (d, g) in [
        (Divergence::Hellinger, Geometry::FisherRao),
        (Divergence::ReverseKl, Geometry::Wasserstein),
        (Divergence::JensenShannon, Geometry::Wasserstein),
    ] {
        let one = flow(&p, &d, q0(), g, &[1.3], opts()).unwrap();
        let mut f = Flow::new(&p, &d, q0(), g, opts()).unwrap();
        for k in 1..=13 {
            f.advance_to(0.1 * k as f64).unwrap();
        }
        f.advance_to(1.3).unwrap();
        let step = f.density();
        let diff = one.q[0]
            .iter()
            .zip(&step)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-3, "{} {g}: {diff}", d.name());
        f.advance_to(0.4).unwrap();
        let back = f.density();
        let at = flow(&p, &d, q0(), g, &[0.4], opts()).unwrap();
        let diff = at.q[0]
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            diff < 1e-3 && f.time() == 0.4,
            "{} {g} rewound: {diff}",
            d.name()
        );
    }
}

#[test]
fn q_equal_to_p_stays_put() {
    let p = Target::parse("1:0.5:1.5").unwrap();
    let start = Gaussian::new(0.5, 1.5).unwrap();
    for (d, g) in every_available() {
        let r = flow(
            &p,
            &d,
            start,
            g,
            &[0.0, 2.0],
            FlowOptions {
                x_range: Some((-12.0, 13.0)),
                ..FlowOptions::default()
            },
        )
        .unwrap();
        let diff = r.q[0]
            .iter()
            .zip(&r.q[1])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-9, "{} {g}: moved by {diff}", d.name());
    }
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let p = post();
    let d = Divergence::ReverseKl;
    for times in [
        vec![-1.0],
        vec![f64::NAN],
        vec![1.0, 0.5],
        vec![],
        vec![f64::INFINITY],
    ] {
        let e = flow(&p, &d, q0(), Geometry::FisherRao, &times, opts()).unwrap_err();
        assert!(matches!(e, FlowError::Times(_)), "{times:?}: {e}");
        assert!(e.to_string().starts_with("times: "), "{e}");
    }
    let mut f = Flow::new(&p, &d, q0(), Geometry::FisherRao, opts()).unwrap();
    assert!(matches!(f.advance_to(f64::NAN), Err(FlowError::Times(_))));
    for (div, g) in [
        (Divergence::Mmd { bandwidth: 1.0 }, Geometry::Wasserstein),
        (Divergence::Ksd { c: 1.0, beta: 0.5 }, Geometry::Wasserstein),
        (Divergence::Fisher, Geometry::Wasserstein),
        (Divergence::TotalVariation, Geometry::Wasserstein),
        (Divergence::PearsonChi2, Geometry::Wasserstein),
    ] {
        let e = flow(&p, &div, q0(), g, &[1.0], opts()).unwrap_err();
        assert!(
            matches!(e, FlowError::Unavailable { .. }),
            "{}: {e}",
            div.name()
        );
        assert!(
            e.to_string().contains(div.name()) && e.to_string().contains(g.name()),
            "{e}"
        );
    }
    let o = FlowOptions {
        points: 17,
        ..opts()
    };
    assert!(matches!(
        flow(&p, &d, q0(), Geometry::FisherRao, &[1.0], o),
        Err(FlowError::Points(_))
    ));
    let o = FlowOptions {
        x_range: Some((1.0, -1.0)),
        ..opts()
    };
    assert!(matches!(
        flow(&p, &d, q0(), Geometry::FisherRao, &[1.0], o),
        Err(FlowError::XRange(_))
    ));
    assert!(matches!(
        "sinkhorn".parse::<Geometry>(),
        Err(FlowError::Geometry(_))
    ));
    assert!(matches!(
        flow(
            &p,
            &d,
            Gaussian {
                mu: 0.0,
                sigma: -1.0
            },
            Geometry::FisherRao,
            &[1.0],
            opts()
        ),
        Err(FlowError::Start(_))
    ));
}

#[test]
fn mmd_fisher_rao_follows_its_pressure_and_dissipates() {
    let p = post();
    let d = Divergence::Mmd { bandwidth: 0.7 };
    let start = Gaussian::new(2.0, 1.5).unwrap();
    let o = FlowOptions {
        points: 801,
        ..opts()
    };
    // A tiny step moves ln q by h(ψ − E_q ψ), ψ from the closed-form pressure of SPEC §3.
    let h = 1e-5;
    let r = flow(&p, &d, start, Geometry::FisherRao, &[0.0, h], o).unwrap();
    let psi = divergence::pressure(&p, &start, &d, &r.x);
    let dx = r.x[1] - r.x[0];
    let mean: f64 = r.q[0].iter().zip(&psi).map(|(q, s)| q * s).sum::<f64>() * dx;
    for i in (0..r.x.len()).step_by(40) {
        let rate = (r.q[1][i].ln() - r.q[0][i].ln()) / h;
        assert!(
            (rate - (psi[i] - mean)).abs() < 1e-4,
            "at {}: {rate} vs {}",
            r.x[i],
            psi[i] - mean
        );
    }
    // MMD² (grid double sums) decreases along the flow and mass moves to the far mode.
    let times: Vec<f64> = (0..=10).map(|k| 0.5 * k as f64).collect();
    let r = flow(&p, &d, start, Geometry::FisherRao, &times, o).unwrap();
    let pd: Vec<f64> = r.x.iter().map(|&x| p.log_pdf(x).exp()).collect();
    let k = |a: f64, b: f64| (-(a - b) * (a - b) / (2.0 * 0.49)).exp();
    let mmd2 = |q: &[f64]| {
        let mut s = 0.0;
        for (i, &xi) in r.x.iter().enumerate() {
            for (j, &xj) in r.x.iter().enumerate() {
                s += (pd[i] - q[i]) * (pd[j] - q[j]) * k(xi, xj);
            }
        }
        s * dx * dx
    };
    let e: Vec<f64> = r.q.iter().map(|q| mmd2(q)).collect();
    assert!(e.windows(2).all(|w| w[1] < w[0]), "{e:?}");
    let m = mode_masses(&p, &r.x, &r.q[10]);
    let m0 = mode_masses(&p, &r.x, &r.q[0]);
    assert!(m[0] > m0[0] + 0.05, "{m0:?} → {m:?}");
}

#[test]
fn fisher_divergence_flow_matches_the_oscillator_closed_form() {
    // p = N(0, 1): √q obeys ∂ₜv = 2∂²ₓv − ½(x² − 2 + c)v (imaginary-time oscillator), so a
    // Gaussian stays Gaussian with σ²(t) = tanh(2t + φ₀), φ₀ = artanh σ₀², and
    // μ(t) = μ₀ cosh φ₀ / cosh(2t + φ₀).
    let p = Target::parse("1:0:1").unwrap();
    let (m0, s0) = (2.0, 0.5);
    let o = FlowOptions {
        x_range: Some((-10.0, 10.0)),
        ..FlowOptions::default()
    };
    let times = [0.1, 0.3, 1.0];
    let r = flow(
        &p,
        &Divergence::Fisher,
        Gaussian::new(m0, s0).unwrap(),
        Geometry::FisherRao,
        &times,
        o,
    )
    .unwrap();
    let dx = r.x[1] - r.x[0];
    let phi0 = (s0 * s0).atanh();
    for (i, &t) in times.iter().enumerate() {
        let q = &r.q[i];
        let mean: f64 = r.x.iter().zip(q).map(|(x, v)| x * v).sum::<f64>() * dx;
        let var: f64 =
            r.x.iter()
                .zip(q)
                .map(|(x, v)| (x - mean).powi(2) * v)
                .sum::<f64>()
                * dx;
        let (want_m, want_v) = (
            m0 * phi0.cosh() / (2.0 * t + phi0).cosh(),
            (2.0 * t + phi0).tanh(),
        );
        assert!(
            (mean - want_m).abs() < 2e-3 && (var - want_v).abs() < 2e-3,
            "t={t}: ({mean}, {var}) vs ({want_m}, {want_v})"
        );
        // Still Gaussian: pointwise against N(want_m, want_v).
        let g = Gaussian::new(want_m, want_v.sqrt()).unwrap();
        let err =
            r.x.iter()
                .zip(q)
                .map(|(&x, v)| (v - g.log_pdf(x).exp()).abs())
                .fold(0.0, f64::max);
        assert!(err < 5e-3, "t={t}: {err}");
    }
}

#[test]
fn nonlinear_wasserstein_flows_converge_under_refinement() {
    // Lagged-coefficient backward Euler: between first and second order here (the t and x
    // errors mix); every halving of dx and dt must at least halve the change.
    let p = post();
    for d in [
        Divergence::Hellinger,
        Divergence::JensenShannon,
        Divergence::ForwardKl,
        Divergence::NeymanChi2,
    ] {
        let m: Vec<f64> = (0..4)
            .map(|l| {
                let o = FlowOptions {
                    points: 1000 * (1 << l) + 1,
                    max_dt: Some(0.01 / (1 << l) as f64),
                    ..opts()
                };
                let r = flow(&p, &d, q0(), Geometry::Wasserstein, &[1.0], o).unwrap();
                mass_below_zero(&r.x, &r.q[0])
            })
            .collect();
        let diff: Vec<f64> = m.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        for r in ratios(&diff) {
            assert!(
                r > 2.0,
                "{}: mass below 0 {m:?}, differences {diff:?}",
                d.name()
            );
        }
        assert!(diff[2] < 2e-3 * m[3], "{}: {diff:?}", d.name());
    }
}
