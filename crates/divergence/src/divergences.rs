//! The thirteen divergences of SPEC §2: their parameters, the [`Divergence`] value, and
//! exact values and gradients. Names, titles and parameter ranges live in
//! [`crate::registry`]; the quadrature in [`crate::integrals`]; closed forms in
//! [`crate::closed_forms`].

use crate::closed_forms::{mmd, pearson};
use crate::error::{Error, Field};
use crate::integrals::{Anchors, Pair};
use crate::quad::Tol;
use crate::registry::{self, Param};
use crate::target::{Gaussian, Target};

pub use crate::registry::NAMES;

/// The divergences' parameters, with SPEC's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct Params {
    /// Amari α (any real; ±1 are the KLs).
    pub alpha: f64,
    /// Rényi order a > 0.
    pub order: f64,
    /// MMD kernel bandwidth ℓ > 0.
    pub bandwidth: f64,
    /// KSD IMQ kernel constant c > 0.
    pub kernel_c: f64,
    /// KSD IMQ kernel exponent β > 0.
    pub kernel_beta: f64,
}

impl Default for Params {
    /// The registry's defaults ([`registry::PARAMS`]).
    fn default() -> Self {
        let d = |k: Param| k.info().default;
        Self {
            alpha: d(Param::Alpha),
            order: d(Param::Order),
            bandwidth: d(Param::Bandwidth),
            kernel_c: d(Param::KernelC),
            kernel_beta: d(Param::KernelBeta),
        }
    }
}

impl Params {
    /// Checks every parameter against its domain ([`registry::ParamInfo::domain`]).
    pub fn validate(&self) -> Result<(), Error> {
        for k in Param::ALL {
            let (v, info) = (k.get(self), k.info());
            if !(v.is_finite() && v >= info.domain.0 && v <= info.domain.1) {
                return Err(Error::invalid(Field::Param(k), v, info.rule));
            }
        }
        Ok(())
    }
}

/// One divergence with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Divergence {
    ForwardKl,
    ReverseKl,
    JensenShannon,
    Hellinger,
    Bhattacharyya,
    TotalVariation,
    PearsonChi2,
    NeymanChi2,
    Amari { alpha: f64 },
    Renyi { order: f64 },
    Fisher,
    Ksd { c: f64, beta: f64 },
    Mmd { bandwidth: f64 },
}

impl Divergence {
    /// The divergence called `name` (SPEC §2), taking its parameters from `params`.
    ///
    /// # Examples
    /// ```
    /// use divergence::{Divergence, Params};
    /// let p = Params { alpha: 0.5, ..Params::default() };
    /// assert_eq!(Divergence::new("amari", &p).unwrap(), Divergence::Amari { alpha: 0.5 });
    /// assert!(Divergence::new("kl", &p).is_err());
    /// ```
    pub fn new(name: &str, params: &Params) -> Result<Self, Error> {
        params.validate()?;
        registry::lookup(name)
            .map(|d| d.make(params))
            .ok_or_else(|| Error::UnknownDivergence(name.to_string()))
    }

    /// All thirteen, with the given parameters.
    pub fn all(params: &Params) -> Result<Vec<Self>, Error> {
        NAMES.iter().map(|n| Self::new(n, params)).collect()
    }

    /// The canonical name.
    pub fn name(&self) -> &'static str {
        registry::info_of(self).name
    }
}

/// Whether [`eval_full`] computes the gradient too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derivatives {
    /// The value alone (the gradient comes back as zeros).
    None,
    /// The value and its gradient in (μ, σ).
    Gradient,
}

/// A divergence's value at q with its gradient in q's (μ, σ).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluated {
    pub value: f64,
    /// ∂D/∂μ.
    pub d_mu: f64,
    /// ∂D/∂σ.
    pub d_sigma: f64,
}

impl From<Evaluated> for [f64; 3] {
    fn from(e: Evaluated) -> Self {
        [e.value, e.d_mu, e.d_sigma]
    }
}

