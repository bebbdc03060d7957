//! HIP-15 reward units of one beacon with `w` selected witnesses (N = 4, r = 0.8, cap 2):
//!
//! - beaconer: `w / N` if `w ≤ N`, else `min(2, 2 − r^(w−N))`;
//! - each witness: 1 if `w ≤ N`, else `(N − (1 − r^(w−N))) / w`.
//!
//! Exact rationals in `FixedU128` (18 decimals), no floats.

use polkadot_sdk::sp_arithmetic::{
	traits::{One, Saturating, Zero},
	FixedPointNumber, FixedU128,
};

/// Witnesses per beacon before rewards decay.
pub const N: u32 = 4;

/// The decay ratio r = 0.8.
pub fn decay() -> FixedU128 {
	FixedU128::saturating_from_rational(4, 5)
}

/// The beaconer's cap: 2 units.
pub fn beaconer_cap() -> FixedU128 {
	FixedU128::saturating_from_integer(2)
}

/// `r^(w−N)` for `w > N`.
fn decayed(w: u32) -> FixedU128 {
	decay().saturating_pow(w.saturating_sub(N) as usize)
}

/// The beaconer's units with `w` selected witnesses.
pub fn beaconer_units(w: u32) -> FixedU128 {
	if w <= N {
		FixedU128::saturating_from_rational(w, N)
	} else {
		beaconer_cap().saturating_sub(decayed(w)).min(beaconer_cap())
	}
}

/// Each witness's units with `w` selected witnesses (0 for `w = 0`).
pub fn witness_units(w: u32) -> FixedU128 {
	match w {
		0 => FixedU128::zero(),
		w if w <= N => FixedU128::one(),
		w => {
			let total = FixedU128::saturating_from_integer(N)
				.saturating_sub(FixedU128::one().saturating_sub(decayed(w)));
			total / FixedU128::saturating_from_integer(w)
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn float(x: FixedU128) -> f64 {
		x.into_inner() as f64 / FixedU128::DIV as f64
	}

	/// The HIP-15 formulas in floating point, for the test only.
	fn expected(w: u32) -> (f64, f64) {
		let (n, r) = (4.0f64, 0.8f64);
		let w_f = f64::from(w);
		if w == 0 {
			return (0.0, 0.0);
		}
		if w_f <= n {
			(w_f / n, 1.0)
		} else {
			let k = r.powi((w - 4) as i32);
			((2.0 - k).min(2.0), (n - (1.0 - k)) / w_f)
		}
	}

	#[test]
	fn units_for_one_to_fifteen_witnesses() {
		for w in 1..=15 {
			let (beaconer, witness) = expected(w);
			assert!((float(beaconer_units(w)) - beaconer).abs() < 1e-12, "beaconer, w = {w}");
			assert!((float(witness_units(w)) - witness).abs() < 1e-12, "witness, w = {w}");
		}
		// A few exact values: w = 4 → 1 and 1; w = 5 → 1.2 and 3.8 / 5 = 0.76.
		assert_eq!(beaconer_units(4), FixedU128::one());
		assert_eq!(beaconer_units(5), FixedU128::saturating_from_rational(6, 5));
		assert_eq!(witness_units(5), FixedU128::saturating_from_rational(76, 100));
		assert_eq!(beaconer_units(2), FixedU128::saturating_from_rational(1, 2));
	}

	proptest! {
		#[test]
		fn the_beaconer_never_exceeds_the_cap_and_grows_with_witnesses(w in 0u32..200) {
			prop_assert!(beaconer_units(w) <= beaconer_cap());
			prop_assert!(beaconer_units(w + 1) >= beaconer_units(w));
		}

		#[test]
		fn witness_units_in_total_never_exceed_n(w in 1u32..200) {
			let total = witness_units(w).saturating_mul(FixedU128::saturating_from_integer(w));
			prop_assert!(total <= FixedU128::saturating_from_integer(N) + FixedU128::from_inner(1_000));
			prop_assert!(witness_units(w) <= FixedU128::one());
		}
	}
}
