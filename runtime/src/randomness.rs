//! The chain randomness helper, wired to BABE: `R` is `pallet_babe::AuthorVrfRandomness`,
//! the VRF output of a block's author. BABE puts it in its `on_finalize`, so during a
//! block's `on_initialize` and extrinsics it is the previous block's output, and in the
//! `on_finalize` of pallets after BABE it is this block's. Pallets derive seeds in their
//! `on_finalize` for subjects committed in earlier blocks (a job is assigned at the end of
//! the block after its submission), so neither the submitter nor the author that included
//! the subject knew R.

use crate::Runtime;
use assay_primitives::{derive_seed, SeedSource};
use polkadot_sdk::pallet_babe;

/// `SeedSource` over BABE's per-block VRF randomness.
pub struct BabeSeedSource;

impl SeedSource for BabeSeedSource {
	fn seed(domain_tag: &[u8], subject_id: &[u8]) -> Option<[u8; 32]> {
		let randomness = pallet_babe::AuthorVrfRandomness::<Runtime>::get()?;
		Some(derive_seed(domain_tag, &randomness, subject_id))
	}
}
