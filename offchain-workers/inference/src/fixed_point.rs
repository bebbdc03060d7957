//! Fixed point at the boundary between the chain and the model (node side only: floats
//! never enter consensus code). A value `x` travels as `round(x · 2^F)`; a model output
//! `y` is quantized as `round_half_even(y · 2^F)`, clamped to the i32 range.

/// The float an input element stands for: `q / 2^F`.
pub fn dequantize(q: i32, fraction_bits: u8) -> f32 {
	// 2^-F is exact, so the product equals `q / 2^F`, without a division.
	(f64::from(q) * (1.0 / scale(fraction_bits))) as f32
}

/// `round_half_even(y · 2^F)` clamped to the i32 range; `None` for NaN or ±∞.
pub fn quantize(y: f32, fraction_bits: u8) -> Option<i32> {
	if !y.is_finite() {
		return None;
	}
	let scaled = (f64::from(y) * scale(fraction_bits)).round_ties_even();
	Some(scaled.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32)
}

/// Dequantizes `bytes`, little-endian i32 values, straight into the floats a model takes;
/// `None` unless the length is a multiple of 4.
pub fn dequantize_le_bytes(bytes: &[u8], fraction_bits: u8) -> Option<Vec<f32>> {
	if !bytes.len().is_multiple_of(4) {
		return None;
	}
	let unit = 1.0 / scale(fraction_bits);
	Some(
		bytes
			.chunks_exact(4)
			.map(|c| (f64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])) * unit) as f32)
			.collect(),
	)
}

/// Quantizes `outputs` straight into the SCALE encoding of the `Vec<i32>` [`quantize`]
/// makes of them (a compact length, then each value little-endian); `None` if one is not
/// finite.
pub fn quantize_encoded(outputs: &[f32], fraction_bits: u8) -> Option<Vec<u8>> {
	use codec::{Compact, Encode};
	let len = u32::try_from(outputs.len()).ok()?;
	let mut encoded = Vec::with_capacity(5 + 4 * outputs.len());
	Compact(len).encode_to(&mut encoded);
	for &y in outputs {
		encoded.extend_from_slice(&quantize(y, fraction_bits)?.to_le_bytes());
	}
	Some(encoded)
}

/// `2^F` for F ≤ 30 (larger F are taken as 30): a shift, not `powi` (a library call per
/// element that cost more than the model run on small models).
fn scale(fraction_bits: u8) -> f64 {
	f64::from(1u32 << fraction_bits.min(30))
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
	fn partial_values_and_non_finite_outputs_are_refused_on_the_byte_paths() {
		assert_eq!(dequantize_le_bytes(&[1, 2, 3], 16), None);
		assert_eq!(quantize_encoded(&[1.0, f32::NAN], 16), None);
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
		fn the_byte_paths_equal_the_typed_ones(
			values in proptest::collection::vec(any::<i32>(), 0..64),
			outputs in proptest::collection::vec(-1e9f32..1e9, 0..64),
			f in 0u8..31,
		) {
			use codec::Encode;
			let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
			let typed: Vec<f32> = values.iter().map(|&q| dequantize(q, f)).collect();
			prop_assert_eq!(dequantize_le_bytes(&bytes, f), Some(typed));
			let quantized: Option<Vec<i32>> = outputs.iter().map(|&y| quantize(y, f)).collect();
			prop_assert_eq!(quantize_encoded(&outputs, f), quantized.map(|q| q.encode()));
		}

		#[test]
		fn quantize_is_monotonic(a in -1e6f32..1e6, b in -1e6f32..1e6) {
			let (qa, qb) = (quantize(a, 16).unwrap(), quantize(b, 16).unwrap());
			prop_assert!(a > b || qa <= qb);
		}
	}
}
