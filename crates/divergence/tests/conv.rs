//! Row-wise convolution landscapes against the exact evaluator, cell by cell.

use divergence::{eval, landscape, Divergence, Grid, Target};

#[test]
fn convolution_rows_match_eval() {
    let cases = [
        ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0)),
        ("0.7:-2:0.8,0.3:3:1.6", (-6.0, 7.0), (0.3, 5.0)),
        ("0.82:-3:1,0.18:3:1", (-7.0, 7.0), (0.5, 5.0)),
        ("0.3:-5:0.4,0.4:0:2,0.3:6:0.7", (-9.0, 9.0), (0.2, 6.0)),
        ("1:0:1", (-3.0, 3.0), (0.05, 3.0)),
    ];
    let divs = [
        Divergence::ReverseKl,
        Divergence::Hellinger,
        Divergence::Bhattacharyya,
        Divergence::Amari { alpha: -0.6 },
        Divergence::Amari { alpha: 0.5 },
        Divergence::Renyi { order: 0.3 },
        Divergence::JensenShannon,
    ];
    for (spec, mu, sigma) in cases {
        let p = Target::parse(spec).unwrap();
        for (nm, ns) in [(37, 23), (128, 96)] {
            let grid = Grid::new(mu, sigma, nm, ns, false).unwrap();
            for d in &divs {
                let land = landscape(&p, d, &grid);
                let mut worst = 0.0f64;
                // Every 7th cell: a spread over the grid at a tenth of the cost.
                for k in (0..land.values.len()).step_by(7) {
                    let (i, j) = (k / nm, k % nm);
                    let q = divergence::Gaussian::new(grid.mu[j], grid.sigma[i]).unwrap();
                    let want = eval(&p, &q, d);
                    let rel = (land.values[k] - want).abs() / want.abs().max(1e-300);
                    worst = worst.max(rel);
                }
                assert!(
                    worst < 1e-9,
                    "{spec} {nm}×{ns} {}: worst relative error {worst:e}",
                    d.name()
                );
            }
        }
    }
}

#[test]
fn ksd_rows_match_eval() {
    // (target, view, kernel c, kernel β): the post's target with three kernels, and two others.
    let cases = [
        ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0), 1.0, 0.5),
        ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0), 0.3, 0.5),
        ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0), 2.0, 1.5),
        ("0.7:-2:0.8,0.3:3:1.6", (-6.0, 7.0), (0.3, 5.0), 1.0, 0.5),
        (
            "0.3:-5:0.4,0.4:0:2,0.3:6:0.7",
            (-9.0, 9.0),
            (0.2, 6.0),
            1.0,
            0.5,
        ),
    ];
    for (spec, mu, sigma, c, beta) in cases {
        let p = Target::parse(spec).unwrap();
        let d = Divergence::Ksd { c, beta };
        let (nm, ns) = (41, 29);
        let grid = Grid::new(mu, sigma, nm, ns, false).unwrap();
        let land = landscape(&p, &d, &grid);
        let mut worst = 0.0f64;
        // ~30 cells spread over the grid (the nested adaptive `eval` is slow for KSD).
        for k in (0..land.values.len()).step_by(41) {
            let (i, j) = (k / nm, k % nm);
            let q = divergence::Gaussian::new(grid.mu[j], grid.sigma[i]).unwrap();
            let want = eval(&p, &q, &d);
            worst = worst.max((land.values[k] - want).abs() / want.abs());
        }
        assert!(
            worst < 1e-8,
            "{spec} c={c} β={beta}: worst relative error {worst:e}"
        );
    }
}

