//! Sample-based estimators from q (the author's first follow-up): what a practitioner who
//! can sample q and evaluate p has. Reverse KL is a plain expectation under q; forward KL
//! needs importance weights p/q, whose variance explodes when q misses p's mass; the
//! Bhattacharyya coefficient E_q[√(p/q)] sits between. Seeded: a draw is reproducible.

use crate::divergences::{eval, Divergence};
use crate::keyed::Keyed;
use crate::target::{Gaussian, Target};
use rand_core::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;

/// The three estimates from one draw of N samples, and the weights' effective sample size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimates {
    /// mean of log q(x) − log p(x): unbiased for KL(q‖p).
    pub reverse_kl: f64,
    /// mean of w log w, w = p(x)/q(x): unbiased for KL(p‖q).
    pub forward_kl: f64,
    /// mean of √w: unbiased for the Bhattacharyya coefficient ∫√(pq).
    pub bhattacharyya: f64,
    /// (Σw)² / Σw², between 1 and N.
    pub ess: f64,
}

/// The exact values the estimators aim at: KL(q‖p), KL(p‖q) and ∫√(pq).
pub fn exact(p: &Target, q: &Gaussian) -> Estimates {
    Estimates {
        reverse_kl: eval(p, q, &Divergence::ReverseKl),
        forward_kl: eval(p, q, &Divergence::ForwardKl),
        bhattacharyya: 1.0 - eval(p, q, &Divergence::Hellinger),
        ess: f64::NAN,
    }
}

/// One draw of `n` samples from q, seeded by `seed`.
pub fn estimate(p: &Target, q: &Gaussian, n: usize, seed: u64) -> Estimates {
    let mut d = Draw::new(n, seed);
    d.add(p, q, usize::MAX);
    d.estimates()
}

/// A draw in progress: its generator, the samples still to take and the running sums.
#[derive(Clone, Debug)]
struct Draw {
    rng: Pcg64Mcg,
    n: usize,
    left: usize,
    /// Σ −log w, Σ w log w, Σ √w, Σ w, Σ w².
    sums: [f64; 5],
}

impl Draw {
    fn new(n: usize, seed: u64) -> Draw {
        let n = n.max(1);
        Draw {
            rng: Pcg64Mcg::seed_from_u64(seed),
            n,
            left: n,
            sums: [0.0; 5],
        }
    }

    /// Takes up to `max` more samples; the number taken.
    fn add(&mut self, p: &Target, q: &Gaussian, max: usize) -> usize {
        let k = self.left.min(max);
        let [rev, fwd, bc, sw, sw2] = &mut self.sums;
        for _ in 0..k {
            let z: f64 = StandardNormal.sample(&mut self.rng);
            let x = q.mu + q.sigma * z;
            let lw = p.log_pdf(x) - q.log_pdf(x);
            let w = lw.exp();
            *rev -= lw;
            // w log w → 0 as w → 0 (lw = −inf where p underflows).
            *fwd += if w > 0.0 { w * lw } else { 0.0 };
            *bc += (0.5 * lw).exp();
            *sw += w;
            *sw2 += w * w;
        }
        self.left -= k;
        k
    }

    fn estimates(&self) -> Estimates {
        let [rev, fwd, bc, sw, sw2] = self.sums;
        let nf = self.n as f64;
        Estimates {
            reverse_kl: rev / nf,
            forward_kl: fwd / nf,
            bhattacharyya: bc / nf,
            ess: if sw2 > 0.0 { sw * sw / sw2 } else { 0.0 },
        }
    }
}

/// The seed of draw `r` of an experiment seeded by `seed`.
fn draw_seed(seed: u64, r: usize) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(r as u64)
}

/// `reps` independent draws of `n` samples (seeds derived from `seed`): the estimators'
/// sampling distributions.
///
/// # Examples
/// ```
/// use divergence::sampling::sampling_distribution;
/// use divergence::{Gaussian, Target};
/// let p = Target::parse("0.5:-2:1,0.5:2:1").unwrap();
/// let q = Gaussian::new(0.0, 2.0).unwrap();
/// let d = sampling_distribution(&p, &q, 100, 20, 1);
/// assert_eq!(d.len(), 20);
/// ```
pub fn sampling_distribution(
    p: &Target,
    q: &Gaussian,
    n: usize,
    reps: usize,
    seed: u64,
) -> Vec<Estimates> {
    let mut run = SamplingRun::new(p.clone(), *q, n, reps, seed);
    while !run.step(usize::MAX) {}
    run.draws
}

/// [`sampling_distribution`] computed a slice at a time, so that a page can spread millions
/// of samples over frames: [`SamplingRun::step`] takes a bounded number of samples, and the
/// finished draws equal `sampling_distribution`'s exactly.
#[derive(Clone, Debug)]
pub struct SamplingRun {
    p: Target,
    q: Gaussian,
    reps: usize,
    seed: u64,
    draws: Vec<Estimates>,
    current: Draw,
}

