//! The core's one error type: every bad input is named, with its value and the reason.

/// A refused input. The message names the argument and why it was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A value outside its domain.
    #[error("{what} {value} {why}")]
    Invalid {
        what: String,
        value: String,
        why: String,
    },
    /// A target needs 1 to 8 components.
    #[error("a target needs 1 to 8 components, got {0}")]
    ComponentCount(usize),
    /// Text that does not parse.
    #[error("{0}")]
    Parse(String),
    /// A divergence name that is not one of SPEC §2's.
    #[error("unknown divergence '{0}' (expected one of: {names})", names = crate::NAMES.join(", "))]
    UnknownDivergence(String),
}

impl Error {
    /// An out-of-domain numeric value.
    pub fn invalid(what: impl Into<String>, value: f64, why: &str) -> Self {
        Error::Invalid {
            what: what.into(),
            value: value.to_string(),
            why: why.into(),
        }
    }
}
