//! `divergence`: the command line of SPEC §4. JSON on stdout; bad input is one line on
//! stderr, exit status 2, nothing on stdout and no partial file.

mod figure;
mod flow;

use clap::{Args, Parser, Subcommand};
use divergence::metric::{descend_with, DescentOptions, Metric, Optimizer};
use divergence::registry::Param;
use divergence::{
    eval, landscape, minima, pressure, Divergence, Error, Field, Gaussian, Grid, Params, Target,
};
use serde_json::{json, Map, Value};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "divergence",
    version,
    about = "Divergences between a Gaussian mixture p and a Gaussian q: values, landscapes, pressure, optimisation, figures"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// D(p‖q) at one q, for one divergence or `all`.
    Eval {
        #[command(flatten)]
        t: TargetArg,
        #[arg(long, allow_hyphen_values = true)]
        mu: f64,
        #[arg(long, allow_hyphen_values = true)]
        sigma: f64,
        /// A canonical name (SPEC §2; `divergence::NAMES`) or `all`.
        #[arg(long)]
        divergence: String,
        #[command(flatten)]
        params: ParamArgs,
    },
    /// D over a (μ, σ) rectangle with its local minima.
    Landscape {
        #[command(flatten)]
        t: TargetArg,
        #[arg(long)]
        divergence: String,
        /// LO:HI
        #[arg(long, allow_hyphen_values = true, value_parser = range)]
        mu_range: (f64, f64),
        /// LO:HI, 0 < LO < HI
        #[arg(long, allow_hyphen_values = true, value_parser = range)]
        sigma_range: (f64, f64),
        /// NMUxNSIGMA
        #[arg(long, default_value = "64x64", value_parser = grid)]
        grid: (usize, usize),
        /// Space σ logarithmically.
        #[arg(long)]
        log_sigma: bool,
        #[command(flatten)]
        params: ParamArgs,
    },
    /// Pointwise pressure ψ(x) = −δD/δq(x) (SPEC §3).
    Pressure {
        #[command(flatten)]
        t: TargetArg,
        #[arg(long, allow_hyphen_values = true)]
        mu: f64,
        #[arg(long, allow_hyphen_values = true)]
        sigma: f64,
        #[arg(long)]
        divergence: String,
        /// X[,X…]
        #[arg(long, allow_hyphen_values = true, value_parser = numbers)]
        x: Xs,
        #[command(flatten)]
        params: ParamArgs,
    },
    /// Descent from a start point to a local minimum in a metric, with the whole path.
    Optimize {
        #[command(flatten)]
        t: TargetArg,
        #[arg(long)]
        divergence: String,
        /// MU,SIGMA
        #[arg(long, allow_hyphen_values = true, value_parser = pair)]
        from: (f64, f64),
        /// fisher (natural gradient), euclidean (μ, σ) or log-sigma (μ, ln σ).
        #[arg(long, default_value = "fisher")]
        metric: Metric,
        /// gd (steepest descent in the metric) or adam (on (μ, ln σ)).
        #[arg(long, default_value = "gd")]
        optimizer: Optimizer,
        #[command(flatten)]
        params: ParamArgs,
    },
    /// q as a free density under D's gradient flow, from N(MU, SIGMA²), at the given times.
    Flow {
        #[command(flatten)]
        t: TargetArg,
        #[arg(long)]
        divergence: String,
        /// MU,SIGMA
        #[arg(long, allow_hyphen_values = true, value_parser = pair)]
        from: (f64, f64),
        /// fisher-rao or wasserstein.
        #[arg(long)]
        geometry: divergence::flow::Geometry,
        /// T[,T…], increasing, ≥ 0.
        #[arg(long, allow_hyphen_values = true, value_parser = numbers)]
        times: Xs,
        /// LO:HI (default: p's components and q₀ to ±8 std).
        #[arg(long, allow_hyphen_values = true, value_parser = range)]
        x_range: Option<(f64, f64)>,
        /// Number of x points.
        #[arg(long, default_value_t = 2001)]
        points: usize,
        #[command(flatten)]
        params: ParamArgs,
    },
    /// Draws a preset's figure (SPEC §6) to PNG or SVG.
    Figure {
        /// A preset name (SPEC §5).
        #[arg(long)]
        preset: String,
        /// Comma-separated: landscape, density, pressure, ratio, tradeoff, sampling, flow.
        #[arg(long, default_value = "landscape")]
        panels: String,
        /// FILE.png or FILE.svg
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Args)]
struct TargetArg {
    /// w:m:s,w:m:s,… (weight:mean:std per component)
    #[arg(long, allow_hyphen_values = true)]
    target: String,
}

