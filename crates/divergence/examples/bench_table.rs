//! Writes BENCHMARKS.md: each divergence's landscape over the post's view at 128², 256² and
//! 512², alone and with its minima refined, timed (median of 3) in the same run as the numpy
//! peer on identical grids, as multiples of reverse KL's time, with the largest relative
//! difference from the core's exact `eval` over a spread of cells.
//!   cargo run --release -p divergence --example bench_table -- PEER.py OUT.md
//!   cargo run --release -p divergence --example bench_table -- --native 256   (stdout only)
//!   cargo run --release -p divergence --example bench_table -- --native 256 ksd,jensen_shannon

use divergence::{eval, landscape, minima, Divergence, Gaussian, Grid, Params, Target};
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

/// One divergence at one grid size.
struct Row {
    name: &'static str,
    n: usize,
    /// Median seconds: the landscape, and the landscape with its minima.
    land: f64,
    total: f64,
    peer: Option<f64>,
    worst: f64,
}

/// Times `d` at n² (median of 3 runs, one if a run passes 2 s) and checks cells against
/// `eval`.
fn measure(p: &Target, d: &Divergence, n: usize) -> Row {
    let grid = Grid::new((-7.0, 7.0), (0.5, 5.0), n, n, false).expect("grid");
    let run = || {
        let t0 = Instant::now();
        let land = landscape(p, d, &grid);
        let t1 = t0.elapsed().as_secs_f64();
        std::hint::black_box(minima(p, d, &land));
        (land, t1, t0.elapsed().as_secs_f64())
    };
    let (land, l0, t0) = run();
    let (mut ls, mut ts) = (vec![l0], vec![t0]);
    if t0 < 2.0 {
        for _ in 0..2 {
            let (_, l, t) = run();
            ls.push(l);
            ts.push(t);
        }
    }
    let cells = if matches!(d, Divergence::Ksd { .. }) {
        60
    } else {
        400
    };
    let step = (n * n / cells).max(1) | 1;
    let worst = (0..n * n)
        .step_by(step)
        .map(|k| {
            let q = Gaussian::new(grid.mu[k % n], grid.sigma[k / n]).expect("q");
            let want = eval(p, &q, d);
            if want == land.values[k] {
                0.0
            } else {
                (land.values[k] - want).abs() / want.abs().max(1e-300)
            }
        })
        .fold(0.0, f64::max);
    Row {
        name: d.name(),
        n,
        land: median(ls),
        total: median(ts),
        peer: None,
        worst,
    }
}

fn fmt_t(s: f64) -> String {
    if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

/// The markdown table; ratios to reverse KL's time at the same size in the same run.
fn table(rows: &[Row]) -> String {
    let mut md = String::from(
        "| divergence | grid | landscape | + minima | × reverse KL | peer (numpy) | peer / core | \
         max rel. diff |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let rkl = rows
            .iter()
            .find(|o| o.name == "reverse_kl" && o.n == r.n)
            .map_or(f64::NAN, |o| o.total);
        let (ps, ratio) = match r.peer {
            Some(ps) => (fmt_t(ps), format!("{:.0}×", ps / r.land)),
            None => ("–".into(), "–".into()),
        };
        md.push_str(&format!(
            "| {} | {}² | {} | {} | {:.1}× | {ps} | {ratio} | {:.1e} |\n",
            r.name,
            r.n,
            fmt_t(r.land),
            fmt_t(r.total),
            r.total / rkl,
            r.worst
        ));
    }
    md
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let p = Target::parse("0.5:-4:1,0.5:4:1").expect("post target");
    let divs = Divergence::all(&Params::default()).expect("defaults");
    if args.get(1).map(String::as_str) == Some("--native") {
        let sizes: Vec<usize> = args
            .get(2)
            .map_or("256", String::as_str)
            .split(',')
            .filter_map(|s| s.parse().ok())
            .collect();
        // An optional list of names (reverse KL is always timed: the ratios need it).
        let only: Vec<&str> = args.get(3).map_or(vec![], |s| s.split(',').collect());
        let mut rows = Vec::new();
        for &n in &sizes {
            for d in &divs {
                if only.is_empty() || only.contains(&d.name()) || d.name() == "reverse_kl" {
                    rows.push(measure(&p, d, n));
                }
            }
        }
        print!("{}", table(&rows));
        return;
    }
    let (script, out) = match (args.get(1), args.get(2)) {
        (Some(s), Some(o)) => (s.clone(), o.clone()),
        _ => {
            eprintln!("usage: bench_table PEER.py OUT.md | bench_table --native N[,N…] [NAME,…]");
            std::process::exit(2);
        }
    };
    let mut rows = Vec::new();
    for n in [128usize, 256, 512] {
        for d in &divs {
            let mut r = measure(&p, d, n);
            r.peer = PEER_NAMES
                .contains(&r.name)
                .then(|| peer(&script, r.name, n))
                .flatten();
            eprintln!(
                "{} {n}²: {:.4} s (+ minima {:.4} s), peer {:?}, worst {:.1e}",
                r.name, r.land, r.total, r.peer, r.worst
            );
            rows.push(r);
        }
    }
    let md = format!(
        "# Benchmarks\n\nWritten by `./build.sh bench` (`crates/divergence/examples/bench_table.rs`) on this \
         project's machine (2 cores, noisy: ratios from one run, side by side). Landscape of each \
         divergence over the post's view (p = ½N(−4,1) + ½N(4,1), μ ∈ [−7, 7], σ ∈ [0.5, 5]), native, \
         one thread, alone and with its minima refined (what `divergence landscape` computes); \
         *× reverse KL*: landscape with minima as a multiple of reverse KL's at the same size. \
         *Peer*: `../shared/peers/numpy_landscape.py` (trapezoid sums over 4001 x points) on the \
         same grid in the same run, against the landscape alone. *Max rel. diff*: largest relative \
         difference from the core's exact `eval` over ~400 cells spread over the grid (~60 for \
         `ksd`).\n\n{}",
        table(&rows)
    );
    std::fs::write(&out, md).expect("write the table");
    println!("wrote {out}");
}