#[test]
fn ksd_rows_match_eval_across_kernels_targets_and_grids() {
    // (target, view, grid, log σ, kernel c, β): kernels wider and narrower than p's modes,
    // β away from ½, one component (with q = p on the grid: the cancelling cell), a tiny
    // weight, eight components on a log-σ grid, a μ step far finer than the lattice (thin
    // lattices, direct smoothing) and one far coarser (strided table).
    let cases = [
        (
            "0.5:-4:1,0.5:4:1",
            (-7.0, 7.0),
            (0.5, 5.0),
            (64, 9),
            false,
            0.5,
            0.25,
        ),
        (
            "0.5:-4:1,0.5:4:1",
            (-7.0, 7.0),
            (0.5, 5.0),
            (64, 9),
            false,
            4.0,
            1.0,
        ),
        ("1:0:1", (-2.0, 2.0), (0.5, 1.5), (41, 21), false, 1.0, 0.5),
        (
            "0.001:-3:0.5,0.999:2:1",
            (-6.0, 6.0),
            (0.3, 4.0),
            (48, 9),
            false,
            1.0,
            0.5,
        ),
        (
            "1:-7:1,1:-5:0.8,1:-3:1.2,1:-1:0.9,1:1:1,1:3:1.1,1:5:0.7,1:7:1",
            (-10.0, 10.0),
            (0.3, 8.0),
            (48, 9),
            true,
            1.0,
            0.5,
        ),
        (
            "0.5:-4:1,0.5:4:1",
            (-1.0, 1.0),
            (0.5, 3.0),
            (200, 7),
            false,
            1.0,
            0.5,
        ),
        (
            "0.5:-4:1,0.5:4:1",
            (-7.0, 7.0),
            (0.5, 5.0),
            (5, 7),
            false,
            1.0,
            0.5,
        ),
    ];
    for (spec, mu, sigma, (nm, ns), log_sigma, c, beta) in cases {
        let p = Target::parse(spec).unwrap();
        let d = Divergence::Ksd { c, beta };
        let grid = Grid::new(mu, sigma, nm, ns, log_sigma).unwrap();
        assert!(
            divergence::conv::Plan::new(&p, &d, &grid).is_some(),
            "{spec}: the row path applies"
        );
        let land = landscape(&p, &d, &grid);
        let mut worst = 0.0f64;
        let step = (nm * ns / 30).max(1) | 1;
        // A spread of cells, and for one component the cell where q = p (KSD² = 0).
        let exact = (spec == "1:0:1").then_some(10 * nm + 20);
        for k in (0..nm * ns).step_by(step).chain(exact) {
            let (i, j) = (k / nm, k % nm);
            let q = divergence::Gaussian::new(grid.mu[j], grid.sigma[i]).unwrap();
            let want = eval(&p, &q, &d);
            let got = land.values[k];
            assert!(
                (got - want).abs() <= 1e-8 * want.abs() + 1e-12,
                "{spec} c={c} β={beta} at ({}, {}): landscape {got:e}, eval {want:e}",
                q.mu,
                q.sigma
            );
            if want > 1e-6 {
                worst = worst.max((got - want).abs() / want);
            }
        }
        eprintln!("{spec} c={c} β={beta}: worst relative error {worst:.1e}");
    }
}

#[test]
fn neyman_and_jensen_shannon_rows_in_parts_are_the_whole_rows() {
    // A Neyman χ² or Jensen–Shannon unit of work is part of a row: the parts, put together,
    // are the row to the last bit, on the post's view at the page's largest grid and on one
    // where q²/p's tails reach far.
    use divergence::conv::{Plan, PAGE_PLAN_POINTS};
    for (spec, mu, sigma, nm) in [
        ("0.5:-4:1,0.5:4:1", (-7.0, 7.0), (0.5, 5.0), 1024),
        ("0.7:-2:0.8,0.3:3:1.6", (-6.0, 7.0), (0.3, 2.2), 200),
    ] {
        let p = Target::parse(spec).unwrap();
        let grid = Grid::new(mu, sigma, nm, 16, false).unwrap();
        for d in [Divergence::NeymanChi2, Divergence::JensenShannon] {
            let plan = Plan::with_limit(&p, &d, &grid, PAGE_PLAN_POINTS).unwrap();
            let unit = plan.unit_cells(nm);
            assert!(unit < nm, "{spec}: a unit of {unit} cells");
            for &s in grid.sigma.iter().step_by(5) {
                let mut whole = vec![0.0; nm];
                plan.rows(&[s], &mut whole);
                let mut parts = vec![0.0; nm];
                for (k, part) in parts.chunks_mut(unit).enumerate() {
                    plan.row_part(s, nm, k * unit, part);
                }
                assert_eq!(
                    whole.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    parts.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "{spec}, {}, σ = {s}",
                    d.name()
                );
                assert!(whole.iter().all(|v| *v >= 0.0), "{spec}, σ = {s}");
            }
        }
    }
}