#[derive(Args)]
struct ParamArgs {
    /// Amari α.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.0)]
    alpha: f64,
    /// Rényi order a > 0.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.5)]
    order: f64,
    /// MMD bandwidth ℓ > 0.
    #[arg(long, allow_hyphen_values = true, default_value_t = 1.0)]
    bandwidth: f64,
    /// KSD kernel c > 0.
    #[arg(long, allow_hyphen_values = true, default_value_t = 1.0)]
    kernel_c: f64,
    /// KSD kernel β > 0.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.5)]
    kernel_beta: f64,
}

impl ParamArgs {
    fn params(&self) -> Params {
        Params {
            alpha: self.alpha,
            order: self.order,
            bandwidth: self.bandwidth,
            kernel_c: self.kernel_c,
            kernel_beta: self.kernel_beta,
        }
    }
}

fn number(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("'{s}' is not a number"))
}

fn range(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s.split_once(':').ok_or("expected LO:HI")?;
    Ok((number(a)?, number(b)?))
}

fn pair(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s.split_once(',').ok_or("expected MU,SIGMA")?;
    Ok((number(a)?, number(b)?))
}

fn grid(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once('x').ok_or("expected NMUxNSIGMA, e.g. 64x64")?;
    let n = |v: &str| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| format!("'{v}' is not a whole number"))
    };
    Ok((n(a)?, n(b)?))
}

/// A comma-separated list of x values.
#[derive(Clone)]
struct Xs(Vec<f64>);

fn numbers(s: &str) -> Result<Xs, String> {
    if s.trim().is_empty() {
        return Err("expected X[,X…]".into());
    }
    s.split(',').map(number).collect::<Result<_, _>>().map(Xs)
}

/// A number for JSON: finite as is, +inf as "inf" (SPEC §4).
fn num(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else if v == f64::INFINITY {
        json!("inf")
    } else if v == f64::NEG_INFINITY {
        json!("-inf")
    } else {
        json!("nan")
    }
}

fn nums(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|&x| num(x)).collect())
}

/// An error for the user: `--arg: why`.
struct Fail(String);

fn fail(arg: &str, e: impl std::fmt::Display) -> Fail {
    Fail(format!("{arg}: {e}"))
}

/// The flag that sets `field` (q's fields are `--mu`/`--sigma` except where the caller
/// says otherwise).
fn flag(field: Field) -> &'static str {
    match field {
        Field::Target | Field::Component { .. } | Field::Weights => "--target",
        Field::QMean => "--mu",
        Field::QStd => "--sigma",
        Field::Param(Param::Alpha) => "--alpha",
        Field::Param(Param::Order) => "--order",
        Field::Param(Param::Bandwidth) => "--bandwidth",
        Field::Param(Param::KernelC) => "--kernel-c",
        Field::Param(Param::KernelBeta) => "--kernel-beta",
        Field::MuRange => "--mu-range",
        Field::SigmaRange => "--sigma-range",
        Field::GridMu | Field::GridSigma => "--grid",
        Field::Divergence | Field::Divergences => "--divergence",
        Field::Preset => "--preset",
        Field::Link => "--link",
        Field::Metric => "--metric",
        Field::Optimizer => "--optimizer",
    }
}

/// A core error as `--flag: why`, the flag found from the error's field.
fn refuse(e: Error) -> Fail {
    fail(flag(e.field()), e)
}

fn target(t: &TargetArg) -> Result<Target, Fail> {
    Target::parse(&t.target).map_err(refuse)
}

fn model(mu: f64, sigma: f64) -> Result<Gaussian, Fail> {
    Gaussian::new(mu, sigma).map_err(refuse)
}

fn divergence(name: &str, params: &ParamArgs) -> Result<Divergence, Fail> {
    Divergence::new(name, &params.params()).map_err(refuse)
}

