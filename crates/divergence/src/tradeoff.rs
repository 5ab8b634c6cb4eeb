//! The ψ trade-off (the author's third follow-up): with m heavy modes of weight a and one
//! light mode of weight ψa, does an Amari-β fit prefer q over the heavy modes only (mass 1/m
//! each) or over all m + 1 (mass 1/(m+1) each)? For well-separated modes the answer flips at
//! `ψ*(m, β) = (m(1 + 1/m)^(1−β) − m)^(1/β)`; here it is also computed from the actual
//! densities, where the candidates are mixtures and modes may overlap.

use crate::error::{Error, Field};
use crate::keyed::Keyed;
use crate::quad::{integrate1, Tol};
use crate::target::{Component, Target};

/// ψ*(m, β) for β ∈ [0, 1]; `m = ∞` gives the limit (1−β)^(1/β). β = 0 is the limit
/// (m/(m+1))^(m+1) (1/e for m = ∞), β = 1 is 0.
pub fn psi_star(m: f64, beta: f64) -> f64 {
    if beta >= 1.0 {
        return 0.0;
    }
    if m.is_infinite() {
        return if beta < 1e-12 {
            (-1.0f64).exp()
        } else {
            ((-beta).ln_1p() / beta).exp()
        };
    }
    if beta < 1e-12 {
        return ((m + 1.0) * (m / (m + 1.0)).ln()).exp();
    }
    // m((1 + 1/m)^(1−β) − 1) without cancellation, then the 1/β power in logs.
    let f = m * ((1.0 - beta) * (1.0 / m).ln_1p()).exp_m1();
    (f.ln() / beta).exp()
}

/// Amari D_β(p‖q) between two mixtures (β = (1+α)/2; β = 0 is KL(q‖p), β = 1 is KL(p‖q)).
pub fn amari_between(p: &Target, q: &Target, beta: f64) -> f64 {
    let mut breaks = Vec::new();
    for c in p.components().iter().chain(q.components()) {
        for k in [-40.0, -8.0, -3.0, -1.0, 0.0, 1.0, 3.0, 8.0, 40.0] {
            breaks.push(c.mean + k * c.std);
        }
    }
    breaks.sort_unstable_by(f64::total_cmp);
    breaks.dedup();
    let tol = Tol::EXACT;
    if beta <= 0.0 {
        integrate1(|x| kl_term(q.log_pdf(x), p.log_pdf(x)), &breaks, tol)
    } else if beta >= 1.0 {
        integrate1(|x| kl_term(p.log_pdf(x), q.log_pdf(x)), &breaks, tol)
    } else {
        // ∫[βp + (1−β)q − p^β q^(1−β)]/(β(1−β)): pointwise ≥ 0.
        let d = integrate1(
            |x| amari_term(p.log_pdf(x), q.log_pdf(x), beta),
            &breaks,
            tol,
        );
        d.max(0.0) / (beta * (1.0 - beta))
    }
}

/// a (ln a − ln b) − a + b ≥ 0 at one x (integrates to KL(a‖b) for normalised a, b). Where
/// a ≈ b it is a·Σ_{n≥2} dⁿ/n! with d = ln b − ln a, summed as such: the difference of the
/// terms would leave rounding noise of a's size, which an adaptive rule cannot resolve.
fn kl_term(la: f64, lb: f64) -> f64 {
    if la == f64::NEG_INFINITY {
        return lb.exp();
    }
    let a = la.exp();
    let d = lb - la;
    if d.abs() < 0.5 {
        return a * exp_tail(d, |_| 1.0);
    }
    (a * (la - lb) - a + lb.exp()).max(0.0)
}

