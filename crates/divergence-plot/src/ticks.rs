//! Round tick values: multiples of 1, 2 or 5 × 10^k on linear axes, the values 1, 2 and 5 ×
//! 10^k themselves on log axes, each with its label.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// A tick: its value and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// `m × 10^e` as the nearest f64 for |e| ≤ 22 (one correctly rounded product or quotient
/// of exact values, so 3 × 10⁻¹ is 0.3, not 0.30000000000000004).
fn exact(m: i64, e: i32) -> f64 {
    let p = 10f64.powi(e.abs());
    if e >= 0 {
        m as f64 * p
    } else {
        m as f64 / p
    }
}

/// `m × 10^e` written with as few digits as it needs; exponent form beyond [10⁻³, 10⁵).
fn label(m: i64, e: i32) -> String {
    if m == 0 {
        return "0".into();
    }
    // Normalise so that m has no trailing zeros.
    let (mut m, mut e) = (m, e);
    while m % 10 == 0 {
        m /= 10;
        e += 1;
    }
    let digits = m.unsigned_abs().to_string().len() as i32;
    let magnitude = e + digits - 1;
    if !(-3..5).contains(&magnitude) {
        let lead = m.unsigned_abs().to_string();
        let sign = if m < 0 { "-" } else { "" };
        let mantissa = if lead.len() > 1 {
            format!("{}.{}", &lead[..1], &lead[1..])
        } else {
            lead
        };
        return format!("{sign}{mantissa}e{magnitude}");
    }
    if e >= 0 {
        format!("{}", m * 10i64.pow(e as u32))
    } else {
        format!("{:.*}", (-e) as usize, exact(m, e))
    }
}

/// At most `max` (at least 2) ticks inside [lo, hi], evenly spaced by 1, 2 or 5 × 10^k, the
/// labels with the step's decimals.
pub fn linear(lo: f64, hi: f64, max: usize) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Vec::new();
    }
    let max = max.max(2) as f64;
    let e0 = ((hi - lo) / max).log10().floor() as i32;
    for e in e0..e0 + 3 {
        for m in [1i64, 2, 5] {
            let step = exact(m, e);
            let (k0, k1) = ((lo / step - 1e-9).ceil(), (hi / step + 1e-9).floor());
            if k1 - k0 + 1.0 <= max {
                // Labels with the step's decimals: "0.5, 1.0, 1.5" rather than "0.5, 1, 1.5".
                let decimals = (-e).max(0) as usize;
                return (k0 as i64..=k1 as i64)
                    .map(|k| {
                        let value = exact(k * m, e);
                        let plain = (1e-3..1e5).contains(&value.abs()) || value == 0.0;
                        let label = if decimals == 0 || !plain {
                            label(k * m, e)
                        } else {
                            format!("{value:.decimals$}")
                        };
                        Tick { value, label }
                    })
                    .collect();
            }
        }
    }
    Vec::new()
}

/// Ticks for a log axis over [lo, hi] (lo > 0): the values 1, 2, 5 × 10^k inside it, thinned
/// to powers of ten (every decade, then every 2nd, 3rd, …) until at most `max` remain.
/// A range too narrow to hold two of them gets [`linear`] ticks.
pub fn log(lo: f64, hi: f64, max: usize) -> Vec<Tick> {
    if !(lo > 0.0 && hi.is_finite() && hi > lo) {
        return linear(lo, hi, max);
    }
    let max = max.max(2);
    let (a, b) = (lo.log10() - 1e-9, hi.log10() + 1e-9);
    let (k0, k1) = (a.floor() as i32, b.ceil() as i32);
    let inside = |m: i64, k: i32| {
        let v = exact(m, k);
        let l = v.log10();
        (l >= a && l <= b).then(|| Tick {
            value: v,
            label: label(m, k),
        })
    };
    // Each with its mantissa.
    let all: Vec<(i64, Tick)> = (k0..=k1)
        .flat_map(|k| [1, 2, 5].map(|m| (m, k)))
        .filter_map(|(m, k)| inside(m, k).map(|t| (m, t)))
        .collect();
    let with = |ms: &[i64]| -> Vec<Tick> {
        (all.iter())
            .filter(|(m, _)| ms.contains(m))
            .map(|(_, t)| t.clone())
            .collect()
    };
    if all.len() < 2 {
        return linear(lo, hi, max);
    }
    if all.len() <= max {
        return with(&[1, 2, 5]);
    }
    // Between 1, 2, 5 and decades alone: 1 and 5, where decades alone would leave two.
    let ones_fives = with(&[1, 5]);
    if with(&[1]).len() < 3 && ones_fives.len() <= max {
        return ones_fives;
    }
    // Every `stride`-th decade from the first one inside the range.
    let first = a.ceil() as i32;
    for stride in [1, 2, 3, 4, 5, 10, 20, 50, 100] {
        let decades: Vec<Tick> = (first..=k1)
            .filter(|k| (k - first).rem_euclid(stride) == 0)
            .filter_map(|k| inside(1, k))
            .collect();
        if decades.len() <= max {
            if decades.len() >= 2 {
                return decades;
            }
            break;
        }
    }
    // Fewer than two powers of ten inside: every n-th of the 1, 2, 5 values.
    let n = all.len().div_ceil(max);
    all.into_iter().step_by(n).map(|(_, t)| t).collect()
}

