//! The flows-of-q panel's data (the page's and `divergence figure --panels flow`'s): per chosen divergence, q as a free density flowing from the
//! current Gaussian (SPEC §4), shown at the reader's time, and the mass it puts on each of
//! p's components over t ∈ [0, T_MAX], sampled in the background by `work`.

use divergence::flow::{default_range, Flow, FlowOptions, Geometry, CHECKPOINT_EVERY};
use divergence::{Divergence, Gaussian, Target};

/// The end of the panel's time axis.
pub const T_MAX: f64 = 5.0;
/// x points of every flow: frame rate while scrubbing, ~0.2 ms a step natively.
pub const POINTS: usize = 2001;
/// Mass samples over [0, T_MAX].
const SAMPLES: usize = 100;

/// A flow at the shown time: (masses on p's components, mass below a point), or why it is
/// not shown.
pub type Shown<'a> = Result<(Vec<f64>, f64), &'a str>;

/// One divergence's flow: the one shown (at the reader's t) and the one sampling masses.
#[derive(Clone)]
struct Item {
    name: String,
    shown: Result<Flow, String>,
    ahead: Option<Flow>,
    masses: Vec<(f64, Vec<f64>)>,
    q: Vec<f64>,
}

/// The flows of one problem (target, q₀, divergences, geometry).
#[derive(Clone)]
pub struct Flows {
    key: String,
    geometry: Geometry,
    x: Vec<f64>,
    p: Vec<f64>,
    t: f64,
    items: Vec<Item>,
    /// The stretch `catch_up` is in (its end) and the next flow it advances there.
    round: Option<f64>,
    next_item: usize,
}

impl Flows {
    /// Flows of each `(name, divergence)` from q₀ in `geometry`, keyed by `key`, at t = 0.
    pub fn new(
        key: String,
        p: &Target,
        q0: Gaussian,
        divs: &[(String, Divergence)],
        geometry: Geometry,
    ) -> Flows {
        let opts = FlowOptions {
            points: POINTS,
            x_range: Some(default_range(p, &q0)),
            max_dt: None,
        };
        let items: Vec<Item> = (divs.iter())
            .map(|(name, d)| {
                let shown = Flow::new(p, d, q0, geometry, opts).map_err(|e| e.to_string());
                let ahead = shown.as_ref().ok().cloned();
                let masses = (shown.as_ref().ok())
                    .map(|f| vec![(0.0, f.mode_masses())])
                    .unwrap_or_default();
                Item {
                    name: name.clone(),
                    shown,
                    ahead,
                    masses,
                    q: vec![0.0; POINTS],
                }
            })
            .collect();
        let (lo, hi) = opts.x_range.unwrap_or((-1.0, 1.0));
        let dx = (hi - lo) / (POINTS - 1) as f64;
        let x: Vec<f64> = (0..POINTS).map(|i| lo + dx * i as f64).collect();
        let pd = x.iter().map(|&v| p.log_pdf(v).exp()).collect();
        let mut f = Flows {
            key,
            geometry,
            x,
            p: pd,
            t: f64::NAN,
            items,
            round: None,
            next_item: 0,
        };
        f.set_time(0.0);
        f
    }

    /// The key the flows were made for.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The geometry.
    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    /// The shown time.
    pub fn time(&self) -> f64 {
        self.t
    }

    /// Moves every shown flow to `t` (earlier times rewind); a flow that diverges says so.
    pub fn set_time(&mut self, t: f64) {
        if t == self.t && self.round.is_none() {
            return;
        }
        (self.t, self.round, self.next_item) = (t, None, 0);
        for it in &mut self.items {
            if let Ok(f) = &mut it.shown {
                match f.advance_to(t) {
                    Ok(()) => f.density_into(&mut it.q),
                    Err(e) => it.shown = Err(e.to_string()),
                }
            }
        }
    }