/// βa + (1−β)b − a^β b^(1−β) ≥ 0 at one x; where a ≈ b, a·Σ_{n≥2} (1−β)(1 − (1−β)ⁿ⁻¹) dⁿ/n!
/// with d = ln b − ln a, free of the cancellation of the three terms (see `kl_term`).
fn amari_term(la: f64, lb: f64, beta: f64) -> f64 {
    let d = lb - la;
    if d.abs() < 0.5 {
        let c = 1.0 - beta;
        return la.exp() * exp_tail(d, |n| c * (1.0 - c.powi(n - 1)));
    }
    let t = beta * la + (1.0 - beta) * lb;
    (beta * la.exp() + (1.0 - beta) * lb.exp() - t.exp()).max(0.0)
}

/// Σ_{n=2}^{20} c(n) dⁿ/n! for |d| < ½ (the omitted terms are below 2⁻⁵³ of the first).
fn exp_tail(d: f64, c: impl Fn(i32) -> f64) -> f64 {
    let (mut term, mut sum) = (d, 0.0);
    for n in 2..=20 {
        term *= d / f64::from(n);
        sum += c(n) * term;
    }
    sum
}

/// Which candidate an Amari-β fit prefers for a target, from its actual densities.
#[derive(Clone, Debug, PartialEq)]
pub struct Preference {
    /// Number of heavy modes (all but the lightest component).
    pub m: usize,
    /// Index of the light component in the target.
    pub light: usize,
    /// Light weight over the mean heavy weight.
    pub psi: f64,
    /// D_β(p‖q) for q over the heavy modes only, and for q over all modes.
    pub heavy_only: f64,
    pub all_modes: f64,
    /// The ψ at which the preference flips for these component shapes and this β.
    pub flip: f64,
    /// ψ*(m, β), the well-separated prediction.
    pub psi_star: f64,
}

/// The candidates for `comps` (light = index `light`): equal-mass mixtures over the heavy
/// modes and over all modes, with the components' own means and stds.
fn candidates(comps: &[Component], light: usize) -> Result<(Target, Target), Error> {
    let equal = |cs: Vec<Component>| {
        Target::new(
            &cs.into_iter()
                .map(|c| Component { weight: 1.0, ..c })
                .collect::<Vec<_>>(),
        )
    };
    let heavy: Vec<Component> = comps
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != light)
        .map(|(_, c)| *c)
        .collect();
    Ok((equal(heavy)?, equal(comps.to_vec())?))
}

/// The target with the heavy modes at equal weight and the light one at ψ times that.
fn with_psi(comps: &[Component], light: usize, psi: f64) -> Result<Target, Error> {
    let cs: Vec<Component> = comps
        .iter()
        .enumerate()
        .map(|(k, c)| Component {
            weight: if k == light { psi } else { 1.0 },
            ..*c
        })
        .collect();
    Target::new(&cs)
}

/// The light component (the lightest; ties to the first) and the number of heavy ones.
fn split(p: &Target) -> Result<(usize, usize), Error> {
    let comps = p.components();
    if comps.len() < 2 {
        return Err(Error::Count {
            field: Field::Target,
            message: "the ψ trade-off needs at least two components".into(),
        });
    }
    let light = (0..comps.len())
        .min_by(|&a, &b| comps[a].weight.total_cmp(&comps[b].weight))
        .unwrap_or(0);
    Ok((light, comps.len() - 1))
}

/// The light/heavy weight ratio ψ at which an Amari-β fit (β clamped to [0, 1]) switches
/// from the heavy modes only to all modes, for `p`'s component shapes (its weights do not
/// matter). Illinois regula falsi on ln ψ over [1e-9, 1], to 1e-10 ([`FlipSolver`] to the end).
pub fn flip_point(p: &Target, beta: f64) -> Result<f64, Error> {
    let mut s = FlipSolver::new(p, beta)?;
    loop {
        if let Some(f) = s.step()? {
            return Ok(f);
        }
    }
}

/// Where [`FlipSolver`] is in the regula falsi.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    /// Evaluating the margin at the lower end of the bracket.
    Low,
    /// At the upper end.
    High,
    /// At an interior point (the `iter`-th).
    Inner,
    /// Finished, with ψ.
    Done(f64),
}

