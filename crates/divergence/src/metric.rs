//! Descent of D(μ, σ) in a named geometry: the metric decides which basin a start drains to.
//! Steps are measured in the metric's own units and follow the continuous flow (a line
//! search that refuses steps along which the flow turns), so a path depends on the start,
//! the divergence and the metric only, never on a view or a grid. Every descent ends with
//! the Newton polish of [`crate::landscape::Descender`] on (μ, ln σ).

use crate::divergences::{eval_grad, Divergence};
use crate::error::{Error, Field};
use crate::landscape::{Descender, Descent, REFINE_STEPS};
use crate::target::{Gaussian, Target};

/// The metric on (μ, σ) whose steepest descent a path follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Metric {
    /// Fisher–Rao metric of N(μ, σ²), diag(1/σ², 2/σ²): the natural gradient, free of
    /// parametrisation.
    #[default]
    Fisher,
    /// Plain (μ, σ): diag(1, 1).
    Euclidean,
    /// Plain (μ, ln σ): diag(1, 1/σ²) on (μ, σ).
    LogSigma,
}

/// The metrics' names, as the CLI and the page spell them.
pub const METRICS: [&str; 3] = ["fisher", "euclidean", "log-sigma"];

impl Metric {
    /// The name (`fisher`, `euclidean`, `log-sigma`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Fisher => "fisher",
            Metric::Euclidean => "euclidean",
            Metric::LogSigma => "log-sigma",
        }
    }

    /// The diagonal of the metric tensor G on (μ, σ) at σ.
    pub fn tensor(self, sigma: f64) -> [f64; 2] {
        let v = sigma * sigma;
        match self {
            Metric::Fisher => [1.0 / v, 2.0 / v],
            Metric::Euclidean => [1.0, 1.0],
            Metric::LogSigma => [1.0, 1.0 / v],
        }
    }

    /// Steepest-descent direction −G⁻¹∇D on (μ, σ) for the gradient `grad` = (∂D/∂μ, ∂D/∂σ).
    pub fn direction(self, sigma: f64, grad: [f64; 2]) -> [f64; 2] {
        let g = self.tensor(sigma);
        [-grad[0] / g[0], -grad[1] / g[1]]
    }

    /// Length of the (μ, σ) displacement `d` at σ in this metric.
    pub fn norm(self, sigma: f64, d: [f64; 2]) -> f64 {
        let g = self.tensor(sigma);
        (g[0] * d[0] * d[0] + g[1] * d[1] * d[1]).sqrt()
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Metric {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "fisher" => Ok(Metric::Fisher),
            "euclidean" => Ok(Metric::Euclidean),
            "log-sigma" => Ok(Metric::LogSigma),
            _ => Err(Error::parse(
                Field::Metric,
                format!("metric '{s}' is not one of: {}", METRICS.join(", ")),
            )),
        }
    }
}

/// How the descent moves before the Newton polish.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Optimizer {
    /// Steepest descent in the chosen [`Metric`], tracking its continuous flow.
    #[default]
    GradientDescent,
    /// Adam on (μ, ln σ) (β₁ = 0.9, β₂ = 0.999, ε = 1e-8), as practitioners fit q; the metric
    /// is not used.
    Adam,
}

impl Optimizer {
    /// The name (`gd`, `adam`).
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::GradientDescent => "gd",
            Optimizer::Adam => "adam",
        }
    }
}

impl std::fmt::Display for Optimizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Optimizer {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "gd" => Ok(Optimizer::GradientDescent),
            "adam" => Ok(Optimizer::Adam),
            _ => Err(Error::parse(
                Field::Optimizer,
                format!("optimizer '{s}' is not one of: gd, adam"),
            )),
        }
    }
}

/// Limits of a descent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DescentOptions {
    /// Most steps before the polish.
    pub max_steps: usize,
    /// Adam's learning rate on (μ, ln σ).
    pub learning_rate: f64,
}

