//! Reads for the runtime API (`ComputeApi`): models, jobs, assignments. Nothing here writes.

use crate::{Assignments, Config, JobId, ModelId, ModelOf, Models, Pallet};
use alloc::vec::Vec;

impl<T: Config> Pallet<T> {
	/// The open jobs `worker` is assigned to.
	pub fn assignments_of(worker: &T::AccountId) -> Vec<JobId> {
		Assignments::<T>::iter_key_prefix(worker).collect()
	}

	/// All registered models, for the runtime API.
	pub fn models() -> Vec<(ModelId, ModelOf<T>)> {
		Models::<T>::iter().collect()
	}
}
