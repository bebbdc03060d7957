//! Which providers serve a job: the `n` eligible providers with the lowest
//! `blake2_256(seed ‖ provider)`, where the seed is randomness unknown when the job was
//! submitted. The ranking is the chain's one ranking (`assay_primitives::rank`), shared with
//! proof of coverage's witness selection. Pure and storage-free: the pallet decides who is
//! eligible, this module who is chosen.

use alloc::vec::Vec;
use assay_primitives::rank;
use codec::Encode;

/// A provider's rank for one job: `blake2_256(seed ‖ provider)`.
pub fn rank_of<AccountId: Encode>(seed: &[u8; 32], provider: &AccountId) -> [u8; 32] {
	provider.using_encoded(|subject| rank(seed, subject))
}

/// The `n` lowest-ranked of `eligible`, lowest first, with their ranks (fewer when fewer are
/// eligible). The order of `eligible` does not matter; a provider listed twice counts once.
pub fn choose<AccountId: Encode + Ord>(
	seed: &[u8; 32],
	eligible: impl IntoIterator<Item = AccountId>,
	n: usize,
) -> Vec<([u8; 32], AccountId)> {
	let mut ranked: Vec<([u8; 32], AccountId)> =
		eligible.into_iter().map(|who| (rank_of(seed, &who), who)).collect();
	ranked.sort();
	ranked.dedup_by(|a, b| a.1 == b.1);
	ranked.truncate(n);
	ranked
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn providers(count: u8) -> Vec<[u8; 32]> {
		(0..count).map(|i| [i; 32]).collect()
	}

	#[test]
	fn too_few_eligible_gives_fewer() {
		assert_eq!(choose(&[1; 32], providers(2), 3).len(), 2);
		assert!(choose(&[1; 32], Vec::<[u8; 32]>::new(), 3).is_empty());
	}

	#[test]
	fn the_rank_is_the_shared_ranking_of_the_encoded_provider() {
		let seed = [7; 32];
		assert_eq!(rank_of(&seed, &[3u8; 32]), rank(&seed, &[3u8; 32]));
	}

	proptest! {
		#[test]
		fn the_chosen_are_the_lowest_ranked_whatever_the_order(seed in any::<[u8; 32]>(), count in 0u8..30, n in 1usize..8, rotate in 0usize..30) {
			let mut all = providers(count);
			let chosen = choose(&seed, all.clone(), n);
			prop_assert_eq!(chosen.len(), n.min(all.len()));
			prop_assert!(chosen.windows(2).all(|w| w[0].0 < w[1].0));
			if let Some(worst) = chosen.last().map(|c| c.0) {
				for p in all.iter().filter(|p| !chosen.iter().any(|c| c.1 == **p)) {
					prop_assert!(rank_of(&seed, p) > worst);
				}
			}
			if !all.is_empty() {
				let k = rotate % all.len();
				all.rotate_left(k);
			}
			all.reverse();
			prop_assert_eq!(choose(&seed, all, n), chosen);
		}
	}
}
