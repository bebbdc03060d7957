//! Reads for the runtime API (`CoverageApi`) and for clients: beacons with their witnesses,
//! entropy, hex scales, pending rewards, queues. Nothing here writes.

use crate::{
	density, density_impls::StoredCounts, BeaconId, Config, DensityQueueBounds, EpochIndex, Epochs,
	OwnerUnits, Pallet, PendingReward, VerifyQueue,
};
use alloc::vec::Vec;
use assay_primitives::DeviceRegistry;
use h3o::{CellIndex, Resolution};
use polkadot_sdk::{
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_arithmetic::FixedU128,
};

impl<T: Config> Pallet<T> {
	/// The current reward epoch (0 while unconfigured).
	pub fn current_epoch() -> EpochIndex {
		Self::params()
			.map(|params| Self::epoch_of(frame_system::Pallet::<T>::block_number(), &params))
			.unwrap_or(0)
	}

	/// `owner`'s unclaimed rewards by epoch: final for finished epochs, so far for the
	/// current one.
	pub fn pending_rewards(owner: &T::AccountId) -> Vec<PendingReward<crate::BalanceOf<T>>> {
		let current = Self::current_epoch();
		let mut pending: Vec<_> = OwnerUnits::<T>::iter_prefix(owner)
			.filter_map(|(epoch, units)| {
				let totals = Epochs::<T>::get(epoch)?;
				Some(PendingReward {
					epoch,
					amount: Self::worth(&units, &totals),
					claimable: epoch < current,
				})
			})
			.collect();
		pending.sort_by_key(|p| p.epoch);
		pending
	}

	/// A beacon with its witnesses, for the runtime API.
	pub fn beacon_view(
		id: crate::BeaconId,
	) -> Option<crate::BeaconView<T::AccountId, BlockNumberFor<T>>> {
		let beacon = crate::Beacons::<T>::get(id)?;
		let now = frame_system::Pallet::<T>::block_number();
		let expired = beacon.phase == crate::BeaconPhase::Open
			&& Self::params()
				.map(|p| now > Self::reveal_window_end(&beacon, &p))
				.unwrap_or(false);
		let witnesses = crate::Witnesses::<T>::iter_prefix(id)
			.map(|(witness, report)| crate::WitnessView { witness, report })
			.collect();
		Some(crate::BeaconView { beacon, expired, witnesses })
	}

	/// The fraud features of a beacon's witnesses that passed every check.
	pub fn witness_features(
		beacon: crate::BeaconId,
	) -> Vec<(T::AccountId, crate::features::Features)> {
		crate::WitnessFeatures::<T>::iter_prefix(beacon).collect()
	}

	/// The newest entropy value, for the runtime API.
	pub fn latest_entropy() -> Option<(crate::EntropyIndex, [u8; 32])> {
		let index = crate::LatestEntropy::<T>::get()?;
		crate::Entropy::<T>::get(index).map(|(value, _)| (index, value))
	}

	/// How many cells wait for recomputation.
	pub fn density_backlog() -> u32 {
		let (head, tail) = DensityQueueBounds::<T>::get();
		tail.wrapping_sub(head)
	}

	/// A located hotspot's hex-density scale: the product of `clipped / unclipped` over
	/// the parents of its resolution-11 cell at resolutions 10 … 4 (1 when alone; `None`
	/// when not located).
	pub fn hex_scale(device: &T::AccountId) -> Option<FixedU128> {
		let location = T::Devices::location_of(device)?;
		let cell = CellIndex::try_from(location.cell).ok()?.parent(Resolution::Eleven)?;
		Some(density::scale_from(&StoredCounts::<T>::new(), cell))
	}

	/// The beacons waiting in the verification queue (for the runtime API and tests).
	pub fn verification_queue() -> Vec<BeaconId> {
		VerifyQueue::<T>::get().into_inner()
	}
}
