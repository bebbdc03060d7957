//! Which valid witnesses are rewarded: at most `MAX_REWARDED_WITNESSES`, those with the
//! lowest `blake2_256(R ‖ beacon_id ‖ witness_id)`, where R is randomness drawn after the
//! witness window closed — never arrival order, which the block author controls.

use alloc::vec::Vec;
use polkadot_sdk::sp_crypto_hashing::blake2_256;

/// The most witnesses rewarded per beacon.
pub const MAX_REWARDED_WITNESSES: usize = 14;

/// `blake2_256(randomness ‖ beacon ‖ witness)`: a witness's draw for one beacon.
pub fn draw(randomness: &[u8; 32], beacon: &[u8], witness: &[u8; 32]) -> [u8; 32] {
	let mut bytes = Vec::with_capacity(64 + beacon.len());
	bytes.extend_from_slice(randomness);
	bytes.extend_from_slice(beacon);
	bytes.extend_from_slice(witness);
	blake2_256(&bytes)
}

/// The rewarded witnesses among `valid`: the `MAX_REWARDED_WITNESSES` lowest draws, lowest
/// first. The order of `valid` does not matter.
pub fn select(randomness: &[u8; 32], beacon: &[u8], valid: &[[u8; 32]]) -> Vec<[u8; 32]> {
	let mut drawn: Vec<([u8; 32], [u8; 32])> =
		valid.iter().map(|w| (draw(randomness, beacon, w), *w)).collect();
	drawn.sort();
	drawn.dedup_by(|a, b| a.1 == b.1);
	drawn.into_iter().take(MAX_REWARDED_WITNESSES).map(|(_, w)| w).collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn witnesses(n: u8) -> Vec<[u8; 32]> {
		(0..n).map(|i| [i; 32]).collect()
	}

	#[test]
	fn at_most_fourteen_are_rewarded() {
		assert_eq!(select(&[1; 32], b"beacon", &witnesses(20)).len(), 14);
		assert_eq!(select(&[1; 32], b"beacon", &witnesses(3)).len(), 3);
		assert!(select(&[1; 32], b"beacon", &[]).is_empty());
	}

	#[test]
	fn the_draw_decides_not_the_arrival_order() {
		let all = witnesses(20);
		let chosen = select(&[9; 32], b"beacon-7", &all);
		// The first fourteen to arrive are not simply taken.
		assert_ne!(chosen, all[..14].to_vec());
		// Another randomness chooses differently.
		assert_ne!(select(&[8; 32], b"beacon-7", &all), chosen);
	}

	proptest! {
		#[test]
		fn the_order_of_arrival_changes_nothing(r in any::<[u8; 32]>(), n in 0u8..40, rotate in 0usize..40) {
			let mut all = witnesses(n);
			let chosen = select(&r, b"b", &all);
			if !all.is_empty() {
				let k = rotate % all.len();
				all.rotate_left(k);
			}
			all.reverse();
			prop_assert_eq!(select(&r, b"b", &all), chosen);
		}

		#[test]
		fn the_chosen_have_the_lowest_draws(r in any::<[u8; 32]>(), n in 15u8..40) {
			let all = witnesses(n);
			let chosen = select(&r, b"b", &all);
			let worst_chosen = chosen.iter().map(|w| draw(&r, b"b", w)).max().unwrap();
			for w in all.iter().filter(|w| !chosen.contains(w)) {
				prop_assert!(draw(&r, b"b", w) > worst_chosen);
			}
		}
	}
}
