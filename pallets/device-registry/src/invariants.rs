//! `do_try_state`: the invariants the device registry keeps, checked by `try-runtime` and
//! after every mock test.

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
	/// Every device is indexed under its owner, and every index entry names a device of
	/// that owner.
	#[cfg(any(feature = "try-runtime", test))]
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
