//! `do_try_state`: the invariants the earnings ledger keeps, checked by `try-runtime` and
//! after every mock test.

use crate::Earned;
use crate::TotalEarned;
use crate::{Config, Pallet};
use polkadot_sdk::frame_support::ensure;
use polkadot_sdk::frame_support::traits::GetStorageVersion;

impl<T: Config> Pallet<T> {
	/// The chain-wide totals never fall below any single account's record: every record
	/// adds to both. (Equality of the sum is not checked, as saturation may differ.)
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		ensure!(
			Self::on_chain_storage_version() == crate::STORAGE_VERSION,
			"the stored layout version is not this code's"
		);
		let total = TotalEarned::<T>::get();
		for (_, record) in Earned::<T>::iter() {
			polkadot_sdk::frame_support::ensure!(
				record.validation <= total.validation
					&& record.coverage <= total.coverage
					&& record.compute <= total.compute
					&& record.energy <= total.energy,
				"an account earned more than the whole chain"
			);
		}
		Ok(())
	}
}
