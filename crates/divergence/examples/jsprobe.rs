use divergence::conv::Plan;
use divergence::{Divergence, Grid, Target};
use std::time::Instant;
fn main() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let d = Divergence::JensenShannon;
    let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 256, 256, false).unwrap();
    for _ in 0..5 {
        let t0 = Instant::now();
        let plan = Plan::new(&p, &d, &grid).unwrap();
        let mut out = vec![0.0; 256 * 256];
        plan.rows(&grid.sigma, &mut out);
        println!(
            "rows {:.2} ms {}",
            t0.elapsed().as_secs_f64() * 1e3,
            out[1000]
        );
    }
}