impl Default for DescentOptions {
    fn default() -> Self {
        Self {
            max_steps: 5000,
            learning_rate: 0.05,
        }
    }
}

/// Cosine of the largest turn of the flow accepted within one step.
const MAX_TURN_COS: f64 = 0.95;
/// The flow phase ends when the metric norm of the gradient falls below this.
const STATIONARY: f64 = 1e-7;

#[derive(Clone, Debug)]
enum Phase {
    Flow {
        a: f64,
    },
    Adam {
        m: [f64; 2],
        v: [f64; 2],
        k: i32,
        lr: f64,
    },
    Polish(Box<Descender>),
    Done,
}

/// A descent in a metric or with Adam, one step at a time (so a page can animate it), then
/// the Newton polish. `path()` holds every iterate `[μ, σ, D]`.
#[derive(Clone, Debug)]
pub struct MetricDescent {
    metric: Metric,
    x: [f64; 2],
    cur: [f64; 3],
    path: Vec<[f64; 3]>,
    steps_left: usize,
    phase: Phase,
    converged: bool,
}

fn value_grad(p: &Target, div: &Divergence, mu: f64, sigma: f64) -> [f64; 3] {
    if !(sigma > crate::target::MIN_STD && sigma < crate::target::MAX_STD) {
        return [f64::INFINITY, f64::NAN, f64::NAN];
    }
    eval_grad(p, &Gaussian { mu, sigma }, div).into()
}

impl MetricDescent {
    /// A descent from `(mu, sigma)`.
    pub fn new(
        p: &Target,
        div: &Divergence,
        (mu, sigma): (f64, f64),
        metric: Metric,
        optimizer: Optimizer,
        opts: DescentOptions,
    ) -> Self {
        let cur = value_grad(p, div, mu, sigma);
        let phase = if !cur[0].is_finite() {
            Phase::Done
        } else {
            match optimizer {
                Optimizer::GradientDescent => Phase::Flow { a: f64::INFINITY },
                Optimizer::Adam => Phase::Adam {
                    m: [0.0; 2],
                    v: [0.0; 2],
                    k: 0,
                    lr: opts.learning_rate,
                },
            }
        };
        Self {
            metric,
            x: [mu, sigma],
            cur,
            path: vec![[mu, sigma, cur[0]]],
            steps_left: opts.max_steps,
            phase,
            converged: false,
        }
    }

    /// The iterates `[μ, σ, D]` so far.
    pub fn path(&self) -> &[[f64; 3]] {
        &self.path
    }

    /// True once the polish has finished.
    pub fn finished(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    /// The finished (or interrupted) descent.
    pub fn into_descent(self) -> Descent {
        Descent {
            path: self.path,
            converged: self.converged,
        }
    }

    fn accept(&mut self, y: [f64; 2], vy: [f64; 3]) {
        self.x = y;
        self.cur = vy;
        self.path.push([y[0], y[1], vy[0]]);
        self.steps_left = self.steps_left.saturating_sub(1);
    }

    fn start_polish(&mut self, p: &Target, div: &Divergence) {
        self.phase = Phase::Polish(Box::new(Descender::new(
            p,
            div,
            self.x[0],
            self.x[1],
            REFINE_STEPS,
        )));
    }

    /// One step; true when the descent has finished.
    pub fn step(&mut self, p: &Target, div: &Divergence) -> bool {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Done => return true,
            Phase::Polish(mut d) => {
                let before = d.path().len();
                let done = d.step(p, div);
                if d.path().len() > before {
                    self.path.extend_from_slice(&d.path()[before..]);
                }
                if done {
                    let r = d.into_descent();
                    self.converged = r.converged;
                } else {
                    self.phase = Phase::Polish(d);
                }
            }
            Phase::Flow { a } => self.flow_step(p, div, a),
            Phase::Adam { m, v, k, lr } => self.adam_step(p, div, m, v, k, lr),
        }
        self.finished()
    }

