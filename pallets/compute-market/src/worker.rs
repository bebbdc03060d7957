//! The compute market's off-chain worker: validators serve the jobs assigned to their
//! `infr` keys.
//!
//! After each imported best block, for every local `infr` key and every open job it is
//! assigned to:
//! - commit phase, nothing submitted yet: run the model through the `infer` host function,
//!   keep the salt and the output (or the failure) in **persistent** off-chain storage, and
//!   submit `commit_result` (or `report_failure`), signed with the `infr` key;
//! - reveal phase, committed: read the salt and output back and submit `reveal_result`.
//!
//! The record is keyed by (job, input hash, worker): after a fork a job id may name another
//! job, and an output computed for one input is never committed for another. A run claims
//! the job with an off-chain storage lock before it runs the model, so concurrent worker
//! runs neither repeat the inference nor submit twice; the engine stops an inference that
//! runs past its time limit (`assay_inference::engine::INFERENCE_TIMEOUT`, 2 s), and the
//! claim outlives it (`CLAIM_FOR_MS`). If the chain still does not show a submission
//! `RESUBMIT_AFTER` blocks later (the transaction was dropped), it is submitted again with
//! the same salt and output. Because the record is persistent, a node restarted between
//! commit and reveal still reveals.
//!
//! Before the jobs, each local `infr` key that is a provider reports what its node's engine
//! serves and refuses (`report_models`, DESIGN §11) when that differs from the chain: the
//! engine's loaded models replace the provider's list, so it is assigned only jobs it can
//! run, and each new refusal (a model, or a new reason) is published once. What was sent
//! is kept in persistent off-chain storage; the same served list is not sent again for
//! `RESUBMIT_AFTER` blocks.

use crate::{
	commitment::commitment, Config, InferenceFailure, JobId, JobOf, JobPhase, ModelId,
	ModelRefusal, Models, Pallet, WorkState,
};
use alloc::vec::Vec;
use assay_inference::InferenceError;
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::traits::Get,
	frame_system::{
		offchain::{Account, SendSignedTransaction, Signer},
		pallet_prelude::BlockNumberFor,
	},
	sp_core::offchain::Duration,
	sp_crypto_hashing::blake2_256,
	sp_io,
	sp_runtime::{
		offchain::{
			storage::{MutateStorageError, StorageRetrievalError, StorageValueRef},
			storage_lock::{StorageLock, Time},
		},
		traits::Saturating,
	},
};

/// The log target of the worker.
pub const LOG_TARGET: &str = "inference";

/// Blocks after which a submission the chain does not show is sent again.
pub const RESUBMIT_AFTER: u32 = 5;

/// How long a run's claim on a job lasts, in milliseconds: longer than the engine's time
/// limit for one inference (2 s), so a claim outlives the run that holds it; a run that
/// died holding one is replaced once it expires.
pub const CLAIM_FOR_MS: u64 = 10_000;

/// What a worker keeps about one job, in persistent off-chain storage.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct WorkRecord<BlockNumber> {
	/// The salt of the commitment.
	pub salt: [u8; 32],
	/// The quantized output, or why there is none.
	pub outcome: Result<Vec<i32>, InferenceFailure>,
	/// When the commitment (or failure report) was last submitted.
	pub committed_at: BlockNumber,
	/// When the reveal was last submitted.
	pub revealed_at: Option<BlockNumber>,
}

/// What a job asks, as the worker's records know it: `blake2_256((model, input))`.
pub fn input_hash<T: Config>(job: &JobOf<T>) -> [u8; 32] {
	blake2_256(&(job.model, &job.input).encode())
}

/// The off-chain storage key of `worker`'s record for `job` asking `input_hash`.
pub fn record_key<AccountId: Encode>(
	job: JobId,
	input_hash: &[u8; 32],
	worker: &AccountId,
) -> Vec<u8> {
	(assay_wire::tags::COMPUTE_WORKER, job, input_hash, worker).encode()
}

/// The key of the lock a run holds on a record while it serves it.
pub fn claim_key(record_key: &[u8]) -> Vec<u8> {
	(assay_wire::tags::COMPUTE_WORKER, b"claim", record_key).encode()
}

/// The typed failure a worker reports for an engine error. A node without an engine
/// (`NotAvailable`) cannot serve the model it was assigned: it says so as
/// `ModelUnavailable`, which takes the model off its list, instead of staying silent and
/// being struck as a no-show for every job it is assigned while it stays eligible.
pub fn failure_of(error: InferenceError) -> InferenceFailure {
	match error {
		InferenceError::NotAvailable | InferenceError::UnknownModel => {
			InferenceFailure::ModelUnavailable
		},
		InferenceError::BadInput => InferenceFailure::BadInput,
		InferenceError::RuntimeError => InferenceFailure::RuntimeError,
		InferenceError::BadOutput => InferenceFailure::BadOutput,
	}
}

