//! Reads for the runtime API (`DeviceRegistryApi`). Nothing here writes.

use assay_wire::devices;
use crate::{
	cells::{check_location_cell, CellRejection},
	BalanceOf, Config, DeniedEdges, DeviceInfo, DeviceOf, Devices, DevicesByOwner, Error,
	Event, HoldReason, MakerId, MakerInfo, Makers, Pallet, Reports,
};
use assay_primitives::{DeviceKind, DeviceRegistry, DeviceStatus, Location, OnLocationChanged};
use codec::MaxEncodedLen;
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation},
		},
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{
		traits::{IdentifyAccount, Saturating, Verify, Zero},
		AccountId32, DispatchResult, MultiSignature, MultiSigner,
	},
};

impl<T: Config> Pallet<T> {
	/// The devices of `owner` (the runtime API's answer).
	pub fn devices_of(owner: &T::AccountId) -> alloc::vec::Vec<T::AccountId> {
		DevicesByOwner::<T>::iter_key_prefix(owner).collect()
	}
}
