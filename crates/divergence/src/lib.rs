//! Divergences between a Gaussian mixture target p and a Gaussian model q: exact values,
//! gradients, landscapes over (μ, σ) with their minima, descent paths, and the pointwise
//! mode-covering pressure. Pure Rust, no I/O: the CLI and the web page are thin layers on it.

// Index loops over parallel fixed-size arrays (quadrature components) read clearer than zips.
#![allow(clippy::needless_range_loop)]

pub mod basins;
pub mod closed_forms;
pub mod conv;
pub mod divergences;
pub mod error;
pub mod fragment;
mod integrals;
pub mod landscape;
pub mod presets;
pub mod pressure;
pub mod quad;
pub mod registry;
pub mod rows;
pub mod sampling;
pub mod target;
pub mod tradeoff;

pub use basins::{
    basins, flow_sinks, label_cells, match_minimum, BasinSolver, FLOW_STEPS, MAX_SINKS,
};
pub use closed_forms::{entropy, expected_log_q};
pub use divergences::{
    eval, eval_full, eval_grad, Derivatives, Divergence, Evaluated, Params, NAMES,
};
pub use error::Error;
pub use integrals::{imq_stein, power_integral_finite};
pub use landscape::{
    accept, candidates, closed_form, descend, grid_minima, landscape, landscape_cells,
    landscape_rows, merge_minimum, minima, refine, Descender, Descent, Grid, Landscape, Minimum,
    REFINE_STEPS,
};
pub use pressure::{pressure, pressure_norm, pressure_of_ratio};
pub use target::{Component, Gaussian, Target};
