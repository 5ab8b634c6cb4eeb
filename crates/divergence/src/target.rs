//! The target mixture p and the Gaussian model q, validated on construction.

use crate::error::{Error, Field, Part};

/// ½·ln(2π).
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Largest |mean| accepted: beyond it squared distances lose all precision.
pub const MAX_ABS_MEAN: f64 = 1e8;
/// Smallest std accepted.
pub const MIN_STD: f64 = 1e-8;
/// Largest std accepted.
pub const MAX_STD: f64 = 1e8;
/// Most components a target may have.
pub const MAX_COMPONENTS: usize = 8;

/// One Gaussian component of the target, as given (weights not yet normalised).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Component {
    pub weight: f64,
    pub mean: f64,
    pub std: f64,
}

/// The target `p(x) = Σ w_k N(x; m_k, s_k²)`, weights normalised to sum 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    comps: Vec<Component>,
    /// ln w_k − ln s_k − ½ ln 2π: the log-density of component k at its mean.
    log_peak: Vec<f64>,
    inv_var: Vec<f64>,
}

fn check_mean(what: Field, m: f64) -> Result<(), Error> {
    if !m.is_finite() || m.abs() > MAX_ABS_MEAN {
        return Err(Error::invalid(what, m, "must be finite with |mean| ≤ 1e8"));
    }
    Ok(())
}

fn check_std(what: Field, s: f64) -> Result<(), Error> {
    if !(MIN_STD..=MAX_STD).contains(&s) {
        return Err(Error::invalid(what, s, "must lie in [1e-8, 1e8]"));
    }
    Ok(())
}

impl Target {
    /// Validates 1–8 components (positive finite weights, finite means, positive stds) and
    /// normalises the weights.
    pub fn new(components: &[Component]) -> Result<Self, Error> {
        if components.is_empty() || components.len() > MAX_COMPONENTS {
            return Err(Error::ComponentCount(components.len()));
        }
        for (k, c) in components.iter().enumerate() {
            let k = k + 1;
            let field = |part| Field::Component { k, part };
            if !(c.weight.is_finite() && c.weight > 0.0 && c.weight <= 1e300) {
                return Err(Error::invalid(
                    field(Part::Weight),
                    c.weight,
                    "must be positive and finite",
                ));
            }
            check_mean(field(Part::Mean), c.mean)?;
            check_std(field(Part::Std), c.std)?;
        }
        let total: f64 = components.iter().map(|c| c.weight).sum();
        let comps: Vec<Component> = components
            .iter()
            .map(|c| Component {
                weight: c.weight / total,
                ..*c
            })
            .collect();
        if comps.iter().any(|c| c.weight < 1e-300) {
            return Err(Error::WeightSpan);
        }
        let log_peak = comps
            .iter()
            .map(|c| c.weight.ln() - c.std.ln() - LN_SQRT_2PI)
            .collect();
        let inv_var = comps.iter().map(|c| 1.0 / (c.std * c.std)).collect();
        Ok(Self {
            comps,
            log_peak,
            inv_var,
        })
    }

