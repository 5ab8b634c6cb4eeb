//! Gradient flows of q as a free density on a uniform x grid, started at a Gaussian q₀:
//! Fisher–Rao ∂q/∂t = −q(δD/δq − E_q[δD/δq]) and Wasserstein ∂q/∂t = ∂ₓ(q ∂ₓ δD/δq), with
//! δD/δq = −ψ the pointwise pressure of SPEC §3. Each x point owns a cell of width dx; the
//! mass of q is dx·Σq.
//!
//! Fisher–Rao is integrated in log space. With w = ln(p/q) each point obeys
//! w′ = c(t) − ψ(eʷ), c = E_q ψ; for ψ = A(r^β − 1)/β (the KLs, Hellinger, Bhattacharyya, the
//! χ²s, Amari, Rényi) y = e^{−βw} obeys the linear y′ = A − (βc + A)y, solved exactly over a
//! step with c frozen at the step's midpoint (an exponential midpoint rule, second order; exact
//! for both KLs). Jensen–Shannon (RK4 per point) and total variation (exact, Filippov) use the
//! same midpoint; MMD's pressure is a kernel convolution (FFT, explicit midpoint); `fisher`'s
//! flow is linear in √q (backward Euler). Wasserstein writes the flux as D(r)·p·∂ₓ(q/p) with
//! D = rψ′(r) and p at the cell faces (D = 1 for reverse KL: Fokker–Planck), implicit in time
//! (backward Euler, the coefficient lagged and re-lagged once), so q stays ≥ 0 and its mass
//! is conserved to rounding. KSD's flows, and the Wasserstein flows of `fisher`, `mmd`,
//! total variation and the power forms with β ≥ 2, are refused with the reason.

use crate::divergences::Divergence;
use crate::error::Error;
use crate::pressure::pressure_of_ratio;
use crate::target::{Gaussian, Target};
use rustfft::num_complex::Complex;

/// The two geometries of a density flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Geometry {
    /// ∂q/∂t = −q(δD/δq − E_q[δD/δq]): mass is created and destroyed in place.
    FisherRao,
    /// ∂q/∂t = ∂ₓ(q ∂ₓ δD/δq): mass is transported along x.
    Wasserstein,
}

impl Geometry {
    /// The name (`fisher-rao`, `wasserstein`).
    pub fn name(self) -> &'static str {
        match self {
            Geometry::FisherRao => "fisher-rao",
            Geometry::Wasserstein => "wasserstein",
        }
    }
}

impl std::fmt::Display for Geometry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Geometry {
    type Err = FlowError;
    fn from_str(s: &str) -> Result<Self, FlowError> {
        match s {
            "fisher-rao" => Ok(Geometry::FisherRao),
            "wasserstein" => Ok(Geometry::Wasserstein),
            _ => Err(FlowError::Geometry(format!(
                "'{s}' is not one of: fisher-rao, wasserstein"
            ))),
        }
    }
}

/// Why a flow was refused. Each message names the argument at fault, or says why the flow
/// is not computed for this divergence and geometry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FlowError {
    /// Bad output times.
    #[error("times: {0}")]
    Times(String),
    /// Bad x range.
    #[error("x range: {0}")]
    XRange(String),
    /// Bad number of x points.
    #[error("points: {0}")]
    Points(String),
    /// Bad geometry name.
    #[error("geometry: {0}")]
    Geometry(String),
    /// A bad starting Gaussian.
    #[error("start: {0}")]
    Start(Error),
    /// The flow is not computed for this divergence in this geometry.
    #[error("the {geometry} flow of {divergence} is not available: {reason}")]
    Unavailable {
        divergence: &'static str,
        geometry: Geometry,
        reason: &'static str,
    },
    /// The flow's integrals left f64's range at some time.
    #[error("the {geometry} flow of {divergence} diverged at t = {t}: {reason}")]
    Diverged {
        divergence: &'static str,
        geometry: Geometry,
        t: f64,
        reason: &'static str,
    },
}

/// Grid and time-step settings of a flow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowOptions {
    /// Number of x points (≥ 16).
    pub points: usize,
    /// The x interval; None covers p's components and q₀ to ±8 std.
    pub x_range: Option<(f64, f64)>,
    /// Largest time step (default 0.05 for Fisher–Rao, 0.01 for Wasserstein).
    pub max_dt: Option<f64>,
}

impl Default for FlowOptions {
    fn default() -> Self {
        Self {
            points: 2001,
            x_range: None,
            max_dt: None,
        }
    }
}

/// Most x points accepted.
pub const MAX_POINTS: usize = 200_001;
/// Latest time accepted.
pub const MAX_TIME: f64 = 1000.0;
/// Stored states for scrubbing back in time, one per this much time; `advance_to` stops at
/// each, so advancing a checkpoint at a time takes the same steps as one call.
pub const CHECKPOINT_EVERY: f64 = 0.25;

