use ::divergence::*;
use std::time::Instant;
fn main() {
    let mut s: u64 = 12345;
    let mut r = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    for case in 0..60 {
        let n = 1 + (r() * 8.0) as usize;
        let comps: Vec<Component> = (0..n)
            .map(|_| Component {
                weight: 1e-6 + r() * 1e6,
                mean: -1e8 + 2e8 * r(),
                std: 10f64.powf(-8.0 + 16.0 * r()),
            })
            .collect();
        let p = Target::new(&comps).unwrap();
        let q = Gaussian::new(-1e8 + 2e8 * r(), 10f64.powf(-8.0 + 16.0 * r())).unwrap();
        for d in Divergence::all(&Params::default()).unwrap() {
            let t = Instant::now();
            let v = eval(&p, &q, &d);
            let e = t.elapsed();
            if e.as_millis() > 200 || v.is_nan() || v < 0.0 {
                println!(
                    "case {case} {} = {v:e} in {e:?}  q={q:?} p={comps:?}",
                    d.name()
                );
            }
        }
    }
}
