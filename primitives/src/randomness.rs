//! The chain randomness helper: the only place a per-use seed is derived.
//!
//! A seed is `blake2_256(domain_tag ‖ R ‖ subject_id)` where `R` is BABE randomness that
//! was unknown when the subject (a job, a beacon, a slot) was committed. The domain tag
//! keeps seeds of different uses apart even when their subjects encode alike.

use polkadot_sdk::sp_crypto_hashing::blake2_256;

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
		let mut expected_input = b"assay/test".to_vec();
		expected_input.extend_from_slice(&r);
		expected_input.extend_from_slice(&42u64.to_le_bytes());
		assert_eq!(
			derive_seed(b"assay/test", &r, &42u64.to_le_bytes()),
			blake2_256(&expected_input)
		);
	}

	proptest! {
		#[test]
		fn different_randomness_gives_different_seeds(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), subject in any::<u64>()) {
			prop_assume!(a != b);
			let s = subject.to_le_bytes();
			prop_assert_ne!(derive_seed(b"assay/x", &a, &s), derive_seed(b"assay/x", &b, &s));
		}

		#[test]
		fn different_domains_give_different_seeds(r in any::<[u8; 32]>(), subject in any::<u64>()) {
			let s = subject.to_le_bytes();
			prop_assert_ne!(derive_seed(b"assay/job", &r, &s), derive_seed(b"assay/poc", &r, &s));
		}

		#[test]
		fn seed_is_deterministic(r in any::<[u8; 32]>(), subject in proptest::collection::vec(any::<u8>(), 0..64)) {
			prop_assert_eq!(derive_seed(b"d", &r, &subject), derive_seed(b"d", &r, &subject));
		}
	}
}
