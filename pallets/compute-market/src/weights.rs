//! Weights for `pallet_compute_market`: placeholder until `make weights` generates them.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_compute_market`.
pub trait WeightInfo {
	fn register_model() -> Weight;
	fn deregister_model(p: u32) -> Weight;
	fn register_provider(m: u32) -> Weight;
	fn update_models(m: u32) -> Weight;
	fn unregister_provider(m: u32) -> Weight;
	fn withdraw_bond() -> Weight;
	fn submit_job() -> Weight;
	fn cancel_job() -> Weight;
	fn commit_result() -> Weight;
	fn reveal_result() -> Weight;
	fn report_failure() -> Weight;
	fn slash_provider() -> Weight;
	fn set_min_redundancy() -> Weight;
	fn process_block_base() -> Weight;
	fn assign_job(p: u32) -> Weight;
	fn close_commit_window() -> Weight;
	fn finalize_job() -> Weight;
	fn prune_job() -> Weight;
}

impl WeightInfo for () {
	fn register_model() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn deregister_model(_p: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn register_provider(_m: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn update_models(_m: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn unregister_provider(_m: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn withdraw_bond() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn submit_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn cancel_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn commit_result() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn reveal_result() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn report_failure() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn slash_provider() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn set_min_redundancy() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn process_block_base() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn assign_job(_p: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn close_commit_window() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn finalize_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn prune_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
}

/// Weights for `pallet_compute_market` (placeholder).
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_model() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn deregister_model(_p: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn register_provider(_m: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn update_models(_m: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn unregister_provider(_m: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn withdraw_bond() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn submit_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn cancel_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn commit_result() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn reveal_result() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn report_failure() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn slash_provider() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn set_min_redundancy() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn process_block_base() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn assign_job(_p: u32) -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn close_commit_window() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn finalize_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
	fn prune_job() -> Weight { Weight::from_parts(10_000_000, 1_000) }
}
