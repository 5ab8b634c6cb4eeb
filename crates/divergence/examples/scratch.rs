use ::divergence::*;
fn main() {
    let p = Target::parse("0.5:-4:1,0.5:4:1").unwrap();
    let d = Divergence::ReverseKl;
    for (m, s) in [
        (0.0, 3.4727),
        (0.05, 3.4727),
        (-0.05, 3.4727),
        (0.0, 3.4),
        (0.0, 3.55),
        (0.3, 3.4727),
        (1.0, 3.4727),
    ] {
        println!(
            "{m} {s} {:.12}",
            eval(&p, &Gaussian::new(m, s).unwrap(), &d)
        );
    }
}
