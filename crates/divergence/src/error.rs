//! The core's one error type: every refused input names its [`Field`] and the reason, so that
//! a face maps it to its own vocabulary (a CLI flag, a JS `RangeError` or `TypeError`) by
//! matching, never by reading the message.

use crate::registry::Param;
use std::fmt;

/// Part of a target component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Weight,
    Mean,
    Std,
}

/// The input an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The target as a whole (its text, or its number of components).
    Target,
    /// Component `k` (from 1) of the target.
    Component { k: usize, part: Part },
    /// The target's weights together (their spread).
    Weights,
    /// q's mean μ.
    QMean,
    /// q's std σ.
    QStd,
    /// A divergence parameter.
    Param(Param),
    /// The landscape's μ range.
    MuRange,
    /// The landscape's σ range.
    SigmaRange,
    /// The landscape's number of μ points.
    GridMu,
    /// The landscape's number of σ points.
    GridSigma,
    /// A divergence name.
    Divergence,
    /// The list of divergences shown.
    Divergences,
    /// A preset name.
    Preset,
    /// A URL fragment.
    Link,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Target => f.write_str("target"),
            Field::Component { k, part } => {
                let part = match part {
                    Part::Weight => "weight",
                    Part::Mean => "mean",
                    Part::Std => "std",
                };
                write!(f, "component {k} {part}")
            }
            Field::Weights => f.write_str("weights"),
            Field::QMean => f.write_str("q mean"),
            Field::QStd => f.write_str("q std"),
            Field::Param(p) => f.write_str(p.info().label),
            Field::MuRange => f.write_str("mu range"),
            Field::SigmaRange => f.write_str("sigma range"),
            Field::GridMu => f.write_str("grid mu count"),
            Field::GridSigma => f.write_str("grid sigma count"),
            Field::Divergence => f.write_str("divergence"),
            Field::Divergences => f.write_str("divergences"),
            Field::Preset => f.write_str("preset"),
            Field::Link => f.write_str("link"),
        }
    }
}

/// Why an input was refused, in the terms a face maps to its own errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// NaN or infinite.
    NotFinite,
    /// A finite number outside its domain, or a range with LO ≥ HI.
    OutOfRange,
    /// More (or fewer) items than allowed.
    Count,
    /// Text that does not parse, or a malformed value.
    Parse,
    /// A name that is not one of the known ones.
    UnknownName,
}

/// A refused input. The message names the field and why it was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A number outside its domain (`rule` says which).
    #[error("{field} {value} {rule}")]
    Invalid {
        field: Field,
        value: f64,
        rule: &'static str,
    },
    /// A pair of numbers (a range) that is not a valid interval.
    #[error("{field} {rule}")]
    BadRange { field: Field, rule: &'static str },
    /// The weights differ by more than f64 can hold once normalised.
    #[error("weights span more than 300 decades")]
    WeightSpan,
    /// A target needs 1 to 8 components.
    #[error("a target needs 1 to 8 components, got {0}")]
    ComponentCount(usize),
    /// A wrong number of items in a list.
    #[error("{message}")]
    Count { field: Field, message: String },
    /// Text that does not parse.
    #[error("{message}")]
    Parse { field: Field, message: String },
    /// A divergence name that is not one of SPEC §2's.
    #[error("unknown divergence '{0}' (expected one of: {names})", names = crate::NAMES.join(", "))]
    UnknownDivergence(String),
    /// A preset name that is not one of SPEC §5's.
    #[error("unknown preset '{0}' (expected one of: {names})", names = crate::presets::PRESET_NAMES.join(", "))]
    UnknownPreset(String),
}

impl Error {
    /// An out-of-domain numeric value of `field`.
    pub fn invalid(field: Field, value: f64, rule: &'static str) -> Self {
        Error::Invalid { field, value, rule }
    }

    /// Text of `field` that does not parse.
    pub fn parse(field: Field, message: impl Into<String>) -> Self {
        Error::Parse {
            field,
            message: message.into(),
        }
    }

    /// The input the error is about.
    pub fn field(&self) -> Field {
        match self {
            Error::Invalid { field, .. }
            | Error::BadRange { field, .. }
            | Error::Count { field, .. }
            | Error::Parse { field, .. } => *field,
            Error::WeightSpan => Field::Weights,
            Error::ComponentCount(_) => Field::Target,
            Error::UnknownDivergence(_) => Field::Divergence,
            Error::UnknownPreset(_) => Field::Preset,
        }
    }

    /// Why it was refused.
    pub fn reason(&self) -> Reason {
        match self {
            Error::Invalid { value, .. } if !value.is_finite() => Reason::NotFinite,
            Error::Invalid { .. } | Error::BadRange { .. } | Error::WeightSpan => {
                Reason::OutOfRange
            }
            Error::ComponentCount(_) | Error::Count { .. } => Reason::Count,
            Error::Parse { .. } => Reason::Parse,
            Error::UnknownDivergence(_) | Error::UnknownPreset(_) => Reason::UnknownName,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_and_reasons_classify() {
        let e = Error::invalid(Field::Param(Param::KernelC), 0.0, "must lie in [1e-6, 1e6]");
        assert_eq!(e.to_string(), "kernel c 0 must lie in [1e-6, 1e6]");
        assert_eq!(e.reason(), Reason::OutOfRange);
        let e = Error::invalid(
            Field::Component {
                k: 2,
                part: Part::Std,
            },
            f64::NAN,
            "must lie in [1e-8, 1e8]",
        );
        assert!(e.to_string().starts_with("component 2 std NaN"));
        assert_eq!(e.reason(), Reason::NotFinite);
        assert_eq!(Error::UnknownPreset("x".into()).field(), Field::Preset);
        assert!(Error::UnknownDivergence("kl".into())
            .to_string()
            .contains("reverse_kl"));
    }
}
