//! Runtime API of the compute market.

use crate::{JobId, ModelId};
use alloc::vec::Vec;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Reads of models, providers and jobs. Version 2 added `model_providers`.
	#[api_version(2)]
	pub trait ComputeApi<AccountId, Job, Model, Provider>
	where
		AccountId: Codec,
		Job: Codec,
		Model: Codec,
		Provider: Codec,
	{
		/// The job with this id (open, or finished within `ResultRetention` blocks): its
		/// phase, workers and, once completed, its result.
		fn job(id: JobId) -> Option<Job>;
		/// The open jobs `worker` is assigned to.
		fn assignments_of(worker: AccountId) -> Vec<JobId>;
		/// Every registered model.
		fn models() -> Vec<(ModelId, Model)>;
		/// The provider record of `who`, if it is one.
		fn provider(who: AccountId) -> Option<Provider>;
		/// The providers serving `model` (their workers reported it loaded, or listed it).
		fn model_providers(model: ModelId) -> Vec<AccountId>;
	}
}