/// The default x interval: every component of p and q₀, each to ±8 std.
pub fn default_range(p: &Target, q0: &Gaussian) -> (f64, f64) {
    let mut lo = q0.mu - 8.0 * q0.sigma;
    let mut hi = q0.mu + 8.0 * q0.sigma;
    for c in p.components() {
        lo = lo.min(c.mean - 8.0 * c.std);
        hi = hi.max(c.mean + 8.0 * c.std);
    }
    (lo, hi)
}

/// Checks output times: at least one, each finite, in [0, MAX_TIME], in non-decreasing order.
pub fn check_times(times: &[f64]) -> Result<(), FlowError> {
    if times.is_empty() {
        return Err(FlowError::Times("at least one time is needed".into()));
    }
    for (i, &t) in times.iter().enumerate() {
        if !t.is_finite() {
            return Err(FlowError::Times(format!("{t} is not a finite number")));
        }
        if t < 0.0 {
            return Err(FlowError::Times(format!("{t} is negative")));
        }
        if t > MAX_TIME {
            return Err(FlowError::Times(format!("{t} exceeds {MAX_TIME}")));
        }
        if i > 0 && t < times[i - 1] {
            return Err(FlowError::Times(format!(
                "must be in increasing order ({} then {t})",
                times[i - 1]
            )));
        }
    }
    Ok(())
}

/// The pressure's form, as the Fisher–Rao integrator needs it.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// ψ = A(r^β − 1)/β with A = `scale` (β = 0: A ln r).
    Power { beta: f64, scale: Scale },
    /// Jensen–Shannon, ½ ln((1 + r)/2).
    Js,
    /// Total variation, ½ sign(r − 1).
    Tv,
    /// MMD: ψ = 2(E_p k(x, ·) − (k ∗ q)(x)), bounded and smooth; not a function of r.
    Mmd,
    /// Fisher: ψ = s_q² + 2s_q′ − s_p² − 2s_p′; for v = √q the flow is linear (see
    /// [`Flow::fisher_step`]).
    Fisher,
}

/// The factor A of a power-form pressure: fixed, or divided by a q-dependent normaliser.
#[derive(Clone, Copy, Debug)]
enum Scale {
    Fixed(f64),
    /// a / ∫p^a q^(1−a) (Rényi; Bhattacharyya with a = ½ and an extra ½).
    OverIntegral(f64),
}

fn form(div: &Divergence) -> Option<Form> {
    use Divergence::*;
    let power = |beta: f64, a: f64| Form::Power {
        beta,
        scale: Scale::Fixed(a),
    };
    Some(match *div {
        ForwardKl => power(1.0, 1.0),
        ReverseKl => power(0.0, 1.0),
        Hellinger => power(0.5, 0.25),
        PearsonChi2 => power(2.0, 2.0),
        NeymanChi2 => power(-1.0, 2.0),
        Amari { alpha } => power(0.5 * (1.0 + alpha), 1.0),
        Renyi { order } => Form::Power {
            beta: order,
            scale: Scale::OverIntegral(order),
        },
        Bhattacharyya => Form::Power {
            beta: 0.5,
            scale: Scale::OverIntegral(0.25),
        },
        JensenShannon => Form::Js,
        TotalVariation => Form::Tv,
        Mmd { .. } => Form::Mmd,
        Fisher => Form::Fisher,
        Ksd { .. } => return None,
    })
}

/// ln Σ eᵛ.
fn log_sum_exp(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = v.clone().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + v.map(|a| (a - top).exp()).sum::<f64>().ln()
}

/// ln(eᵃ + eᵇ).
fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + (-(a - b).abs()).exp().ln_1p()
}

/// Largest ln of a Wasserstein face coefficient: beyond it a cell is in instant equilibrium
/// with its neighbour at any time step, and the value only has to stay finite.
const MAX_LN_COEF: f64 = 200.0;

#[derive(Clone, Debug)]
enum State {
    /// ln q (normalised).
    Log(Vec<f64>),
    /// q (mass dx·Σq = 1 up to rounding).
    Linear(Vec<f64>),
}

/// A flow advanced in time step by step: [`Flow::advance_to`] moves to any later time at the
/// cost of the steps between (earlier times restart from the nearest stored state), so a page
/// can animate and scrub.
#[derive(Clone, Debug)]
pub struct Flow {
    div: Divergence,
    geometry: Geometry,
    x: Vec<f64>,
    dx: f64,
    ln_dx: f64,
    /// ln p at the points, and at the faces between them (Wasserstein).
    lp: Vec<f64>,
    lpf: Vec<f64>,
    /// p at the faces, and p_f/(p_i dx²), p_f/(p_{i+1} dx²) (capped): Wasserstein.
    pf: Vec<f64>,
    ratio_l: Vec<f64>,
    ratio_r: Vec<f64>,
    form: Form,
    max_dt: f64,
    t: f64,
    state: State,
    checkpoints: Vec<(f64, State)>,
    /// Wasserstein: the adaptive step to try next.
    dt_next: f64,
    /// Responsibilities w_k N_k(x)/p(x), one row of K per point.
    resp: Vec<f64>,
    /// MMD: E_p k(x, ·) at the points and the kernel's convolution plan.
    mmd: Option<MmdPlan>,
    /// `fisher`: ½(s_p² + 2s_p′) at the points, shifted to a minimum of 0.
    potential: Vec<f64>,
    scratch: Vec<f64>,
}

