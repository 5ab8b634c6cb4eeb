//! Divergences between a Gaussian mixture target p and a Gaussian model q: exact values,
//! gradients, landscapes over (μ, σ) with their minima, descent paths, and the pointwise
//! mode-covering pressure. Pure Rust, no I/O: the CLI and the web page are thin layers on it.

pub mod basins;
pub mod closed_forms;
pub mod conv;
pub mod divergences;
pub mod error;
pub mod flow;
pub mod fragment;
mod integrals;
mod keyed;
pub mod landscape;
pub mod metric;
pub mod presets;
pub mod pressure;
pub mod quad;
pub mod registry;
pub mod rows;
pub mod sampling;
pub mod state;
pub mod study;
pub mod target;
pub mod tradeoff;

pub use basins::{
    basins, basins_in, flow_sinks, label_cells, match_minimum, BasinSolver, FLOW_STEPS, MAX_SINKS,
};
pub use closed_forms::{entropy, expected_log_q};
pub use divergences::{
    eval, eval_full, eval_grad, Derivatives, Divergence, Evaluated, Params, NAMES,
};
pub use error::{Error, Field, Part, Reason};
pub use integrals::{imq_stein, power_integral_finite};
pub use landscape::{
    candidates, closed_form, descend, grid_minima, Descender, Descent, Grid, Landscape, Minimum,
    REFINE_STEPS,
};
pub use pressure::{pressure, pressure_norm, pressure_of_ratio};
pub use state::{Panel, PartialState, State, Validated, View};
pub use study::{landscape, minima, Detail, Finished, PanelProgress, Study};
pub use target::{Component, Gaussian, Target};
