//! Jobs from the callers' side: submission, cancellation, and the workers' commit, reveal
//! and failure reports. Each call reads as the sequence of its checks.

use crate::{
	commitment::commitment, BalanceOf, Config, Error, Event, HoldReason, InferenceFailure, JobId,
	JobInfo, JobOf, JobPhase, Jobs, MinRedundancy, ModelOf, Models, NextJobId, OpenJobs,
	OpenJobsOf, OutputOf, Pallet, WorkState,
};
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{
			fungible::MutateHold,
			tokens::{Fortitude, Precision},
		},
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{traits::Saturating, DispatchResult},
};

impl<T: Config> Pallet<T> {
	// ---- the checks -------------------------------------------------------------------

	/// The input must be one or more whole rows of the model's `input_len` i32 values (4
	/// bytes each), and their outputs must fit `MaxOutputLen`; returns the rows.
	fn ensure_input_fits(model: &ModelOf<T>, input: &[u8]) -> Result<u32, Error<T>> {
		let row = (model.input_len as usize).saturating_mul(4);
		ensure!(input.len() >= row && row > 0, Error::<T>::InputTooShort);
		let rows = model.rows(input.len()).ok_or(Error::<T>::InputNotWholeRows)?;
		ensure!(
			model
				.output_len_for(input.len())
				.is_some_and(|n| n <= T::MaxOutputLen::get() as usize),
			Error::<T>::InputTooLarge
		);
		Ok(rows)
	}

	/// n within [MinRedundancy, MaxRedundancy], k within [1, n].
	fn ensure_redundancy(n: u32, k: u32) -> Result<(), Error<T>> {
		ensure!(
			(MinRedundancy::<T>::get()..=T::MaxRedundancy::get()).contains(&n) && n >= 1,
			Error::<T>::BadRedundancy
		);
		ensure!((1..=n).contains(&k), Error::<T>::BadQuorum);
		Ok(())
	}

	/// The fee must reach `MinJobFee` for each row.
	fn ensure_fee(fee: BalanceOf<T>, rows: u32) -> Result<(), Error<T>> {
		ensure!(fee >= T::MinJobFee::get().saturating_mul(rows.into()), Error::<T>::FeeTooLow);
		Ok(())
	}

	/// Fewer than `MaxOpenJobs` jobs may be open.
	fn ensure_capacity() -> Result<(), Error<T>> {
		ensure!(OpenJobs::<T>::get() < T::MaxOpenJobs::get(), Error::<T>::TooManyOpenJobs);
		Ok(())
	}

	/// The caller has fewer than `MaxOpenJobsPerAccount` jobs open.
	fn ensure_account_capacity(who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(
			OpenJobsOf::<T>::get(who) < T::MaxOpenJobsPerAccount::get(),
			Error::<T>::TooManyOpenJobsOfAccount
		);
		Ok(())
	}

