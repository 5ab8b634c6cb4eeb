//! The one table of divergences (SPEC §2) and of their parameters: canonical name, title,
//! which parameters each takes (with ranges, steps, defaults and named snap points), how a
//! landscape evaluates it, and its default colour scale. Names, [`Divergence::new`],
//! [`Divergence::name`], the CLI's list and the page's labels all read this table, so adding
//! a divergence touches this file and its mathematics only.

use crate::divergences::{Divergence, Params};

/// A divergence parameter (SPEC §5's `params` keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum Param {
    /// Amari α.
    Alpha,
    /// Rényi order a.
    Order,
    /// MMD kernel bandwidth ℓ.
    Bandwidth,
    /// KSD IMQ kernel constant c.
    KernelC,
    /// KSD IMQ kernel exponent β.
    KernelBeta,
}

impl Param {
    /// Every parameter, in `params` order.
    pub const ALL: [Param; 5] = [
        Param::Alpha,
        Param::Order,
        Param::Bandwidth,
        Param::KernelC,
        Param::KernelBeta,
    ];

    /// Its row of [`PARAMS`].
    pub fn info(self) -> &'static ParamInfo {
        &PARAMS[self as usize]
    }

    /// Its value in `params`.
    pub fn get(self, params: &Params) -> f64 {
        match self {
            Param::Alpha => params.alpha,
            Param::Order => params.order,
            Param::Bandwidth => params.bandwidth,
            Param::KernelC => params.kernel_c,
            Param::KernelBeta => params.kernel_beta,
        }
    }
}

/// A named point a slider snaps to.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Snap {
    pub value: f64,
    pub label: &'static str,
}

/// One parameter: its key in `state.params`, its control's accessible name, the slider's
/// range and step, its default, named snap points, and the domain [`Params::validate`] accepts.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ParamInfo {
    pub key: &'static str,
    pub label: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub default: f64,
    pub snaps: &'static [Snap],
    /// The accepted values, `[lo, hi]` (wider than the slider's range).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub domain: (f64, f64),
    /// Why a value outside `domain` is refused (the error's text).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub rule: &'static str,
}

/// The parameters, in [`Param::ALL`] order.
pub const PARAMS: [ParamInfo; 5] = [
    ParamInfo {
        key: "alpha",
        label: "alpha",
        min: -3.0,
        max: 3.0,
        step: 0.01,
        default: 0.0,
        snaps: &[
            Snap {
                value: -1.0,
                label: "reverse KL",
            },
            Snap {
                value: 0.0,
                label: "4·Hellinger",
            },
            Snap {
                value: 1.0,
                label: "forward KL",
            },
        ],
        domain: (-1e3, 1e3),
        rule: "must be finite, within ±1000",
    },
    ParamInfo {
        key: "order",
        label: "order",
        min: 0.05,
        max: 5.0,
        step: 0.01,
        default: 0.5,
        snaps: &[
            Snap {
                value: 0.5,
                label: "2·Bhattacharyya",
            },
            Snap {
                value: 1.0,
                label: "forward KL",
            },
            Snap {
                value: 2.0,
                label: "log(1 + χ²)",
            },
        ],
        domain: (1e-6, 1e3),
        rule: "must be positive (at most 1000)",
    },
    ParamInfo {
        key: "bandwidth",
        label: "bandwidth",
        min: 0.05,
        max: 10.0,
        step: 0.01,
        default: 1.0,
        snaps: &[],
        domain: (1e-6, 1e6),
        rule: "must lie in [1e-6, 1e6]",
    },
    ParamInfo {
        key: "kernelC",
        label: "kernel c",
        min: 0.1,
        max: 5.0,
        step: 0.01,
        default: 1.0,
        snaps: &[],
        domain: (1e-6, 1e6),
        rule: "must lie in [1e-6, 1e6]",
    },
    ParamInfo {
        key: "kernelBeta",
        label: "kernel beta",
        min: 0.05,
        max: 2.0,
        step: 0.01,
        default: 0.5,
        snaps: &[],
        domain: (1e-6, 1e3),
        rule: "must be positive (at most 1000)",
    },
];

/// How a landscape evaluates a divergence (for its default parameters; parameters outside a
/// row form's range, e.g. Amari |α| ≥ 1, fall back to per-cell evaluation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum EvalPath {
    /// A formula per cell: microseconds a cell.
    ClosedForm,
    /// Each row one FFT correlation of a tabulated function of p with a Gaussian.
    RowCorrelation,
    /// More than one correlation a row: sums per cell on a tabulated row (Jensen–Shannon,
    /// Fisher, Neyman χ²), crossings per cell (total variation), KSD²'s double sums per row;
    /// quadrature where a view is beyond the tables. The page computes these at a third of
    /// the resolution while a control is dragged.
    PerCell,
}

