//! `divergence flow`: q as a free density under a divergence's gradient flow (SPEC §4),
//! sampled at the requested times.

use crate::{divergence, fail, nums, target, Fail, ParamArgs, TargetArg};
use divergence::flow::{flow, FlowError, FlowOptions, Geometry};
use divergence::Gaussian;
use serde_json::{json, Value};

/// What `flow` was asked for, as parsed by clap.
pub struct Request<'a> {
    pub t: &'a TargetArg,
    pub divergence: &'a str,
    pub from: (f64, f64),
    pub geometry: Geometry,
    pub times: &'a [f64],
    pub x_range: Option<(f64, f64)>,
    pub points: usize,
    pub params: &'a ParamArgs,
}

/// The flag a refusal from the core is about.
fn flag(e: &FlowError) -> &'static str {
    match e {
        FlowError::Times(_) => "--times",
        FlowError::XRange(_) => "--x-range",
        FlowError::Points(_) => "--points",
        FlowError::Geometry(_) => "--geometry",
        FlowError::Start(_) => "--from",
        FlowError::Unavailable { .. } | FlowError::Diverged { .. } => "--divergence",
    }
}

/// The message without the core's own `times: ` style prefix (the flag replaces it).
fn reason(e: &FlowError) -> String {
    match e {
        FlowError::Times(m)
        | FlowError::XRange(m)
        | FlowError::Points(m)
        | FlowError::Geometry(m) => m.clone(),
        FlowError::Start(inner) => inner.to_string(),
        _ => e.to_string(),
    }
}

/// Runs the flow and renders `{"x", "times", "q"}`.
pub fn run(r: Request) -> Result<Value, Fail> {
    let p = target(r.t)?;
    let d = divergence(r.divergence, r.params)?;
    let q0 = Gaussian::new(r.from.0, r.from.1).map_err(|e| fail("--from", e))?;
    let opts = FlowOptions {
        points: r.points,
        x_range: r.x_range,
        max_dt: None,
    };
    let out =
        flow(&p, &d, q0, r.geometry, r.times, opts).map_err(|e| fail(flag(&e), reason(&e)))?;
    let q: Vec<Value> = out.q.iter().map(|row| nums(row)).collect();
    Ok(
        json!({"divergence": d.name(), "geometry": r.geometry.name(),
              "x": nums(&out.x), "times": nums(&out.times), "q": q}),
    )
}
