//! Benchmarks of the compute market, each in its worst case: the longest names, inputs and
//! outputs, the fullest provider lists and due lists, `MaxRedundancy` workers.

use crate::{
	commitment::commitment, Assignment, Assignments, BenchmarkHelper, Call, Config, Due, Expiring,
	JobId, JobPhase, Jobs, ModelId, ModelMeta, ModelMetaOf, ModelProviders, Models, NextJobId,
	OpenJobs, Pallet, Providers, WorkState,
};
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		traits::{EnsureOrigin, Get},
		BoundedVec,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor, RawOrigin},
	sp_runtime::traits::{One, Saturating},
};

/// The current block, moved to 1 if at genesis: the benchmark framework runs calls in
/// block 1 at the earliest, and the due lists set up here must be the ones the call uses.
fn current_block<T: Config>() -> BlockNumberFor<T> {
	let now = frame_system::Pallet::<T>::block_number().max(One::one());
	frame_system::Pallet::<T>::set_block_number(now);
	now
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::BenchmarkHelper::fund(&who);
	who
}

fn model_id(index: u32) -> ModelId {
	let mut id = [0xabu8; 32];
	id[..4].copy_from_slice(&index.to_le_bytes());
	id
}

/// The largest model the chain accepts.
fn largest_meta<T: Config>() -> ModelMetaOf<T> {
	ModelMeta {
		name: BoundedVec::truncate_from(vec![b'm'; T::MaxModelNameLen::get() as usize]),
		input_len: T::MaxInputLen::get() / 4,
		output_len: T::MaxOutputLen::get(),
		fraction_bits: 16,
		classifier: true,
		absolute_tolerance: None,
		relative_tolerance_ppm: None,
		uri: Some(BoundedVec::truncate_from(
			[&b"https://"[..], &vec![b'u'; T::MaxUriLen::get().saturating_sub(8) as usize]]
				.concat(),
		)),
		size: T::MaxModelSize::get(),
		card: Some(BoundedVec::truncate_from(vec![b'c'; T::MaxUriLen::get() as usize])),
	}
}

/// Registers the largest model under `id`.
fn add_model<T: Config>(id: ModelId) {
	let registrar = funded::<T>("registrar", 0);
	Pallet::<T>::do_register_model(registrar, id, largest_meta::<T>())
		.expect("the model registers");
}

/// Fills the provider list of `model` up to one short of `MaxProvidersPerModel` with
/// accounts that are not providers (only the list's size matters to the cost).
fn crowd<T: Config>(model: ModelId) {
	let fillers: Vec<T::AccountId> = (0..T::MaxProvidersPerModel::get().saturating_sub(1))
		.map(|i| account("filler", i, 0))
		.collect();
	ModelProviders::<T>::insert(model, BoundedVec::truncate_from(fillers));
}

/// A funded account that is the inference worker of a current validator.
fn validator_worker<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who = funded::<T>(name, index);
	let validator: T::AccountId = account("validator", index, 1);
	T::BenchmarkHelper::make_validator(&validator);
	Pallet::<T>::bind(validator, who.clone()).expect("the worker binds");
	who
}

/// A bonded provider serving `models`.
fn add_provider<T: Config>(name: &'static str, index: u32, models: Vec<ModelId>) -> T::AccountId {
	let who = validator_worker::<T>(name, index);
	Pallet::<T>::do_register_provider(
		who.clone(),
		T::MinBond::get(),
		BoundedVec::truncate_from(models),
	)
	.expect("the provider registers");
	who
}

/// The largest valid input for the largest model.
fn largest_input<T: Config>() -> BoundedVec<u8, T::MaxInputLen> {
	BoundedVec::truncate_from(vec![7u8; (T::MaxInputLen::get() / 4 * 4) as usize])
}

/// An output of the largest model, moved by `noise` units (float noise between workers).
fn noisy_output<T: Config>(noise: i32) -> BoundedVec<i32, T::MaxOutputLen> {
	let values = (0..T::MaxOutputLen::get() as i32)
		.map(|i| i.saturating_mul(65_536).saturating_add(noise))
		.collect();
	BoundedVec::truncate_from(values)
}

/// Pretends `count` other jobs are open and due at `at`, so the due list is long.
fn fill_due<T: Config>(at: BlockNumberFor<T>, count: u32) {
	let base = JobId::MAX / 2;
	let ids: Vec<JobId> = (0..u64::from(count)).map(|i| base + i).collect();
	Due::<T>::mutate(at, |list| {
		for id in ids {
			let _ = list.try_push(id);
		}
	});
	OpenJobs::<T>::mutate(|open| *open = open.saturating_add(count));
}