/// A landscape's default colour scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ColorScale {
    Linear,
    Log,
}

/// One divergence of SPEC §2.
#[derive(Clone, Copy, Debug)]
pub struct DivergenceInfo {
    /// Canonical name.
    pub name: &'static str,
    /// Title for labels and controls ("Reverse KL").
    pub title: &'static str,
    /// A figure's panel heading ("Reverse KL(q‖p)").
    pub heading: &'static str,
    /// Its symbol, for colour-bar titles ("KL(q‖p)").
    pub symbol: &'static str,
    /// The parameters it reads.
    pub params: &'static [Param],
    pub path: EvalPath,
    pub scale: ColorScale,
    /// The divergence with its parameters taken from a validated [`Params`].
    make: fn(&Params) -> Divergence,
}

impl DivergenceInfo {
    /// The divergence with its parameters from `params` (not validated here).
    pub fn make(&self, params: &Params) -> Divergence {
        (self.make)(params)
    }
}

const fn entry(
    name: &'static str,
    title: &'static str,
    params: &'static [Param],
    path: EvalPath,
    make: fn(&Params) -> Divergence,
) -> DivergenceInfo {
    DivergenceInfo {
        name,
        title,
        heading: title,
        symbol: title,
        params,
        path,
        scale: ColorScale::Log,
        make,
    }
}

impl DivergenceInfo {
    /// The same row with its figure heading and symbol.
    const fn shown(self, heading: &'static str, symbol: &'static str) -> Self {
        DivergenceInfo {
            heading,
            symbol,
            ..self
        }
    }
}

use EvalPath::{ClosedForm, PerCell, RowCorrelation};

/// The thirteen divergences, in SPEC order.
pub const DIVERGENCES: [DivergenceInfo; 13] = [
    entry("forward_kl", "Forward KL", &[], ClosedForm, |_| {
        Divergence::ForwardKl
    })
    .shown("Forward KL(p‖q)", "KL(p‖q)"),
    entry("reverse_kl", "Reverse KL", &[], RowCorrelation, |_| {
        Divergence::ReverseKl
    })
    .shown("Reverse KL(q‖p)", "KL(q‖p)"),
    entry("jensen_shannon", "Jensen–Shannon", &[], PerCell, |_| {
        Divergence::JensenShannon
    })
    .shown("Jensen–Shannon", "JS(p, q)"),
    entry("hellinger", "Hellinger", &[], RowCorrelation, |_| {
        Divergence::Hellinger
    })
    .shown("Hellinger", "H²(p, q)"),
    entry(
        "bhattacharyya",
        "Bhattacharyya",
        &[],
        RowCorrelation,
        |_| Divergence::Bhattacharyya,
    )
    .shown("Bhattacharyya", "D_B(p, q)"),
    entry("total_variation", "Total variation", &[], PerCell, |_| {
        Divergence::TotalVariation
    })
    .shown("Total variation", "TV(p, q)"),
    entry("pearson_chi2", "Pearson χ²", &[], ClosedForm, |_| {
        Divergence::PearsonChi2
    })
    .shown("Pearson χ²", "χ²(p‖q)"),
    entry("neyman_chi2", "Neyman χ²", &[], PerCell, |_| {
        Divergence::NeymanChi2
    })
    .shown("Neyman χ²", "χ²(q‖p)"),
    entry("amari", "Amari α", &[Param::Alpha], RowCorrelation, |p| {
        Divergence::Amari { alpha: p.alpha }
    })
    .shown("Amari α", "D_α(p‖q)"),
    entry("renyi", "Rényi", &[Param::Order], RowCorrelation, |p| {
        Divergence::Renyi { order: p.order }
    })
    .shown("Rényi", "D_a(p‖q)"),
    entry("fisher", "Fisher", &[], PerCell, |_| Divergence::Fisher).shown("Fisher", "F(q‖p)"),
    // KSD² is drawn on a linear scale by default; `log_ksd` shows it on a log one.
    DivergenceInfo {
        scale: ColorScale::Linear,
        ..entry(
            "ksd",
            "KSD²",
            &[Param::KernelC, Param::KernelBeta],
            PerCell,
            |p| Divergence::Ksd {
                c: p.kernel_c,
                beta: p.kernel_beta,
            },
        )
        .shown("KSD²", "KSD²")
    },
    entry("mmd", "MMD²", &[Param::Bandwidth], ClosedForm, |p| {
        Divergence::Mmd {
            bandwidth: p.bandwidth,
        }
    })
    .shown("MMD²", "MMD²"),
];

