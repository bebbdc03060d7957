//! Runtime API of proof of coverage.

use crate::{features::Features, BeaconId, BeaconView, EntropyIndex, PendingReward};
use alloc::vec::Vec;
use codec::Codec;
use polkadot_sdk::sp_arithmetic::FixedU128;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of beacons, hex density and rewards. Version 2 added `witness_features`.
	#[api_version(2)]
	pub trait CoverageApi<AccountId, BlockNumber, Balance>
	where
		AccountId: Codec,
		BlockNumber: Codec,
		Balance: Codec,
	{
		/// The beacon with this id (kept `retention` blocks) with each witness's report and
		/// verdict.
		fn beacon(id: BeaconId) -> Option<BeaconView<AccountId, BlockNumber>>;
		/// A located hotspot's hex-density scale (1 = not scaled down).
		fn hex_scale(device: AccountId) -> Option<FixedU128>;
		/// An owner's unclaimed rewards by epoch.
		fn pending_rewards(owner: AccountId) -> Vec<PendingReward<Balance>>;
		/// The newest entropy value beacons may use: (index, value).
		fn latest_entropy() -> Option<(EntropyIndex, [u8; 32])>;
		/// The fraud features of each of the beacon's witnesses that passed every check
		/// (`assay_radio::features`: 9 integers, documented with their units in the
		/// pallet's README), by witness.
		#[api_version(2)]
		fn witness_features(beacon: BeaconId) -> Vec<(AccountId, Features)>;
	}
}
