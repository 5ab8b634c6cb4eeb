//! The named views of SPEC §5, shared by the command line and the page.

use crate::target::Component;

/// A named starting view: target, q, divergences and the (μ, σ) rectangle.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    pub target: Vec<Component>,
    pub q: (f64, f64),
    pub divergences: Vec<&'static str>,
    pub mu_range: (f64, f64),
    pub sigma_range: (f64, f64),
    /// The figure's panels when the preset is embedded without a `panels` attribute.
    pub panels: Vec<&'static str>,
    /// Whether the landscapes start on a log colour scale (`log_ksd` always is one);
    /// the cover post's figure is linear.
    pub log_scale: bool,
}

const fn c(weight: f64, mean: f64, std: f64) -> Component {
    Component { weight, mean, std }
}

/// Names of all presets; the first is the default.
pub const PRESET_NAMES: [&str; 7] = [
    "blog-kl",
    "blog-stein",
    "blog-psi",
    "blog-is",
    "asymmetric",
    "three-modes",
    "light-mode",
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<Preset> {
    let bimodal = vec![c(0.5, -4.0, 1.0), c(0.5, 4.0, 1.0)];
    let landscape = || vec!["landscape"];
    let p = |target, q, divergences, mu_range, sigma_range| Preset {
        name: PRESET_NAMES
            .iter()
            .copied()
            .find(|n| *n == name)
            .unwrap_or("blog-kl"),
        target,
        q,
        divergences,
        mu_range,
        sigma_range,
        panels: landscape(),
        log_scale: true,
    };
    Some(match name {
        // The cover post's figure, on its linear colour scale.
        "blog-kl" => Preset {
            log_scale: false,
            ..p(
                bimodal,
                (0.0, 2.0),
                vec!["reverse_kl", "forward_kl"],
                (-7.0, 7.0),
                (0.5, 5.0),
            )
        },
        // The Stein post's 2 × 2 (KSD² linear, its log beside it).
        "blog-stein" => p(
            bimodal,
            (0.0, 2.0),
            vec!["reverse_kl", "forward_kl", "ksd", "log_ksd"],
            (-7.0, 7.0),
            (0.5, 5.0),
        ),
        // The ψ post's two figures, for a target with one heavy and one light mode.
        "blog-psi" => Preset {
            panels: vec!["psi", "psi_log"],
            ..p(
                vec![c(0.82, -3.0, 1.0), c(0.18, 3.0, 1.0)],
                (-2.0, 2.0),
                vec!["reverse_kl", "hellinger", "forward_kl"],
                (-7.0, 7.0),
                (0.5, 5.0),
            )
        },
        // The importance-sampling post: estimators from samples of a q sitting on one mode.
        "blog-is" => Preset {
            panels: vec!["sampling"],
            ..p(
                bimodal,
                (4.0, 1.0),
                vec!["reverse_kl", "forward_kl"],
                (-7.0, 7.0),
                (0.5, 5.0),
            )
        },
        "asymmetric" => p(
            vec![c(0.7, -2.0, 0.8), c(0.3, 3.0, 1.6)],
            (0.0, 2.0),
            vec!["reverse_kl", "forward_kl"],
            (-6.0, 7.0),
            (0.3, 5.0),
        ),
        "three-modes" => p(
            vec![c(1.0, -5.0, 0.8), c(1.0, 0.0, 0.8), c(1.0, 5.0, 0.8)],
            (0.0, 2.0),
            vec!["reverse_kl", "forward_kl"],
            (-8.0, 8.0),
            (0.3, 6.0),
        ),
        "light-mode" => p(
            // ψ = 0.18/0.82 ≈ 0.22 lies between ψ*(1, ½) ≈ 0.17 and ψ*(1, 0) = ¼: reverse KL
            // drops the light mode, Hellinger covers it.
            vec![c(0.82, -3.0, 1.0), c(0.18, 3.0, 1.0)],
            (-2.0, 2.0),
            vec!["reverse_kl", "hellinger", "forward_kl"],
            (-7.0, 7.0),
            (0.5, 5.0),
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blog_presets_are_the_posts_figures() {
        let kl = preset("blog-kl").into_iter().next();
        assert_eq!(
            kl.map(|p| (p.panels, p.log_scale)),
            Some((vec!["landscape"], false))
        );
        let psi = preset("blog-psi").map(|p| (p.panels, p.target.len()));
        assert_eq!(psi, Some((vec!["psi", "psi_log"], 2)));
        let is = preset("blog-is").map(|p| (p.panels, p.q));
        assert_eq!(is, Some((vec!["sampling"], (4.0, 1.0))));
        for name in PRESET_NAMES {
            assert_eq!(preset(name).map(|p| p.name), Some(name));
        }
    }
}
