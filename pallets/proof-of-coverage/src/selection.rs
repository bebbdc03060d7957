//! Which valid witnesses are rewarded: at most `MAX_REWARDED_WITNESSES`, those with the
//! lowest `blake2_256(R ‖ beacon_id ‖ witness_id)`, where R is randomness drawn after the
//! witness window closed — never arrival order, which the block author controls.

use alloc::vec::Vec;
use assay_primitives::{keep_lowest, rank};
use polkadot_sdk::frame_support::{traits::ConstU32, BoundedVec};

/// The most witnesses rewarded per beacon.
pub const MAX_REWARDED_WITNESSES: u32 = 14;

/// The bound of a beacon's selection.
pub type MaxSelected = ConstU32<MAX_REWARDED_WITNESSES>;

/// The witnesses selected so far, with their draws, lowest first.
pub type Selection<W> = BoundedVec<([u8; 32], W), MaxSelected>;

/// `blake2_256(randomness ‖ beacon ‖ witness)`: a witness's draw for one beacon (the
/// chain's one ranking, `assay_primitives::rank`, with subject `beacon ‖ witness`).
pub fn draw(randomness: &[u8; 32], beacon: &[u8], witness: &[u8; 32]) -> [u8; 32] {
	rank(randomness, &[beacon, &witness[..]].concat())
}

/// Enters one valid witness into a beacon's selection, as verification meets it: bounded
/// work, whatever the order witnesses are verified in. This is what the chain runs.
pub fn enter<W>(
	selection: &mut Selection<W>,
	randomness: &[u8; 32],
	beacon: &[u8],
	witness_id: &[u8; 32],
	witness: W,
) {
	let _ = keep_lowest(selection, draw(randomness, beacon, witness_id), witness);
}

/// The rewarded witnesses among `valid`, by definition: sort every draw, take the
/// `MAX_REWARDED_WITNESSES` lowest, lowest first. The order of `valid` does not matter. The
/// chain selects incrementally with [`enter`]; a property test shows both agree.
pub fn select(randomness: &[u8; 32], beacon: &[u8], valid: &[[u8; 32]]) -> Vec<[u8; 32]> {
	let mut drawn: Vec<([u8; 32], [u8; 32])> =
		valid.iter().map(|w| (draw(randomness, beacon, w), *w)).collect();
	drawn.sort();
	drawn.dedup_by(|a, b| a.1 == b.1);
	drawn
		.into_iter()
		.take(MAX_REWARDED_WITNESSES as usize)
		.map(|(_, w)| w)
		.collect()
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
		fn entering_one_at_a_time_selects_what_sorting_all_selects(r in any::<[u8; 32]>(), n in 0u8..60, rotate in 0usize..60) {
			let mut all = witnesses(n);
			if !all.is_empty() {
				let k = rotate % all.len();
				all.rotate_left(k);
			}
			let mut selection = Selection::<[u8; 32]>::new();
			for w in &all {
				enter(&mut selection, &r, b"b", w, *w);
			}
			let entered: Vec<[u8; 32]> = selection.iter().map(|(_, w)| *w).collect();
			prop_assert_eq!(entered, select(&r, b"b", &all));
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
