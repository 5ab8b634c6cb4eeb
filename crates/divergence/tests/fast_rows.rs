//! The faster landscape paths cell by cell against `eval`'s quadrature: total variation's
//! crossings (sign bounds, known-positive seeds, skipped negligible terms) and Neyman χ²'s
//! rows (1/p lanes, log-space tail terms by the vectorised exp), over ordinary and extreme
//! views: tiny weights, separations to 1e5, std ratios 1e4, eight components, rows up to
//! the finiteness edge σ → √2·s_max (where the tail terms dominate) and μ steps finer than
//! the table needs (lattices thinner than the table).

use divergence::conv::Plan;
use divergence::{eval, landscape, Divergence, Gaussian, Grid, Target};

/// (target, μ range, σ range, log σ, (n_μ, n_σ))
type Case = (&'static str, (f64, f64), (f64, f64), bool, (usize, usize));

/// Every cell of `d`'s landscape against `eval` within `rel` (absolute `abs` near zero);
/// returns how many finite cells were compared.
fn compare(d: &Divergence, cases: &[Case], rel: f64, abs: f64) -> usize {
    let mut failures = Vec::new();
    let mut finite = 0;
    for &(spec, mu, sigma, log_sigma, (nm, ns)) in cases {
        let p = Target::parse(spec).unwrap();
        let grid = Grid::new(mu, sigma, nm, ns, log_sigma).unwrap();
        let land = landscape(&p, d, &grid);
        for (k, &got) in land.values.iter().enumerate() {
            let q = Gaussian::new(grid.mu[k % nm], grid.sigma[k / nm]).unwrap();
            let want = eval(&p, &q, d);
            let ok = if want.is_infinite() || got.is_infinite() {
                got == want
            } else {
                finite += 1;
                (got - want).abs() <= rel * want.abs() + abs
            };
            if !ok {
                failures.push(format!(
                    "{spec} at ({}, {}): landscape {got:e}, eval {want:e}",
                    q.mu, q.sigma
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} {} cells off:\n{}",
        failures.len(),
        d.name(),
        failures[..failures.len().min(30)].join("\n")
    );
    finite
}

#[test]
fn total_variation_cells_match_quadrature_at_ordinary_and_extreme_views() {
    let cases: [Case; 8] = [
        ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0), false, (31, 17)),
        ("1:0:1", (-3.0, 3.0), (0.2, 3.0), false, (13, 9)),
        ("1e-9:0:1,1:5:0.5", (-3.0, 8.0), (0.1, 4.0), false, (23, 11)),
        (
            "0.5:-50000:1,0.5:50000:1",
            (-6e4, 6e4),
            (1.0, 4e4),
            true,
            (17, 9),
        ),
        (
            "0.5:0:0.01,0.5:0:100",
            (-50.0, 50.0),
            (0.005, 200.0),
            true,
            (17, 11),
        ),
        // Narrow crossing pairs where a narrow component pokes above q, or p dips under q
        // at a switch between components (e.g. q = (−9, 1.6) was 1.9e-3 low, (8.75, 4.2)
        // 1.8e-5 with the pair [−0.0269, 0.0915]).
        (
            "1:-10:1,1:-7:0.5,1:-4:2,1:-1:0.3,1:2:1,1:5:0.7,1:8:1.5,1:11:0.2",
            (-12.0, 12.0),
            (0.2, 8.0),
            false,
            (49, 41),
        ),
        (
            "0.3:-3:0.2,0.4:0:1,0.3:3:0.5",
            (-6.0, 6.0),
            (0.2, 6.0),
            false,
            (25, 15),
        ),
        // Crossings 7e-4 from a mean of 1000: seeds off by 3.5e-11, refined to 1e-14.
        (
            "1e-6:0:1,1:1000:0.001",
            (990.0, 1010.0),
            (5e-4, 5.0),
            false,
            (15, 9),
        ),
    ];
    // The closed form against adaptive quadrature: both ~1e-12.
    let n = compare(&Divergence::TotalVariation, &cases, 1e-9, 1e-15);
    assert!(n > 1300, "{n} cells");
}

/// The cells of the eight-component view that missed crossing pairs before the extremes
/// of wₖNₖ/q and the dips at switches joined the seeds.
#[test]
fn eight_components_narrow_pairs_are_crossed() {
    let p =
        Target::parse("1:-10:1,1:-7:0.5,1:-4:2,1:-1:0.3,1:2:1,1:5:0.7,1:8:1.5,1:11:0.2").unwrap();
    let d = Divergence::TotalVariation;
    // (μ, σ, a crossing of the pair the scan missed)
    let cells = [
        (-9.0, 1.6, -6.926232),
        (-2.0, 0.72, -0.850249),
        (-9.0, 1.4, -6.014427),
        (3.0, 3.32, 10.191346),
        (8.745762711864408, 4.2, -0.026942),
        (4.271186440677965, 7.6, f64::NAN),
    ];
    for (mu, sigma, x) in cells {
        let q = Gaussian::new(mu, sigma).unwrap();
        let want = eval(&p, &q, &d);
        let grid = Grid::new((mu, mu + 1.0), (sigma, sigma + 1.0), 2, 2, false).unwrap();
        let got = landscape(&p, &d, &grid).values[0];
        assert!(
            (got - want).abs() <= 1e-9 * want,
            "({mu}, {sigma}): {got} vs {want}"
        );
        let c = divergence::rows::tv::crossings(&p, &q);
        assert!(
            x.is_nan() || c.iter().any(|&y| (y - x).abs() < 1e-5),
            "({mu}, {sigma}): {c:?}"
        );
    }
}

#[test]
fn neyman_rows_match_eval_up_to_the_finiteness_edge_and_on_thin_lattices() {
    let cases: [Case; 6] = [
        // Rows up to σ = 1.41 < √2: windows far into p's tails, where p underflows.
        (
            "0.5:-4:1,0.5:4:1",
            (-7.0, 7.0),
            (0.5, 1.41),
            false,
            (41, 12),
        ),
        // μ steps of 0.02: every fourth table point a tap (thin > 1).
        ("0.5:-4:1,0.5:4:1", (-1.0, 1.0), (0.5, 1.4), false, (97, 6)),
        // The tiny component is the widest: it sets the edge.
        ("1e-9:0:1,1:5:0.5", (-3.0, 8.0), (0.1, 1.4), false, (23, 9)),
        // p below 1e-280 over much of the table, between and beyond the components.
        (
            "0.5:-12:1,0.5:12:1",
            (-16.0, 16.0),
            (0.5, 1.4),
            false,
            (41, 7),
        ),
        (
            "1:-10:1,1:-7:0.5,1:-4:2,1:-1:0.3,1:2:1,1:5:0.7,1:8:1.5,1:11:0.2",
            (-2.0, 2.0),
            (0.2, 2.8),
            false,
            (61, 5),
        ),
        // Beyond the edge every cell is +inf, as `eval` has it.
        ("1:0:1", (-2.0, 2.0), (0.3, 2.0), false, (9, 9)),
    ];
    let d = Divergence::NeymanChi2;
    for &(spec, mu, sigma, log_sigma, (nm, ns)) in &cases {
        let p = Target::parse(spec).unwrap();
        let grid = Grid::new(mu, sigma, nm, ns, log_sigma).unwrap();
        assert!(Plan::new(&p, &d, &grid).is_some(), "{spec}: the row path");
    }
    let n = compare(&d, &cases, 1e-8, 1e-12);
    assert!(n > 1200, "{n} cells");
}
