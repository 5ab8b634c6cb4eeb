//! Descent geometry: which basin a start drains to under each metric, checked against an
//! independent fine explicit-Euler integration of the continuous flow; Adam; preconditioners
//! against finite differences.

use divergence::metric::{descend_with, DescentOptions, Metric, Optimizer};
use divergence::{eval, eval_grad, Divergence, Gaussian, Target};

fn blog() -> Target {
    Target::parse("0.5:-4:1,0.5:4:1").unwrap()
}

/// Where the continuous flow θ' = −G⁻¹∇D from `start` ends: explicit Euler with moves of at
/// most `h` in the (μ, ln σ) chart, until the flow stalls.
fn euler_end(p: &Target, div: &Divergence, start: (f64, f64), m: Metric, h: f64) -> (f64, f64) {
    let (mut mu, mut s) = start;
    for _ in 0..200_000 {
        let g: [f64; 3] = eval_grad(p, &Gaussian { mu, sigma: s }, div).into();
        // G⁻¹ written out independently of Metric::direction.
        let d = match m {
            Metric::Fisher => [-s * s * g[1], -0.5 * s * s * g[2]],
            Metric::Euclidean => [-g[1], -g[2]],
            Metric::LogSigma => [-g[1], -s * s * g[2]],
        };
        let len = (d[0] * d[0] + (d[1] / s) * (d[1] / s)).sqrt();
        // Inside the final basin's quadratic bowl: the descent's end is within ~len of here.
        if len < 1e-3 {
            break;
        }
        let dt = h / len.max(1.0);
        mu += dt * d[0];
        s += dt * d[1];
    }
    (mu, s)
}

fn end(p: &Target, div: &Divergence, start: (f64, f64), m: Metric, o: Optimizer) -> [f64; 3] {
    let r = descend_with(p, div, start.0, start.1, m, o, DescentOptions::default());
    assert!(r.converged, "{m} {o} from {start:?} did not converge");
    *r.path.last().unwrap()
}

#[test]
fn reverse_kl_basin_depends_on_the_metric() {
    let p = blog();
    let d = Divergence::ReverseKl;
    for (m, want) in [
        (Metric::Fisher, (3.9996, 1.0008)),
        (Metric::Euclidean, (0.0, 3.4727)),
        (Metric::LogSigma, (0.0, 3.4727)),
    ] {
        let e = end(&p, &d, (1.0, 2.0), m, Optimizer::GradientDescent);
        assert!(
            (e[0] - want.0).abs() < 1e-3 && (e[1] - want.1).abs() < 1e-3,
            "{m}: ended at {e:?}, want {want:?}"
        );
        // The continuous flow, integrated independently, drains to the same minimum.
        let f = euler_end(&p, &d, (1.0, 2.0), m, 5e-3);
        assert!(
            (f.0 - e[0]).abs() < 2e-2 && (f.1 - e[1]).abs() < 2e-2,
            "{m}: Euler flow ends at {f:?}, descent at {e:?}"
        );
        // The descent ends on the refined minimum: the gradient vanishes there.
        let g = eval_grad(
            &p,
            &Gaussian {
                mu: e[0],
                sigma: e[1],
            },
            &d,
        );
        assert!(g.d_mu.abs() + g.d_sigma.abs() < 1e-7, "{m}: gradient {g:?}");
    }
}

#[test]
fn forward_kl_has_one_basin_under_every_metric_and_adam() {
    let p = blog();
    let d = Divergence::ForwardKl;
    let want = (0.0, 17f64.sqrt());
    for start in [(1.0, 2.0), (-6.0, 0.6), (5.0, 4.5), (0.3, 0.1)] {
        for (m, o) in [
            (Metric::Fisher, Optimizer::GradientDescent),
            (Metric::Euclidean, Optimizer::GradientDescent),
            (Metric::LogSigma, Optimizer::GradientDescent),
            (Metric::Fisher, Optimizer::Adam),
        ] {
            let e = end(&p, &d, start, m, o);
            assert!(
                (e[0] - want.0).abs() < 1e-6 && (e[1] - want.1).abs() < 1e-6,
                "{m} {o} from {start:?}: {e:?}"
            );
            assert!((e[2] - 0.723553).abs() < 1e-6);
        }
    }
}

#[test]
fn preconditioners_match_finite_differences() {
    let p = blog();
    let d = Divergence::ReverseKl;
    for &(mu, s) in &[(1.0, 2.0), (-3.0, 0.7), (0.5, 4.0)] {
        // Fisher: KL(q_θ ‖ q_{θ+δ}) = ½ δᵀGδ + O(δ³), from the closed form of two Gaussians.
        let kl =
            |m2: f64, s2: f64| (s2 / s).ln() + (s * s + (mu - m2).powi(2)) / (2.0 * s2 * s2) - 0.5;
        let g = Metric::Fisher.tensor(s);
        let e = 1e-4;
        assert!(((2.0 * kl(mu + e, s) / (e * e)) - g[0]).abs() < 1e-5 * g[0]);
        assert!(((2.0 * kl(mu, s + e) / (e * e)) - g[1]).abs() < 1e-3 * g[1]);
        // log-sigma: squared chart distance in (μ, ln σ) over δσ².
        let g = Metric::LogSigma.tensor(s);
        let ds = ((s + e).ln() - s.ln()) / e;
        assert!((ds * ds - g[1]).abs() < 1e-3 * g[1] && g[0] == 1.0);
        assert_eq!(Metric::Euclidean.tensor(s), [1.0, 1.0]);
        // Each direction −G⁻¹∇D: its directional derivative from finite differences of D is
        // −‖∇D‖²_{G⁻¹}, and it is steepest: no unit-length direction descends faster.
        let gr: [f64; 3] = eval_grad(&p, &Gaussian { mu, sigma: s }, &d).into();
        for m in [Metric::Fisher, Metric::Euclidean, Metric::LogSigma] {
            let dir = m.direction(s, [gr[1], gr[2]]);
            let h = 1e-5 / m.norm(s, dir);
            let f = |a: f64| {
                eval(
                    &p,
                    &Gaussian {
                        mu: mu + a * dir[0],
                        sigma: s + a * dir[1],
                    },
                    &d,
                )
            };
            let fd = (f(h) - f(-h)) / (2.0 * h);
            let len = m.norm(s, dir);
            assert!(
                (fd + len * len).abs() < 1e-5 * len * len,
                "{m}: {fd} vs {}",
                -len * len
            );
            let t = m.tensor(s);
            for k in 0..16 {
                let ang = k as f64 * std::f64::consts::PI / 8.0;
                let u = [ang.cos() / t[0].sqrt(), ang.sin() / t[1].sqrt()];
                let slope = gr[1] * u[0] + gr[2] * u[1];
                assert!(slope >= -len * (1.0 + 1e-12), "{m}: {slope} < {}", -len);
            }
        }
    }
}

#[test]
fn names_round_trip() {
    for m in [Metric::Fisher, Metric::Euclidean, Metric::LogSigma] {
        assert_eq!(m.to_string().parse::<Metric>().unwrap(), m);
    }
    assert_eq!(Metric::default(), Metric::Fisher);
    assert_eq!("adam".parse::<Optimizer>().unwrap(), Optimizer::Adam);
    assert_eq!(
        "gd".parse::<Optimizer>().unwrap(),
        Optimizer::GradientDescent
    );
    let e = "logsigma".parse::<Metric>().unwrap_err().to_string();
    assert!(e.contains("log-sigma"), "{e}");
    assert!("sgd".parse::<Optimizer>().is_err());
}
