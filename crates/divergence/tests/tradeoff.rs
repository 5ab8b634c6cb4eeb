//! The ψ trade-off: the closed form's limits, and the flip computed from actual densities
//! against ψ*(m, β) for well-separated modes.

use divergence::tradeoff::{amari_between, preference, psi_star};
use divergence::{eval, Component, Divergence, Gaussian, Target};

#[test]
fn psi_star_limits_and_the_posts_numbers() {
    let inf = f64::INFINITY;
    assert!((psi_star(inf, 0.0) - (-1.0f64).exp()).abs() < 1e-15);
    assert!((psi_star(inf, 0.5) - 0.25).abs() < 1e-15);
    assert_eq!(psi_star(inf, 1.0), 0.0);
    assert_eq!(psi_star(3.0, 1.0), 0.0);
    // β → 0 and m → ∞ approach the limits continuously.
    for m in [1.0, 2.0, 5.0, 10.0] {
        assert!(
            (psi_star(m, 1e-7) - psi_star(m, 0.0)).abs() < 1e-6,
            "m = {m}"
        );
        let direct = (m * (1.0 + 1.0 / m).powf(0.5) - m).powi(2);
        assert!((psi_star(m, 0.5) - direct).abs() < 1e-14, "m = {m}");
    }
    assert!((psi_star(1e9, 0.3) - psi_star(inf, 0.3)).abs() < 1e-8);
    // m = 1, β = ½: (√2 − 1)² ≈ 0.1716.
    assert!((psi_star(1.0, 0.5) - (2f64.sqrt() - 1.0).powi(2)).abs() < 1e-15);
}

#[test]
fn amari_between_mixtures_matches_eval_for_a_gaussian_q() {
    let p = Target::parse("0.3:-2:0.7,0.7:1.5:1.2").unwrap();
    let q = Target::parse("1:0.4:1.9").unwrap();
    let g = Gaussian::new(0.4, 1.9).unwrap();
    for (beta, div) in [
        (0.0, Divergence::ReverseKl),
        (1.0, Divergence::ForwardKl),
        (0.25, Divergence::Amari { alpha: -0.5 }),
        (0.5, Divergence::Amari { alpha: 0.0 }),
    ] {
        let (a, b) = (amari_between(&p, &q, beta), eval(&p, &g, &div));
        assert!((a - b).abs() <= 1e-11 * b, "β = {beta}: {a} vs {b}");
    }
}

#[test]
fn amari_between_nearly_equal_densities_keeps_its_digits() {
    // Two unit Gaussians δ apart: D_β = (1 − e^(−β(1−β)δ²/2))/(β(1−β)), KL = δ²/2. As δ → 0
    // the integrand is a difference of nearly equal terms; summed as such its rounding
    // noise (~1e-16 of p) swamps D ~ δ² (and the adaptive rule subdivides to its limit).
    let p = Target::parse("1:0:1").unwrap();
    for delta in [1e-2f64, 1e-4, 1e-6] {
        let q = Target::parse(&format!("1:{delta}:1")).unwrap();
        for beta in [0.0, 0.3, 0.5, 0.9, 1.0] {
            let b = beta * (1.0 - beta);
            let exact = if b == 0.0 {
                0.5 * delta * delta
            } else {
                -(-0.5 * b * delta * delta).exp_m1() / b
            };
            let a = amari_between(&p, &q, beta);
            assert!(
                (a - exact).abs() <= 1e-10 * exact,
                "δ = {delta}, β = {beta}: {a} vs {exact}"
            );
        }
    }
}

#[test]
fn computed_flip_matches_psi_star_for_separated_modes() {
    for m in [1usize, 2] {
        let mut comps: Vec<Component> = (0..m)
            .map(|k| Component {
                weight: 1.0,
                mean: 30.0 * k as f64,
                std: 1.0,
            })
            .collect();
        comps.push(Component {
            weight: 0.2,
            mean: -30.0,
            std: 1.0,
        });
        let p = Target::new(&comps).unwrap();
        for beta in [0.25, 0.5, 0.75] {
            let pref = preference(&p, beta).unwrap();
            assert_eq!((pref.m, pref.light), (m, m));
            assert!((pref.psi - 0.2).abs() < 1e-12);
            assert!(
                (pref.flip - psi_star(m as f64, beta)).abs() < 1e-3,
                "m = {m}, β = {beta}: flip {} vs ψ* {}",
                pref.flip,
                psi_star(m as f64, beta)
            );
            // Below the flip the heavy-only fit is better, above it the all-modes fit.
            assert_eq!(
                pref.psi > pref.flip,
                pref.all_modes < pref.heavy_only,
                "{pref:?}"
            );
        }
    }
}

#[test]
fn tradeoffs_compute_each_flip_point_once_and_only_the_last_asked_for() {
    use divergence::tradeoff::Tradeoffs;
    let p = Target::parse("0.45:-4:1,0.45:4:1,0.1:0:1").unwrap();
    let q = Target::parse("0.45:-4:1,0.45:4:1,0.1:0.5:1").unwrap();
    let mut t = Tradeoffs::default();
    assert_eq!(t.ready(&p, 0.5), Ok(None));
    assert!(t.pending() && t.step());
    // Other shapes asked for: the first flip point is dropped unfinished.
    assert_eq!(t.ready(&q, 0.5), Ok(None));
    while t.step() {}
    assert_eq!(t.revision(), 1);
    assert_eq!(t.ready(&q, 0.5), Ok(Some(preference(&q, 0.5).unwrap())));
    // New weights, same shapes and β: the flip point is kept, no work.
    let w = Target::parse("0.4:-4:1,0.4:4:1,0.2:0.5:1").unwrap();
    assert_eq!(t.ready(&w, 0.5), Ok(Some(preference(&w, 0.5).unwrap())));
    assert!(!t.pending());
    // One component has no trade-off: an Error, every time, and nothing under way.
    let one = Target::parse("1:0:1").unwrap();
    assert!(t.ready(&one, 0.5).is_err() && t.ready(&one, 0.5).is_err() && !t.pending());
}