    /// Moves every shown flow to `t` as `set_time` does (to the same bits, while `t` stays
    /// the same from call to call), flow by flow in stretches of at most [`CHECKPOINT_EVERY`]
    /// of time, one step of a flow's integration per unit, asking `out_of_time()` after each;
    /// true once all are at `t`. A stretch once begun is finished first, so that every flow
    /// stands at one time between stretches; in a stretch they differ, and the flows are
    /// shown once caught up.
    pub fn catch_up(&mut self, t: f64, out_of_time: &mut impl FnMut() -> bool) -> bool {
        if !t.is_finite() {
            // Refused by every flow, at once.
            self.set_time(t);
            return true;
        }
        loop {
            let stop = match self.round {
                Some(stop) => stop,
                None if self.t == t => return true,
                None => {
                    // The stretch's end: t when rewinding or within it, else the checkpoint.
                    let next_cp =
                        (self.t / CHECKPOINT_EVERY).floor() * CHECKPOINT_EVERY + CHECKPOINT_EVERY;
                    let stop = if t < self.t { t } else { t.min(next_cp) };
                    self.round = Some(stop);
                    stop
                }
            };
            // A step of the next flow still shown (a refused one takes no unit).
            let mut moved = false;
            while let Some(it) = self.items.get_mut(self.next_item) {
                let Ok(f) = &mut it.shown else {
                    self.next_item += 1;
                    continue;
                };
                match f.advance_steps(stop, 1) {
                    Ok(false) => {}
                    Ok(true) => {
                        f.density_into(&mut it.q);
                        self.next_item += 1;
                    }
                    Err(e) => {
                        it.shown = Err(e.to_string());
                        self.next_item += 1;
                    }
                }
                moved = true;
                break;
            }
            if self.next_item == self.items.len() {
                (self.t, self.round, self.next_item) = (stop, None, 0);
            }
            if moved && out_of_time() {
                return self.round.is_none() && self.t == t;
            }
        }
    }

    /// Samples masses ahead, one step of a flow's integration a unit (a sampled time can
    /// take many: tens of milliseconds), asking `out_of_time()` after each; true when every
    /// sampled curve is complete. Sliced or not, the curves have the same bits.
    pub fn work(&mut self, out_of_time: &mut impl FnMut() -> bool) -> bool {
        for it in &mut self.items {
            while let Some(f) = &mut it.ahead {
                let k = it.masses.len();
                if k > SAMPLES {
                    it.ahead = None;
                    break;
                }
                let t = T_MAX * k as f64 / SAMPLES as f64;
                match f.advance_steps(t, 1) {
                    Ok(true) => it.masses.push((t, f.mode_masses())),
                    Ok(false) => {}
                    Err(e) => {
                        it.shown = Err(e.to_string());
                        it.ahead = None;
                    }
                }
                if out_of_time() {
                    return false;
                }
            }
        }
        true
    }

    /// True when every mass curve is complete.
    pub fn done(&self) -> bool {
        self.items.iter().all(|it| it.ahead.is_none())
    }

    /// Per flow: its name, the masses on p's components at the shown time (or the reason it
    /// is not shown), and the mass of q_t below `x0`.
    pub fn summary(&self, x0: f64) -> Vec<(&str, Shown<'_>)> {
        (self.items.iter())
            .map(|it| {
                let r = match &it.shown {
                    Ok(f) => Ok((f.mode_masses(), self.mass_below(&it.q, x0, f.dx()))),
                    Err(e) => Err(e.as_str()),
                };
                (it.name.as_str(), r)
            })
            .collect()
    }

    /// ∫_{x < x0} q dx, each point owning a cell of width dx.
    fn mass_below(&self, q: &[f64], x0: f64, dx: f64) -> f64 {
        (self.x.iter().zip(q))
            .map(|(&x, &v)| v * ((x0 - (x - 0.5 * dx)) / dx).clamp(0.0, 1.0))
            .sum::<f64>()
            * dx
    }

