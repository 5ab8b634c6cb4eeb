//! The target-spec parser (`w:m:s,…`): never panics; what it accepts is a valid mixture
//! whose density is a number everywhere and whose divergences are numbers ≥ 0.
#![no_main]

use divergence::divergences::{eval, Divergence};
use divergence::target::{Gaussian, Target};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(spec) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(t) = Target::parse(spec) else {
        return;
    };
    let comps = t.components();
    assert!((1..=8).contains(&comps.len()));
    let total: f64 = comps.iter().map(|c| c.weight).sum();
    assert!((total - 1.0).abs() < 1e-12, "weights sum to {total}");
    for c in comps {
        assert!(c.weight > 0.0 && c.mean.is_finite() && c.std > 0.0 && c.std.is_finite());
        assert!(!t.log_pdf(c.mean).is_nan());
    }
    // Re-parsing what the target prints gives the same mixture.
    let printed: Vec<String> = comps
        .iter()
        .map(|c| format!("{:?}:{:?}:{:?}", c.weight, c.mean, c.std))
        .collect();
    let again = Target::parse(&printed.join(",")).expect("a printed target parses");
    for (a, b) in again.components().iter().zip(comps) {
        assert!((a.weight - b.weight).abs() <= 1e-15 * b.weight.max(1e-300) + 1e-300);
        assert_eq!((a.mean, a.std), (b.mean, b.std));
    }
    // One cheap divergence on a q at the first component: a number ≥ 0.
    let c = comps[0];
    let q = Gaussian::new(c.mean, c.std).expect("a component's (mean, std) is a valid q");
    let v = eval(&t, &q, &Divergence::ForwardKl);
    assert!(v >= -1e-9 || v.is_infinite(), "forward KL {v}");
});