    /// Parses `w:m:s,w:m:s,…` (weight:mean:std per component).
    ///
    /// # Examples
    /// ```
    /// use divergence::{Field, Part, Target};
    /// let p = Target::parse("1:-4:1,3:4:2").unwrap();
    /// assert_eq!(p.components()[1].weight, 0.75);
    /// let e = Target::parse("1:0:-1").unwrap_err();
    /// assert_eq!(e.field(), Field::Component { k: 1, part: Part::Std });
    /// ```
    pub fn parse(spec: &str) -> Result<Self, Error> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(Error::parse(
                Field::Target,
                "target is empty; expected w:m:s,w:m:s,…",
            ));
        }
        let mut comps = Vec::new();
        for (k, part) in spec.split(',').enumerate() {
            let fields: Vec<&str> = part.split(':').collect();
            if fields.len() != 3 {
                return Err(Error::parse(
                    Field::Target,
                    format!(
                        "component {} '{}' must be weight:mean:std",
                        k + 1,
                        part.trim()
                    ),
                ));
            }
            let num = |i: usize, part: Part| -> Result<f64, Error> {
                let f = fields[i].trim();
                let field = Field::Component { k: k + 1, part };
                f.parse::<f64>()
                    .map_err(|_| Error::parse(field, format!("{field} '{f}' is not a number")))
            };
            comps.push(Component {
                weight: num(0, Part::Weight)?,
                mean: num(1, Part::Mean)?,
                std: num(2, Part::Std)?,
            });
        }
        Self::new(&comps)
    }

    /// The components, weights normalised.
    pub fn components(&self) -> &[Component] {
        &self.comps
    }

    /// Number of components.
    pub fn len(&self) -> usize {
        self.comps.len()
    }

    /// Always false: a target has at least one component.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The spec string `w:m:s,…` with normalised weights.
    pub fn spec(&self) -> String {
        self.comps
            .iter()
            .map(|c| format!("{}:{}:{}", c.weight, c.mean, c.std))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Log-density of component k including its weight, ln(w_k N(x; m_k, s_k²)).
    #[inline]
    pub fn log_component(&self, k: usize, x: f64) -> f64 {
        let z = x - self.comps[k].mean;
        self.log_peak[k] - 0.5 * z * z * self.inv_var[k]
    }

    /// ln p(x) by log-sum-exp.
    #[inline]
    pub fn log_pdf(&self, x: f64) -> f64 {
        if self.comps.len() == 1 {
            return self.log_component(0, x);
        }
        let mut top = f64::NEG_INFINITY;
        let mut buf = [0.0; MAX_COMPONENTS];
        for (k, b) in buf.iter_mut().enumerate().take(self.comps.len()) {
            *b = self.log_component(k, x);
            top = top.max(*b);
        }
        let s: f64 = buf[..self.comps.len()]
            .iter()
            .map(|v| (v - top).exp())
            .sum();
        top + s.ln()
    }

    /// ln p(x), the score ∂ₓ ln p and its derivative ∂²ₓ ln p.
    #[inline]
    pub fn log_pdf_derivs(&self, x: f64) -> (f64, f64, f64) {
        let n = self.comps.len();
        let mut lc = [0.0; MAX_COMPONENTS];
        let mut top = f64::NEG_INFINITY;
        for (k, l) in lc.iter_mut().enumerate().take(n) {
            *l = self.log_component(k, x);
            top = top.max(*l);
        }
        let (mut z, mut g1, mut g2, mut h) = (0.0, 0.0, 0.0, 0.0);
        for k in 0..n {
            let r = (lc[k] - top).exp();
            let g = -(x - self.comps[k].mean) * self.inv_var[k];
            z += r;
            g1 += r * g;
            g2 += r * g * g;
            h += r * self.inv_var[k];
        }
        let s = g1 / z;
        (top + z.ln(), s, g2 / z - s * s - h / z)
    }

    /// s_q(x) − s_p(x), q's score less p's, as Σ_k r_k(x)(s_q − s_k) over the components'
    /// responsibilities r_k and scores s_k, each difference
    /// [(x − m_k)(σ − σ_k)(σ + σ_k) + (μ − m_k)σ_k²] / (σ²σ_k²) for component k = N(m_k, σ_k²):
    /// exactly zero where q is the one component that counts, no cancellation of two large
    /// scores near it.
    pub fn score_gap(&self, x: f64, q: &Gaussian) -> f64 {
        let n = self.comps.len();
        let mut lc = [0.0; MAX_COMPONENTS];
        let mut top = f64::NEG_INFINITY;
        for (k, l) in lc.iter_mut().enumerate().take(n) {
            *l = self.log_component(k, x);
            top = top.max(*l);
        }
        let (mut z, mut gap) = (0.0, 0.0);
        for (k, c) in self.comps.iter().enumerate() {
            let r = (lc[k] - top).exp();
            let num = (x - c.mean) * (q.sigma - c.std) * (q.sigma + c.std)
                + (q.mu - c.mean) * c.std * c.std;
            z += r;
            gap += r * num * self.inv_var[k];
        }
        gap / (z * q.sigma * q.sigma)
    }

    /// Mixture mean E_p[x].
    pub fn mean(&self) -> f64 {
        self.comps.iter().map(|c| c.weight * c.mean).sum()
    }

    /// Mixture variance Var_p[x], summed stably about the mixture mean.
    pub fn variance(&self) -> f64 {
        let m = self.mean();
        self.comps
            .iter()
            .map(|c| c.weight * (c.std * c.std + (c.mean - m) * (c.mean - m)))
            .sum()
    }

    /// The widest component's std, which decides the tails.
    pub fn max_std(&self) -> f64 {
        self.comps.iter().map(|c| c.std).fold(0.0, f64::max)
    }

    /// The moment-matched Gaussian (mixture mean and std): forward KL's unique minimum.
    pub fn moment_match(&self) -> Gaussian {
        Gaussian {
            mu: self.mean(),
            sigma: self.variance().sqrt(),
        }
    }
}