	/// The job must exist.
	pub(crate) fn ensure_job(job: JobId) -> Result<JobOf<T>, Error<T>> {
		Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)
	}

	/// The job must be in its commit phase.
	fn ensure_committing(job: &JobOf<T>) -> Result<(), Error<T>> {
		ensure!(matches!(job.phase, JobPhase::Committing { .. }), Error::<T>::NotCommitPhase);
		Ok(())
	}

	/// The job must be in its reveal phase.
	fn ensure_revealing(job: &JobOf<T>) -> Result<(), Error<T>> {
		ensure!(matches!(job.phase, JobPhase::Revealing { .. }), Error::<T>::NotRevealPhase);
		Ok(())
	}

	/// The caller must be assigned to the job; returns its position.
	fn ensure_assigned(job: &JobOf<T>, who: &T::AccountId) -> Result<usize, Error<T>> {
		job.assignment_index(who).ok_or(Error::<T>::NotAssigned)
	}

	/// The worker must not have committed or reported yet.
	fn ensure_not_committed(work: &WorkState<T::MaxOutputLen>) -> Result<(), Error<T>> {
		ensure!(matches!(work, WorkState::Assigned), Error::<T>::AlreadyCommitted);
		Ok(())
	}

	/// The worker must hold a commitment not yet revealed; returns it.
	fn ensure_commitment(work: &WorkState<T::MaxOutputLen>) -> Result<[u8; 32], Error<T>> {
		match work {
			WorkState::Committed(hash) => Ok(*hash),
			WorkState::Revealed(_) => Err(Error::<T>::AlreadyRevealed),
			WorkState::Assigned | WorkState::Failed(_) => Err(Error::<T>::NotCommitted),
		}
	}

	/// The output must have the model's `output_len` elements for each row of the input.
	fn ensure_output_length(
		model: &ModelOf<T>,
		input_bytes: usize,
		output: &[i32],
	) -> Result<(), Error<T>> {
		ensure!(
			model.output_len_for(input_bytes) == Some(output.len()),
			Error::<T>::WrongOutputLength
		);
		Ok(())
	}

	/// The revealed output and salt must hash to the commitment.
	fn ensure_reveal_matches(
		job: JobId,
		who: &T::AccountId,
		salt: &[u8; 32],
		output: &[i32],
		committed: &[u8; 32],
	) -> Result<(), Error<T>> {
		ensure!(&commitment(job, who, salt, output) == committed, Error::<T>::RevealMismatch);
		Ok(())
	}

	// ---- the calls --------------------------------------------------------------------------

	/// `submit_job`: checks model, input, n, k, fee and capacity, holds the fee, and
	/// schedules assignment for the next block.
	pub(crate) fn do_submit_job(
		who: T::AccountId,
		model_id: crate::ModelId,
		input: BoundedVec<u8, T::MaxInputLen>,
		fee: BalanceOf<T>,
		n: u32,
		k: u32,
	) -> DispatchResult {
		let mut model = Self::ensure_known_model(&model_id)?;
		let rows = Self::ensure_input_fits(&model, &input)?;
		Self::ensure_redundancy(n, k)?;
		Self::ensure_fee(fee, rows)?;
		Self::ensure_capacity()?;
		Self::ensure_account_capacity(&who)?;
		Self::hold(HoldReason::JobEscrow, &who, fee)?;

		let now = frame_system::Pallet::<T>::block_number();
		let id = NextJobId::<T>::get();
		let due = now.saturating_add(1u32.into());
		Self::schedule(id, due)?;
		NextJobId::<T>::put(id.saturating_add(1));
		OpenJobs::<T>::mutate(|open| *open = open.saturating_add(1));
		OpenJobsOf::<T>::mutate(&who, |open| *open = open.saturating_add(1));
		model.open_jobs = model.open_jobs.saturating_add(1);
		Models::<T>::insert(model_id, model);
		Jobs::<T>::insert(
			id,
			JobInfo {
				owner: who.clone(),
				model: model_id,
				input,
				fee,
				redundancy: n,
				quorum: k,
				submitted_at: now,
				phase: JobPhase::Pending,
				due,
				assignments: BoundedVec::new(),
				result: None,
			},
		);
		Self::deposit_event(Event::JobSubmitted {
			job: id,
			owner: who,
			model: model_id,
			fee,
			n,
			k,
		});
		Ok(())
	}

	/// `cancel_job`: owner only, before assignment; refunds the fee less `UnservedJobFee`.
	pub(crate) fn do_cancel_job(who: T::AccountId, id: JobId) -> DispatchResult {
		let job = Self::ensure_job(id)?;
		ensure!(job.owner == who, Error::<T>::NotJobOwner);
		ensure!(job.phase == JobPhase::Pending, Error::<T>::AlreadyAssigned);
		Self::unschedule(id, job.due);
		Self::close_job(&job);
		Jobs::<T>::remove(id);
		let retained = Self::refund_unserved(&job);
		Self::deposit_event(Event::JobCancelled { job: id, retained });
		Ok(())
	}

	/// Refunds a job that was never served: its fee less `UnservedJobFee` (at most the
	/// fee), which is burned. Returns what was kept.
	pub(crate) fn refund_unserved(job: &JobOf<T>) -> BalanceOf<T> {
		let retained = T::UnservedJobFee::get().min(job.fee);
		let burned = T::Currency::burn_held(
			&HoldReason::JobEscrow.into(),
			&job.owner,
			retained,
			Precision::BestEffort,
			Fortitude::Force,
		)
		.unwrap_or_default();
		Self::release(HoldReason::JobEscrow, &job.owner, job.fee.saturating_sub(burned));
		burned
	}

	/// `commit_result`: an assigned worker commits once, in the commit phase. The reveal
	/// phase starts as soon as every worker has committed or reported.
	pub(crate) fn do_commit_result(who: T::AccountId, id: JobId, hash: [u8; 32]) -> DispatchResult {
		let mut job = Self::ensure_job(id)?;
		Self::ensure_committing(&job)?;
		let index = Self::ensure_assigned(&job, &who)?;
		let assignment = job.assignments.get_mut(index).ok_or(Error::<T>::NotAssigned)?;
		Self::ensure_not_committed(&assignment.work)?;
		assignment.work = WorkState::Committed(hash);
		Self::deposit_event(Event::ResultCommitted { job: id, worker: who });
		Self::start_reveal_if_all_in(id, &mut job)?;
		Jobs::<T>::insert(id, job);
		Ok(())
	}

	/// `report_failure`: instead of committing, an assigned worker says it could not run
	/// the job.
	pub(crate) fn do_report_failure(
		who: T::AccountId,
		id: JobId,
		reason: InferenceFailure,
	) -> DispatchResult {
		let mut job = Self::ensure_job(id)?;
		Self::ensure_committing(&job)?;
		let index = Self::ensure_assigned(&job, &who)?;
		let assignment = job.assignments.get_mut(index).ok_or(Error::<T>::NotAssigned)?;
		Self::ensure_not_committed(&assignment.work)?;
		assignment.work = WorkState::Failed(reason);
		Self::deposit_event(Event::InferenceFailureReported { job: id, worker: who, reason });
		Self::start_reveal_if_all_in(id, &mut job)?;
		Jobs::<T>::insert(id, job);
		Ok(())
	}

	/// `reveal_result`: a committed worker reveals once, in the reveal phase; the output
	/// must have the model's length and match the commitment. When every committed worker
	/// has revealed, the job is finalized in the next block.
	pub(crate) fn do_reveal_result(
		who: T::AccountId,
		id: JobId,
		output: OutputOf<T>,
		salt: [u8; 32],
	) -> DispatchResult {
		let mut job = Self::ensure_job(id)?;
		Self::ensure_revealing(&job)?;
		let index = Self::ensure_assigned(&job, &who)?;
		let model = Self::ensure_known_model(&job.model)?;
		let input_bytes = job.input.len();
		let assignment = job.assignments.get_mut(index).ok_or(Error::<T>::NotAssigned)?;
		let committed = Self::ensure_commitment(&assignment.work)?;
		Self::ensure_output_length(&model, input_bytes, &output)?;
		Self::ensure_reveal_matches(id, &who, &salt, &output, &committed)?;
		assignment.work = WorkState::Revealed(output);
		Self::deposit_event(Event::ResultRevealed { job: id, worker: who });
		let all_revealed =
			!job.assignments.iter().any(|a| matches!(a.work, WorkState::Committed(_)));
		if all_revealed {
			let next = frame_system::Pallet::<T>::block_number().saturating_add(1u32.into());
			Self::reschedule(id, &mut job, next)?;
		}
		Jobs::<T>::insert(id, job);
		Ok(())
	}

	/// If every assigned worker has committed or reported, the reveal phase starts now;
	/// if none of them committed there is nothing to reveal and the job is finalized in
	/// the next block.
	fn start_reveal_if_all_in(id: JobId, job: &mut JobOf<T>) -> DispatchResult {
		if job.assignments.iter().all(|a| !matches!(a.work, WorkState::Assigned)) {
			let now = frame_system::Pallet::<T>::block_number();
			Self::begin_reveal(id, job, now)?;
			if !job.assignments.iter().any(|a| matches!(a.work, WorkState::Committed(_))) {
				Self::reschedule(id, job, now.saturating_add(1u32.into()))?;
			}
		}
		Ok(())
	}

	/// Moves a job into its reveal phase starting at `now`.
	pub(crate) fn begin_reveal(
		id: JobId,
		job: &mut JobOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let until = now.saturating_add(T::RevealWindow::get());
		Self::reschedule(id, job, until)?;
		job.phase = JobPhase::Revealing { until };
		Self::deposit_event(Event::RevealStarted { job: id, reveal_until: until });
		Ok(())
	}

	/// Drops an open job from the open counters (its own and its model's).
	pub(crate) fn close_job(job: &JobOf<T>) {
		OpenJobs::<T>::mutate(|open| *open = open.saturating_sub(1));
		OpenJobsOf::<T>::mutate_exists(&job.owner, |open| {
			*open = open.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
		});
		Models::<T>::mutate(job.model, |m| {
			if let Some(m) = m {
				m.open_jobs = m.open_jobs.saturating_sub(1);
			}
		});
	}
}
