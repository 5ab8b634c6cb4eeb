use ::divergence::*;
use std::time::Instant;
fn main() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let d = Divergence::Ksd { c: 1.0, beta: 0.5 };
    for (m, s) in [(3.8, 1.1), (0.2, 4.2), (-6.0, 0.6), (6.5, 4.8)] {
        let t = Instant::now();
        let r = descend(&p, &d, m, s, 100);
        println!(
            "{m},{s}: {} steps conv {} last {:?} {:?}",
            r.path.len(),
            r.converged,
            r.path.last().unwrap(),
            t.elapsed()
        );
    }
}
