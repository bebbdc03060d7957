//! The chain randomness helper: the only place a per-use seed is derived.
//!
//! A seed is `blake2_256(domain_tag ‖ R ‖ subject_id)` where `R` is BABE randomness that
//! was unknown when the subject (a job, a beacon, a slot) was committed. The domain tag
//! keeps seeds of different uses apart even when their subjects encode alike.

use polkadot_sdk::{sp_core::Get, sp_crypto_hashing::blake2_256, sp_runtime::BoundedVec};

/// Derives the seed for one use: `blake2_256(domain_tag ‖ randomness ‖ subject_id)`.
///
/// Pure and storage-free, so it can be tested and reproduced off chain by anyone who knows
/// the block's randomness.
pub fn derive_seed(domain_tag: &[u8], randomness: &[u8; 32], subject_id: &[u8]) -> [u8; 32] {
	let mut input = alloc::vec::Vec::with_capacity(domain_tag.len() + 32 + subject_id.len());
	input.extend_from_slice(domain_tag);
	input.extend_from_slice(randomness);
	input.extend_from_slice(subject_id);
	blake2_256(&input)
}

/// A candidate's rank in one random draw: `blake2_256(seed ‖ subject)`. Lower ranks win.
/// Witness selection (`subject = beacon ‖ witness`) and compute assignment
/// (`subject = provider`) both rank with it.
pub fn rank(seed: &[u8; 32], subject: &[u8]) -> [u8; 32] {
	let mut input = alloc::vec::Vec::with_capacity(32 + subject.len());
	input.extend_from_slice(seed);
	input.extend_from_slice(subject);
	blake2_256(&input)
}

/// Enters `(rank, candidate)` into `best`, which keeps at most its bound of the lowest
/// ranks seen so far, lowest first (ties: the candidate entered first stays ahead). Bounded
/// work per candidate, so a draw over many candidates can run a few per block; whatever
/// order candidates come in, the result is the lowest `bound` of them (a property test in
/// `pallet-proof-of-coverage`'s `selection` shows it equals sorting them all).
///
/// Returns what fell out: the entry the candidate displaced, or the candidate itself when
/// it ranks no better than every entry of a full `best`; `None` when there was room.
pub fn keep_lowest<R: Ord, C, S: Get<u32>>(
	best: &mut BoundedVec<(R, C), S>,
	rank: R,
	candidate: C,
) -> Option<(R, C)> {
	let position = best.partition_point(|(r, _)| *r <= rank);
	let mut displaced = None;
	if best.is_full() {
		if position >= best.len() {
			return Some((rank, candidate));
		}
		displaced = best.pop();
	}
	// Cannot fail: there is room now.
	let _ = best.try_insert(position, (rank, candidate));
	displaced
}

/// Whether a candidate of `rank` would enter `best` (see [`keep_lowest`]): there is room,
/// or it ranks below the worst entry.
pub fn would_keep<R: Ord, C, S: Get<u32>>(best: &BoundedVec<(R, C), S>, rank: &R) -> bool {
	!best.is_full() || best.last().is_some_and(|(worst, _)| rank < worst)
}

/// A source of per-use seeds, implemented once in the runtime on top of BABE.
pub trait SeedSource {
	/// The seed for `subject_id` in the domain `domain_tag`, from the current block's BABE
	/// randomness. Returns `None` while the chain has no randomness yet (the genesis block
	/// and blocks without a VRF output); callers treat that as "try again next block".
	fn seed(domain_tag: &[u8], subject_id: &[u8]) -> Option<[u8; 32]>;
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn seed_is_blake2_of_the_concatenation() {
		let r = [1u8; 32];
		let mut expected_input = b"test/domain".to_vec();
		expected_input.extend_from_slice(&r);
		expected_input.extend_from_slice(&42u64.to_le_bytes());
		assert_eq!(
			derive_seed(b"test/domain", &r, &42u64.to_le_bytes()),
			blake2_256(&expected_input)
		);
	}

	proptest! {
		#[test]
		fn different_randomness_gives_different_seeds(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), subject in any::<u64>()) {
			prop_assume!(a != b);
			let s = subject.to_le_bytes();
			prop_assert_ne!(derive_seed(b"test/x", &a, &s), derive_seed(b"test/x", &b, &s));
		}

		#[test]
		fn different_domains_give_different_seeds(r in any::<[u8; 32]>(), subject in any::<u64>()) {
			let s = subject.to_le_bytes();
			prop_assert_ne!(derive_seed(b"test/job", &r, &s), derive_seed(b"test/poc", &r, &s));
		}

		#[test]
		fn seed_is_deterministic(r in any::<[u8; 32]>(), subject in proptest::collection::vec(any::<u8>(), 0..64)) {
			prop_assert_eq!(derive_seed(b"d", &r, &subject), derive_seed(b"d", &r, &subject));
		}

		/// `would_keep` predicts `keep_lowest`, and what falls out is exactly what is no
		/// longer kept: nothing is lost or duplicated.
		#[test]
		fn keep_lowest_reports_what_falls_out(ranks in proptest::collection::vec(any::<u8>(), 0..40)) {
			let mut best = BoundedVec::<(u8, usize), polkadot_sdk::sp_core::ConstU32<5>>::new();
			let mut out = alloc::vec::Vec::new();
			for (i, r) in ranks.iter().enumerate() {
				let predicted = would_keep(&best, r);
				let fell = keep_lowest(&mut best, *r, i);
				prop_assert_eq!(predicted, fell.is_none_or(|(_, c)| c != i));
				out.extend(fell.map(|(_, c)| c));
			}
			let mut all: alloc::vec::Vec<usize> = best.iter().map(|(_, c)| *c).chain(out).collect();
			all.sort();
			prop_assert_eq!(all, (0..ranks.len()).collect::<alloc::vec::Vec<_>>());
		}
	}
}
