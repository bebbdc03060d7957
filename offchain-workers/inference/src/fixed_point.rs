//! Fixed point at the boundary between the chain and the model (node side only: floats
//! never enter consensus code). A value `x` travels as `round(x · 2^F)`; a model output
//! `y` is quantized as `round_half_even(y · 2^F)`, clamped to the i32 range.

/// The float an input element stands for: `q / 2^F`.
pub fn dequantize(q: i32, fraction_bits: u8) -> f32 {
	(f64::from(q) / scale(fraction_bits)) as f32
}

/// `round_half_even(y · 2^F)` clamped to the i32 range; `None` for NaN or ±∞.
pub fn quantize(y: f32, fraction_bits: u8) -> Option<i32> {
	if !y.is_finite() {
		return None;
	}
	let scaled = (f64::from(y) * scale(fraction_bits)).round_ties_even();
	Some(scaled.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32)
}

fn scale(fraction_bits: u8) -> f64 {
	f64::from(2u32).powi(i32::from(fraction_bits.min(30)))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn halves_round_to_even() {
		// 2.5 / 2^16 · 2^16 = 2.5 → 2; 3.5 → 4; −2.5 → −2.
		let f = 16;
		let unit = 1.0 / 65_536.0;
		assert_eq!(quantize(2.5 * unit, f), Some(2));
		assert_eq!(quantize(3.5 * unit, f), Some(4));
		assert_eq!(quantize(-2.5 * unit, f), Some(-2));
		assert_eq!(quantize(1.0, f), Some(65_536));
	}

	#[test]
	fn non_finite_outputs_are_refused_and_huge_ones_clamped() {
		assert_eq!(quantize(f32::NAN, 16), None);
		assert_eq!(quantize(f32::INFINITY, 16), None);
		assert_eq!(quantize(1e30, 16), Some(i32::MAX));
		assert_eq!(quantize(-1e30, 16), Some(i32::MIN));
	}

	proptest! {
		#[test]
		fn dequantize_then_quantize_is_the_identity_within_f32(q in -(1i32 << 24)..(1i32 << 24)) {
			// Integers below 2^24 are exact in f32.
			prop_assert_eq!(quantize(dequantize(q, 16), 16), Some(q));
		}

		#[test]
		fn quantize_is_monotonic(a in -1e6f32..1e6, b in -1e6f32..1e6) {
			let (qa, qb) = (quantize(a, 16).unwrap(), quantize(b, 16).unwrap());
			prop_assert!(a > b || qa <= qb);
		}
	}
}
