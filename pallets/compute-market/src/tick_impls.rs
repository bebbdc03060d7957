//! Jobs from the chain's side: the per-block scheduler, random assignment, closing the
//! commit window, finalization (agreement, payment, strikes, slashes) and pruning.

use crate::{
	agreement::{equal_split, find_agreement},
	Assignment, Assignments, BalanceOf, Config, Due, DueCursor, Error, Event, Expiring, HoldReason,
	InferenceFailure, JobFailure, JobId, JobOf, JobPhase, Jobs, ModelProviders, Models, Pallet,
	Providers, SlashReason, StrikeReason, WeightInfo, WorkState, ASSIGNMENT_DOMAIN,
};
use alloc::vec::Vec;
use assay_primitives::{EarningSource, Earnings, SeedSource};
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{
			fungible::MutateHold,
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
	// ---- the schedule ---------------------------------------------------------------------

	/// Puts job `id` in the due list of block `at`.
	pub(crate) fn schedule(id: JobId, at: BlockNumberFor<T>) -> Result<(), Error<T>> {
		Due::<T>::try_mutate(at, |list| list.try_push(id)).map_err(|_| Error::<T>::TooManyOpenJobs)
	}

	/// Takes job `id` out of the due list of block `at`.
	pub(crate) fn unschedule(id: JobId, at: BlockNumberFor<T>) {
		Due::<T>::mutate_exists(at, |list| {
			if let Some(l) = list {
				l.retain(|j| *j != id);
				if l.is_empty() {
					*list = None;
				}
			}
		});
	}

	/// Moves an open job's next step to block `at`.
	pub(crate) fn reschedule(
		id: JobId,
		job: &mut JobOf<T>,
		at: BlockNumberFor<T>,
	) -> DispatchResult {
		Self::unschedule(id, job.due);
		Self::schedule(id, at)?;
		job.due = at;
		Ok(())
	}

	/// The weight `process_block(now)` will use at most: one prune per result expiring now
	/// and, for each due step it will take, the heaviest step.
	pub(crate) fn block_weight(now: BlockNumberFor<T>) -> Weight {
		let expiring = Expiring::<T>::decode_len(now).unwrap_or(0) as u64;
		let mut due = 0u32;
		let mut cursor = DueCursor::<T>::get().unwrap_or(now).min(now);
		let mut looks = T::MaxStepsPerBlock::get();
		while cursor <= now && due < T::MaxStepsPerBlock::get() && looks > 0 {
			looks = looks.saturating_sub(1);
			due = due.saturating_add(Due::<T>::decode_len(cursor).unwrap_or(0) as u32);
			cursor = cursor.saturating_add(One::one());
		}
		let steps = u64::from(due.min(T::MaxStepsPerBlock::get()));
		let heaviest_step = T::WeightInfo::assign_job(T::MaxProvidersPerModel::get())
			.max(T::WeightInfo::close_commit_window())
			.max(T::WeightInfo::finalize_job());
		T::WeightInfo::process_block_base()
			.saturating_add(T::WeightInfo::prune_job().saturating_mul(expiring))
			.saturating_add(heaviest_step.saturating_mul(steps))
			.saturating_add(T::DbWeight::get().reads(u64::from(T::MaxStepsPerBlock::get())))
	}

	/// The block's work: prune the results expiring now, then take the due steps, oldest
	/// first, at most `MaxStepsPerBlock` of them (the rest wait, in place, for the next
	/// block). Returns the weight used.
	pub(crate) fn process_block(now: BlockNumberFor<T>) -> Weight {
		let mut weight = T::WeightInfo::process_block_base();
		for id in Expiring::<T>::take(now) {
			Jobs::<T>::remove(id);
			weight.saturating_accrue(T::WeightInfo::prune_job());
		}

		let mut steps = T::MaxStepsPerBlock::get();
		let mut cursor = DueCursor::<T>::get().unwrap_or(now).min(now);
		// Each block looked at costs a read; look at no more blocks than steps allowed.
		let mut looks = T::MaxStepsPerBlock::get();
		while cursor <= now && steps > 0 && looks > 0 {
			looks = looks.saturating_sub(1);
			weight.saturating_accrue(T::DbWeight::get().reads_writes(1, 1));
			let mut list = Due::<T>::take(cursor).into_inner();
			let later = list.split_off((steps as usize).min(list.len()));
			for id in list {
				steps = steps.saturating_sub(1);
				weight.saturating_accrue(Self::step(id, now));
			}
			if !later.is_empty() {
				// Not enough steps left: the rest stays due at `cursor`.
				Due::<T>::insert(cursor, BoundedVec::truncate_from(later));
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		DueCursor::<T>::put(cursor);
		weight
	}

	/// Takes the due step of job `id`, by its phase. Returns the weight used.
	pub(crate) fn step(id: JobId, now: BlockNumberFor<T>) -> Weight {
		let Some(job) = Jobs::<T>::get(id) else { return T::DbWeight::get().reads(1) };
		match job.phase {
			JobPhase::Pending => Self::assign(id, job, now),
			JobPhase::Committing { .. } => Self::close_commit_window(id, job, now),
			JobPhase::Revealing { .. } => Self::finalize(id, job, now),
			JobPhase::Completed { .. } | JobPhase::Failed { .. } => T::DbWeight::get().reads(1),
		}
	}

	// ---- assignment ----------------------------------------------------------------------

	/// Assigns a pending job to the n eligible providers with the lowest assignment hashes,
	/// seeded with this block's randomness. Without randomness it waits a block; with too
	/// few providers it fails.
	fn assign(id: JobId, mut job: JobOf<T>, now: BlockNumberFor<T>) -> Weight {
		let providers = ModelProviders::<T>::get(job.model).into_inner();
		let weight = T::WeightInfo::assign_job(providers.len() as u32);
		let Some(seed) = T::Seeds::seed(ASSIGNMENT_DOMAIN, &id.encode()) else {
			let next = now.saturating_add(One::one());
			if Self::schedule(id, next).is_ok() {
				job.due = next;
				Jobs::<T>::insert(id, job);
			}
			return weight;
		};
		let eligible = providers.into_iter().filter(|who| {
			Providers::<T>::get(who).is_some_and(|p| Self::is_eligible(who, &p, now))
		});
		let ranked = crate::assignment::choose(&seed, eligible, job.redundancy as usize);
		if (ranked.len() as u32) < job.redundancy {
			Self::fail(id, job, now, JobFailure::TooFewProviders);
			return weight;
		}
		let until = now.saturating_add(T::CommitWindow::get());
		if Self::schedule(id, until).is_err() {
			// Cannot happen: every open job is in one list, and lists hold MaxOpenJobs.
			Self::fail(id, job, now, JobFailure::TooFewProviders);
			return weight;
		}
		let mut workers = BoundedVec::new();
		for (rank, worker) in ranked.into_iter().take(job.redundancy as usize) {
			Assignments::<T>::insert(&worker, id, ());
			Providers::<T>::mutate(&worker, |p| {
				if let Some(p) = p {
					p.open_assignments = p.open_assignments.saturating_add(1);
				}
			});
			let _ = workers.try_push(worker.clone());
			let _ =
				job.assignments.try_push(Assignment { worker, rank, work: WorkState::Assigned });
		}
		job.phase = JobPhase::Committing { until };
		job.due = until;
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::JobAssigned { job: id, workers, commit_until: until });
		weight
	}

	// ---- the commit window closes ----------------------------------------------------------

	/// The commit window ended before every worker committed: no-shows get a strike and
	/// leave the job; with no commitment at all the job fails, otherwise revealing starts.
	fn close_commit_window(id: JobId, mut job: JobOf<T>, now: BlockNumberFor<T>) -> Weight {
		let weight = T::WeightInfo::close_commit_window();
		for assignment in job.assignments.iter().filter(|a| matches!(a.work, WorkState::Assigned)) {
			Self::strike(&assignment.worker, id, StrikeReason::NoShow, now);
			Self::release_worker(&assignment.worker, id);
		}
		if !job.assignments.iter().any(|a| matches!(a.work, WorkState::Committed(_))) {
			let reason = Self::failure_reason(&job).unwrap_or(JobFailure::NoCommitments);
			Self::fail(id, job, now, reason);
			return weight;
		}
		let until = now.saturating_add(T::RevealWindow::get());
		if Self::schedule(id, until).is_err() {
			Self::fail(id, job, now, JobFailure::NoCommitments);
			return weight;
		}
		job.due = until;
		job.phase = JobPhase::Revealing { until };
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::RevealStarted { job: id, reveal_until: until });
		weight
	}

	/// If workers reported failures, the first reported reason.
	fn failure_reason(job: &JobOf<T>) -> Option<JobFailure> {
		job.assignments.iter().find_map(|a| match a.work {
			WorkState::Failed(reason) => Some(JobFailure::InferenceFailed(reason)),
			_ => None,
		})
	}

	// ---- finalization ------------------------------------------------------------------------

	/// Compares the revealed outputs. A cluster of at least k completes the job: the
	/// cluster's lower median is the result, the fee less `ProtocolCut` is split equally
	/// among the cluster, outliers get a strike. Otherwise the job fails and the fee is
	/// refunded. Either way, workers that committed and never revealed are slashed, and
	/// workers that reported a missing model get a strike and leave the model's list. A
	/// worker that reported any other failure on a job that completed gets a strike: the
	/// cluster ran the input it called unrunnable.
	pub(crate) fn finalize(id: JobId, mut job: JobOf<T>, now: BlockNumberFor<T>) -> Weight {
		let weight = T::WeightInfo::finalize_job();
		let Some(model) = Models::<T>::get(job.model) else {
			// Cannot happen: a model with open jobs cannot be deregistered.
			Self::fail(id, job, now, JobFailure::NoAgreement);
			return weight;
		};
		let revealed: Vec<(usize, &[i32], [u8; 32])> = job
			.assignments
			.iter()
			.enumerate()
			.filter_map(|(i, a)| match &a.work {
				WorkState::Revealed(output) => Some((i, &output[..], a.rank)),
				_ => None,
			})
			.collect();
		let outputs: Vec<(&[i32], [u8; 32])> = revealed.iter().map(|(_, o, r)| (*o, *r)).collect();
		let agreement = find_agreement(&outputs, &model.tolerance())
			.filter(|a| a.cluster.len() as u32 >= job.quorum);
		let cluster: Vec<usize> = agreement
			.as_ref()
			.map(|a| {
				a.cluster.iter().filter_map(|&c| revealed.get(c).map(|(i, _, _)| *i)).collect()
			})
			.unwrap_or_default();
		let result = agreement.map(|a| a.result);

		for (i, assignment) in job.assignments.iter().enumerate() {
			let worker = &assignment.worker;
			match &assignment.work {
				WorkState::Committed(_) => Self::slash(
					worker,
					T::NoRevealSlash::get() * Self::bond_of(worker),
					SlashReason::NoReveal,
				),
				WorkState::Revealed(_) if result.is_some() && !cluster.contains(&i) => {
					Self::strike(worker, id, StrikeReason::Outlier, now)
				},
				WorkState::Failed(InferenceFailure::ModelUnavailable) => {
					Self::strike(worker, id, StrikeReason::ModelUnavailable, now);
					Self::drop_model(worker, job.model);
				},
				WorkState::Failed(_) if result.is_some() => {
					Self::strike(worker, id, StrikeReason::FailureContradicted, now)
				},
				// No-shows were handled when the commit window closed.
				WorkState::Assigned => continue,
				_ => {},
			}
			Self::release_worker(worker, id);
		}

		match result {
			Some(result) => {
				let members: Vec<T::AccountId> = cluster
					.iter()
					.filter_map(|&i| job.assignments.get(i).map(|a| a.worker.clone()))
					.collect();
				Self::pay(id, &job.owner, job.fee, &members);
				let result_hash = result.using_encoded(blake2_256);
				job.result = Some(BoundedVec::truncate_from(result));
				job.phase = JobPhase::Completed { at: now };
				Self::retire(id, job, now);
				Self::deposit_event(Event::JobCompleted { job: id, result_hash });
			},
			None => {
				let reason = Self::failure_reason(&job).unwrap_or(JobFailure::NoAgreement);
				Self::fail(id, job, now, reason);
			},
		}
		weight
	}

	/// Pays the cluster from the escrowed fee: `ProtocolCut` is burned, the rest split
	/// equally, the indivisible remainder returned to the owner.
	fn pay(id: JobId, owner: &T::AccountId, fee: BalanceOf<T>, members: &[T::AccountId]) {
		let cut = T::ProtocolCut::get() * fee;
		let (share, mut unpaid) = equal_split(fee.saturating_sub(cut), members.len() as u32);
		let reason = HoldReason::JobEscrow.into();
		for worker in members {
			match T::Currency::transfer_on_hold(
				&reason,
				owner,
				worker,
				share,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			) {
				Ok(paid) => {
					T::Earnings::record(worker, EarningSource::Compute, paid);
					Self::deposit_event(Event::WorkerPaid {
						job: id,
						worker: worker.clone(),
						amount: paid,
					});
				},
				Err(e) => {
					// Cannot happen for a bonded worker; the share goes back to the owner.
					log::error!(target: "runtime::compute-market", "job {id}: paying {worker:?} failed: {e:?}");
					unpaid = unpaid.saturating_add(share);
				},
			}
		}
		if !cut.is_zero() {
			if let Err(e) =
				T::Currency::burn_held(&reason, owner, cut, Precision::BestEffort, Fortitude::Force)
			{
				log::error!(target: "runtime::compute-market", "job {id}: burning the cut failed: {e:?}");
				unpaid = unpaid.saturating_add(cut);
			}
		}
		if !unpaid.is_zero() {
			Self::release(HoldReason::JobEscrow, owner, unpaid);
		}
	}

	/// Ends a job without a result and refunds its fee: in full when its workers failed
	/// it, less `UnservedJobFee` when too few providers could take it.
	fn fail(id: JobId, mut job: JobOf<T>, now: BlockNumberFor<T>, reason: JobFailure) {
		for assignment in job.assignments.iter() {
			// Workers still attached (only possible when assignment itself failed) leave.
			if Assignments::<T>::contains_key(&assignment.worker, id) {
				Self::release_worker(&assignment.worker, id);
			}
		}
		if reason == JobFailure::TooFewProviders {
			Self::refund_unserved(&job);
		} else {
			Self::release(HoldReason::JobEscrow, &job.owner, job.fee);
		}
		job.phase = JobPhase::Failed { at: now, reason };
		Self::retire(id, job, now);
		Self::deposit_event(Event::JobFailed { job: id, reason });
	}

	/// Stores a finished job until `ResultRetention` blocks from now and closes its
	/// bookkeeping.
	fn retire(id: JobId, mut job: JobOf<T>, now: BlockNumberFor<T>) {
		Self::close_job(&job);
		let expires = now.saturating_add(T::ResultRetention::get());
		job.due = expires;
		if Expiring::<T>::try_mutate(expires, |list| list.try_push(id)).is_ok() {
			Jobs::<T>::insert(id, job);
		} else {
			// Cannot happen (at most MaxStepsPerBlock jobs finish per block); drop the record
			// rather than keep it forever.
			Jobs::<T>::remove(id);
		}
	}

	// ---- workers: release, strikes, slashes ----------------------------------------------------

	/// The worker is done with job `id`: one assignment fewer, one job more served.
	fn release_worker(worker: &T::AccountId, id: JobId) {
		Assignments::<T>::remove(worker, id);
		Providers::<T>::mutate(worker, |p| {
			if let Some(p) = p {
				p.open_assignments = p.open_assignments.saturating_sub(1);
				p.jobs_served = p.jobs_served.saturating_add(1);
			}
		});
	}

	/// A provider's current bond (zero if it is not one).
	fn bond_of(who: &T::AccountId) -> BalanceOf<T> {
		Providers::<T>::get(who).map(|p| p.bond).unwrap_or_default()
	}

	/// Gives a strike; `StrikeLimit` strikes within the last `StrikeWindow` jobs slash
	/// `StrikeSlash` of the bond and suspend the provider for `SuspensionPeriod`.
	fn strike(who: &T::AccountId, job: JobId, reason: StrikeReason, now: BlockNumberFor<T>) {
		let Some(mut provider) = Providers::<T>::get(who) else { return };
		let window_start = provider.jobs_served.saturating_sub(T::StrikeWindow::get());
		provider.strikes.retain(|at| *at >= window_start);
		let struck_out = provider.strikes.try_push(provider.jobs_served).is_err()
			|| provider.strikes.len() as u32 >= T::StrikeLimit::get();
		let strikes =
			(provider.strikes.len() as u32).max(if struck_out { T::StrikeLimit::get() } else { 0 });
		Self::deposit_event(Event::ProviderStruck { provider: who.clone(), job, reason, strikes });
		if struck_out {
			provider.strikes = BoundedVec::new();
			let until = now.saturating_add(T::SuspensionPeriod::get());
			provider.suspended_until = Some(until);
			let amount = T::StrikeSlash::get() * provider.bond;
			Providers::<T>::insert(who, provider);
			Self::slash(who, amount, SlashReason::Strikes);
			Self::deposit_event(Event::ProviderSuspended { provider: who.clone(), until });
		} else {
			Providers::<T>::insert(who, provider);
		}
	}

	/// Takes `model` off the lists of a provider that cannot serve it, so it is not
	/// assigned that model again until it lists it with `update_models`.
	fn drop_model(who: &T::AccountId, model: crate::ModelId) {
		let Some(mut provider) = Providers::<T>::get(who) else { return };
		if !provider.models.contains(&model) {
			return;
		}
		provider.models.retain(|m| *m != model);
		Providers::<T>::insert(who, provider);
		Self::unlist_provider(who, &[model]);
		Self::deposit_event(Event::ProviderModelDropped { provider: who.clone(), model });
	}

	/// Burns up to `amount` of a provider's bond.
	fn slash(who: &T::AccountId, amount: BalanceOf<T>, reason: SlashReason) {
		let Some(mut provider) = Providers::<T>::get(who) else { return };
		let amount = amount.min(provider.bond);
		let burned = T::Currency::burn_held(
			&HoldReason::ProviderBond.into(),
			who,
			amount,
			Precision::BestEffort,
			Fortitude::Force,
		)
		.unwrap_or_else(|e| {
			log::error!(target: "runtime::compute-market", "slashing {who:?} failed: {e:?}");
			Zero::zero()
		});
		provider.bond = provider.bond.saturating_sub(burned);
		Providers::<T>::insert(who, provider);
		Self::deposit_event(Event::ProviderSlashed {
			provider: who.clone(),
			amount: burned,
			reason,
		});
	}

	/// `slash_provider`: governance burns `amount` of a bond; never more than the bond.
	pub(crate) fn do_governance_slash(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let provider = Self::ensure_provider(&who)?;
		ensure!(amount <= provider.bond, Error::<T>::SlashExceedsBond);
		Self::slash(&who, amount, SlashReason::Governance);
		Ok(())
	}

	// ---- reads and invariants ------------------------------------------------------------------
}
