//! Hex density kept incrementally: the device registry's location hook moves a hotspot
//! between resolution-11 counts and queues the resolution-10 parent; each block
//! recomputes at most `MaxDensityStepsPerBlock` queued cells (`density::recompute`), which
//! queue the cells that depend on them.

use crate::{
	density, CellCounts, Config, DensityQueue, DensityQueueBounds, DensityQueued, Pallet,
	WeightInfo,
};
use assay_primitives::{DeviceKind, DeviceRegistry, Location, OnLocationChanged};
use h3o::CellIndex;
use polkadot_sdk::{
	frame_support::pallet_prelude::*,
	frame_system::pallet_prelude::BlockNumberFor,
	sp_arithmetic::{traits::One, FixedU128},
	sp_runtime::Saturating,
};

/// The counts in storage, as the pure density module sees them.
pub(crate) struct StoredCounts<T>(core::marker::PhantomData<T>);

impl<T: Config> StoredCounts<T> {
	pub(crate) fn new() -> Self {
		Self(core::marker::PhantomData)
	}
}

impl<T: Config> density::CountsStore for StoredCounts<T> {
	fn get(&self, cell: CellIndex) -> density::Counts {
		CellCounts::<T>::get(u64::from(cell)).unwrap_or_default()
	}
	fn set(&mut self, cell: CellIndex, counts: density::Counts) {
		if counts == density::Counts::default() {
			CellCounts::<T>::remove(u64::from(cell));
		} else {
			CellCounts::<T>::insert(u64::from(cell), counts);
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Queues `cell` for recomputation, once.
	fn enqueue_cell(cell: CellIndex, tail: &mut u32) {
		let key = u64::from(cell);
		if DensityQueued::<T>::contains_key(key) {
			return;
		}
		DensityQueued::<T>::insert(key, ());
		DensityQueue::<T>::insert(*tail, key);
		*tail = tail.wrapping_add(1);
	}

	/// Adds or removes one hotspot at resolution-12 `cell` and queues what changes.
	pub(crate) fn count_hotspot(cell: u64, added: bool) {
		let Some(cell) =
			CellIndex::try_from(cell).ok().and_then(|c| c.parent(density::COUNT_RESOLUTION))
		else {
			return;
		};
		if let Some(next) = density::add_hotspot(&mut StoredCounts::<T>::new(), cell, added) {
			let (head, mut tail) = DensityQueueBounds::<T>::get();
			Self::enqueue_cell(next, &mut tail);
			DensityQueueBounds::<T>::put((head, tail));
		}
	}

	/// Recomputes up to `MaxDensityStepsPerBlock` queued cells.
	pub(crate) fn process_density() -> Weight {
		Self::process_density_steps(T::MaxDensityStepsPerBlock::get())
	}

	/// Recomputes up to `budget` queued cells.
	pub(crate) fn process_density_steps(mut budget: u32) -> Weight {
		let mut weight = T::DbWeight::get().reads(1);
		let (mut head, mut tail) = DensityQueueBounds::<T>::get();
		let start = (head, tail);
		let mut store = StoredCounts::<T>::new();
		while budget > 0 && head != tail {
			budget.saturating_dec();
			weight.saturating_accrue(T::WeightInfo::density_step());
			let key = DensityQueue::<T>::take(head);
			head = head.wrapping_add(1);
			let Some(key) = key else { continue };
			DensityQueued::<T>::remove(key);
			let Ok(cell) = CellIndex::try_from(key) else { continue };
			for next in density::recompute(&mut store, cell) {
				Self::enqueue_cell(next, &mut tail);
			}
		}
		if (head, tail) != start {
			DensityQueueBounds::<T>::put((head, tail));
		}
		weight
	}

	/// The scale rewards use: 1 for a hotspot with no location (it cannot be verified
	/// anyway).
	pub(crate) fn hex_scale_of(device: &T::AccountId) -> FixedU128 {
		Self::hex_scale(device).unwrap_or_else(FixedU128::one)
	}
}

impl<T: Config> OnLocationChanged<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn on_location_changed(
		device: &T::AccountId,
		old: Option<Location<BlockNumberFor<T>>>,
		new: &Location<BlockNumberFor<T>>,
	) {
		if T::Devices::kind_of(device) != Some(DeviceKind::Hotspot) {
			return;
		}
		if let Some(old) = old {
			Self::count_hotspot(old.cell, false);
		}
		Self::count_hotspot(new.cell, true);
	}

	fn on_location_removed(device: &T::AccountId, old: &Location<BlockNumberFor<T>>) {
		if T::Devices::kind_of(device) == Some(DeviceKind::Hotspot) {
			Self::count_hotspot(old.cell, false);
		}
	}

	fn weight() -> Weight {
		T::WeightInfo::location_changed()
	}
}