fn unavailable(div: &Divergence, g: Geometry, reason: &'static str) -> FlowError {
    FlowError::Unavailable {
        divergence: div.name(),
        geometry: g,
        reason,
    }
}

/// Why (or whether) `div` has a flow in geometry `g` here: Err with the reason if not.
pub fn available(div: &Divergence, g: Geometry) -> Result<(), FlowError> {
    let Some(f) = form(div) else {
        return Err(unavailable(
            div,
            g,
            "δD/δq is a double integral over q ⊗ q with the Stein kernel (nonlocal); it is not computed here",
        ));
    };
    if g == Geometry::FisherRao {
        return Ok(());
    }
    match f {
        Form::Fisher => Err(unavailable(
            div,
            g,
            "∂ₓ(q ∂ₓ(s_q² + 2s_q′)) is a fourth-order nonlinear PDE in q; only the Fisher–Rao flow is computed here",
        )),
        Form::Mmd => Err(unavailable(
            div,
            g,
            "its velocity ∂ₓψ is a kernel convolution of q; only the Fisher–Rao flow is computed here",
        )),
        Form::Tv => Err(unavailable(
            div,
            g,
            "ψ = ½ sign(r − 1) is a step, so ∂ₓψ is a delta where q crosses p: the transport velocity is undefined",
        )),
        Form::Power { beta, .. } if beta >= 2.0 => Err(unavailable(
            div,
            g,
            "the diffusion coefficient r ψ′(r) ∝ (p/q)^β with β ≥ 2 is fast diffusion of exponent 1 − β ≤ −1, which in one dimension loses mass through infinity: ill-posed",
        )),
        _ => Ok(()),
    }
}

