//! Weights for `pallet_device_registry`.
//!
//! NOT YET GENERATED: regenerate with `make weights` (assay-node built with
//! `--features runtime-benchmarks`, template scripts/frame-weight-template.hbs).

#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions needed for `pallet_device_registry`.
pub trait WeightInfo {
	fn add_maker() -> Weight;
	fn remove_maker() -> Weight;
	fn register_device() -> Weight;
	fn assert_location() -> Weight;
	fn transfer_device() -> Weight;
	fn deregister_device() -> Weight;
	fn set_device_status() -> Weight;
	fn deny_edge() -> Weight;
	fn allow_edge() -> Weight;
	fn heartbeat() -> Weight;
	fn authorize_heartbeat() -> Weight;
}

/// Weights for `pallet_device_registry` using the Assay runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn add_maker() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn remove_maker() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn register_device() -> Weight {
		T::DbWeight::get().reads_writes(4, 4)
	}
	fn assert_location() -> Weight {
		T::DbWeight::get().reads_writes(2, 2)
	}
	fn transfer_device() -> Weight {
		T::DbWeight::get().reads_writes(3, 5)
	}
	fn deregister_device() -> Weight {
		T::DbWeight::get().reads_writes(2, 6)
	}
	fn set_device_status() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn deny_edge() -> Weight {
		T::DbWeight::get().reads_writes(2, 1)
	}
	fn allow_edge() -> Weight {
		T::DbWeight::get().reads_writes(2, 1)
	}
	fn heartbeat() -> Weight {
		T::DbWeight::get().reads_writes(2, 3)
	}
	fn authorize_heartbeat() -> Weight {
		T::DbWeight::get().reads_writes(4, 0)
	}
}

impl WeightInfo for () {
	fn add_maker() -> Weight {
		ParityDbWeight::get().reads_writes(1, 1)
	}
	fn remove_maker() -> Weight {
		ParityDbWeight::get().reads_writes(1, 1)
	}
	fn register_device() -> Weight {
		ParityDbWeight::get().reads_writes(4, 4)
	}
	fn assert_location() -> Weight {
		ParityDbWeight::get().reads_writes(2, 2)
	}
	fn transfer_device() -> Weight {
		ParityDbWeight::get().reads_writes(3, 5)
	}
	fn deregister_device() -> Weight {
		ParityDbWeight::get().reads_writes(2, 6)
	}
	fn set_device_status() -> Weight {
		ParityDbWeight::get().reads_writes(1, 1)
	}
	fn deny_edge() -> Weight {
		ParityDbWeight::get().reads_writes(2, 1)
	}
	fn allow_edge() -> Weight {
		ParityDbWeight::get().reads_writes(2, 1)
	}
	fn heartbeat() -> Weight {
		ParityDbWeight::get().reads_writes(2, 3)
	}
	fn authorize_heartbeat() -> Weight {
		ParityDbWeight::get().reads_writes(4, 0)
	}
}