/// A job of the largest model with `MaxRedundancy` workers, in `phase`, each worker in the
/// state `work(i)` gives. Returns the job and its workers.
fn setup_job<T: Config>(
	phase: fn(BlockNumberFor<T>) -> JobPhase<BlockNumberFor<T>>,
	work: impl Fn(JobId, &T::AccountId, u32) -> WorkState<T::MaxOutputLen>,
) -> (JobId, Vec<T::AccountId>) {
	let model = model_id(0);
	add_model::<T>(model);
	let owner = funded::<T>("owner", 0);
	let n = T::MaxRedundancy::get();
	let workers: Vec<T::AccountId> =
		(0..n).map(|i| add_provider::<T>("worker", i, vec![model])).collect();
	let now = current_block::<T>();
	Pallet::<T>::do_submit_job(
		owner,
		model,
		largest_input::<T>(),
		T::MinJobFee::get(),
		n,
		n.div_ceil(2),
	)
	.expect("the job is submitted");
	let id = NextJobId::<T>::get().saturating_sub(1);
	let mut job = Jobs::<T>::get(id).expect("just submitted");
	let due = now.saturating_add(T::CommitWindow::get());
	Pallet::<T>::reschedule(id, &mut job, due).expect("room in the due list");
	for (i, worker) in workers.iter().enumerate() {
		Assignments::<T>::insert(worker, id, ());
		Providers::<T>::mutate(worker, |p| {
			if let Some(p) = p {
				p.open_assignments = p.open_assignments.saturating_add(1);
			}
		});
		let _ = job.assignments.try_push(Assignment {
			worker: worker.clone(),
			rank: [i as u8; 32],
			work: work(id, worker, i as u32),
		});
	}
	job.phase = phase(due);
	Jobs::<T>::insert(id, job);
	(id, workers)
}

/// Moves to the block `job`'s next step is due at; returns it.
fn at_due_block<T: Config>(job: JobId) -> BlockNumberFor<T> {
	let due = Jobs::<T>::get(job).map(|j| j.due).unwrap_or_default();
	frame_system::Pallet::<T>::set_block_number(due);
	due
}