/// Whether a submission made at `sent_at` may be sent again at `now`.
fn due_again<B: Saturating + PartialOrd + From<u32> + Copy>(sent_at: B, now: B) -> bool {
	now >= sent_at.saturating_add(B::from(RESUBMIT_AFTER))
}

impl<T: Config> Pallet<T> {
	/// The worker's run after block `now` was imported.
	pub(crate) fn run_worker(now: BlockNumberFor<T>) {
		if !sp_io::offchain::is_validator() {
			return;
		}
		for account in Signer::<T, T::AuthorityId>::keystore_accounts() {
			Self::report_engine_models(&account, now);
			for job_id in Self::assignments_of(&account.id) {
				let Some(job) = crate::Jobs::<T>::get(job_id) else { continue };
				let Some(index) = job.assignment_index(&account.id) else { continue };
				let work = job.assignments.get(index).map(|a| a.work.clone());
				match (&job.phase, work) {
					(JobPhase::Committing { .. }, Some(WorkState::Assigned)) => {
						Self::serve_commit(&account, job_id, &job, now)
					},
					(JobPhase::Revealing { .. }, Some(WorkState::Committed(_))) => {
						Self::serve_reveal(&account, job_id, &job, now)
					},
					_ => {},
				}
			}
		}
	}

	/// Claims the job, runs the model for it (once: the outcome is kept) and submits the
	/// commitment or the failure report.
	fn serve_commit(account: &Account<T>, id: JobId, job: &JobOf<T>, now: BlockNumberFor<T>) {
		let key = record_key(id, &input_hash::<T>(job), &account.id);
		let storage = StorageValueRef::persistent(&key);
		let is_done = |record: &Option<WorkRecord<BlockNumberFor<T>>>| {
			record.as_ref().is_some_and(|r| !due_again(r.committed_at, now))
		};
		if is_done(&storage.get().ok().flatten()) {
			return;
		}
		// Claim the job before the inference: a run that finds it claimed leaves it.
		let claim = claim_key(&key);
		let mut lock =
			StorageLock::<Time>::with_deadline(&claim, Duration::from_millis(CLAIM_FOR_MS));
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: LOG_TARGET, "job {id}: another worker run holds it");
			return;
		};
		let known: Option<WorkRecord<BlockNumberFor<T>>> = storage.get().ok().flatten();
		if is_done(&known) {
			return;
		}
		let record = match known {
			Some(record) => WorkRecord { committed_at: now, ..record },
			None => {
				let outcome = Self::run_model(id, job);
				WorkRecord {
					salt: sp_io::offchain::random_seed(),
					outcome,
					committed_at: now,
					revealed_at: None,
				}
			},
		};
		storage.set(&record);
		let sent = match &record.outcome {
			Ok(output) => {
				let hash = commitment(id, &account.id, &record.salt, output);
				Self::send_as(account, crate::Call::commit_result { job: id, hash })
			},
			Err(reason) => {
				Self::send_as(account, crate::Call::report_failure { job: id, reason: *reason })
			},
		};
		match (sent, &record.outcome) {
			(true, Ok(_)) => {
				log::info!(target: LOG_TARGET, "job {id}: committed as {:?}", account.id)
			},
			(true, Err(reason)) => {
				log::warn!(target: LOG_TARGET, "job {id}: reported {reason:?} as {:?}", account.id)
			},
			(false, _) => {
				log::warn!(target: LOG_TARGET, "job {id}: the transaction pool refused the submission")
			},
		}
	}

	/// Runs `job`'s model through the host function: its output, or the failure to report.
	fn run_model(id: JobId, job: &JobOf<T>) -> Result<Vec<i32>, InferenceFailure> {
		let Some(model) = Models::<T>::get(job.model) else {
			return Err(InferenceFailure::ModelUnavailable);
		};
		match assay_inference::inference::infer(job.model, model.fraction_bits, &job.input) {
			Ok(bytes) => match Vec::<i32>::decode(&mut &bytes[..]) {
				Ok(output) if model.output_len_for(job.input.len()) == Some(output.len()) => {
					Ok(output)
				},
				_ => {
					log::warn!(target: LOG_TARGET, "job {id}: the model's output does not have {} elements per input row", model.output_len);
					Err(InferenceFailure::BadOutput)
				},
			},
			Err(error) => {
				let failure = failure_of(error);
				log::warn!(target: LOG_TARGET, "job {id}: inference failed: {error:?} ({failure:?})");
				Err(failure)
			},
		}
	}

	/// Submits the reveal of a committed job from the kept record.
	fn serve_reveal(account: &Account<T>, id: JobId, job: &JobOf<T>, now: BlockNumberFor<T>) {
		let key = record_key(id, &input_hash::<T>(job), &account.id);
		let storage = StorageValueRef::persistent(&key);
		let claimed = storage.mutate(
			|stored: Result<Option<WorkRecord<BlockNumberFor<T>>>, StorageRetrievalError>| {
				match stored {
					Ok(Some(record)) if record.revealed_at.is_none_or(|at| due_again(at, now)) => {
						Ok(WorkRecord { revealed_at: Some(now), ..record })
					},
					Ok(Some(_)) => Err(false),
					_ => Err(true),
				}
			},
		);
		let record = match claimed {
			Ok(record) => record,
			Err(MutateStorageError::ValueFunctionFailed(true)) => {
				log::error!(target: LOG_TARGET, "job {id}: committed but this node has no record of the output; cannot reveal");
				return;
			},
			Err(_) => return,
		};
		let Ok(output) = record.outcome else { return };
		let Ok(output) = output.try_into() else { return };
		let call = crate::Call::reveal_result { job: id, output, salt: record.salt };
		if Self::send_as(account, call) {
			log::info!(target: LOG_TARGET, "job {id}: revealed as {:?}", account.id);
		} else {
			log::warn!(target: LOG_TARGET, "job {id}: the transaction pool refused the reveal");
		}
	}

	/// Reports what this node's engine serves and refused, when the served models differ
	/// from the provider's on chain or there are refusals not yet published.
	fn report_engine_models(account: &Account<T>, now: BlockNumberFor<T>) {
		let Some(provider) = crate::Providers::<T>::get(&account.id) else { return };
		if provider.unbonding_at.is_some() {
			return;
		}
		let Some(engine) = assay_inference::inference::models() else { return };
		let most = <T::MaxModelsPerProvider as Get<u32>>::get() as usize;
		let served: Vec<ModelId> = engine
			.served
			.into_iter()
			.filter(|m| Models::<T>::contains_key(m))
			.take(most)
			.collect();
		let refused: Vec<(ModelId, ModelRefusal)> = engine
			.refused
			.into_iter()
			.filter(|(model, _)| Models::<T>::contains_key(model) && !served.contains(model))
			.take(most)
			.collect();
		let mut listed: Vec<ModelId> = provider.models.into_inner();
		listed.sort();
		let key = (assay_wire::tags::COMPUTE_WORKER, b"models", &account.id).encode();
		let storage = StorageValueRef::persistent(&key);
		// What was last sent: the served list, when, and every refusal published so far.
		type Sent<B> = (Vec<ModelId>, B, Vec<(ModelId, ModelRefusal)>);
		let last: Option<Sent<BlockNumberFor<T>>> = storage.get().ok().flatten();
		let published = last.as_ref().map(|(_, _, published)| published.as_slice()).unwrap_or(&[]);
		let fresh: Vec<(ModelId, ModelRefusal)> =
			refused.iter().filter(|r| !published.contains(r)).copied().collect();
		let pending = last
			.as_ref()
			.is_some_and(|(sent, at, _)| sent == &served && !due_again(*at, now));
		if fresh.is_empty() && (served == listed || pending) {
			return;
		}
		let call = crate::Call::report_models {
			served: served.clone().try_into().unwrap_or_default(),
			refused: fresh.clone().try_into().unwrap_or_default(),
		};
		if Self::send_as(account, call) {
			log::info!(target: LOG_TARGET, "reported {} served and {} newly refused model(s) as {:?}", served.len(), fresh.len(), account.id);
			storage.set(&(served, now, refused));
		} else {
			log::warn!(target: LOG_TARGET, "the transaction pool refused the model report");
		}
	}

	/// Submits `call` signed by `account`'s `infr` key; whether the pool took it.
	fn send_as(account: &Account<T>, call: crate::Call<T>) -> bool {
		let signer = Signer::<T, T::AuthorityId>::any_account()
			.with_filter(alloc::vec![account.public.clone()]);
		matches!(signer.send_signed_transaction(|_| call.clone()), Some((_, Ok(()))))
	}
}

/// The `infr` key as the signer of the worker's transactions, for runtimes whose
/// signatures are `MultiSignature`.
pub mod crypto {
	use assay_primitives::inference_key::InferencePublic;
	use polkadot_sdk::{
		sp_core::sr25519,
		sp_runtime::{MultiSignature, MultiSigner},
	};

	/// Signs with the node's `infr` (sr25519) keys.
	pub struct InferenceAuthId;

	impl polkadot_sdk::frame_system::offchain::AppCrypto<MultiSigner, MultiSignature>
		for InferenceAuthId
	{
		type RuntimeAppPublic = InferencePublic;
		type GenericPublic = sr25519::Public;
		type GenericSignature = sr25519::Signature;
	}
}
