//! `do_try_state`: the invariants the device registry keeps, checked by `try-runtime` and
//! after every mock test.

use crate::{BalanceOf, Config, Devices, DevicesByOwner, HoldReason, Pallet};
use alloc::collections::BTreeMap;
use assay_primitives::storage_checks::map_decodes;
use polkadot_sdk::frame_support::traits::GetStorageVersion;
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::InspectHold},
	sp_runtime::traits::Saturating,
};

impl<T: Config> Pallet<T> {
	/// Every device is indexed under its owner, and every index entry names a device of
	/// that owner; what each owner has on hold for device deposits is the sum of its
	/// devices' deposits.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		ensure!(
			Self::on_chain_storage_version() == crate::STORAGE_VERSION,
			"the stored layout version is not this code's"
		);
		map_decodes::<_, _, crate::Devices<T>>("Devices does not decode")?;
		for (device, to) in crate::TransferOffers::<T>::iter() {
			let owner = Devices::<T>::get(&device).map(|d| d.owner);
			ensure!(owner.is_some(), "an offer of a device that is not registered");
			ensure!(owner != Some(to), "a device offered to its own owner");
		}
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (device, info) in Devices::<T>::iter() {
			ensure!(
				DevicesByOwner::<T>::contains_key(&info.owner, &device),
				"device missing from its owner's index"
			);
			let sum = deposits.entry(info.owner.clone()).or_default();
			*sum = sum.saturating_add(info.deposit);
		}
		for (owner, device, ()) in DevicesByOwner::<T>::iter() {
			ensure!(
				Devices::<T>::get(&device).map(|d| d.owner) == Some(owner),
				"owner index names a device the owner does not hold"
			);
		}
		let reason = HoldReason::DeviceDeposit.into();
		for (owner, sum) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&reason, &owner) == sum,
				"an owner's held device deposits differ from its devices' deposits"
			);
		}
		Ok(())
	}
}
