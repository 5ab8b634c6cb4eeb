//! ln x for the Jensen–Shannon rows' one log per point: the exponent from the bits and
//! 2·atanh((m − 1)/(m + 1)) for the mantissa m ∈ [√½, √2) by its odd series to s¹⁷
//! (|s| ≤ 0.172: truncation below 4e-16 relative), evaluated by Estrin's scheme.
//! Branch-free, so that the row loop vectorises. And eˣ for Neyman χ²'s log-space terms:
//! x = n ln 2 + r, |r| ≤ ½ ln 2, e^r by its Taylor series to r¹³ (truncation below 4e-18)
//! and 2ⁿ from the bits, in two factors so that results down to the subnormals come out.

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

/// eˣ lane by lane, branch-free so that it vectorises: within a few ulps of libm's, +inf
/// above ~709.8, and 0 below the normal numbers (x < −708), whose arithmetic is slow on
/// some CPUs and which no sum here needs.
#[inline]
pub(super) fn exp4(x: [f64; 4]) -> [f64; 4] {
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5·2^52: adding and subtracting it rounds to the nearest integer.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let c = x.map(|v| v.clamp(-708.0, 710.0));
    let n = c.map(|v| (v * std::f64::consts::LOG2_E + ROUND) - ROUND);
    let mut r = [0.0; 4];
    let mut e = [INV_FACTORIALS[13]; 4];
    for l in 0..4 {
        r[l] = (c[l] - n[l] * LN2_HI) - n[l] * LN2_LO;
    }
    // Σ_{k≤13} r^k/k! by Horner.
    for &f in INV_FACTORIALS[..13].iter().rev() {
        for l in 0..4 {
            e[l] = e[l] * r[l] + f;
        }
    }
    // 2ⁿ = 2^(n/2)·2^(n − n/2), each factor a normal number for n in [−1022, 1025].
    let mut out = [0.0; 4];
    for l in 0..4 {
        let k = n[l] as i64;
        let half = k >> 1;
        let pow2 = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
        let v = e[l] * pow2(half) * pow2(k - half);
        out[l] = if x[l] < -708.0 { 0.0 } else { v };
    }
    out
}

/// 1/k! for k ≤ 13.
const INV_FACTORIALS: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

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

    #[test]
    fn exp_matches_libm_across_the_range() {
        let mut worst = 0.0f64;
        let mut x = -745.0;
        while x < 709.7 {
            let ys = [x, x + 1e-9, x + 0.3466, x + 0.5];
            for (y, a) in ys.into_iter().zip(super::exp4(ys)) {
                let b = y.exp();
                if y >= -708.0 {
                    worst = worst.max((a - b).abs() / b);
                } else {
                    assert_eq!(a, 0.0, "{y}");
                }
            }
            x += 0.731;
        }
        assert!(worst < 1e-15, "{worst:e}");
        let e = super::exp4([0.0, -800.0, 720.0, f64::NEG_INFINITY]);
        assert_eq!(e, [1.0, 0.0, f64::INFINITY, 0.0]);
    }
}
