//! The sample-based estimators: unbiased within 4 standard errors over seeded runs, and the
//! forward-KL importance estimator's spread exploding when q sits on one mode.

use divergence::sampling::{estimate, exact, sampling_distribution, Estimates};
use divergence::{Gaussian, Target};

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, v.sqrt())
}

fn column(d: &[Estimates], f: fn(&Estimates) -> f64) -> Vec<f64> {
    d.iter().map(f).collect()
}

#[test]
fn estimators_are_unbiased_within_four_standard_errors() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    // q wide enough that p²/q is integrable: every estimator has finite variance.
    for (mu, sigma) in [(0.0, 4.2), (1.0, 3.0), (-2.0, 5.0)] {
        let q = Gaussian::new(mu, sigma).unwrap();
        let ex = exact(&p, &q);
        let d = sampling_distribution(&p, &q, 200, 2000, 7);
        for (name, f, want) in [
            (
                "reverse KL",
                (|e: &Estimates| e.reverse_kl) as fn(&Estimates) -> f64,
                ex.reverse_kl,
            ),
            ("forward KL", |e| e.forward_kl, ex.forward_kl),
            ("Bhattacharyya", |e| e.bhattacharyya, ex.bhattacharyya),
        ] {
            let (m, sd) = mean_sd(&column(&d, f));
            let se = sd / (d.len() as f64).sqrt();
            assert!(
                (m - want).abs() < 4.0 * se,
                "q = ({mu}, {sigma}), {name}: mean {m} vs exact {want}, se {se}"
            );
        }
    }
}

#[test]
fn draws_are_reproducible_and_ess_is_bounded() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let q = Gaussian::new(4.0, 1.0).unwrap();
    assert_eq!(estimate(&p, &q, 500, 42), estimate(&p, &q, 500, 42));
    assert_ne!(estimate(&p, &q, 500, 42), estimate(&p, &q, 500, 43));
    for e in sampling_distribution(&p, &q, 500, 50, 1) {
        assert!(e.ess >= 1.0 - 1e-12 && e.ess <= 500.0 + 1e-9, "{e:?}");
    }
    // With q = p's first component: w = p/q is 0.5 + tiny on that side.
    let e = estimate(&Target::parse("1:4:1").unwrap(), &q, 300, 3);
    assert!((e.ess - 300.0).abs() < 1e-9 && e.reverse_kl.abs() < 1e-12);
}

#[test]
fn forward_kl_estimates_scatter_or_miss_when_q_leaves_the_middle() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    // (relative sd, relative error of the mean) of an estimator over 400 draws of 100.
    let stats = |q: Gaussian, f: fn(&Estimates) -> f64, exact: f64| {
        let (m, sd) = mean_sd(&column(&sampling_distribution(&p, &q, 100, 400, 11), f));
        (sd / exact, (m - exact).abs() / exact)
    };
    let rev = |e: &Estimates| e.reverse_kl;
    let fwd = |e: &Estimates| e.forward_kl;
    // Moment-matched q: both calm.
    let q = Gaussian::new(0.0, 17f64.sqrt()).unwrap();
    let ex = exact(&p, &q);
    assert!(stats(q, fwd, ex.forward_kl).0 < 0.3);
    // Between the middle and a mode: the weights' tail makes forward KL scatter.
    let q = Gaussian::new(2.0, 2.0).unwrap();
    let ex = exact(&p, &q);
    let (fs, _) = stats(q, fwd, ex.forward_kl);
    let (rs, _) = stats(q, rev, ex.reverse_kl);
    assert!(fs > 1.0 && rs < 0.2, "forward spread {fs}, reverse {rs}");
    // On a mode: the other mode is never sampled and forward KL is confidently wrong.
    let q = Gaussian::new(4.0, 1.5).unwrap();
    let ex = exact(&p, &q);
    let (_, fe) = stats(q, fwd, ex.forward_kl);
    let (_, re) = stats(q, rev, ex.reverse_kl);
    assert!(fe > 0.5 && re < 0.05, "forward error {fe}, reverse {re}");
}

#[test]
fn a_run_in_slices_gives_the_same_draws_as_one_call() {
    use divergence::sampling::SamplingRun;
    let p = Target::parse("0.3:-3:0.5,0.7:2:1.5").unwrap();
    let q = Gaussian::new(0.5, 2.0).unwrap();
    let whole = sampling_distribution(&p, &q, 37, 25, 9);
    for slice in [1, 7, 37, 100, 10_000] {
        let mut run = SamplingRun::new(p.clone(), q, 37, 25, 9);
        let mut steps = 0;
        while !run.step(slice) {
            steps += 1;
            // Each step takes at most `slice` samples: draws finish no faster than that.
            assert!(run.draws().len() <= (steps * slice).div_ceil(37));
        }
        // Every step but the last takes exactly `slice` samples.
        assert_eq!(
            steps + 1,
            (37 * 25usize).div_ceil(slice),
            "slices of {slice}"
        );
        assert_eq!(run.into_draws(), whole, "slices of {slice}");
    }
    // Each draw is the one-shot estimate with its own seed: the first one with seed·φ.
    assert_eq!(
        whole[0],
        estimate(&p, &q, 37, 9u64.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    );
    assert_eq!(
        whole[3],
        estimate(&p, &q, 37, 9u64.wrapping_mul(0x9E37_79B9_7F4A_7C15) + 3)
    );
}

#[test]
fn the_sampler_finishes_what_was_asked_last_and_keeps_it() {
    use divergence::sampling::{Sampler, Settings, SAMPLES_PER_UNIT};
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let (a, b) = (
        Gaussian::new(0.0, 3.0).unwrap(),
        Gaussian::new(1.0, 3.0).unwrap(),
    );
    let s = Settings {
        n: 5000,
        reps: 4,
        seed: 3,
    };
    let mut sampler = Sampler::default();
    assert!(sampler.ready(&p, &a, s).is_none() && sampler.pending());
    // One unit for the exact values, then 4096 samples a unit: 20,000 samples in 5.
    let mut units = 0;
    while sampler.step() {
        units += 1;
    }
    assert_eq!(units, 1 + (5000 * 4usize).div_ceil(SAMPLES_PER_UNIT));
    assert_eq!(sampler.revision(), 1);
    let done = sampler.ready(&p, &a, s).cloned().unwrap();
    assert_eq!(done.draws, sampling_distribution(&p, &a, 5000, 4, 3));
    let ex = exact(&p, &a);
    let three = |e: &Estimates| [e.reverse_kl, e.forward_kl, e.bhattacharyya];
    assert_eq!(three(&done.exact), three(&ex));
    // Asked for b, then a again before b is done: b is dropped, a is there at once.
    assert!(sampler.ready(&p, &b, s).is_none());
    sampler.step();
    assert_eq!(
        sampler.ready(&p, &a, s).map(|e| &e.draws),
        Some(&done.draws)
    );
    assert!(!sampler.pending() && !sampler.step());
    // Forgetting drops the one under way.
    assert!(sampler.ready(&p, &b, s).is_none());
    sampler.forget();
    assert!(!sampler.pending());
}
