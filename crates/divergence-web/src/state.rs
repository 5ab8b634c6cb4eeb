//! The element's state object (SPEC §5), validated into core types.

use divergence::presets::preset;
use divergence::{Component, Divergence, Error, Gaussian, Params, Target};
use serde::{Deserialize, Serialize};

/// One target component as the page holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comp {
    pub weight: f64,
    pub mean: f64,
    pub std: f64,
}

/// q's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Q {
    pub mu: f64,
    pub sigma: f64,
}

/// Divergence parameters, named as in SPEC §5.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParamsState {
    pub alpha: f64,
    pub order: f64,
    pub bandwidth: f64,
    pub kernel_c: f64,
    pub kernel_beta: f64,
}

/// The (μ, σ) rectangle of the landscapes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct View {
    pub mu_range: [f64; 2],
    pub sigma_range: [f64; 2],
}

/// `el.state`: `{target, q, divergences, params, view}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub target: Vec<Comp>,
    pub q: Q,
    pub divergences: Vec<String>,
    pub params: ParamsState,
    pub view: View,
}

/// A landscape panel: its name in `state.divergences`, the divergence, and whether its
/// colours default to a log scale (`log_ksd`).
#[derive(Clone, Debug, PartialEq)]
pub struct PanelDef {
    pub name: String,
    pub div: Divergence,
    pub log: bool,
}

impl State {
    /// The state of a named preset.
    pub fn preset(name: &str) -> Result<State, Error> {
        let p = preset(name).ok_or_else(|| Error::Parse(format!("unknown preset '{name}'")))?;
        let d = Params::default();
        Ok(State {
            target: p
                .target
                .iter()
                .map(|c| Comp {
                    weight: c.weight,
                    mean: c.mean,
                    std: c.std,
                })
                .collect(),
            q: Q {
                mu: p.q.0,
                sigma: p.q.1,
            },
            divergences: p.divergences.iter().map(|s| s.to_string()).collect(),
            params: ParamsState {
                alpha: d.alpha,
                order: d.order,
                bandwidth: d.bandwidth,
                kernel_c: d.kernel_c,
                kernel_beta: d.kernel_beta,
            },
            view: View {
                mu_range: [p.mu_range.0, p.mu_range.1],
                sigma_range: [p.sigma_range.0, p.sigma_range.1],
            },
        })
    }

    /// Checks everything and builds the core objects.
    pub fn validate(&self) -> Result<(Target, Gaussian, Vec<PanelDef>), Error> {
        let comps: Vec<Component> = self
            .target
            .iter()
            .map(|c| Component {
                weight: c.weight,
                mean: c.mean,
                std: c.std,
            })
            .collect();
        let target = Target::new(&comps)?;
        let q = Gaussian::new(self.q.mu, self.q.sigma)?;
        let params = Params {
            alpha: self.params.alpha,
            order: self.params.order,
            bandwidth: self.params.bandwidth,
            kernel_c: self.params.kernel_c,
            kernel_beta: self.params.kernel_beta,
        };
        if self.divergences.is_empty() || self.divergences.len() > 16 {
            return Err(Error::Parse("choose 1 to 16 divergences".into()));
        }
        let mut panels = Vec::new();
        for name in &self.divergences {
            if panels.iter().any(|p: &PanelDef| &p.name == name) {
                return Err(Error::Parse(format!("divergence '{name}' is listed twice")));
            }
            let (base, log) = match name.as_str() {
                "log_ksd" => ("ksd", true),
                n => (n, false),
            };
            panels.push(PanelDef {
                name: name.clone(),
                div: Divergence::new(base, &params)?,
                log,
            });
        }
        let v = &self.view;
        divergence::Grid::new(
            (v.mu_range[0], v.mu_range[1]),
            (v.sigma_range[0], v.sigma_range[1]),
            2,
            2,
            false,
        )?;
        Ok((target, q, panels))
    }

    /// True when both states give the same landscapes (only q differs).
    pub fn same_landscapes(&self, other: &State) -> bool {
        self.target == other.target
            && self.divergences == other.divergences
            && self.params == other.params
            && self.view == other.view
    }
}