/// The model `q(x) = N(x; μ, σ²)` (as state, `{mu, sigma}`; [`Gaussian::new`] validates).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Gaussian {
    pub mu: f64,
    pub sigma: f64,
}

impl Gaussian {
    /// Validates μ (finite, |μ| ≤ 1e8) and σ (in [1e-8, 1e8]).
    pub fn new(mu: f64, sigma: f64) -> Result<Self, Error> {
        check_mean(Field::QMean, mu)?;
        check_std(Field::QStd, sigma)?;
        Ok(Self { mu, sigma })
    }

    /// ln q(x).
    #[inline]
    pub fn log_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mu) / self.sigma;
        -0.5 * z * z - self.sigma.ln() - LN_SQRT_2PI
    }

    /// (∂_μ ln q, ∂_σ ln q) at x.
    #[inline]
    pub fn dlog(&self, x: f64) -> [f64; 2] {
        let z = (x - self.mu) / self.sigma;
        [z / self.sigma, (z * z - 1.0) / self.sigma]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_normalise() {
        let t = Target::parse("1:-4:1, 3:4:2").unwrap();
        assert_eq!(t.len(), 2);
        assert!((t.components()[0].weight - 0.25).abs() < 1e-15);
        assert!((t.mean() - 2.0).abs() < 1e-15);
        // Var = Σ w (s² + (m − mean)²) = 0.25(1 + 36) + 0.75(4 + 4)
        assert!((t.variance() - (0.25 * 37.0 + 0.75 * 8.0)).abs() < 1e-12);
    }

    #[test]
    fn bad_components_are_typed_errors() {
        for (spec, needle) in [
            ("0:1:1", "component 1 weight"),
            ("1:1:1,1:nan:1", "component 2 mean"),
            ("1:1:1,1:0:-2", "component 2 std"),
            ("1:1", "weight:mean:std"),
            ("1:x:1", "'x' is not a number"),
            ("", "empty"),
        ] {
            let e = Target::parse(spec).unwrap_err().to_string();
            assert!(e.contains(needle), "{spec}: {e}");
        }
        let nine = ["1:0:1"; 9].join(",");
        assert!(Target::parse(&nine)
            .unwrap_err()
            .to_string()
            .contains("1 to 8"));
    }

    #[test]
    fn score_gap_is_the_difference_of_scores_and_vanishes_on_a_component() {
        let t = Target::parse("0.3:-2:0.5,0.7:1.5:1.3").unwrap();
        let q = Gaussian::new(0.4, 0.9).unwrap();
        for &x in &[-3.0, -1.0, 0.2, 2.5] {
            let direct = -(x - q.mu) / (q.sigma * q.sigma) - t.log_pdf_derivs(x).1;
            assert!((t.score_gap(x, &q) - direct).abs() < 1e-13, "{x}");
        }
        // q on a component the other cannot reach: the gap is exactly zero, where the direct
        // difference of two scores of size 1e3–1e6 leaves rounding.
        let t = Target::parse("0.5:-3:0.001,0.5:3:0.001").unwrap();
        let q = Gaussian::new(3.0, 0.001).unwrap();
        for &x in &[2.999, 3.0004, 3.003] {
            assert_eq!(t.score_gap(x, &q), 0.0);
        }
    }

    #[test]
    fn score_matches_finite_difference() {
        let t = Target::parse("0.3:-2:0.5,0.7:1.5:1.3").unwrap();
        for &x in &[-3.0, -1.0, 0.2, 2.5] {
            let h = 1e-5;
            let (lp, s, ds) = t.log_pdf_derivs(x);
            assert!((lp - t.log_pdf(x)).abs() < 1e-14);
            let fd = (t.log_pdf(x + h) - t.log_pdf(x - h)) / (2.0 * h);
            assert!((s - fd).abs() < 1e-8, "{s} {fd}");
            let fd2 = (t.log_pdf_derivs(x + h).1 - t.log_pdf_derivs(x - h).1) / (2.0 * h);
            assert!((ds - fd2).abs() < 1e-7, "{ds} {fd2}");
        }
    }
}
