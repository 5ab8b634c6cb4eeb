//! The explorer's state (SPEC §5: `{target, q, divergences, params, view}`), the one
//! definition the page's JSON, presets and URL fragments all go through, validated into the
//! core's objects. With the `serde` feature it (de)serialises in the page's camelCase shape.

use crate::divergences::{Divergence, Params};
use crate::error::{Error, Field};
use crate::fragment::{self, FragmentUpdate};
use crate::landscape::Grid;
use crate::metric::Metric;
use crate::presets::preset;
use crate::registry;
use crate::target::{Component, Gaussian, Target};

/// Most landscape panels in one state.
pub const MAX_PANELS: usize = 16;

/// The (μ, σ) rectangle of the landscapes.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct View {
    pub mu_range: [f64; 2],
    pub sigma_range: [f64; 2],
}

/// `el.state`: the target as given, q, the panels' names, the parameters and the view.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct State {
    pub target: Vec<Component>,
    pub q: Gaussian,
    pub divergences: Vec<String>,
    pub params: Params,
    pub view: View,
    /// The metric of descent paths and basins (`fisher`, `euclidean`, `log-sigma`).
    #[cfg_attr(feature = "serde", serde(default = "default_metric"))]
    pub metric: String,
}

fn default_metric() -> String {
    Metric::default().name().to_string()
}

/// A landscape panel: its name in `state.divergences`, the divergence it computes, and
/// whether its colours default to a log scale (`log_ksd`, from the registry).
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub name: String,
    pub div: Divergence,
    pub log: bool,
}

/// A state checked and turned into the core's objects.
#[derive(Clone, Debug, PartialEq)]
pub struct Validated {
    pub target: Target,
    pub q: Gaussian,
    pub panels: Vec<Panel>,
    pub metric: Metric,
}

impl State {
    /// The state of the preset called `name` (SPEC §5), with default parameters.
    ///
    /// # Examples
    /// ```
    /// let s = divergence::State::preset("blog-kl").unwrap();
    /// assert_eq!(s.divergences, ["reverse_kl", "forward_kl"]);
    /// assert_eq!(s.view.mu_range, [-7.0, 7.0]);
    /// ```
    pub fn preset(name: &str) -> Result<State, Error> {
        let p = preset(name).ok_or_else(|| Error::UnknownPreset(name.to_string()))?;
        Ok(State {
            target: p.target,
            q: Gaussian {
                mu: p.q.0,
                sigma: p.q.1,
            },
            divergences: p.divergences.iter().map(|s| s.to_string()).collect(),
            params: Params::default(),
            view: View {
                mu_range: [p.mu_range.0, p.mu_range.1],
                sigma_range: [p.sigma_range.0, p.sigma_range.1],
            },
            metric: default_metric(),
        })
    }

    /// Checks everything and builds the core objects.
    pub fn validate(&self) -> Result<Validated, Error> {
        let target = Target::new(&self.target)?;
        let q = Gaussian::new(self.q.mu, self.q.sigma)?;
        if self.divergences.is_empty() || self.divergences.len() > MAX_PANELS {
            return Err(Error::Count {
                field: Field::Divergences,
                message: format!("choose 1 to {MAX_PANELS} divergences"),
            });
        }
        let mut panels: Vec<Panel> = Vec::new();
        for name in &self.divergences {
            if panels.iter().any(|p| &p.name == name) {
                return Err(Error::parse(
                    Field::Divergences,
                    format!("divergence '{name}' is listed twice"),
                ));
            }
            let info = registry::panel_info(name);
            let div = Divergence::new(info.map_or(name.as_str(), |s| s.divergence), &self.params)?;
            panels.push(Panel {
                name: name.clone(),
                div,
                log: info.is_some_and(|s| s.scale == registry::ColorScale::Log),
            });
        }
        self.grid(2, 2)?;
        let metric = self.metric.parse()?;
        Ok(Validated {
            target,
            q,
            panels,
            metric,
        })
    }

    /// The view's rectangle sampled `n_mu × n_sigma` (σ linear).
    pub fn grid(&self, n_mu: usize, n_sigma: usize) -> Result<Grid, Error> {
        let v = &self.view;
        Grid::new(
            (v.mu_range[0], v.mu_range[1]),
            (v.sigma_range[0], v.sigma_range[1]),
            n_mu,
            n_sigma,
            false,
        )
    }

