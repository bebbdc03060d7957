//! Placeholder, replaced by the benchmark output.
#![allow(unused_parens, unused_imports, missing_docs)]
use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_proof_of_coverage`.
pub trait WeightInfo {
	fn submit_beacon() -> Weight;
	fn authorize_submit_beacon() -> Weight;
	fn submit_witness() -> Weight;
	fn authorize_submit_witness() -> Weight;
	fn reveal_beacon() -> Weight;
	fn authorize_reveal_beacon() -> Weight;
	fn draw_selection_seed() -> Weight;
	fn claim_rewards() -> Weight;
	fn set_params() -> Weight;
	fn draw_entropy() -> Weight;
	fn verify_witness() -> Weight;
	fn finish_beacon() -> Weight;
	fn density_step() -> Weight;
	fn location_changed() -> Weight;
	fn prune(w: u32) -> Weight;
}

/// Weights for `pallet_proof_of_coverage` using the Assay runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit_beacon() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 5)) }
	fn authorize_submit_beacon() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(T::DbWeight::get().reads(6)) }
	fn submit_witness() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
	fn authorize_submit_witness() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(T::DbWeight::get().reads(4)) }
	fn reveal_beacon() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 5)) }
	fn authorize_reveal_beacon() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(T::DbWeight::get().reads(6)) }
	fn draw_selection_seed() -> Weight { Weight::from_parts(20_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
	fn claim_rewards() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(5, 5)) }
	fn set_params() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
	fn draw_entropy() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(2, 3)) }
	fn verify_witness() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(6, 1)) }
	fn finish_beacon() -> Weight { Weight::from_parts(500_000_000, 40000).saturating_add(T::DbWeight::get().reads_writes(150, 50)) }
	fn density_step() -> Weight { Weight::from_parts(100_000_000, 40000).saturating_add(T::DbWeight::get().reads_writes(30, 12)) }
	fn location_changed() -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(8, 8)) }
	fn prune(w: u32) -> Weight { Weight::from_parts(5_000_000, 0).saturating_add(T::DbWeight::get().writes(1 + w as u64)) }
}

impl WeightInfo for () {
	fn submit_beacon() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(4, 5)) }
	fn authorize_submit_beacon() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(ParityDbWeight::get().reads(6)) }
	fn submit_witness() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(ParityDbWeight::get().writes(1)) }
	fn authorize_submit_witness() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(ParityDbWeight::get().reads(4)) }
	fn reveal_beacon() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(4, 5)) }
	fn authorize_reveal_beacon() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(ParityDbWeight::get().reads(6)) }
	fn draw_selection_seed() -> Weight { Weight::from_parts(20_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(3, 3)) }
	fn claim_rewards() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(5, 5)) }
	fn set_params() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(ParityDbWeight::get().writes(1)) }
	fn draw_entropy() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(ParityDbWeight::get().reads_writes(2, 3)) }
	fn verify_witness() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(6, 1)) }
	fn finish_beacon() -> Weight { Weight::from_parts(500_000_000, 40000).saturating_add(ParityDbWeight::get().reads_writes(150, 50)) }
	fn density_step() -> Weight { Weight::from_parts(100_000_000, 40000).saturating_add(ParityDbWeight::get().reads_writes(30, 12)) }
	fn location_changed() -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(8, 8)) }
	fn prune(w: u32) -> Weight { Weight::from_parts(5_000_000, 0).saturating_add(ParityDbWeight::get().writes(1 + w as u64)) }
}
