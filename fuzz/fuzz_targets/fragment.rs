//! The URL-fragment state parser: never panics, keeps bounded lists, and what it accepts
//! writes back to a fragment that parses to the same view.
#![no_main]

use divergence::fragment::{parse_fragment, to_fragment, View, MAX_FRAGMENT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(u) = parse_fragment(&text) else {
        return;
    };
    assert!(text.trim_start_matches('#').len() <= MAX_FRAGMENT);
    assert!(u.unknown.len() <= 8 && u.unknown.iter().all(|k| k.chars().count() <= 24));
    let finite = |x: f64| x.is_finite();
    for c in u.target.iter().flatten() {
        assert!(finite(c.weight) && finite(c.mean) && finite(c.std));
    }
    let (Some(target), Some(q), Some(names)) = (&u.target, u.q, &u.divergences) else {
        return;
    };
    let params = [
        u.alpha.unwrap_or(0.5),
        u.order.unwrap_or(0.5),
        u.bandwidth.unwrap_or(1.0),
        u.kernel_c.unwrap_or(1.0),
        u.kernel_beta.unwrap_or(0.5),
    ];
    let view = View {
        target,
        q,
        divergences: names,
        params,
        mu_range: u.mu_range.unwrap_or((-7.0, 7.0)),
        sigma_range: u.sigma_range.unwrap_or((0.3, 6.0)),
        metric: u.metric.as_deref().unwrap_or("fisher"),
    };
    let written = to_fragment(&view);
    if written.len() > MAX_FRAGMENT {
        // Percent-encoding unknown names can outgrow the limit; real views are far shorter.
        return;
    }
    let again = parse_fragment(&written).expect("a written fragment parses");
    assert_eq!(again.target.as_ref(), Some(target));
    assert_eq!(again.q, Some(q));
    assert_eq!(again.divergences.as_ref(), Some(names));
    assert_eq!(
        [again.alpha, again.order, again.bandwidth, again.kernel_c, again.kernel_beta],
        params.map(Some)
    );
});