/// A linear axis with the given ticks (plotters' own f64 axis picks its ticks itself).
#[derive(Clone)]
pub struct Axis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Axis {
    pub fn new(lo: f64, hi: f64, ticks: &[Tick]) -> Axis {
        Axis {
            inner: (lo..hi).into(),
            ticks: ticks.iter().map(|t| t.value).collect(),
        }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(v, limit)
    }
    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// The label of the tick at `v`, if any.
pub fn tick_label(ticks: &[Tick], v: f64) -> String {
    ticks
        .iter()
        .find(|t| (t.value - v).abs() <= 1e-9 * (1.0 + t.value.abs()))
        .map_or_else(String::new, |t| t.label.clone())
}

/// sign(y)·log10(1 + |y|): a symmetric log axis that shows decades either side of zero.
pub fn to_symlog(y: f64) -> f64 {
    y.signum() * y.abs().ln_1p() / std::f64::consts::LN_10
}

/// Ticks of a symmetric log axis (y ↦ sign(y)·log10(1 + |y|)) over [lo, hi] in axis
/// units: 0 and ±1, 2, 5 × 10^k, about `max` over the whole range.
pub fn symlog(lo: f64, hi: f64, max: usize) -> Vec<Tick> {
    let inv = |t: f64| t.signum() * (t.abs() * std::f64::consts::LN_10).exp_m1();
    let fwd = to_symlog;
    let side = |top: f64, n: usize| {
        if top > 1.0 {
            log(1.0, top, n)
        } else {
            Vec::new()
        }
    };
    // Each side gets its share of the ticks, so 1, 2, 5 show only where decades are tall.
    let share = |len: f64| ((max as f64 * len / (hi - lo).max(1e-12)) as usize).max(2);
    let mut out: Vec<Tick> = side(inv(-lo), share(-lo.min(0.0)))
        .into_iter()
        .rev()
        .map(|t| Tick {
            value: fwd(-t.value),
            label: format!("-{}", t.label),
        })
        .collect();
    out.push(Tick {
        value: 0.0,
        label: "0".into(),
    });
    out.extend(side(inv(hi), share(hi.max(0.0))).into_iter().map(|t| Tick {
        value: fwd(t.value),
        label: t.label,
    }));
    out.retain(|t| t.value >= lo - 1e-12 && t.value <= hi + 1e-12);
    // Zero, then powers of ten, then fives, then twos, each kept if it crowds none kept.
    let gap = (hi - lo) / max.max(1) as f64;
    let rank = |t: &Tick| match t.label.trim_start_matches('-').chars().next() {
        Some('0') => 0,
        Some('1') => 1,
        Some('5') => 2,
        _ => 3,
    };
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| rank(&out[i]));
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        if kept
            .iter()
            .all(|&k| (out[k].value - out[i].value).abs() >= gap)
        {
            kept.push(i);
        }
    }
    kept.sort_unstable();
    let out: Vec<Tick> = kept.into_iter().map(|i| out[i].clone()).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// True when v is 1, 2 or 5 times a power of ten.
    fn is_125(v: f64) -> bool {
        let k = v.log10().floor();
        let m = v / 10f64.powf(k);
        [1.0, 2.0, 5.0, 10.0]
            .iter()
            .any(|t| (m - t).abs() < 1e-9 * t)
    }

    #[test]
    fn log_ticks_are_one_two_five_inside_the_range() {
        for (lo, hi) in [
            (1.0, 10.0),
            (0.693, 40.0),
            (3e-4, 2.5e3),
            (1e-12, 1e-2),
            (0.0126, 7.94),
            (5e-3, 5e7),
            (1.0, 1e10),
        ] {
            for max in [3, 5, 6, 8] {
                let t = log(lo, hi, max);
                assert!(t.len() >= 2, "{lo}..{hi}: {t:?}");
                assert!(t.len() <= max.max(2), "{lo}..{hi} max {max}: {t:?}");
                for w in t.windows(2) {
                    assert!(w[0].value < w[1].value);
                }
                for k in &t {
                    assert!(k.value >= lo * (1.0 - 1e-9) && k.value <= hi * (1.0 + 1e-9));
                    assert!(is_125(k.value), "{lo}..{hi}: {k:?}");
                }
            }
        }
        let t = log(1.0, 10.0, 6);
        let labels: Vec<&str> = t.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["1", "2", "5", "10"]);
        let t = log(1e-3, 1e7, 6);
        let labels: Vec<&str> = t.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["0.001", "0.1", "10", "1000", "1e5", "1e7"]);
    }

    #[test]
    fn narrow_log_ranges_fall_back_to_linear_ticks() {
        let t = log(1.1, 1.9, 5);
        assert!(t.len() >= 2);
        assert!(t.iter().all(|k| (1.1..=1.9).contains(&k.value)));
        assert_eq!(t[0].label, "1.2");
        let t = log(0.7234, 1.9, 5);
        let labels: Vec<&str> = t.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["1.0", "1.5"]);
        // Two decades in little room: 1 and 5 rather than the decades alone.
        let t = log(0.0126, 7.94, 6);
        let labels: Vec<&str> = t.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["0.05", "0.1", "0.5", "1", "5"]);
    }

    #[test]
    fn linear_ticks_are_round_steps_inside_the_range() {
        for (lo, hi) in [
            (-7.0, 7.0),
            (0.5, 5.0),
            (0.0, 0.3),
            (0.6932, 0.6936),
            (-3.0, 17.0),
            (12.0, 48000.0),
        ] {
            for max in [2, 3, 5, 7, 10] {
                let t = linear(lo, hi, max);
                assert!(!t.is_empty() && t.len() <= max, "{lo}..{hi}: {t:?}");
                for k in &t {
                    assert!(k.value >= lo - 1e-12 && k.value <= hi + 1e-12, "{k:?}");
                }
                if t.len() < 2 {
                    continue;
                }
                let step = t[1].value - t[0].value;
                assert!(is_125(step), "{lo}..{hi}: step {step}");
                for k in &t {
                    // On the step's lattice.
                    let r = k.value / step;
                    assert!((r - r.round()).abs() < 1e-6, "{k:?} step {step}");
                }
            }
        }
        let t = linear(-7.0, 7.0, 8);
        let labels: Vec<&str> = t.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["-6", "-4", "-2", "0", "2", "4", "6"]);
        let t = linear(0.5, 5.0, 6);
        let labels: Vec<&str> = t.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["1", "2", "3", "4", "5"]);
        let t = linear(0.0, 0.3, 4);
        let labels: Vec<&str> = t.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["0.0", "0.1", "0.2", "0.3"]);
    }

    #[test]
    fn symlog_ticks_are_zero_and_signed_one_two_five() {
        let fwd = to_symlog;
        for (lo, hi, max) in [
            (-1.0, 2.0, 12),
            (-30.0, 300.0, 10),
            (-1.0, 1.0, 4),
            (-3.0, 9.0, 8),
        ] {
            let t = symlog(lo, hi, max);
            assert!(t.iter().any(|k| k.value == 0.0 && k.label == "0"));
            for w in t.windows(2) {
                assert!(w[0].value < w[1].value, "{t:?}");
                // No two closer than the room a tick has.
                assert!(
                    w[1].value - w[0].value >= (hi - lo) / max as f64 - 1e-12,
                    "{t:?}"
                );
            }
            for k in &t {
                assert!(k.value >= lo && k.value <= hi);
                if k.value != 0.0 {
                    let y: f64 = k.label.parse().unwrap();
                    assert!(is_125(y.abs()), "{k:?}");
                    assert!((fwd(y) - k.value).abs() < 1e-12, "{k:?}");
                }
            }
        }
    }

    #[test]
    fn exact_is_the_nearest_double() {
        for (m, e, want) in [
            (3, -1, 0.3),
            (7, -3, 0.007),
            (2, 5, 2e5),
            (-6, -2, -0.06),
            (5, -12, 5e-12),
        ] {
            assert_eq!(exact(m, e), want);
        }
    }
}