/// A way of showing a divergence other than its own: another title and colour scale.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    /// The name `state.divergences` uses for it.
    pub name: &'static str,
    /// Its title, also its figure heading.
    pub title: &'static str,
    /// The canonical name of the divergence it shows.
    pub of: &'static str,
    pub scale: ColorScale,
}

/// The display variants (SPEC §5: `log_ksd` is KSD² on a log colour scale).
pub const VARIANTS: [Variant; 1] = [Variant {
    name: "log_ksd",
    title: "log KSD²",
    of: "ksd",
    scale: ColorScale::Log,
}];

const fn names() -> [&'static str; DIVERGENCES.len()] {
    let mut out = [""; DIVERGENCES.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = DIVERGENCES[i].name;
        i += 1;
    }
    out
}

/// Canonical names, in SPEC order.
pub const NAMES: [&str; DIVERGENCES.len()] = names();

/// The divergence called `name` (canonical names only).
///
/// # Examples
/// ```
/// use divergence::registry::{lookup, EvalPath};
/// let kl = lookup("reverse_kl").unwrap();
/// assert_eq!((kl.title, kl.path), ("Reverse KL", EvalPath::RowCorrelation));
/// assert!(lookup("kl").is_none());
/// ```
pub fn lookup(name: &str) -> Option<&'static DivergenceInfo> {
    DIVERGENCES.iter().find(|d| d.name == name)
}

/// The row of `div`'s kind of divergence.
pub fn info_of(div: &Divergence) -> &'static DivergenceInfo {
    let d = Params::default();
    let kind = std::mem::discriminant(div);
    DIVERGENCES
        .iter()
        .find(|e| std::mem::discriminant(&e.make(&d)) == kind)
        .unwrap_or(&DIVERGENCES[0])
}

/// What a landscape panel called `name` shows: a divergence or a display variant.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PanelInfo {
    /// The name in `state.divergences`.
    pub name: &'static str,
    pub title: &'static str,
    /// A figure's panel heading.
    pub heading: &'static str,
    /// The symbol for colour-bar titles.
    pub symbol: &'static str,
    /// Keys of the parameters it reads.
    #[cfg_attr(feature = "serde", serde(serialize_with = "param_keys"))]
    pub params: &'static [Param],
    pub path: EvalPath,
    pub scale: ColorScale,
    /// The canonical name of the divergence computed.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub divergence: &'static str,
}

#[cfg(feature = "serde")]
fn param_keys<S: serde::Serializer>(ps: &&'static [Param], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ps.iter().map(|p| p.info().key))
}

/// Every name a panel may show: the divergences, then the display variants.
pub fn panel_infos() -> Vec<PanelInfo> {
    let plain = DIVERGENCES.iter().map(|d| PanelInfo {
        name: d.name,
        title: d.title,
        heading: d.heading,
        symbol: d.symbol,
        params: d.params,
        path: d.path,
        scale: d.scale,
        divergence: d.name,
    });
    let variants = VARIANTS.iter().filter_map(|v| {
        let d = lookup(v.of)?;
        Some(PanelInfo {
            name: v.name,
            title: v.title,
            heading: v.title,
            symbol: d.symbol,
            params: d.params,
            path: d.path,
            scale: v.scale,
            divergence: d.name,
        })
    });
    plain.chain(variants).collect()
}

/// What the panel called `name` shows, if it is a divergence or a display variant.
pub fn panel_info(name: &str) -> Option<PanelInfo> {
    panel_infos().into_iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_round_trips_through_its_divergence() {
        let p = Params::default();
        for d in &DIVERGENCES {
            let div = Divergence::new(d.name, &p).unwrap();
            assert_eq!(div.name(), d.name);
            assert_eq!(info_of(&div).title, d.title);
        }
        for (k, info) in Param::ALL.iter().map(|k| (k, k.info())) {
            assert_eq!(k.get(&p), info.default, "{}", info.key);
            assert!(info.min < info.max && info.domain.0 <= info.min && info.max <= info.domain.1);
        }
        // The row correlations the table names are the ones conv.rs has row forms for.
        for d in &DIVERGENCES {
            let div = d.make(&p);
            let correlates = crate::conv::Plan::correlates(&div);
            assert_eq!(correlates, d.path == EvalPath::RowCorrelation, "{}", d.name);
        }
        assert_eq!(panel_info("log_ksd").unwrap().divergence, "ksd");
        assert_eq!(panel_info("log_ksd").unwrap().scale, ColorScale::Log);
        assert!(panel_info("nope").is_none());
    }
}
