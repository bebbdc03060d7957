//! Free-space path loss in fixed point, and the RSSI a witness can physically have heard.
//!
//! `FSPL = 20·log10(4π·d·f / c)` (d in metres, f in Hz, c = 2.998e8 m/s) is computed as
//! `20·log10(d·f) + 20·log10(4π / c)`, with `20·log10(x) = (20 / log2 10)·log2(x)` and an
//! integer log2 with 32 fraction bits. Results are in milli-dB.

/// `20 / log2(10)`, scaled by 1e9 (6.020599913279624…).
const TWENTY_OVER_LOG2_10_NANO: u128 = 6_020_599_913;

/// `20·log10(4π / 2.998e8)` in micro-dB (−147.552435289… dB).
const FOUR_PI_OVER_C_MICRO_DB: i128 = -147_552_435;

/// Fraction bits of [`log2_q32`].
const FRACTION_BITS: u32 = 32;

/// `log2(x)` in fixed point with 32 fraction bits (Q32), rounded down; `None` for 0.
pub fn log2_q32(x: u128) -> Option<u64> {
	if x == 0 {
		return None;
	}
	let integer = 127 - x.leading_zeros();
	// y = x / 2^integer in [1, 2), as a Q62 fixed-point number.
	let mut y: u128 = if integer >= 62 { x >> (integer - 62) } else { x << (62 - integer) };
	let mut fraction: u64 = 0;
	for bit in (0..FRACTION_BITS).rev() {
		// Squaring halves the remaining exponent's fraction: y² ≥ 2 sets this bit.
		y = (y * y) >> 62;
		if y >= 2u128 << 62 {
			y >>= 1;
			fraction |= 1 << bit;
		}
	}
	Some((u64::from(integer) << FRACTION_BITS) | fraction)
}

/// Free-space path loss in milli-dB for `distance_m` metres at `frequency_hz`; `None` when
/// either is 0.
pub fn fspl_milli_db(distance_m: u64, frequency_hz: u64) -> Option<i64> {
	let log2 = log2_q32(u128::from(distance_m) * u128::from(frequency_hz))?;
	// micro-dB: log2 (Q32) · 20/log2(10) (nano) / 2^32 / 1000.
	let twenty_log10_micro =
		((u128::from(log2) * TWENTY_OVER_LOG2_10_NANO) >> FRACTION_BITS) / 1_000;
	let micro = i128::try_from(twenty_log10_micro).ok()?.checked_add(FOUR_PI_OVER_C_MICRO_DB)?;
	// Round to the nearest milli-dB.
	i64::try_from((micro + 500).div_euclid(1_000)).ok()
}

/// The strongest signal, in milli-dBm, a witness `distance_m` away can receive from a
/// beacon sent at `tx_power_dbm` on `frequency_hz`, with antenna gains in tenths of dBi
/// (whole dB count: `⌊G/10⌋`): `tx + ⌊G_b/10⌋ + ⌊G_w/10⌋ − FSPL(d, f)`.
pub fn max_rssi_milli_dbm(
	tx_power_dbm: i16,
	beaconer_gain_dbi_x10: i16,
	witness_gain_dbi_x10: i16,
	distance_m: u64,
	frequency_hz: u64,
) -> Option<i64> {
	let gains = i64::from(beaconer_gain_dbi_x10.div_euclid(10))
		+ i64::from(witness_gain_dbi_x10.div_euclid(10));
	let budget = (i64::from(tx_power_dbm) + gains).checked_mul(1_000)?;
	budget.checked_sub(fspl_milli_db(distance_m, frequency_hz)?)
}

/// Whether a reported RSSI (tenths of dBm) is physically possible: at most the limit of
/// [`max_rssi_milli_dbm`].
pub fn rssi_is_possible(rssi_dbm_x10: i16, limit_milli_dbm: i64) -> bool {
	i64::from(rssi_dbm_x10) * 100 <= limit_milli_dbm
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn fspl_f64(d: f64, f: f64) -> f64 {
		20.0 * (4.0 * core::f64::consts::PI * d * f / 2.998e8).log10()
	}

	#[test]
	fn the_constants_are_what_they_say() {
		assert_eq!(((20.0 / 10f64.log2()) * 1e9) as u128, TWENTY_OVER_LOG2_10_NANO);
		assert_eq!(
			((20.0 * (4.0 * core::f64::consts::PI / 2.998e8).log10()) * 1e6).trunc() as i128,
			FOUR_PI_OVER_C_MICRO_DB
		);
	}

	#[test]
	fn log2_of_powers_of_two_is_exact() {
		for k in 0..127u32 {
			assert_eq!(log2_q32(1u128 << k), Some(u64::from(k) << 32));
		}
		assert_eq!(log2_q32(0), None);
		// log2(3) = 1.5849625007…
		let three = log2_q32(3).unwrap() as f64 / (1u64 << 32) as f64;
		assert!((three - 3f64.log2()).abs() < 1e-9);
	}

	#[test]
	fn the_design_example_gives_minus_57_334_dbm() {
		// tx 12 dBm, f = 867,900,024 Hz, d = 508 m, gains 81 and 83 (dBi × 10).
		let limit = max_rssi_milli_dbm(12, 81, 83, 508, 867_900_024).unwrap();
		assert!(
			(limit - -57_334).abs() <= 10,
			"{limit} milli-dBm, expected −57.334 dBm within 0.01 dB"
		);
		assert_eq!(limit, -57_334);
		// −57.3 dBm is above the limit, −57.4 dBm below it.
		assert!(!rssi_is_possible(-573, limit));
		assert!(rssi_is_possible(-574, limit));
	}

	#[test]
	fn nothing_is_heard_from_nowhere() {
		assert_eq!(fspl_milli_db(0, 868_000_000), None);
		assert_eq!(fspl_milli_db(1_000, 0), None);
	}

	proptest! {
		#[test]
		fn fixed_point_matches_the_formula_within_a_milli_db(d in 1u64..200_000, f in 100_000_000u64..6_000_000_000) {
			let ours = fspl_milli_db(d, f).unwrap() as f64 / 1_000.0;
			prop_assert!((ours - fspl_f64(d as f64, f as f64)).abs() <= 0.0015, "{} vs {}", ours, fspl_f64(d as f64, f as f64));
		}

		#[test]
		fn path_loss_grows_with_distance(d in 1u64..100_000, extra in 1u64..100_000, f in 100_000_000u64..6_000_000_000) {
			prop_assert!(fspl_milli_db(d + extra, f).unwrap() >= fspl_milli_db(d, f).unwrap());
		}

		#[test]
		fn log2_is_monotonic(a in 1u128..u128::MAX, b in 1u128..u128::MAX) {
			if a <= b {
				prop_assert!(log2_q32(a).unwrap() <= log2_q32(b).unwrap());
			}
		}
	}
}
