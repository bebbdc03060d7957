//! Reads for the runtime API (`DeviceRegistryApi`). Nothing here writes.

use crate::{Config, DevicesByOwner, Pallet};

impl<T: Config> Pallet<T> {
	/// The devices of `owner` (the runtime API's answer).
	pub fn devices_of(owner: &T::AccountId) -> alloc::vec::Vec<T::AccountId> {
		DevicesByOwner::<T>::iter_key_prefix(owner).collect()
	}
}
