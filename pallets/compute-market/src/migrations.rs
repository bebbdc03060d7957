//! Storage migrations of the compute market, one module per storage version.

/// Version 2: a model record carries the size of its file (`ModelInfo::size`), which
/// `register_model` now requires, and where its model card is (`ModelInfo::card`). Models
/// registered under version 1 get size 0 ("not recorded") and no card; nothing else
/// changes.
pub mod v2 {
	use crate::{Config, ModelInfo, Models, Pallet};
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;
	use polkadot_sdk::{
		frame_support::{
			migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
		},
		frame_system,
	};

	/// The model record of storage version 1: `ModelInfo` without `size`.
	#[derive(Encode, Decode)]
	pub struct ModelInfoV1<AccountId, Balance, MaxNameLen: Get<u32>, MaxUriLen: Get<u32>> {
		/// Who registered it.
		pub registrar: AccountId,
		/// The deposit held.
		pub deposit: Balance,
		/// Display name.
		pub name: BoundedVec<u8, MaxNameLen>,
		/// Input elements.
		pub input_len: u32,
		/// Output elements.
		pub output_len: u32,
		/// Fraction bits.
		pub fraction_bits: u8,
		/// Classifier flag.
		pub classifier: bool,
		/// Absolute tolerance.
		pub absolute_tolerance: u32,
		/// Relative tolerance, ppm.
		pub relative_tolerance_ppm: u32,
		/// Where the file was said to be.
		pub uri: Option<BoundedVec<u8, MaxUriLen>>,
		/// Open jobs using it.
		pub open_jobs: u32,
	}

	/// The version-1 record as this runtime's types spell it.
	pub type ModelInfoV1Of<T> = ModelInfoV1<
		<T as frame_system::Config>::AccountId,
		crate::BalanceOf<T>,
		<T as Config>::MaxModelNameLen,
		<T as Config>::MaxUriLen,
	>;

	/// Rewrites every model record with `size: 0`.
	pub struct InnerMigrateV1ToV2<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Models::<T>::translate::<ModelInfoV1Of<T>, _>(|_, old| {
				count = count.saturating_add(1);
				Some(ModelInfo {
					registrar: old.registrar,
					deposit: old.deposit,
					name: old.name,
					input_len: old.input_len,
					output_len: old.output_len,
					fraction_bits: old.fraction_bits,
					classifier: old.classifier,
					absolute_tolerance: old.absolute_tolerance,
					relative_tolerance_ppm: old.relative_tolerance_ppm,
					uri: old.uri,
					open_jobs: old.open_jobs,
					size: 0,
					card: None,
				})
			});
			T::DbWeight::get().reads_writes(count, count)
		}

		/// The number of models before.
		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, TryRuntimeError> {
			Ok((Models::<T>::iter_keys().count() as u32).encode())
		}

		/// Every model is still there and decodes as the new record.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = u32::decode(&mut &state[..]).map_err(|_| "pre_upgrade state")?;
			let after = Models::<T>::iter().count() as u32;
			ensure!(before == after, "a model record did not migrate");
			Ok(())
		}
	}

	/// The migration from version 1 to 2: runs only at version 1, then sets version 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