impl Flow {
    /// The flow of `div` from q₀ = N(μ, σ²) in geometry `g` at t = 0.
    pub fn new(
        p: &Target,
        div: &Divergence,
        q0: Gaussian,
        g: Geometry,
        opts: FlowOptions,
    ) -> Result<Self, FlowError> {
        let q0 = Gaussian::new(q0.mu, q0.sigma).map_err(FlowError::Start)?;
        available(div, g)?;
        let Some(form) = form(div) else {
            return Err(unavailable(div, g, "no pointwise pressure"));
        };
        let (lo, hi) = match opts.x_range {
            Some(r) => r,
            None => default_range(p, &q0),
        };
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(FlowError::XRange(format!(
                "{lo}:{hi} must be finite with LO < HI"
            )));
        }
        let n = opts.points;
        if !(16..=MAX_POINTS).contains(&n) {
            return Err(FlowError::Points(format!(
                "{n} must lie in 16..={MAX_POINTS}"
            )));
        }
        let dx = (hi - lo) / (n - 1) as f64;
        let narrowest = p
            .components()
            .iter()
            .map(|c| c.std)
            .fold(q0.sigma, f64::min);
        if dx > narrowest {
            return Err(FlowError::Points(format!(
                "{n} points over [{lo}, {hi}] are {dx:.3e} apart, wider than the narrowest std {narrowest}: raise the points or narrow the x range"
            )));
        }
        let max_dt = match opts.max_dt {
            Some(d) if d.is_finite() && d > 0.0 => d,
            Some(d) => return Err(FlowError::Times(format!("time step {d} must be positive"))),
            None if g == Geometry::FisherRao => 0.05,
            None => 0.01,
        };
        let x: Vec<f64> = (0..n)
            .map(|i| if i + 1 == n { hi } else { lo + dx * i as f64 })
            .collect();
        let lp: Vec<f64> = x.iter().map(|&v| p.log_pdf(v)).collect();
        let lpf: Vec<f64> = x
            .windows(2)
            .map(|w| p.log_pdf(0.5 * (w[0] + w[1])))
            .collect();
        let ln_dx2 = 2.0 * dx.ln();
        let ratio = |(f, l): (&f64, &f64)| (f - l - ln_dx2).min(MAX_LN_COEF).exp();
        let ratio_l = lpf.iter().zip(&lp[..n - 1]).map(ratio).collect();
        let ratio_r = lpf.iter().zip(&lp[1..]).map(ratio).collect();
        let pf = lpf.iter().map(|v| v.exp()).collect();
        let k = p.len();
        let mut resp = Vec::with_capacity(n * k);
        for (i, &v) in x.iter().enumerate() {
            resp.extend((0..k).map(|c| (p.log_component(c, v) - lp[i]).exp()));
        }
        let mut f = Self {
            div: *div,
            geometry: g,
            dx,
            ln_dx: dx.ln(),
            lpf,
            pf,
            ratio_l,
            ratio_r,
            form,
            max_dt,
            t: 0.0,
            state: State::Log(Vec::new()),
            checkpoints: Vec::new(),
            dt_next: max_dt,
            resp,
            mmd: match *div {
                Divergence::Mmd { bandwidth } => Some(MmdPlan::new(p, &x, dx, bandwidth)),
                _ => None,
            },
            potential: match *div {
                Divergence::Fisher => fisher_potential(&lp, dx),
                _ => Vec::new(),
            },
            scratch: vec![0.0; n],
            lp,
            x,
        };
        let mut u: Vec<f64> = f.x.iter().map(|&v| q0.log_pdf(v)).collect();
        f.normalise_log(&mut u);
        f.state = match g {
            Geometry::FisherRao => State::Log(u),
            Geometry::Wasserstein => State::Linear(u.iter().map(|v| v.exp()).collect()),
        };
        f.checkpoints.push((0.0, f.state.clone()));
        Ok(f)
    }

    /// The x points.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// Their spacing (each point's cell width).
    pub fn dx(&self) -> f64 {
        self.dx
    }

    /// The current time.
    pub fn time(&self) -> f64 {
        self.t
    }

    /// The divergence and geometry.
    pub fn kind(&self) -> (Divergence, Geometry) {
        (self.div, self.geometry)
    }

    /// dx·Σq as integrated, before any normalisation for output.
    pub fn raw_mass(&self) -> f64 {
        match &self.state {
            State::Log(u) => self.dx * u.iter().map(|v| v.exp()).sum::<f64>(),
            State::Linear(q) => self.dx * q.iter().sum::<f64>(),
        }
    }

    /// q at the current time into `out` (one value per x point): ≥ 0, dx·Σq = 1.
    pub fn density_into(&self, out: &mut [f64]) {
        match &self.state {
            State::Log(u) => {
                for (o, v) in out.iter_mut().zip(u) {
                    *o = v.exp();
                }
            }
            State::Linear(q) => {
                for (o, v) in out.iter_mut().zip(q) {
                    *o = v.max(0.0);
                }
            }
        }
        let m = self.dx * out.iter().sum::<f64>();
        if m > 0.0 {
            out.iter_mut().for_each(|v| *v /= m);
        }
    }

    /// q at the current time (see [`Flow::density_into`]).
    pub fn density(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.x.len()];
        self.density_into(&mut out);
        out
    }

    /// The mass q puts on each of p's components now: ∫ q · w_k N_k / p.
    pub fn mode_masses(&self) -> Vec<f64> {
        mode_masses_on(&self.resp, &self.density(), self.dx)
    }

    /// Advances (or rewinds) to time `t`.
    pub fn advance_to(&mut self, t: f64) -> Result<(), FlowError> {
        self.advance_steps(t, usize::MAX).map(|_| ())
    }

    /// [`Flow::advance_to`] by at most `steps` steps of the integration (a rewind to the
    /// last checkpoint at or before `t` is free); true once at `t`. Calls with the same `t`
    /// until true give the bits of one `advance_to(t)`: a caller slicing its work by time
    /// can stop between any two steps.
    pub fn advance_steps(&mut self, t: f64, steps: usize) -> Result<bool, FlowError> {
        check_times(&[t])?;
        if t < self.t {
            let k = self
                .checkpoints
                .iter()
                .rposition(|(tc, _)| *tc <= t)
                .unwrap_or(0);
            let (tc, s) = self.checkpoints[k].clone();
            self.t = tc;
            self.state = s;
            self.dt_next = self.max_dt;
        }
        let exact = matches!(self.form, Form::Power { beta, scale: Scale::Fixed(_) } if beta == 0.0 || beta == 1.0);
        for _ in 0..steps {
            if self.t >= t {
                break;
            }
            // To the next checkpoint (or t), where the state is kept for rewinds.
            let next_cp = (self.t / CHECKPOINT_EVERY).floor() * CHECKPOINT_EVERY + CHECKPOINT_EVERY;
            let stop = t.min(next_cp);
            let remaining = stop - self.t;
            match self.geometry {
                Geometry::FisherRao => {
                    // Both KLs are exact for any step (see the module notes).
                    let h = if exact {
                        remaining
                    } else {
                        remaining.min(self.max_dt)
                    };
                    self.fisher_rao_step(h)?;
                    self.t = if h == remaining { stop } else { self.t + h };
                }
                Geometry::Wasserstein => {
                    let h = self.wasserstein_step(remaining)?;
                    self.t = if h == remaining { stop } else { self.t + h };
                }
            }
            if self.t == next_cp && self.checkpoints.last().is_some_and(|(tc, _)| *tc < next_cp) {
                self.checkpoints.push((next_cp, self.state.clone()));
            }
        }
        Ok(self.t >= t)
    }

    fn normalise_log(&self, u: &mut [f64]) {
        let z = log_sum_exp(u.iter().copied()) + self.ln_dx;
        u.iter_mut().for_each(|v| *v -= z);
    }

    fn diverged(&self, reason: &'static str) -> FlowError {
        FlowError::Diverged {
            divergence: self.div.name(),
            geometry: self.geometry,
            t: self.t,
            reason,
        }
    }

    /// The frozen coefficients of one Fisher–Rao stage at ln q = `u`: for a power form
    /// (β, A, ln S) with S = E_q[r^β]; for JS and TV (c = E_q ψ, 0, 0).
    fn stage(&self, u: &[f64]) -> Result<[f64; 3], FlowError> {
        match self.form {
            Form::Power { beta, scale } => {
                // ln ∫ q^(1−β) p^β, and ln ∫p^a q^(1−a) for a Rényi-type scale.
                let ln_s = log_sum_exp(
                    u.iter()
                        .zip(&self.lp)
                        .map(|(&a, &b)| (1.0 - beta) * a + beta * b),
                ) + self.ln_dx;
                let a = match scale {
                    Scale::Fixed(a) => a,
                    Scale::OverIntegral(a) => a * (-ln_s).exp(),
                };
                if !ln_s.is_finite() || !a.is_finite() || a * ln_s.exp() == f64::INFINITY {
                    return Err(
                        self.diverged("∫p^β q^(1−β) is infinite (or beyond f64's range) at this q")
                    );
                }
                let c = if beta.abs() < 1e-9 {
                    // A·E_q[ln r].
                    a * self.dx
                        * u.iter()
                            .zip(&self.lp)
                            .map(|(&a, &b)| a.exp() * (b - a))
                            .sum::<f64>()
                } else {
                    0.0
                };
                Ok([c, a, ln_s])
            }
            _ => {
                let c = self.dx
                    * u.iter()
                        .zip(&self.lp)
                        .map(|(&a, &b)| {
                            a.exp() * pressure_of_ratio(&self.div, b - a, 1.0).unwrap_or(0.0)
                        })
                        .sum::<f64>();
                Ok([c, 0.0, 0.0])
            }
        }
    }

    /// ln q after time `h` from `u0`, each point solving w′ = c − ψ(eʷ) with the stage's
    /// coefficients frozen; normalised.
    fn fr_advance(&self, u0: &[f64], coef: [f64; 3], h: f64, out: &mut [f64]) {
        let [c, a, ln_s] = coef;
        match self.form {
            Form::Power { beta, .. } if beta.abs() < 1e-9 => {
                // w′ = c − A w: relaxes to c/A at rate A.
                let e = (-a * h).exp();
                let w_inf = c / a;
                for ((o, &u), &lp) in out.iter_mut().zip(u0).zip(&self.lp) {
                    let w = (lp - u) * e + w_inf * (1.0 - e);
                    *o = lp - w;
                }
            }
            Form::Power { beta, .. } => {
                // y = e^{−βw}: y′ = A − k y, k = A·S, relaxing to 1/S; in log space.
                let k = a * ln_s.exp();
                let decay = -k * h;
                let ln_far = -ln_s + (-(decay.exp_m1())).ln();
                for ((o, &u), &lp) in out.iter_mut().zip(u0).zip(&self.lp) {
                    let ln_y = log_add_exp(-beta * (lp - u) + decay, ln_far);
                    *o = lp + ln_y / beta;
                }
            }
            Form::Tv => {
                // w′ = c − ½ sign(w): straight to w = 0, then stays (Filippov).
                for ((o, &u), &lp) in out.iter_mut().zip(u0).zip(&self.lp) {
                    let w = lp - u;
                    let w = if w > 0.0 {
                        (w - h * (0.5 - c)).max(0.0)
                    } else if w < 0.0 {
                        (w + h * (0.5 + c)).min(0.0)
                    } else {
                        0.0
                    };
                    *o = lp - w;
                }
            }
            // MMD's and Fisher's pressures are not pointwise: they step in `fisher_rao_step`.
            Form::Mmd | Form::Fisher => out.copy_from_slice(u0),
            Form::Js => {
                // w′ = c − ½ ln((1 + eʷ)/2): Lipschitz ½, so classical RK4 per point.
                let f = |w: f64| {
                    c - pressure_of_ratio(&Divergence::JensenShannon, w, 1.0).unwrap_or(0.0)
                };
                for ((o, &u), &lp) in out.iter_mut().zip(u0).zip(&self.lp) {
                    let w = lp - u;
                    let k1 = f(w);
                    let k2 = f(w + 0.5 * h * k1);
                    let k3 = f(w + 0.5 * h * k2);
                    let k4 = f(w + h * k3);
                    *o = lp - (w + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4));
                }
            }
        }
        self.normalise_log(out);
    }

    /// One exponential-midpoint step of length `h` (explicit midpoint for MMD).
    fn fisher_rao_step(&mut self, h: f64) -> Result<(), FlowError> {
        if matches!(self.form, Form::Fisher) {
            return self.fisher_step(h);
        }
        if let Some(plan) = &self.mmd {
            let State::Log(u) = &mut self.state else {
                return Err(self.diverged("internal state mismatch"));
            };
            // ln q′ = ψ − E_q ψ; the constant is restored by normalising.
            let psi0 = plan.pressure(u);
            let mut half: Vec<f64> = u.iter().zip(&psi0).map(|(a, b)| a + 0.5 * h * b).collect();
            let z = log_sum_exp(half.iter().copied()) + self.ln_dx;
            half.iter_mut().for_each(|v| *v -= z);
            let psi1 = plan.pressure(&half);
            u.iter_mut().zip(&psi1).for_each(|(a, b)| *a += h * b);
            let z = log_sum_exp(u.iter().copied()) + self.ln_dx;
            u.iter_mut().for_each(|v| *v -= z);
            return Ok(());
        }
        let State::Log(u) = std::mem::replace(&mut self.state, State::Log(Vec::new())) else {
            return Err(self.diverged("internal state mismatch"));
        };
        let mut half = std::mem::take(&mut self.scratch);
        let r = (|| {
            let c0 = self.stage(&u)?;
            self.fr_advance(&u, c0, 0.5 * h, &mut half);
            let c1 = self.stage(&half)?;
            let mut next = vec![0.0; u.len()];
            self.fr_advance(&u, c1, h, &mut next);
            if next.iter().any(|v| v.is_nan()) {
                return Err(self.diverged("ln q became NaN"));
            }
            Ok(next)
        })();
        self.scratch = half;
        match r {
            Ok(next) => {
                self.state = State::Log(next);
                Ok(())
            }
            Err(e) => {
                self.state = State::Log(u);
                Err(e)
            }
        }
    }

    /// `fisher`'s Fisher–Rao flow: with v = √q, ∂ₜ ln q = ψ − E_q ψ is
    /// ∂ₜv = 2∂²ₓv − ½(s_p² + 2s_p′ + c)v, linear but for the normalising c, so one backward-Euler
    /// step (reflecting ends) and a renormalisation; the potential is shifted to ≥ 0 (a
    /// constant, absorbed by c), so the matrix is an M-matrix and v stays ≥ 0.
    fn fisher_step(&mut self, h: f64) -> Result<(), FlowError> {
        let State::Log(u) = &mut self.state else {
            return Err(self.diverged("internal state mismatch"));
        };
        let n = u.len();
        let mut v: Vec<f64> = u.iter().map(|a| (0.5 * a).exp()).collect();
        // Backward Euler is first order: sub-steps of at most FISHER_DT.
        let subs = (h / FISHER_DT).ceil().max(1.0);
        let dt = h / subs;
        let k = 2.0 * dt / (self.dx * self.dx);
        // Thomas on the symmetric, diagonally dominant tridiagonal (off-diagonals −k): the
        // elimination is the same for every sub-step, so it is done once.
        let mut cp = vec![0.0; n];
        let mut inv_m = vec![0.0; n];
        for i in 0..n {
            let neighbours = (i > 0) as u8 + (i + 1 < n) as u8;
            let diag = 1.0 + k * neighbours as f64 + dt * self.potential[i];
            let m = if i > 0 { diag + k * cp[i - 1] } else { diag };
            inv_m[i] = 1.0 / m;
            cp[i] = -k * inv_m[i];
        }
        for _ in 0..subs as usize {
            let mut prev = 0.0;
            for (a, im) in v.iter_mut().zip(&inv_m) {
                *a = (*a + k * prev) * im;
                prev = *a;
            }
            for i in (0..n - 1).rev() {
                v[i] -= cp[i] * v[i + 1];
            }
            // Rescale (the c term) so that sub-steps never drift towards under- or overflow.
            let mass: f64 = v.iter().map(|a| a * a).sum::<f64>() * self.dx;
            if !(mass > 0.0 && mass.is_finite()) {
                return Err(self.diverged("√q vanished"));
            }
            let scale = mass.sqrt().recip();
            v.iter_mut().for_each(|a| *a *= scale);
        }
        for (a, b) in u.iter_mut().zip(&v) {
            *a = 2.0 * b.max(0.0).ln();
        }
        let z = log_sum_exp(u.iter().copied()) + self.ln_dx;
        u.iter_mut().for_each(|a| *a -= z);
        Ok(())
    }

    /// D(r) = r ψ′(r) at face `i` where q = `qf`, for the Wasserstein flux D(r)·p·∂ₓ(q/p):
    /// by ratios where p and q are normal numbers, in log space (capped) where they are not.
    fn diffusion(&self, i: usize, qf: f64, a: f64) -> f64 {
        let pf = self.pf[i];
        let normal = pf > 1e-280 && qf > 1e-280;
        let ln_q = || if qf > 0.0 { qf.ln() } else { f64::NEG_INFINITY };
        match self.form {
            Form::Power { beta: 0.0, .. } => a,
            Form::Power { beta, .. } if normal => {
                let r = pf / qf;
                a * match beta {
                    1.0 => r,
                    -1.0 => 1.0 / r,
                    0.5 => r.sqrt(),
                    _ => r.powf(beta),
                }
            }
            Form::Power { beta, .. } => (a.ln() + beta * (self.lpf[i] - ln_q()))
                .min(MAX_LN_COEF)
                .exp(),
            // ½ r/(1 + r) = ½ p/(p + q)
            _ if normal => 0.5 * pf / (pf + qf),
            _ => 0.5 / (1.0 + (ln_q() - self.lpf[i]).exp()),
        }
    }

    /// One backward-Euler step of at most `remaining`, with the diffusion coefficient lagged
    /// (and re-lagged once, a Picard sweep) when it depends on q; the step shrinks while q
    /// moves by more than 5% in L¹ over one. Returns the step taken.
    fn wasserstein_step(&mut self, remaining: f64) -> Result<f64, FlowError> {
        let State::Linear(q) = &self.state else {
            return Err(self.diverged("internal state mismatch"));
        };
        let q = q.clone();
        let linear =
            matches!(self.form, Form::Power { beta, scale: Scale::Fixed(_) } if beta == 0.0);
        let mut dt = self.dt_next.min(self.max_dt).min(remaining);
        loop {
            let mut next = q.clone();
            let sweeps = if linear { 1 } else { 2 };
            for _ in 0..sweeps {
                let lag = next.clone();
                self.implicit_solve(&q, &lag, dt, &mut next)?;
            }
            let change: f64 =
                self.dx * q.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum::<f64>();
            if change <= 0.05 || dt <= 1e-12 {
                self.dt_next = if change < 0.02 {
                    (dt * 1.25).min(self.max_dt)
                } else {
                    dt
                };
                self.state = State::Linear(next);
                return Ok(dt);
            }
            dt *= 0.5;
        }
    }

    /// Solves (I − dt·L(lag)) q₁ = q₀ for the no-flux finite-volume operator L whose face
    /// fluxes are D p_f (q_{i+1}/p_{i+1} − q_i/p_i)/dx², D from `lag` (tridiagonal, Thomas).
    fn implicit_solve(
        &self,
        q0: &[f64],
        lag: &[f64],
        dt: f64,
        out: &mut [f64],
    ) -> Result<(), FlowError> {
        let n = q0.len();
        let a = match self.form {
            Form::Power {
                scale: Scale::Fixed(a),
                ..
            } => a,
            Form::Power {
                beta,
                scale: Scale::OverIntegral(a),
            } => {
                let ln_s = log_sum_exp(
                    lag.iter()
                        .zip(&self.lp)
                        .map(|(&q, &lp)| (1.0 - beta) * q.max(0.0).ln() + beta * lp),
                ) + self.ln_dx;
                a * (-ln_s).exp()
            }
            _ => 1.0,
        };
        // Face i joins points i and i+1: coefficients on q_{i+1} (right) and q_i (left).
        let cap = MAX_LN_COEF.exp();
        let mut right = vec![0.0; n - 1];
        let mut left = vec![0.0; n - 1];
        for i in 0..n - 1 {
            let d = dt * self.diffusion(i, 0.5 * (lag[i] + lag[i + 1]), a);
            right[i] = (d * self.ratio_r[i]).min(cap);
            left[i] = (d * self.ratio_l[i]).min(cap);
        }
        // Row i: −left[i−1] q_{i−1} + (1 + left[i] + right[i−1]) q_i − right[i] q_{i+1} = q0_i.
        // Columns sum to 1 (mass conservation). Gaussian elimination without pivoting then
        // keeps e_i = u_i − left[i] = 1 + right[i−1]·e_{i−1}/u_{i−1}: every term is positive,
        // so there is no cancellation, and q₁ ≥ 0 whatever the coefficients' range.
        let mut u = vec![0.0; n];
        let mut y = vec![0.0; n];
        let mut e = 1.0;
        for i in 0..n {
            if i > 0 {
                e = 1.0 + right[i - 1] * (e / u[i - 1]);
            }
            u[i] = e + if i + 1 < n { left[i] } else { 0.0 };
            y[i] = q0[i]
                + if i > 0 {
                    left[i - 1] * (y[i - 1] / u[i - 1])
                } else {
                    0.0
                };
        }
        out[n - 1] = y[n - 1] / u[n - 1];
        for i in (0..n - 1).rev() {
            out[i] = (y[i] + right[i] * out[i + 1]) / u[i];
        }
        if out.iter().any(|v| !v.is_finite()) {
            return Err(self.diverged("the implicit solve left f64's range"));
        }
        Ok(())
    }
}