/// [`flip_point`] as resumable work: each [`FlipSolver::step`] computes one of the two Amari
/// divergences of one margin evaluation D(heavy only) − D(all modes), so that a page can
/// interleave it with drawing; the sequence of evaluations (and so ψ) is `flip_point`'s.
#[derive(Clone, Debug)]
pub struct FlipSolver {
    comps: Vec<Component>,
    light: usize,
    beta: f64,
    heavy: Target,
    all: Target,
    /// The bracket in ln ψ and the margins at its ends.
    a: f64,
    b: f64,
    ga: f64,
    gb: f64,
    /// Which end moved last (Illinois halving).
    side: i32,
    iter: usize,
    stage: Stage,
    /// The ln ψ being evaluated, and D(heavy only) there once computed.
    at: f64,
    first: Option<f64>,
}

impl FlipSolver {
    /// A solver for `p`'s shapes at β (clamped to [0, 1]); an Error for one component.
    pub fn new(p: &Target, beta: f64) -> Result<FlipSolver, Error> {
        let (light, _) = split(p)?;
        let comps = p.components().to_vec();
        let (heavy, all) = candidates(&comps, light)?;
        let a = 1e-9f64.ln();
        Ok(FlipSolver {
            comps,
            light,
            beta: beta.clamp(0.0, 1.0),
            heavy,
            all,
            a,
            b: 0.0,
            ga: 0.0,
            gb: 0.0,
            side: 0,
            iter: 0,
            stage: Stage::Low,
            at: a,
            first: None,
        })
    }

    /// ψ once finished.
    pub fn result(&self) -> Option<f64> {
        match self.stage {
            Stage::Done(f) => Some(f),
            _ => None,
        }
    }

    /// One Amari divergence of the current margin evaluation; ψ once the flip is found.
    pub fn step(&mut self) -> Result<Option<f64>, Error> {
        if let Some(f) = self.result() {
            return Ok(Some(f));
        }
        // At ψ = 1 all modes are equal and q over all of them is p: the margin is > 0 there.
        let p = with_psi(&self.comps, self.light, self.at.exp())?;
        let Some(first) = self.first.take() else {
            self.first = Some(amari_between(&p, &self.heavy, self.beta));
            return Ok(None);
        };
        let g = first - amari_between(&p, &self.all, self.beta);
        match self.stage {
            Stage::Low => {
                self.ga = g;
                (self.stage, self.at) = (Stage::High, self.b);
                return Ok(None);
            }
            Stage::High => {
                self.gb = g;
                if self.ga > 0.0 {
                    self.stage = Stage::Done(self.a.exp());
                    return Ok(self.result());
                }
            }
            Stage::Inner => {
                let c = self.at;
                if g > 0.0 {
                    (self.b, self.gb) = (c, g);
                    if self.side == 1 {
                        self.ga *= 0.5;
                    }
                    self.side = 1;
                } else {
                    (self.a, self.ga) = (c, g);
                    if self.side == -1 {
                        self.gb *= 0.5;
                    }
                    self.side = -1;
                }
            }
            Stage::Done(_) => {}
        }
        if self.iter >= 100 || (self.b - self.a).abs() < 1e-10 {
            self.stage = Stage::Done(self.b.exp());
            return Ok(self.result());
        }
        self.iter += 1;
        let (a, b, ga, gb) = (self.a, self.b, self.ga, self.gb);
        (self.stage, self.at) = (Stage::Inner, (a * gb - b * ga) / (gb - ga));
        Ok(None)
    }
}