    /// True when both states give the same landscapes (only q differs).
    pub fn same_landscapes(&self, other: &State) -> bool {
        self.target == other.target
            && self.divergences == other.divergences
            && self.params == other.params
            && self.view == other.view
    }

    /// The state as a URL fragment (without `#`); numbers round-trip exactly.
    pub fn fragment(&self) -> String {
        let p = &self.params;
        fragment::to_fragment(&fragment::View {
            target: &self.target,
            q: (self.q.mu, self.q.sigma),
            divergences: &self.divergences,
            params: [p.alpha, p.order, p.bandwidth, p.kernel_c, p.kernel_beta],
            mu_range: (self.view.mu_range[0], self.view.mu_range[1]),
            sigma_range: (self.view.sigma_range[0], self.view.sigma_range[1]),
            metric: &self.metric,
        })
    }
}

/// What a URL fragment sets, in the state's own shape (every part optional), for merging
/// into a state: `{target?, q?, divergences?, params?: {…}, view?: {…}, unknown}`.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartialState {
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub target: Option<Vec<Component>>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub q: Option<Gaussian>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub divergences: Option<Vec<String>>,
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "PartialParams::is_empty")
    )]
    pub params: PartialParams,
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "PartialView::is_empty")
    )]
    pub view: PartialView,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub metric: Option<String>,
    /// Keys the fragment held that no state field takes.
    pub unknown: Vec<String>,
}

/// Parameters a fragment sets.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct PartialParams {
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub alpha: Option<f64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub order: Option<f64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub bandwidth: Option<f64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub kernel_c: Option<f64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub kernel_beta: Option<f64>,
}

impl PartialParams {
    /// True when the fragment set no parameter.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The view ranges a fragment sets.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct PartialView {
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub mu_range: Option<[f64; 2]>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub sigma_range: Option<[f64; 2]>,
}

impl PartialView {
    /// True when the fragment set no range.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl From<FragmentUpdate> for PartialState {
    fn from(u: FragmentUpdate) -> Self {
        let pair = |r: Option<(f64, f64)>| r.map(|(a, b)| [a, b]);
        PartialState {
            target: u.target,
            q: u.q.map(|(mu, sigma)| Gaussian { mu, sigma }),
            divergences: u.divergences,
            params: PartialParams {
                alpha: u.alpha,
                order: u.order,
                bandwidth: u.bandwidth,
                kernel_c: u.kernel_c,
                kernel_beta: u.kernel_beta,
            },
            view: PartialView {
                mu_range: pair(u.mu_range),
                sigma_range: pair(u.sigma_range),
            },
            metric: u.metric,
            unknown: u.unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_validate_and_round_trip_through_fragments() {
        for name in crate::presets::PRESET_NAMES {
            let s = State::preset(name).unwrap();
            let v = s.validate().unwrap();
            assert_eq!(v.panels.len(), s.divergences.len());
            let back = PartialState::from(fragment::parse_fragment(&s.fragment()).unwrap());
            assert_eq!(back.target.as_deref(), Some(&s.target[..]));
            assert_eq!(back.q, Some(s.q));
            assert_eq!(back.view.mu_range, Some(s.view.mu_range));
            assert_eq!(back.params.kernel_beta, Some(s.params.kernel_beta));
            assert_eq!(back.metric.as_deref(), Some("fisher"));
        }
        let stein = State::preset("blog-stein").unwrap().validate().unwrap();
        assert!(stein.panels[3].log && !stein.panels[2].log);
        assert_eq!(stein.panels[3].div, stein.panels[2].div);
        let mut twice = State::preset("blog-kl").unwrap();
        twice.divergences.push("forward_kl".into());
        assert_eq!(twice.validate().unwrap_err().field(), Field::Divergences);
        let mut metric = State::preset("blog-kl").unwrap();
        metric.metric = "log-sigma".into();
        assert_eq!(metric.validate().unwrap().metric, Metric::LogSigma);
        let back = PartialState::from(fragment::parse_fragment(&metric.fragment()).unwrap());
        assert_eq!(back.metric.as_deref(), Some("log-sigma"));
        metric.metric = "riemann".into();
        assert_eq!(metric.validate().unwrap_err().field(), Field::Metric);
        assert_eq!(
            State::preset("nope").unwrap_err(),
            Error::UnknownPreset("nope".into())
        );
    }
}