fn salt(i: u32) -> [u8; 32] {
	[i as u8; 32]
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_model() {
		let caller = funded::<T>("registrar", 0);
		let id = model_id(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, largest_meta::<T>());
		assert!(Models::<T>::contains_key(id));
	}

	#[benchmark]
	fn deregister_model(p: Linear<0, { T::MaxProvidersPerModel::get() }>) {
		let id = model_id(0);
		add_model::<T>(id);
		for i in 0..p {
			add_provider::<T>("provider", i, vec![id]);
		}
		let registrar: T::AccountId = account("registrar", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(registrar), id);
		assert!(!Models::<T>::contains_key(id));
	}

	#[benchmark]
	fn register_provider(m: Linear<1, { T::MaxModelsPerProvider::get() }>) {
		let models: Vec<ModelId> = (0..m).map(model_id).collect();
		for id in &models {
			add_model::<T>(*id);
			crowd::<T>(*id);
		}
		let caller = validator_worker::<T>("provider", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), T::MinBond::get(), BoundedVec::truncate_from(models));
		assert!(Providers::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn bind_worker() {
		// The validator replaces a worker it named before: the most writes.
		let validator: T::AccountId = account("validator", 0, 1);
		T::BenchmarkHelper::make_validator(&validator);
		Pallet::<T>::bind(validator.clone(), account("old worker", 0, 0)).expect("binds");
		let worker: T::AccountId = account("worker", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(validator.clone()), worker.clone());
		assert_eq!(crate::ValidatorOf::<T>::get(&worker), Some(validator));
	}

	#[benchmark]
	fn update_models(m: Linear<1, { T::MaxModelsPerProvider::get() }>) {
		let old: Vec<ModelId> = (0..m).map(model_id).collect();
		let new: Vec<ModelId> = (m..2 * m).map(model_id).collect();
		for id in old.iter().chain(&new) {
			add_model::<T>(*id);
			crowd::<T>(*id);
		}
		let caller = add_provider::<T>("provider", 0, old);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), BoundedVec::truncate_from(new.clone()));
		assert_eq!(Providers::<T>::get(&caller).map(|p| p.models.into_inner()), Some(new));
	}

	/// The worst report: `s` served models all new (the `s` old ones dropped), `r` refusals.
	#[benchmark]
	fn report_models(
		s: Linear<1, { T::MaxModelsPerProvider::get() }>,
		r: Linear<0, { T::MaxModelsPerProvider::get() }>,
	) {
		let old: Vec<ModelId> = (0..s).map(model_id).collect();
		let new: Vec<ModelId> = (s..2 * s).map(model_id).collect();
		let refused: Vec<(ModelId, crate::ModelRefusal)> = (2 * s..2 * s + r)
			.map(|i| (model_id(i), crate::ModelRefusal::Unreachable))
			.collect();
		for id in old.iter().chain(&new).chain(refused.iter().map(|(id, _)| id)) {
			add_model::<T>(*id);
			crowd::<T>(*id);
		}
		let caller = add_provider::<T>("provider", 0, old);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			BoundedVec::truncate_from(new.clone()),
			BoundedVec::truncate_from(refused),
		);
		assert_eq!(Providers::<T>::get(&caller).map(|p| p.models.into_inner()), Some(new));
	}

	#[benchmark]
	fn unregister_provider(m: Linear<1, { T::MaxModelsPerProvider::get() }>) {
		let models: Vec<ModelId> = (0..m).map(model_id).collect();
		for id in &models {
			add_model::<T>(*id);
			crowd::<T>(*id);
		}
		let caller = add_provider::<T>("provider", 0, models);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(Providers::<T>::get(&caller).is_some_and(|p| p.unbonding_at.is_some()));
	}

	#[benchmark]
	fn withdraw_bond() {
		let id = model_id(0);
		add_model::<T>(id);
		let caller = add_provider::<T>("provider", 0, vec![id]);
		Pallet::<T>::do_unregister_provider(caller.clone()).expect("unregisters");
		let later = current_block::<T>().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(!Providers::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn submit_job() {
		let id = model_id(0);
		add_model::<T>(id);
		let next = current_block::<T>().saturating_add(One::one());
		fill_due::<T>(next, T::MaxOpenJobs::get().saturating_sub(1));
		let caller = funded::<T>("owner", 0);
		let n = T::MaxRedundancy::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, largest_input::<T>(), T::MinJobFee::get(), n, n);
		assert_eq!(OpenJobs::<T>::get(), T::MaxOpenJobs::get());
	}

	#[benchmark]
	fn cancel_job() {
		let id = model_id(0);
		add_model::<T>(id);
		let next = current_block::<T>().saturating_add(One::one());
		fill_due::<T>(next, T::MaxOpenJobs::get().saturating_sub(1));
		let caller = funded::<T>("owner", 0);
		let n = T::MaxRedundancy::get();
		Pallet::<T>::do_submit_job(
			caller.clone(),
			id,
			largest_input::<T>(),
			T::MinJobFee::get(),
			n,
			n,
		)
		.expect("submits");
		let job = NextJobId::<T>::get().saturating_sub(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job);
		assert!(!Jobs::<T>::contains_key(job));
	}

	#[benchmark]
	fn commit_result() {
		// Everyone else committed: this commit starts the reveal phase.
		let last = T::MaxRedundancy::get().saturating_sub(1);
		let (job, workers) = setup_job::<T>(
			|until| JobPhase::Committing { until },
			|id, who, i| {
				if i == last {
					WorkState::Assigned
				} else {
					WorkState::Committed(commitment(id, who, &salt(i), &noisy_output::<T>(0)))
				}
			},
		);
		let reveal_until = current_block::<T>().saturating_add(T::RevealWindow::get());
		fill_due::<T>(reveal_until, T::MaxOpenJobs::get().saturating_sub(2));
		let caller = workers[last as usize].clone();
		let hash = commitment(job, &caller, &salt(last), &noisy_output::<T>(0));
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job, hash);
		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(JobPhase::Revealing { .. })));
	}

	#[benchmark]
	fn reveal_result() {
		// Everyone else revealed: this reveal schedules finalization.
		let last = T::MaxRedundancy::get().saturating_sub(1);
		let (job, workers) = setup_job::<T>(
			|until| JobPhase::Revealing { until },
			|id, who, i| {
				if i == last {
					WorkState::Committed(commitment(id, who, &salt(i), &noisy_output::<T>(1)))
				} else {
					WorkState::Revealed(noisy_output::<T>(0))
				}
			},
		);
		let next = current_block::<T>().saturating_add(One::one());
		fill_due::<T>(next, T::MaxOpenJobs::get().saturating_sub(2));
		let caller = workers[last as usize].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job, noisy_output::<T>(1), salt(last));
		assert_eq!(Jobs::<T>::get(job).map(|j| j.due), Some(next));
	}

	#[benchmark]
	fn report_failure() {
		// Everyone else reported too: the reveal phase starts and finalization is scheduled.
		let last = T::MaxRedundancy::get().saturating_sub(1);
		let (job, workers) = setup_job::<T>(
			|until| JobPhase::Committing { until },
			|_, _, i| {
				if i == last {
					WorkState::Assigned
				} else {
					WorkState::Failed(crate::InferenceFailure::RuntimeError)
				}
			},
		);
		let next = current_block::<T>().saturating_add(One::one());
		fill_due::<T>(next, T::MaxOpenJobs::get().saturating_sub(2));
		let caller = workers[last as usize].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job, crate::InferenceFailure::RuntimeError);
		assert_eq!(Jobs::<T>::get(job).map(|j| j.due), Some(next));
	}

	#[benchmark]
	fn slash_provider() -> Result<(), BenchmarkError> {
		let id = model_id(0);
		add_model::<T>(id);
		let provider = add_provider::<T>("provider", 0, vec![id]);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, provider.clone(), T::MinBond::get());
		assert!(Providers::<T>::get(&provider).is_some_and(|p| p.bond == 0u32.into()));
		Ok(())
	}

	#[benchmark]
	fn set_min_redundancy() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, T::MaxRedundancy::get());
		Ok(())
	}

	/// A block with nothing due and nothing expiring.
	#[benchmark]
	fn process_block_base() {
		let now = current_block::<T>();
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
	}

	/// Assigning a pending job of `MaxRedundancy` workers among `p` eligible providers.
	#[benchmark]
	fn assign_job(p: Linear<{ T::MaxRedundancy::get() }, { T::MaxProvidersPerModel::get() }>) {
		let model = model_id(0);
		add_model::<T>(model);
		for i in 0..p {
			add_provider::<T>("provider", i, vec![model]);
		}
		let owner = funded::<T>("owner", 0);
		let n = T::MaxRedundancy::get();
		Pallet::<T>::do_submit_job(owner, model, largest_input::<T>(), T::MinJobFee::get(), n, n)
			.expect("submits");
		let job = NextJobId::<T>::get().saturating_sub(1);
		let now = current_block::<T>().saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(now);
		T::BenchmarkHelper::set_randomness();
		fill_due::<T>(
			now.saturating_add(T::CommitWindow::get()),
			T::MaxOpenJobs::get().saturating_sub(1),
		);
		#[block]
		{
			Pallet::<T>::step(job, now);
		}
		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(JobPhase::Committing { .. })));
	}

	/// The commit window closes with one commitment: every other worker is a no-show with
	/// one strike short of the limit, so each is slashed and suspended.
	#[benchmark]
	fn close_commit_window() {
		let (job, workers) = setup_job::<T>(
			|until| JobPhase::Committing { until },
			|id, who, i| {
				if i == 0 {
					WorkState::Committed(commitment(id, who, &salt(i), &noisy_output::<T>(0)))
				} else {
					WorkState::Assigned
				}
			},
		);
		for worker in &workers {
			Providers::<T>::mutate(worker, |p| {
				if let Some(p) = p {
					p.strikes = BoundedVec::truncate_from(vec![
						0;
						T::StrikeLimit::get().saturating_sub(1)
							as usize
					]);
				}
			});
		}
		let now = at_due_block::<T>(job);
		fill_due::<T>(
			now.saturating_add(T::RevealWindow::get()),
			T::MaxOpenJobs::get().saturating_sub(1),
		);
		#[block]
		{
			Pallet::<T>::step(job, now);
		}
		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(JobPhase::Revealing { .. })));
	}

	/// Finalizing `MaxRedundancy` revealed outputs of `MaxOutputLen` elements that differ by
	/// float noise: all agree, the median is taken over all, every worker is paid.
	#[benchmark]
	fn finalize_job() {
		let (job, workers) = setup_job::<T>(
			|until| JobPhase::Revealing { until },
			|_, _, i| WorkState::Revealed(noisy_output::<T>(i as i32 % 4)),
		);
		let now = at_due_block::<T>(job);
		#[block]
		{
			Pallet::<T>::step(job, now);
		}
		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(JobPhase::Completed { .. })));
		assert_eq!(workers.len() as u32, T::MaxRedundancy::get());
	}

	/// Pruning one finished job of the largest size (on top of an empty block).
	#[benchmark]
	fn prune_job() {
		let (job, _) = setup_job::<T>(
			|until| JobPhase::Revealing { until },
			|_, _, i| WorkState::Revealed(noisy_output::<T>(i as i32)),
		);
		let now = at_due_block::<T>(job);
		Pallet::<T>::step(job, now);
		let expires = now.saturating_add(T::ResultRetention::get());
		frame_system::Pallet::<T>::set_block_number(expires);
		assert!(Expiring::<T>::get(expires).contains(&job));
		#[block]
		{
			Pallet::<T>::process_block(expires);
		}
		assert!(!Jobs::<T>::contains_key(job));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