    /// A step along −G⁻¹∇D with backtracking: accepted when D decreases (Armijo) and the
    /// flow's direction turns by less than ~18° over it, so the path tracks the continuous flow.
    fn flow_step(&mut self, p: &Target, div: &Divergence, a: f64) {
        let (x, cur, m) = (self.x, self.cur, self.metric);
        let d = m.direction(x[1], [cur[1], cur[2]]);
        let len = m.norm(x[1], d);
        if len.is_nan() || len <= STATIONARY || self.steps_left == 0 {
            return self.start_polish(p, div);
        }
        let slope = -len * len;
        // First step: a tenth of σ in Fisher units (dimensionless); then grow by half.
        let mut a = if a.is_finite() {
            a * 1.5
        } else {
            0.1 / Metric::Fisher.norm(x[1], d).max(1e-300)
        };
        let g = m.tensor(x[1]);
        while a * len > 1e-12 {
            let y = [x[0] + a * d[0], x[1] + a * d[1]];
            // σ may shrink by at most half in one step (and never reach 0).
            if y[1] >= 0.5 * x[1] && y[1] <= 2.0 * x[1] {
                let vy = value_grad(p, div, y[0], y[1]);
                if vy[0].is_finite() && vy[0] <= cur[0] + 1e-4 * a * slope {
                    let dy = m.direction(y[1], [vy[1], vy[2]]);
                    let dot = g[0] * d[0] * dy[0] + g[1] * d[1] * dy[1];
                    let ny = m.norm(x[1], dy);
                    if dot >= MAX_TURN_COS * len * ny || ny < 1e-3 * len {
                        self.accept(y, vy);
                        self.phase = Phase::Flow { a };
                        return;
                    }
                }
            }
            a *= 0.5;
        }
        self.start_polish(p, div);
    }

    /// One Adam step on (μ, ln σ); a step onto +inf halves the learning rate instead.
    fn adam_step(
        &mut self,
        p: &Target,
        div: &Divergence,
        mut m: [f64; 2],
        mut v: [f64; 2],
        k: i32,
        mut lr: f64,
    ) {
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        let (x, cur) = (self.x, self.cur);
        let g = [cur[1], cur[2] * x[1]];
        if g[0].abs() + g[1].abs() < 1e-10 || self.steps_left == 0 || lr < 1e-12 {
            return self.start_polish(p, div);
        }
        let k = k + 1;
        for i in 0..2 {
            m[i] = b1 * m[i] + (1.0 - b1) * g[i];
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
        }
        let (c1, c2) = (1.0 - b1.powi(k), 1.0 - b2.powi(k));
        let s = [0, 1].map(|i| -lr * (m[i] / c1) / ((v[i] / c2).sqrt() + eps));
        let y = [x[0] + s[0], (x[1].ln() + s[1]).exp()];
        let vy = value_grad(p, div, y[0], y[1]);
        if !vy[0].is_finite() || !vy[1].is_finite() || !vy[2].is_finite() {
            lr *= 0.5;
        } else {
            self.accept(y, vy);
            if s[0].abs().max(s[1].abs()) < 1e-9 {
                return self.start_polish(p, div);
            }
        }
        self.phase = Phase::Adam { m, v, k, lr };
    }
}

/// Descends D from `(mu, sigma)` with `optimizer` (in `metric` for gradient descent) until
/// the flow is stationary, then polishes to the minimum with Newton on (μ, ln σ). The path
/// ends on that refined minimum; `converged` says whether the polish converged.
pub fn descend_with(
    p: &Target,
    div: &Divergence,
    mu: f64,
    sigma: f64,
    metric: Metric,
    optimizer: Optimizer,
    opts: DescentOptions,
) -> Descent {
    let mut d = MetricDescent::new(p, div, (mu, sigma), metric, optimizer, opts);
    while !d.step(p, div) {}
    d.into_descent()
}
