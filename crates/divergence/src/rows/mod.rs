//! Fast paths for divergences without a Gaussian-correlation row form: total variation in
//! closed form per cell, and KSD² (value and gradient) by tensor and FFT sums. `eval`'s
//! adaptive quadrature stays the reference they are tested against.

pub mod ksd;
pub mod ksd_pressure;
pub mod tv;
