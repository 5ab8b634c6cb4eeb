use ::divergence::*;
use std::time::Instant;
fn main() {
    for spec in ["0.5:-4:1,0.5:4:1", "0.2:-3:0.3,0.5:0:1,0.3:3:0.2"] {
        let p = Target::parse(spec).unwrap();
        for (c, b) in [(1.0, 0.5), (0.3, 0.8)] {
            let d = Divergence::Ksd { c, beta: b };
            for (m, s) in [(0.0, 0.5), (3.0, 1.0), (0.0, 5.0), (-7.0, 5.0), (1.0, 0.1)] {
                let q = Gaussian::new(m, s).unwrap();
                let t = Instant::now();
                let v = eval_full(&p, &q, &d, quad::Tol::LANDSCAPE, false)[0];
                let dt = t.elapsed();
                let ex = eval(&p, &q, &d);
                println!("{m} {s} {:.3e} rel {:.1e} {:?}", v, (v - ex).abs() / ex, dt);
            }
        }
    }
}