/// Largest backward-Euler sub-step of `fisher`'s Fisher–Rao flow.
const FISHER_DT: f64 = 5e-4;

/// ½(s_p² + 2s_p′) = 2(√p)″/√p, taken as the discrete Laplacian of √p (reflecting ends)
/// over √p, so that q = p is exactly stationary on the grid; shifted to a minimum of 0.
fn fisher_potential(lp: &[f64], dx: f64) -> Vec<f64> {
    let n = lp.len();
    let v: Vec<f64> = (0..n)
        .map(|i| {
            let side = |j: usize| (0.5 * (lp[j] - lp[i])).exp_m1();
            let l = if i > 0 { side(i - 1) } else { 0.0 };
            let r = if i + 1 < n { side(i + 1) } else { 0.0 };
            2.0 * (l + r) / (dx * dx)
        })
        .collect();
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    v.iter().map(|a| a - lo).collect()
}

/// MMD's pressure on the grid: E_p k in closed form, k ∗ q by a zero-padded FFT.
#[derive(Clone, Debug)]
struct MmdPlan {
    ep: Vec<f64>,
    /// The DFT of the kernel's circulant (real: k is even), divided by its length.
    kernel: Vec<f64>,
    ffts: crate::conv::Ffts,
    dx: f64,
}

impl MmdPlan {
    fn new(p: &Target, x: &[f64], dx: f64, l: f64) -> Self {
        let ep = x
            .iter()
            .map(|&v| {
                p.components()
                    .iter()
                    .map(|c| {
                        let s2 = l * l + c.std * c.std;
                        c.weight * l / s2.sqrt() * (-(v - c.mean) * (v - c.mean) / (2.0 * s2)).exp()
                    })
                    .sum()
            })
            .collect();
        let n = x.len();
        let ffts = crate::conv::Ffts::new(crate::conv::fft_len(2 * n - 1));
        let len = ffts.len();
        let mut buf = vec![Complex::new(0.0, 0.0); len];
        for d in 0..n {
            let t = d as f64 * dx / l;
            let k = (-0.5 * t * t).exp();
            buf[d].re = k;
            if d > 0 {
                buf[len - d].re = k;
            }
        }
        ffts.forward(&mut buf, &mut ffts.scratch());
        let kernel = buf.iter().map(|z| z.re / len as f64).collect();
        Self {
            ep,
            kernel,
            ffts,
            dx,
        }
    }