impl SamplingRun {
    /// An experiment of `reps` draws of `n` samples from `q`, nothing computed yet.
    pub fn new(p: Target, q: Gaussian, n: usize, reps: usize, seed: u64) -> SamplingRun {
        SamplingRun {
            p,
            q,
            reps,
            seed,
            draws: Vec::with_capacity(reps),
            current: Draw::new(n, draw_seed(seed, 0)),
        }
    }

    /// Takes up to `max_samples` more samples (at least one); true once every draw is done.
    pub fn step(&mut self, max_samples: usize) -> bool {
        let mut budget = max_samples.max(1);
        while self.draws.len() < self.reps && budget > 0 {
            budget -= self.current.add(&self.p, &self.q, budget);
            if self.current.left == 0 {
                self.draws.push(self.current.estimates());
                let next = draw_seed(self.seed, self.draws.len());
                self.current = Draw::new(self.current.n, next);
            }
        }
        self.done()
    }

    /// The target sampled against.
    pub fn target(&self) -> &Target {
        &self.p
    }

    /// The Gaussian q sampled from.
    pub fn q(&self) -> &Gaussian {
        &self.q
    }

    /// True once every draw is done.
    pub fn done(&self) -> bool {
        self.draws.len() >= self.reps
    }

    /// The draws finished so far, in order.
    pub fn draws(&self) -> &[Estimates] {
        &self.draws
    }

    /// The finished draws (all of them once [`done`](Self::done)).
    pub fn into_draws(self) -> Vec<Estimates> {
        self.draws
    }
}

/// A sampling experiment's settings: `reps` draws of `n` samples, seeded by `seed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub n: usize,
    pub reps: usize,
    pub seed: u64,
}

/// A finished experiment: the exact values and the draws' estimates.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    pub exact: Estimates,
    pub draws: Vec<Estimates>,
}

/// Samples per unit of [`Sampler::step`].
pub const SAMPLES_PER_UNIT: usize = 4096;

/// An experiment under way: its exact values once computed (its first unit), and the draws.
#[derive(Clone, Debug)]
struct Job {
    exact: Option<Estimates>,
    run: SamplingRun,
}

type Key = (Target, Gaussian, Settings);

/// A sampling panel's experiments, computed a unit at a time: the last finished one, and the
/// one asked for since, under way. What a page's frame loop steps between frames.
///
/// # Examples
/// ```
/// use divergence::sampling::{Sampler, Settings};
/// use divergence::{Gaussian, Target};
/// let p = Target::parse("0.5:-2:1,0.5:2:1").unwrap();
/// let q = Gaussian::new(0.0, 2.0).unwrap();
/// let s = Settings { n: 100, reps: 50, seed: 1 };
/// let mut sampler = Sampler::default();
/// assert!(sampler.ready(&p, &q, s).is_none()); // started
/// while sampler.step() {}
/// assert_eq!(sampler.ready(&p, &q, s).unwrap().draws.len(), 50);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Sampler(Keyed<Key, Job, Experiment>);

impl Sampler {
    /// The experiment for `p`, `q` and `settings` if finished; else None, and it is under
    /// way (one for anything else is dropped).
    pub fn ready(&mut self, p: &Target, q: &Gaussian, settings: Settings) -> Option<&Experiment> {
        let key = (p.clone(), *q, settings);
        self.0.keep_only(&key);
        if self.0.finished(&key).is_none() && !self.0.pending() {
            let Settings { n, reps, seed } = settings;
            let run = SamplingRun::new(p.clone(), *q, n, reps, seed);
            self.0.job = Some((key.clone(), Job { exact: None, run }));
        }
        self.0.finished(&key)
    }

    /// One unit of the experiment under way, if any (true then): its exact values, or up to
    /// [`SAMPLES_PER_UNIT`] samples. Its end moves the revision.
    pub fn step(&mut self) -> bool {
        let Some((_, job)) = &mut self.0.job else {
            return false;
        };
        let Some(exact_values) = job.exact else {
            job.exact = Some(exact(job.run.target(), job.run.q()));
            return true;
        };
        if job.run.step(SAMPLES_PER_UNIT) {
            self.0.finish(|job| Experiment {
                exact: exact_values,
                draws: job.run.into_draws(),
            });
        }
        true
    }

    /// True while an experiment is under way.
    pub fn pending(&self) -> bool {
        self.0.pending()
    }

    /// Moves whenever an experiment is finished.
    pub fn revision(&self) -> u64 {
        self.0.revision()
    }

    /// Drops the experiment under way (its panel is gone).
    pub fn forget(&mut self) {
        self.0.job = None;
    }
}