    /// The flows' divergences in the panel's order (KSD² and log KSD² are one flow).
    pub fn names(&self) -> Vec<String> {
        self.items.iter().map(|it| it.name.clone()).collect()
    }

    /// The number of flows.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True without any flow.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Draws the panel on `area`.
    pub fn draw<DB: plotters::prelude::DrawingBackend>(
        &self,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        theme: &crate::Theme,
    ) -> crate::Drawn<DB> {
        self.draw_range(area, theme, 0..self.items.len())
    }

    /// Draws flow `k` alone on `area`, as in one cell of the stacked panel (a canvas of its
    /// own on the page).
    pub fn draw_one<DB: plotters::prelude::DrawingBackend>(
        &self,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        theme: &crate::Theme,
        k: usize,
    ) -> crate::Drawn<DB> {
        self.draw_range(
            area,
            theme,
            k.min(self.items.len())..(k + 1).min(self.items.len()),
        )
    }

    fn draw_range<DB: plotters::prelude::DrawingBackend>(
        &self,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        theme: &crate::Theme,
        range: std::ops::Range<usize>,
    ) -> crate::Drawn<DB> {
        let series: Vec<crate::FlowSeries> = (self.items[range].iter())
            .map(|it| crate::FlowSeries {
                name: &it.name,
                q: match &it.shown {
                    Ok(_) => Ok(&it.q),
                    Err(e) => Err(e.as_str()),
                },
                masses: &it.masses,
            })
            .collect();
        let fig = crate::FlowFigure {
            x: &self.x,
            p: &self.p,
            t: self.t,
            t_max: T_MAX,
            geometry: self.geometry.name(),
            series: &series,
        };
        crate::flow(area, &fig, theme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use divergence::Params;

    /// Each divergence by name with default parameters, as the panel takes them.
    fn named(names: &[&str]) -> Vec<(String, Divergence)> {
        (names.iter())
            .map(|n| {
                (
                    n.to_string(),
                    Divergence::new(n, &Params::default()).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn catching_up_unit_by_unit_gives_the_bits_of_set_time() {
        let p = Target::parse("0.4:-3:1,0.6:2:0.7").unwrap();
        let q0 = Gaussian {
            mu: 0.5,
            sigma: 2.0,
        };
        let divs = named(&["reverse_kl", "hellinger", "forward_kl"]);
        for g in [Geometry::FisherRao, Geometry::Wasserstein] {
            let fresh = || Flows::new(String::new(), &p, q0, &divs, g);
            for t in [1.3, 0.25, 2.0] {
                let mut direct = fresh();
                direct.set_time(t);
                let mut sliced = fresh();
                let mut units = 1;
                while !sliced.catch_up(t, &mut || true) {
                    units += 1;
                }
                // At least one unit (an integration step) per flow and stretch of at most
                // CHECKPOINT_EVERY; Hellinger's steps are at most its max_dt.
                assert!(units > divs.len() * (t / CHECKPOINT_EVERY).ceil() as usize);
                same(&direct, &sliced, &format!("{g:?} t = {t}"));
                // And back: a rewind catches up too.
                assert!(sliced.catch_up(0.1, &mut || false));
                direct.set_time(0.1);
                same(&direct, &sliced, &format!("{g:?} back from {t}"));
            }
            // A goal moved in a stretch: the stretch is finished first (here to 0.25 after one
            // step, or to 2.0 once the first k flows are there), then the new goal is caught up.
            let at = |f: &Flows, k: usize| f.items[k].shown.as_ref().map(|f| f.time()).ok();
            for (first, ready, then, via) in
                [(2.0, 0, 1.0, 0.25), (2.0, 1, 1.9, 2.0), (2.0, 2, 1.1, 2.0)]
            {
                let mut sliced = fresh();
                assert!(!sliced.catch_up(first, &mut || true));
                while ready > 0 && at(&sliced, ready - 1) != Some(first) {
                    assert!(!sliced.catch_up(first, &mut || true));
                }
                assert_ne!(at(&sliced, ready), Some(first));
                assert!(sliced.catch_up(then, &mut || false));
                let mut direct = fresh();
                direct.set_time(via);
                direct.set_time(then);
                same(&direct, &sliced, &format!("{g:?} {first} then {then}"));
            }
        }
    }

    /// Every flow of `a` and `b` at the same time with the same density, bit for bit.
    fn same(a: &Flows, b: &Flows, what: &str) {
        assert_eq!(a.time(), b.time(), "{what}");
        for (x, y) in a.items.iter().zip(&b.items) {
            let t = |i: &Item| i.shown.as_ref().map(|f| f.time()).ok();
            assert_eq!((t(x), &x.q), (t(y), &y.q), "{what}: {}", x.name);
        }
    }

    #[test]
    fn mass_curves_a_step_a_unit_have_the_bits_of_one_call() {
        let p = Target::parse("0.4:-3:1,0.6:2:0.7").unwrap();
        let q0 = Gaussian {
            mu: 0.5,
            sigma: 2.0,
        };
        let divs = named(&["hellinger", "jensen_shannon", "mmd"]);
        for g in [Geometry::FisherRao, Geometry::Wasserstein] {
            let mut whole = Flows::new(String::new(), &p, q0, &divs, g);
            assert!(whole.work(&mut || false));
            let mut sliced = Flows::new(String::new(), &p, q0, &divs, g);
            let mut units = 1;
            while !sliced.work(&mut || true) {
                units += 1;
            }
            // More units than sampled times: a unit is one step, and a sample takes several.
            let samples: usize = (whole.items.iter())
                .map(|it| it.masses.len().saturating_sub(1))
                .sum();
            assert!(units > samples, "{g:?}: {units} units, {samples} samples");
            for (a, b) in whole.items.iter().zip(&sliced.items) {
                assert_eq!(a.masses, b.masses, "{g:?} {}", a.name);
                // (Refused flows have none.)
                let n = if a.shown.is_ok() { SAMPLES + 1 } else { 0 };
                assert_eq!(a.masses.len(), n, "{g:?} {}", a.name);
            }
        }
    }

    #[test]
    fn masses_follow_the_closed_forms_and_refusals_are_kept() {
        let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
        let q0 = Gaussian {
            mu: 4.0,
            sigma: 1.0,
        };
        let divs = named(&["forward_kl", "reverse_kl", "ksd"]);
        let mut f = Flows::new(String::new(), &p, q0, &divs, Geometry::FisherRao);
        assert!(f.work(&mut || false) && f.done());
        f.set_time(1.0);
        let s = f.summary(0.0);
        // Forward KL: q_t = e^{−t}q₀ + (1 − e^{−t})p; Φ(−4) = 3.167124e-5.
        let e = (-1f64).exp();
        let closed = e * 3.167124183311992e-5 + (1.0 - e) / 2.0;
        let Ok((m, below)) = &s[0].1 else {
            panic!("forward KL refused")
        };
        assert!((below - closed).abs() < 1e-6, "{below} vs {closed}");
        assert!((m[0] + m[1] - 1.0).abs() < 1e-9);
        // Reverse KL: q_t ∝ q₀^{e^{−t}} p^{1−e^{−t}}: the far mode's mass is tiny at t = 1.
        let Ok((_, rkl)) = &s[1].1 else {
            panic!("reverse KL refused")
        };
        assert!(*rkl > 1e-4 && *rkl < 1e-3, "{rkl}");
        assert!(matches!(s[2].1, Err(why) if why.contains("not available")));
        // The sampled masses at t = 1 are those of the shown flow.
        let (t, m1) = &f.items[0].masses[SAMPLES / T_MAX as usize];
        assert!((t - 1.0).abs() < 1e-12 && (m1[0] - m[0]).abs() < 1e-12);
    }
}