    /// ψ = 2(E_p k − k ∗ q) at the points, for ln q = `u`.
    fn pressure(&self, u: &[f64]) -> Vec<f64> {
        let len = self.kernel.len();
        let mut buf = vec![Complex::new(0.0, 0.0); len];
        for (b, &v) in buf.iter_mut().zip(u) {
            b.re = v.exp();
        }
        let mut scratch = self.ffts.scratch();
        self.ffts.forward(&mut buf, &mut scratch);
        // Inverse as conj(FFT(conj(·))); the conjugations cancel for a real result.
        for (b, &k) in buf.iter_mut().zip(&self.kernel) {
            *b = (*b * k).conj();
        }
        self.ffts.forward(&mut buf, &mut scratch);
        self.ep
            .iter()
            .zip(&buf)
            .map(|(e, b)| 2.0 * (e - self.dx * b.re))
            .collect()
    }
}

fn mode_masses_on(resp: &[f64], q: &[f64], dx: f64) -> Vec<f64> {
    let k = resp.len() / q.len().max(1);
    let mut m = vec![0.0; k];
    for (row, &qi) in resp.chunks(k.max(1)).zip(q) {
        for (mk, r) in m.iter_mut().zip(row) {
            *mk += r * qi;
        }
    }
    m.iter_mut().for_each(|v| *v *= dx);
    m
}

