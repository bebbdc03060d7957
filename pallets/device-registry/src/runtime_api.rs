//! Runtime API of the device registry.

use crate::DeviceInfo;
use alloc::vec::Vec;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of registered devices.
	pub trait DeviceRegistryApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The device with this id, if registered.
		fn device(id: AccountId) -> Option<DeviceInfo<AccountId, Balance, BlockNumber>>;
		/// The devices `owner` holds.
		fn devices_of(owner: AccountId) -> Vec<AccountId>;
		/// The next report nonce `device` must use.
		fn next_report_nonce(device: AccountId) -> u64;
	}
}
