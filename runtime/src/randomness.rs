//! The chain randomness helper, wired to BABE: `R` is the VRF output of the current
//! block's author (`pallet_babe::AuthorVrfRandomness`), which nobody knew before this block
//! was authored. Pallets must only derive seeds for subjects committed in earlier blocks
//! (a job assigned in the block after its submission, a beacon's witnesses selected after
//! the witness window closes), so the author cannot pick R after seeing the subject.

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
