//! Criterion benchmarks: each divergence's landscape over the post's view, alone and with
//! its minima refined (what `divergence landscape` computes). Grid sizes from
//! `DIVERGENCE_BENCH_GRIDS` (default "256").

use criterion::{criterion_group, criterion_main, Criterion};
use divergence::{landscape, minima, Divergence, Grid, Params, Target};
use std::hint::black_box;

fn grids() -> Vec<usize> {
    std::env::var("DIVERGENCE_BENCH_GRIDS")
        .unwrap_or_else(|_| "256".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    let p = Target::parse("0.5:-4:1,0.5:4:1").expect("post target");
    let mut g = c.benchmark_group("landscape");
    g.sample_size(10);
    for n in grids() {
        for d in Divergence::all(&Params::default()).expect("defaults are valid") {
            let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), n, n, false).expect("grid");
            g.bench_function(format!("{}/{n}x{n}", d.name()), |b| {
                b.iter(|| black_box(landscape(&p, &d, &grid)))
            });
            g.bench_function(format!("{}+minima/{n}x{n}", d.name()), |b| {
                b.iter(|| {
                    let land = landscape(&p, &d, &grid);
                    black_box(minima(&p, &d, &land))
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