fn run(cmd: Cmd) -> Result<Value, Fail> {
    Ok(match cmd {
        Cmd::Eval {
            t,
            mu,
            sigma,
            divergence: name,
            params,
        } => {
            let (p, q) = (target(&t)?, model(mu, sigma)?);
            if name == "all" {
                let mut values = Map::new();
                for d in Divergence::all(&params.params()).map_err(refuse)? {
                    values.insert(d.name().into(), num(eval(&p, &q, &d)));
                }
                json!({"mu": mu, "sigma": sigma, "values": values})
            } else {
                let d = divergence(&name, &params)?;
                json!({"divergence": d.name(), "mu": mu, "sigma": sigma, "value": num(eval(&p, &q, &d))})
            }
        }
        Cmd::Landscape {
            t,
            divergence: name,
            mu_range,
            sigma_range,
            grid: (nm, ns),
            log_sigma,
            params,
        } => {
            let p = target(&t)?;
            let d = divergence(&name, &params)?;
            let g = Grid::new(mu_range, sigma_range, nm, ns, log_sigma).map_err(refuse)?;
            let l = landscape(&p, &d, &g);
            let rows: Vec<Value> = l.values.chunks(nm).map(nums).collect();
            let mins: Vec<Value> = minima(&p, &d, &l)
                .iter()
                .map(|m| json!({"mu": m.mu, "sigma": m.sigma, "value": num(m.value)}))
                .collect();
            json!({"divergence": d.name(), "mu": nums(&g.mu), "sigma": nums(&g.sigma), "values": rows, "minima": mins})
        }
        Cmd::Pressure {
            t,
            mu,
            sigma,
            divergence: name,
            x: Xs(x),
            params,
        } => {
            let (p, q) = (target(&t)?, model(mu, sigma)?);
            let d = divergence(&name, &params)?;
            if let Some(bad) = x.iter().find(|v| !v.is_finite()) {
                return Err(fail("--x", format!("{bad} is not finite")));
            }
            json!({"divergence": d.name(), "x": nums(&x), "pressure": nums(&pressure(&p, &q, &d, &x))})
        }
        Cmd::Optimize {
            t,
            divergence: name,
            from: (m0, s0),
            metric,
            optimizer,
            params,
        } => {
            let p = target(&t)?;
            let d = divergence(&name, &params)?;
            Gaussian::new(m0, s0).map_err(|e| fail("--from", e))?;
            let opts = DescentOptions::default();
            let r = descend_with(&p, &d, m0, s0, metric, optimizer, opts);
            let Some(&[mu, sigma, value]) = r.path.last() else {
                return Err(fail("--from", "no descent path"));
            };
            if !value.is_finite() {
                return Err(fail(
                    "--from",
                    format!(
                        "{} is +inf at ({m0}, {s0}); start where it is finite",
                        d.name()
                    ),
                ));
            }
            let path: Vec<Value> = r.path.iter().map(|s| nums(s)).collect();
            json!({"divergence": d.name(), "metric": metric.name(), "optimizer": optimizer.name(),
                   "path": path, "converged": r.converged,
                   "optimum": {"mu": mu, "sigma": sigma, "value": num(value)}})
        }
        Cmd::Flow {
            t,
            divergence: name,
            from,
            geometry,
            times: Xs(times),
            x_range,
            points,
            params,
        } => flow::run(flow::Request {
            t: &t,
            divergence: &name,
            from,
            geometry,
            times: &times,
            x_range,
            points,
            params: &params,
        })?,
        Cmd::Figure {
            preset,
            panels,
            out,
        } => {
            figure::write(&preset, &panels, &out)?;
            json!({"preset": preset, "out": out.display().to_string()})
        }
    })
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(e.kind(), DisplayHelp | DisplayVersion) {
                print!("{e}");
                return ExitCode::SUCCESS;
            }
            if e.kind() == DisplayHelpOnMissingArgumentOrSubcommand {
                eprintln!("divergence: a subcommand is required: eval, landscape, pressure, optimize, flow or figure (see --help)");
                return ExitCode::from(2);
            }
            // clap's message up to its usage block, folded onto one line.
            let text = e.to_string();
            let msg: Vec<&str> = text
                .lines()
                .take_while(|l| !l.is_empty() && !l.starts_with("Usage:"))
                .map(str::trim)
                .collect();
            let line = msg.join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            eprintln!("divergence: {line}");
            return ExitCode::from(2);
        }
    };
    match run(cli.cmd) {
        Ok(v) => {
            // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{v}").and_then(|_| out.flush());
            ExitCode::SUCCESS
        }
        Err(Fail(msg)) => {
            eprintln!("divergence: {msg}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_spell_infinity() {
        assert_eq!(num(1.5), json!(1.5));
        assert_eq!(num(f64::INFINITY), json!("inf"));
        assert_eq!(divergence::NAMES.len(), 13);
    }
}
