//! Fast paths for divergences without a Gaussian-correlation row form: total variation in
//! closed form per cell, and KSD² (value and gradient) by tensor and FFT sums. `eval`'s
//! adaptive quadrature stays the reference they are tested against.

pub mod ksd;
pub mod ksd_pressure;
pub mod tv;

use crate::target::{Target, MAX_COMPONENTS};

/// p's components as flat arrays, for the per-point work of the closed forms and sums
/// here: no bounds checks, no log per point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mixture {
    pub(crate) n: usize,
    /// Per component: ln wₖ − ln sₖ − ½ ln 2π, mean, std, 1/sₖ².
    pub(crate) peak: [f64; MAX_COMPONENTS],
    pub(crate) mean: [f64; MAX_COMPONENTS],
    pub(crate) std: [f64; MAX_COMPONENTS],
    pub(crate) inv_var: [f64; MAX_COMPONENTS],
}

impl Mixture {
    pub(crate) fn new(p: &Target) -> Mixture {
        let mut m = Mixture {
            n: p.len(),
            peak: [0.0; MAX_COMPONENTS],
            mean: [0.0; MAX_COMPONENTS],
            std: [0.0; MAX_COMPONENTS],
            inv_var: [0.0; MAX_COMPONENTS],
        };
        for (k, c) in p.components().iter().enumerate() {
            m.peak[k] = p.log_component(k, c.mean);
            m.mean[k] = c.mean;
            m.std[k] = c.std;
            m.inv_var[k] = 1.0 / (c.std * c.std);
        }
        m
    }

    /// ln(wₖNₖ(x)) for every k into `lc`, and their largest.
    #[inline]
    pub(crate) fn terms(&self, x: f64, lc: &mut [f64; MAX_COMPONENTS]) -> f64 {
        let mut top = f64::NEG_INFINITY;
        for k in 0..self.n {
            let z = x - self.mean[k];
            lc[k] = self.peak[k] - 0.5 * z * z * self.inv_var[k];
            top = top.max(lc[k]);
        }
        top
    }

    /// The score ∂ₓ ln p(x) (as [`Target::log_pdf_derivs`], without the log and the second
    /// derivative).
    #[inline]
    pub(crate) fn score(&self, x: f64) -> f64 {
        let mut lc = [0.0; MAX_COMPONENTS];
        let top = self.terms(x, &mut lc);
        let (mut z, mut g) = (0.0, 0.0);
        for k in 0..self.n {
            let r = (lc[k] - top).exp();
            z += r;
            g -= r * (x - self.mean[k]) * self.inv_var[k];
        }
        g / z
    }
}
