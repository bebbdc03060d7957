//! Reads for the runtime API (`ComputeApi`): models, jobs, assignments. Nothing here writes.

use crate::{
	agreement::{equal_split, find_agreement},
	Assignment, Assignments, BalanceOf, Config, Due, DueCursor, Error, Event, Expiring, HoldReason,
	InferenceFailure, JobFailure, JobId, JobOf, JobPhase, Jobs, ModelProviders, Models, OpenJobs,
	Pallet, Providers, SlashReason, StrikeReason, WeightInfo, WorkState, ASSIGNMENT_DOMAIN,
};
use alloc::vec::Vec;
use assay_primitives::{EarningSource, Earnings, SeedSource};
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{
			fungible::{InspectHold, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
		},
	},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_crypto_hashing::blake2_256,
	sp_runtime::{
		traits::{One, Saturating, Zero},
		DispatchResult,
	},
};

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