/// Value and (with [`Derivatives::Gradient`]) gradient of `div` at q, to tolerance `tol`;
/// without it the gradient is returned as zeros.
///
/// # Examples
/// ```
/// use divergence::{eval_full, quad::Tol, Derivatives, Divergence, Gaussian, Target};
/// let p = Target::parse("1:0:1").unwrap();
/// let q = Gaussian::new(1.0, 1.0).unwrap();
/// let r = eval_full(&p, &q, &Divergence::ReverseKl, Tol::EXACT, Derivatives::Gradient);
/// // KL(N(1,1)‖N(0,1)) = ½, and ∂/∂μ = μ − m = 1.
/// assert!((r.value - 0.5).abs() < 1e-12 && (r.d_mu - 1.0).abs() < 1e-9);
/// ```
pub fn eval_full(
    p: &Target,
    q: &Gaussian,
    div: &Divergence,
    tol: Tol,
    want: Derivatives,
) -> Evaluated {
    let grad = want == Derivatives::Gradient;
    let anchors = if tol.rel >= Tol::LANDSCAPE.rel {
        Anchors::Lean
    } else {
        Anchors::Exact
    };
    let pair = || Pair::new(p, *q, anchors);
    let r = match *div {
        Divergence::ForwardKl => pair().alpha_integral(1.0, tol, grad),
        Divergence::ReverseKl => pair().alpha_integral(0.0, tol, grad),
        Divergence::Hellinger => scale(pair().alpha_integral(0.5, tol, grad), 0.25),
        Divergence::Amari { alpha } => pair().amari_beta(0.5 * (1.0 + alpha), tol, grad),
        Divergence::NeymanChi2 => scale(pair().amari_beta(-1.0, tol, grad), 2.0),
        Divergence::PearsonChi2 => pearson(p, q, grad),
        Divergence::Renyi { order } => pair().renyi(order, tol, grad),
        Divergence::Bhattacharyya => scale(pair().renyi(0.5, tol, grad), 0.5),
        Divergence::JensenShannon => pair().jensen_shannon(tol, grad),
        // The closed form serves landscapes and descents; quadrature stays `eval`'s.
        Divergence::TotalVariation if grad || anchors == Anchors::Lean => {
            crate::rows::tv::total_variation(p, q)
        }
        Divergence::TotalVariation => pair().total_variation(tol, grad),
        // Score integrands need every switch of s_p and its transition anchored.
        Divergence::Fisher => Pair::new(p, *q, Anchors::Exact).fisher(tol, grad),
        Divergence::Ksd { c, beta } => pair().ksd(c, beta, tol, grad),
        Divergence::Mmd { bandwidth } => mmd(p, q, bandwidth),
    };
    let mut r = clean(r);
    // Bounded divergences: an overshoot of the bound is quadrature rounding (≲ 1e-13).
    let bound = match div {
        Divergence::JensenShannon => std::f64::consts::LN_2,
        Divergence::Hellinger | Divergence::TotalVariation => 1.0,
        _ => f64::INFINITY,
    };
    r[0] = r[0].min(bound);
    if !grad {
        r[1] = 0.0;
        r[2] = 0.0;
    }
    Evaluated {
        value: r[0],
        d_mu: r[1],
        d_sigma: r[2],
    }
}

/// SPEC §1: a value beyond f64's range, or a failed (NaN) overflow, is +inf; rounding below
/// zero is clamped to zero.
fn clean(r: [f64; 3]) -> [f64; 3] {
    let [v, g0, g1] = r;
    if v.is_nan() || v == f64::INFINITY || v > f64::MAX {
        return [f64::INFINITY, f64::NAN, f64::NAN];
    }
    [v.max(0.0), g0, g1]
}

fn scale(r: [f64; 3], s: f64) -> [f64; 3] {
    r.map(|v| v * s)
}

/// Exact value of `div` at q (SPEC §2 accuracy: relative 1e-9).
///
/// # Examples
/// ```
/// use divergence::{eval, Divergence, Gaussian, Params, Target};
/// let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
/// let q = Gaussian::new(0.0, 17f64.sqrt()).unwrap();
/// let d = Divergence::new("forward_kl", &Params::default()).unwrap();
/// assert!((eval(&p, &q, &d) - 0.723553).abs() < 1e-6); // SPEC §2's known value
/// ```
pub fn eval(p: &Target, q: &Gaussian, div: &Divergence) -> f64 {
    eval_full(p, q, div, Tol::EXACT, Derivatives::None).value
}

/// Exact value and gradient (∂D/∂μ, ∂D/∂σ). The gradient is NaN where D is +inf.
pub fn eval_grad(p: &Target, q: &Gaussian, div: &Divergence) -> Evaluated {
    eval_full(
        p,
        q,
        div,
        Tol {
            rel: 1e-11,
            ..Tol::EXACT
        },
        Derivatives::Gradient,
    )
}
