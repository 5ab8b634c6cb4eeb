//! ln x for the Jensen–Shannon rows' one log per point: the exponent from the bits and
//! 2·atanh((m − 1)/(m + 1)) for the mantissa m ∈ [√½, √2) by its odd series to s¹⁷
//! (|s| ≤ 0.172: truncation below 4e-16 relative), evaluated by Estrin's scheme.
//! Branch-free, so that the row loop vectorises.

/// The bits of √½ rounded down (so that m = √2 falls in the next binade).
const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcc;

/// ln x for positive finite x (x below the smallest normal is taken as that: the rows
/// only ever multiply the result by x).
#[inline]
pub(super) fn ln(x: f64) -> f64 {
    // Bits less those of √½, plus 1023 in the exponent field: its top 12 bits are then
    // e + 1023 with x = 2^e·m, m ∈ [√½, √2), and its low 52 bits m's offset from √½; no
    // compare or select.
    let t = x
        .max(f64::MIN_POSITIVE)
        .to_bits()
        .wrapping_sub(SQRT_HALF_BITS)
        .wrapping_add(1023 << 52);
    // The exponent as a float without an int→float conversion (which SSE2 lacks for packed
    // i64): 2^52 + e + 1023 read from the bits, less 2^52 + 1023.
    let e = f64::from_bits((t >> 52) | 0x4330_0000_0000_0000) - (4_503_599_627_370_496.0 + 1023.0);
    let m = f64::from_bits((t & 0x000f_ffff_ffff_ffff) + SQRT_HALF_BITS);
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    // Σ_{k<8} z^k/(2k + 3) by Estrin's scheme: a dependency chain of four multiply-adds
    // rather than Horner's eight, so that the row loop's iterations overlap.
    let (z2, z4) = (z * z, (z * z) * (z * z));
    let lo = (1.0 / 3.0 + z * (1.0 / 5.0)) + z2 * (1.0 / 7.0 + z * (1.0 / 9.0));
    let hi = (1.0 / 11.0 + z * (1.0 / 13.0)) + z2 * (1.0 / 15.0 + z * (1.0 / 17.0));
    let p = z * (lo + z4 * hi);
    e * std::f64::consts::LN_2 + 2.0 * (s + s * p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_libm() {
        let mut worst = 0.0f64;
        let mut x = 1e-300;
        while x < 1e300 {
            let r2 = std::f64::consts::SQRT_2;
            for f in [
                1.0,
                1.0 + 1e-12,
                1.3,
                r2 * (1.0 - 1e-9),
                r2 * (1.0 + 1e-9),
                1.7,
                1.999999,
            ] {
                let y = x * f;
                let (a, b) = (super::ln(y), y.ln());
                worst = worst.max((a - b).abs() / b.abs().max(1e-300));
            }
            x *= 3.7;
        }
        assert!(worst < 1e-15, "{worst:e}");
        for y in [1.0, 1.0 + 1e-15, 1.0 - 1e-15, 0.999, 1.0001] {
            let (a, b) = (super::ln(y), y.ln());
            assert!(
                (a - b).abs() <= 1e-15 * b.abs() + 1e-300,
                "{y}: {a:e} {b:e}"
            );
        }
        assert!((super::ln(0.0) - f64::MIN_POSITIVE.ln()).abs() < 1e-12);
    }
}
