//! The element's state (SPEC §5) and its landscape panels: the core's own types, with serde.

pub use divergence::{Panel as PanelDef, State};
