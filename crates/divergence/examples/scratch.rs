use ::divergence::*;
use std::time::Instant;
fn main() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 64, 64, false).unwrap();
    for d in Divergence::all(&Params::default()).unwrap() {
        let t = Instant::now();
        let l = landscape(&p, &d, &grid);
        let dt = t.elapsed();
        let mut worst: f64 = 0.0;
        for (k, v) in l.values.iter().enumerate().step_by(37) {
            let q = Gaussian::new(grid.mu[k % 64], grid.sigma[k / 64]).unwrap();
            let e = eval(&p, &q, &d);
            if e.is_finite() {
                worst = worst.max((v - e).abs() / e.abs().max(1e-300));
            }
        }
        println!("{:16} {:?} worst rel {:.1e}", d.name(), dt, worst);
    }
}