/// The mass a density `q` on the uniform points `x` (spacing dx) puts on each of p's
/// components: ∫ q · w_k N_k / p, which sum to ∫q.
pub fn mode_masses(p: &Target, x: &[f64], q: &[f64]) -> Vec<f64> {
    let dx = if x.len() > 1 { x[1] - x[0] } else { 1.0 };
    let k = p.len();
    let mut resp = Vec::with_capacity(x.len() * k);
    for &v in x {
        let lp = p.log_pdf(v);
        resp.extend((0..k).map(|c| (p.log_component(c, v) - lp).exp()));
    }
    mode_masses_on(&resp, q, dx)
}

/// A flow sampled at output times: `q[i]` is the density on `x` at `times[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowResult {
    pub x: Vec<f64>,
    pub times: Vec<f64>,
    pub q: Vec<Vec<f64>>,
}

/// The flow of `div` from q₀ in geometry `g`, at each of `times` (finite, ≥ 0, increasing).
pub fn flow(
    p: &Target,
    div: &Divergence,
    q0: Gaussian,
    g: Geometry,
    times: &[f64],
    opts: FlowOptions,
) -> Result<FlowResult, FlowError> {
    check_times(times)?;
    let mut f = Flow::new(p, div, q0, g, opts)?;
    let mut q = Vec::with_capacity(times.len());
    for &t in times {
        f.advance_to(t)?;
        q.push(f.density());
    }
    Ok(FlowResult {
        x: f.x.clone(),
        times: times.to_vec(),
        q,
    })
}