/// The preference of an Amari-β fit (`beta` = (1+α)/2, clamped to [0, 1]) for the target
/// `p` (at least two components; the lightest is the light mode), given its flip point
/// (from [`flip_point`], which depends only on the shapes and β).
pub fn prefer(p: &Target, beta: f64, flip: f64) -> Result<Preference, Error> {
    let (light, m) = split(p)?;
    let comps = p.components();
    let beta = beta.clamp(0.0, 1.0);
    let heavy_mean = (1.0 - comps[light].weight) / m as f64;
    let (heavy, all) = candidates(comps, light)?;
    Ok(Preference {
        m,
        light,
        psi: comps[light].weight / heavy_mean,
        heavy_only: amari_between(p, &heavy, beta),
        all_modes: amari_between(p, &all, beta),
        flip,
        psi_star: psi_star(m as f64, beta),
    })
}

/// [`prefer`] with its [`flip_point`].
pub fn preference(p: &Target, beta: f64) -> Result<Preference, Error> {
    prefer(p, beta, flip_point(p, beta)?)
}

/// What a flip point is computed for: the components' shapes (not their weights) and β.
type FlipKey = (Vec<(f64, f64)>, f64);

fn flip_key(p: &Target, beta: f64) -> FlipKey {
    let shapes = p.components().iter().map(|c| (c.mean, c.std)).collect();
    (shapes, beta.clamp(0.0, 1.0))
}

/// A trade-off panel's computations for a changing target and β: the flip point (the costly
/// part, kept per shapes and β) computed a unit at a time, what a page's frame loop steps,
/// and the preference from it.
///
/// # Examples
/// ```
/// use divergence::tradeoff::{preference, Tradeoffs};
/// use divergence::Target;
/// let p = Target::parse("0.45:-4:1,0.45:4:1,0.1:0:1").unwrap();
/// let mut t = Tradeoffs::default();
/// assert!(t.ready(&p, 0.5).unwrap().is_none()); // under way
/// while t.step() {}
/// assert_eq!(t.ready(&p, 0.5).unwrap(), Some(preference(&p, 0.5).unwrap()));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Tradeoffs {
    /// Flip points (or a solver's failure), per shapes and β.
    flips: Keyed<FlipKey, FlipSolver, Result<f64, Error>>,
    /// The last preference asked for, with its target and β.
    last: Option<(Target, f64, Preference)>,
}

impl Tradeoffs {
    /// The trade-off for `p` at `beta` if its flip point is known; else None, with the flip
    /// point under way (one for other shapes or β is dropped). An Error for one component.
    pub fn ready(&mut self, p: &Target, beta: f64) -> Result<Option<Preference>, Error> {
        let key = flip_key(p, beta);
        self.flips.keep_only(&key);
        if let Some((t, b, pref)) = &self.last {
            if t == p && *b == beta {
                return Ok(Some(pref.clone()));
            }
        }
        match self.flips.finished(&key) {
            Some(Ok(f)) => {
                let pref = prefer(p, beta, *f)?;
                self.last = Some((p.clone(), beta, pref.clone()));
                Ok(Some(pref))
            }
            Some(Err(e)) => Err(e.clone()),
            None => {
                if !self.flips.pending() {
                    self.flips.job = Some((key, FlipSolver::new(p, beta)?));
                }
                Ok(None)
            }
        }
    }

    /// One unit of the flip point under way, if any (true then); its end moves the revision.
    pub fn step(&mut self) -> bool {
        let Some((_, job)) = &mut self.flips.job else {
            return false;
        };
        match job.step() {
            Ok(None) => {}
            Ok(Some(f)) => self.flips.finish(|_| Ok(f)),
            Err(e) => self.flips.finish(|_| Err(e)),
        }
        true
    }

    /// True while a flip point is under way.
    pub fn pending(&self) -> bool {
        self.flips.pending()
    }

    /// Moves whenever a flip point is finished.
    pub fn revision(&self) -> u64 {
        self.flips.revision()
    }

    /// Drops a flip point under way for other shapes or β than `p`'s at `beta`.
    pub fn drop_other(&mut self, p: &Target, beta: f64) {
        self.flips.keep_only(&flip_key(p, beta));
    }
}
