//! Weights for `pallet_validator_set`.
//!
//! NOT YET GENERATED: regenerate with `make weights` (assay-node built with
//! `--features runtime-benchmarks`, template scripts/frame-weight-template.hbs).

#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions needed for `pallet_validator_set`.
pub trait WeightInfo {
	fn add_validator() -> Weight;
	fn remove_validator() -> Weight;
}

/// Weights for `pallet_validator_set` using the Assay runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn add_validator() -> Weight {
		T::DbWeight::get().reads_writes(2, 2)
	}
	fn remove_validator() -> Weight {
		T::DbWeight::get().reads_writes(1, 2)
	}
}

impl WeightInfo for () {
	fn add_validator() -> Weight {
		ParityDbWeight::get().reads_writes(2, 2)
	}
	fn remove_validator() -> Weight {
		ParityDbWeight::get().reads_writes(1, 2)
	}
}
