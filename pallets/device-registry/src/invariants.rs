//! `do_try_state`: the invariants the device registry keeps, checked by `try-runtime` and
//! after every mock test.

use crate::Devices;
use crate::DevicesByOwner;
use crate::{Config, Pallet};
use polkadot_sdk::frame_support::ensure;

impl<T: Config> Pallet<T> {
	/// Every device is indexed under its owner, and every index entry names a device of
	/// that owner.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		for (device, info) in Devices::<T>::iter() {
			ensure!(
				DevicesByOwner::<T>::contains_key(&info.owner, &device),
				"device missing from its owner's index"
			);
		}
		for (owner, device, ()) in DevicesByOwner::<T>::iter() {
			ensure!(
				Devices::<T>::get(&device).map(|d| d.owner) == Some(owner),
				"owner index names a device the owner does not hold"
			);
		}
		Ok(())
	}
}
