//! How one reward epoch's emission is shared: 20 % to beaconers, 80 % to witnesses, each
//! pot pro rata to the hotspots' scaled units. Integer only: each share is rounded down and
//! what rounding leaves over is reported, never paid twice or lost silently.

use alloc::vec::Vec;
use polkadot_sdk::sp_arithmetic::{
	traits::{Saturating, Zero},
	FixedU128, Perbill,
};

/// The beaconers' part of an epoch's emission.
pub const BEACONER_SHARE: Perbill = Perbill::from_percent(20);

/// The two pots of an epoch: (beaconers, witnesses).
pub fn pots(emission: u128) -> (u128, u128) {
	let beaconers = BEACONER_SHARE * emission;
	(beaconers, emission.saturating_sub(beaconers))
}

/// `pot · units_i / Σ units`, rounded down, for each entry; and what is left of the pot.
/// Nothing is paid when there are no units.
pub fn pro_rata(pot: u128, units: &[FixedU128]) -> (Vec<u128>, u128) {
	let total = units.iter().fold(FixedU128::zero(), |sum, u| sum.saturating_add(*u));
	if total.is_zero() {
		return (units.iter().map(|_| 0).collect(), pot);
	}
	let shares: Vec<u128> = units.iter().map(|u| share(pot, *u, total)).collect();
	let paid = shares.iter().fold(0u128, |sum, s| sum.saturating_add(*s));
	(shares, pot.saturating_sub(paid))
}

/// `pot · units / total`, rounded down; nothing when `total` is zero.
pub fn share(pot: u128, units: FixedU128, total: FixedU128) -> u128 {
	if total.into_inner() == 0 {
		return 0;
	}
	polkadot_sdk::sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
		pot,
		units.into_inner().min(total.into_inner()),
		total.into_inner(),
		polkadot_sdk::sp_arithmetic::Rounding::Down,
	)
	.unwrap_or(0)
}

/// Units scaled by a hotspot's density scale.
pub fn scaled(units: FixedU128, scale: FixedU128) -> FixedU128 {
	units.saturating_mul(scale)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn twenty_eighty() {
		assert_eq!(pots(1_000), (200, 800));
		assert_eq!(pots(7), (1, 6));
	}

	#[test]
	fn shares_follow_units() {
		let units = [FixedU128::from_u32(1), FixedU128::from_u32(3)];
		assert_eq!(pro_rata(800, &units), (vec![200, 600], 0));
		let thirds = [FixedU128::from_u32(1); 3];
		assert_eq!(pro_rata(100, &thirds), (vec![33, 33, 33], 1));
		assert_eq!(pro_rata(100, &[]), (vec![], 100));
	}

	proptest! {
		#[test]
		fn nothing_is_created_and_little_is_left(pot in 0u128..1_000_000_000_000_000_000, raw in proptest::collection::vec(1u128..1_000_000_000_000_000_000, 1..50)) {
			let units: Vec<FixedU128> = raw.iter().map(|r| FixedU128::from_inner(*r)).collect();
			let (shares, left) = pro_rata(pot, &units);
			let paid: u128 = shares.iter().sum();
			prop_assert_eq!(paid + left, pot);
			prop_assert!(left < units.len() as u128 + 1);
		}

		#[test]
		fn pots_add_up(emission in any::<u64>()) {
			let (b, w) = pots(u128::from(emission));
			prop_assert_eq!(b + w, u128::from(emission));
		}
	}
}
