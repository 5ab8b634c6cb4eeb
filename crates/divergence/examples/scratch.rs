use divergence::*;
use std::time::Instant;
fn main() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let q = Gaussian::new(1.0, 2.0).unwrap();
    for d in Divergence::all(&Params::default()).unwrap() {
        let t = Instant::now();
        let v = eval(&p, &q, &d);
        let dt = t.elapsed();
        let t2 = Instant::now();
        let g = eval_grad(&p, &q, &d);
        println!(
            "{:16} {:.15e} {:?}  grad {:?} {:?}",
            d.name(),
            v,
            dt,
            &g[1..],
            t2.elapsed()
        );
    }
    let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), 64, 64, false).unwrap();
    for name in ["reverse_kl", "forward_kl", "hellinger"] {
        let d = Divergence::new(name, &Params::default()).unwrap();
        let t = Instant::now();
        let l = landscape(&p, &d, &grid);
        let t1 = t.elapsed();
        let m = minima(&p, &d, &l);
        println!("{name} landscape {:?} minima {:?} {:?}", t1, m, t.elapsed());
    }
}
