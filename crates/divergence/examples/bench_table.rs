//! Writes BENCHMARKS.md: each divergence's landscape over the post's view at 128², 256² and
//! 512², timed (median of 3) in the same run as the numpy peer on identical grids, with the
//! largest relative difference from the core's exact `eval` over a spread of cells.
//!   cargo run --release -p divergence --example bench_table -- PEER.py OUT.md

use divergence::{eval, landscape, Divergence, Gaussian, Grid, Params, Target};
use std::process::Command;
use std::time::Instant;

const PEER_NAMES: [&str; 4] = ["reverse_kl", "forward_kl", "hellinger", "jensen_shannon"];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds the numpy peer reports for one landscape (None if it cannot run).
fn peer(script: &str, name: &str, n: usize) -> Option<f64> {
    let out = Command::new("python3")
        .args([script, "--divergence", name, "--grid", &format!("{n}x{n}")])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let v: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    v["seconds"].as_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (script, out) = match (args.get(1), args.get(2)) {
        (Some(s), Some(o)) => (s.clone(), o.clone()),
        _ => {
            eprintln!("usage: bench_table PEER.py OUT.md");
            std::process::exit(2);
        }
    };
    let p = Target::parse("0.5:-4:1,0.5:4:1").expect("post target");
    let mut rows = Vec::new();
    for d in Divergence::all(&Params::default()).expect("defaults") {
        let name = d.name();
        for n in [128usize, 256, 512] {
            let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), n, n, false).expect("grid");
            // Quadrature per cell (TV, Neyman, Fisher) is minutes at 512²: skip.
            let t0 = Instant::now();
            let land = landscape(&p, &d, &grid);
            let first = t0.elapsed().as_secs_f64();
            if first > 30.0 && n < 512 {
                rows.push((name, n, first, None, f64::NAN));
                eprintln!("{name} {n}²: {first:.2} s (one run)");
                break;
            }
            let times = if first > 2.0 {
                vec![first]
            } else {
                let mut t = vec![first];
                for _ in 0..2 {
                    let s = Instant::now();
                    std::hint::black_box(landscape(&p, &d, &grid));
                    t.push(s.elapsed().as_secs_f64());
                }
                t
            };
            let secs = median(times);
            // KSD's `eval` (nested adaptive quadrature) is slow: fewer cells for it.
            let cells = if name == "ksd" { 60 } else { 400 };
            let step = (n * n / cells).max(1) | 1;
            let worst = (0..n * n)
                .step_by(step)
                .map(|k| {
                    let q = Gaussian::new(grid.mu[k % n], grid.sigma[k / n]).expect("q");
                    let want = eval(&p, &q, &d);
                    (land.values[k] - want).abs() / want.abs().max(1e-300)
                })
                .fold(0.0, f64::max);
            let peer_secs = PEER_NAMES
                .contains(&name)
                .then(|| peer(&script, name, n))
                .flatten();
            eprintln!("{name} {n}²: {secs:.4} s, peer {peer_secs:?}, worst {worst:.1e}");
            rows.push((name, n, secs, peer_secs, worst));
            if secs > 2.0 {
                break;
            }
        }
    }
    let mut md = String::from(
        "# Benchmarks\n\nWritten by `./build.sh bench` (`crates/divergence/examples/bench_table.rs`) on this \
         project's machine (2 cores, noisy: ratios from one run, side by side). Landscape of each \
         divergence over the post's view (p = ½N(−4,1) + ½N(4,1), μ ∈ [−7, 7], σ ∈ [0.5, 5]), native, \
         one thread. *Peer*: `../shared/peers/numpy_landscape.py` (trapezoid sums over 4001 x points) \
         on the same grid in the same run. *Max rel. diff*: largest relative difference from the core's \
         exact `eval` over ~400 cells spread over the grid (~60 for `ksd`).\n\n\
         | divergence | grid | core | peer (numpy) | peer / core | max rel. diff |\n|---|---|---|---|---|---|\n",
    );
    let fmt_t = |s: f64| {
        if s < 1.0 {
            format!("{:.2} ms", s * 1e3)
        } else {
            format!("{s:.2} s")
        }
    };
    for (name, n, secs, peer, worst) in rows {
        let (ps, ratio) = match peer {
            Some(ps) => (fmt_t(ps), format!("{:.0}×", ps / secs)),
            None => ("–".into(), "–".into()),
        };
        let w = if worst.is_nan() {
            "–".into()
        } else {
            format!("{worst:.1e}")
        };
        md.push_str(&format!(
            "| {name} | {n}² | {} | {ps} | {ratio} | {w} |\n",
            fmt_t(secs)
        ));
    }
    std::fs::write(&out, md).expect("write the table");
    println!("wrote {out}");
}
