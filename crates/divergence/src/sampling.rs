//! Sample-based estimators from q (the author's first follow-up): what a practitioner who
//! can sample q and evaluate p has. Reverse KL is a plain expectation under q; forward KL
//! needs importance weights p/q, whose variance explodes when q misses p's mass; the
//! Bhattacharyya coefficient E_q[√(p/q)] sits between. Seeded: a draw is reproducible.

use crate::divergences::{eval, Divergence};
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
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let n = n.max(1);
    let (mut rev, mut fwd, mut bc, mut sw, mut sw2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for _ in 0..n {
        let z: f64 = StandardNormal.sample(&mut rng);
        let x = q.mu + q.sigma * z;
        let lw = p.log_pdf(x) - q.log_pdf(x);
        let w = lw.exp();
        rev -= lw;
        // w log w → 0 as w → 0 (lw = −inf where p underflows).
        fwd += if w > 0.0 { w * lw } else { 0.0 };
        bc += (0.5 * lw).exp();
        sw += w;
        sw2 += w * w;
    }
    let nf = n as f64;
    Estimates {
        reverse_kl: rev / nf,
        forward_kl: fwd / nf,
        bhattacharyya: bc / nf,
        ess: if sw2 > 0.0 { sw * sw / sw2 } else { 0.0 },
    }
}

/// `reps` independent draws of `n` samples (seeds derived from `seed`): the estimators'
/// sampling distributions.
pub fn sampling_distribution(
    p: &Target,
    q: &Gaussian,
    n: usize,
    reps: usize,
    seed: u64,
) -> Vec<Estimates> {
    (0..reps as u64)
        .map(|r| {
            estimate(
                p,
                q,
                n,
                seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(r),
            )
        })
        .collect()
}
