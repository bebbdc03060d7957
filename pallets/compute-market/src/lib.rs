//! # pallet-compute-market
//!
//! AI inference bought on chain and run by validators, settled by comparing the outputs of
//! workers chosen at random.
//!
//! - **Models**: anyone registers an ONNX model under `blake2_256(onnx bytes)` with its
//!   shape (input and output lengths), the fraction bits F of its fixed-point values, and
//!   the tolerance outputs may differ by; a deposit is held until it is deregistered.
//! - **Providers**: the account of a validator's `infr` key bonds funds (a hold) and lists
//!   the models it serves. Unregistering starts `UnbondingPeriod`; then `withdraw_bond`.
//! - **Jobs**: `submit_job(model, input, fee, n, k)` holds the fee in escrow. In the next
//!   block (randomness unknown at submission) the n eligible providers with the lowest
//!   `blake2_256(seed ‖ provider)` are assigned. They commit to
//!   `blake2_256(job ‖ worker ‖ salt ‖ output)` within `CommitWindow` blocks, then reveal
//!   within `RevealWindow` blocks. The outputs are compared (`agreement`): a cluster of at
//!   least k agreeing outputs completes the job with their element-wise lower median, and
//!   the fee, less `ProtocolCut`, is split equally among the cluster. Outliers and no-shows
//!   get strikes (`StrikeLimit` within `StrikeWindow` jobs: slash and suspension); a worker
//!   that committed and never revealed is slashed. Without a cluster of k the job fails
//!   and the fee is refunded.
//! - Jobs move on in `on_finalize` (after BABE has put this block's VRF output), at most
//!   `MaxStepsPerBlock` steps per block, their weight reserved in `on_initialize`; finished
//!   jobs are kept `ResultRetention` blocks, then pruned.
//!
//! Validators' off-chain workers serve their assignments (`worker`): they run the model
//! through the `infer` host function of `assay-inference` and submit the commit and the
//! reveal signed with their `infr` key.
//!
//! Reads are the runtime API `ComputeApi`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

pub mod agreement;
pub mod assignment;
pub mod commitment;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
mod jobs_impls;
mod market_impls;
pub mod migrations;
pub mod runtime_api;
mod tick_impls;
pub mod types;
mod views;
pub mod weights;
pub mod worker;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;
pub use worker::crypto;

/// What benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Gives `who` enough free balance for deposits, bonds and fees.
	fn fund(who: &AccountId);
	/// Makes the seed source answer in the current block (sets the block's randomness).
	fn set_randomness();
	/// Makes `who` a current validator (so it may name a worker, and its worker serves).
	fn make_validator(who: &AccountId);
}

/// The domain tag of job-assignment seeds.
pub const ASSIGNMENT_DOMAIN: &[u8] = assay_wire::tags::COMPUTE_ASSIGNMENT;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use assay_primitives::{Earnings, SeedSource};
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::fungible::{Inspect, Mutate, MutateHold},
		},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::Perbill,
	};

	/// The layout version of this pallet's storage: a runtime upgrade that changes a
	/// stored type (a bounded vector's bound included) bumps it and migrates.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	/// The pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The balance type of the currency fees, bonds and deposits are held in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A registered model's record.
	pub type ModelOf<T> = ModelInfo<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		<T as Config>::MaxModelNameLen,
		<T as Config>::MaxUriLen,
	>;

	/// What a registrar submits about a model.
	pub type ModelMetaOf<T> = ModelMeta<<T as Config>::MaxModelNameLen, <T as Config>::MaxUriLen>;

	/// A provider's record.
	pub type ProviderOf<T> = ProviderInfo<
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxModelsPerProvider,
		<T as Config>::StrikeLimit,
	>;

	/// A job's record.
	pub type JobOf<T> = JobInfo<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxInputLen,
		<T as Config>::MaxOutputLen,
		<T as Config>::MaxRedundancy,
	>;

	/// A quantized output.
	pub type OutputOf<T> = BoundedVec<i32, <T as Config>::MaxOutputLen>;

	/// Configuration of the compute market.
	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config
		+ frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// The key validators' off-chain workers sign commits and reveals with (the `infr`
		/// key: `crate::crypto::InferenceAuthId` in the runtime).
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;
		/// The currency fees, bonds and deposits are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who may slash providers and set the minimum redundancy (root for now).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The chain's randomness helper; assignment seeds come from it.
		type Seeds: SeedSource;
		/// The earnings ledger; workers' payments are recorded as `Compute`.
		type Earnings: Earnings<Self::AccountId, BalanceOf<Self>>;
		/// The current validators (the session's active set). Only a current validator's
		/// inference worker may register as a provider, and a provider whose validator has
		/// left the set is not assigned jobs.
		type Validators: polkadot_sdk::frame_support::traits::Contains<Self::AccountId>;
		/// The deposit held for a registered model.
		#[pallet::constant]
		type ModelDeposit: Get<BalanceOf<Self>>;
		/// The least bond an eligible provider holds.
		#[pallet::constant]
		type MinBond: Get<BalanceOf<Self>>;
		/// The least fee a job may offer.
		#[pallet::constant]
		type MinJobFee: Get<BalanceOf<Self>>;
		/// The part of a completed job's fee that is burned, not paid to workers.
		#[pallet::constant]
		type ProtocolCut: Get<Perbill>;
		/// The longest model name, in bytes.
		#[pallet::constant]
		type MaxModelNameLen: Get<u32>;
		/// The longest model URI, in bytes.
		#[pallet::constant]
		type MaxUriLen: Get<u32>;
		/// The largest model file, in bytes.
		#[pallet::constant]
		type MaxModelSize: Get<u32>;
		/// The largest job input, in bytes (4 per element).
		#[pallet::constant]
		type MaxInputLen: Get<u32>;
		/// The longest model output, in elements.
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;
		/// The most workers one job may ask for (n).
		#[pallet::constant]
		type MaxRedundancy: Get<u32>;
		/// The most models one provider serves.
		#[pallet::constant]
		type MaxModelsPerProvider: Get<u32>;
		/// The most providers serving one model.
		#[pallet::constant]
		type MaxProvidersPerModel: Get<u32>;
		/// The most jobs open (pending, committing or revealing) at once.
		#[pallet::constant]
		type MaxOpenJobs: Get<u32>;
		/// The most jobs one account has open at once, so one account cannot hold the
		/// market's `MaxOpenJobs` full.
		#[pallet::constant]
		type MaxOpenJobsPerAccount: Get<u32>;
		/// What a job that is never served keeps of its fee (burned): a job cancelled before
		/// assignment, or one no `n` providers could take. Occupying the market's open-job
		/// slots is not free. At most the job's fee.
		#[pallet::constant]
		type UnservedJobFee: Get<BalanceOf<Self>>;
		/// The most job steps (assignment, window close, finalization) per block; the rest
		/// wait for the next block.
		#[pallet::constant]
		type MaxStepsPerBlock: Get<u32>;
		/// Blocks workers have to commit, from assignment.
		#[pallet::constant]
		type CommitWindow: Get<BlockNumberFor<Self>>;
		/// Blocks workers have to reveal, from the end of the commit phase.
		#[pallet::constant]
		type RevealWindow: Get<BlockNumberFor<Self>>;
		/// Blocks a finished job's record is kept.
		#[pallet::constant]
		type ResultRetention: Get<BlockNumberFor<Self>>;
		/// Blocks between unregistering and withdrawing the bond.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;
		/// Strikes within `StrikeWindow` jobs that get a provider slashed and suspended.
		#[pallet::constant]
		type StrikeLimit: Get<u32>;
		/// How many of a provider's most recent jobs strikes are counted over.
		#[pallet::constant]
		type StrikeWindow: Get<u32>;
		/// The part of the bond slashed when a provider strikes out.
		#[pallet::constant]
		type StrikeSlash: Get<Perbill>;
		/// The part of the bond slashed for committing and never revealing.
		#[pallet::constant]
		type NoRevealSlash: Get<Perbill>;
		/// Blocks a provider that struck out is not assigned jobs.
		#[pallet::constant]
		type SuspensionPeriod: Get<BlockNumberFor<Self>>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
		/// Prepares accounts for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Why funds are held by this pallet.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A model's registration deposit.
		ModelDeposit,
		/// A provider's bond.
		ProviderBond,
		/// An open job's fee, in escrow.
		JobEscrow,
	}

	/// Registered models, by model id.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Identity, ModelId, ModelOf<T>>;

	/// The providers serving each model, in registration order.
	#[pallet::storage]
	pub type ModelProviders<T: Config> = StorageMap<
		_,
		Identity,
		ModelId,
		BoundedVec<T::AccountId, T::MaxProvidersPerModel>,
		ValueQuery,
	>;

	/// Registered providers, by account.
	#[pallet::storage]
	pub type Providers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ProviderOf<T>>;

	/// Jobs, open and recently finished, by id.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobOf<T>>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// How many jobs are open (pending, committing or revealing).
	#[pallet::storage]
	pub type OpenJobs<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// How many jobs each account has open (at most `MaxOpenJobsPerAccount`).
	#[pallet::storage]
	pub type OpenJobsOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Open jobs by the block their next step is due at. Every open job is in exactly one
	/// entry, so an entry never holds more than `MaxOpenJobs`.
	#[pallet::storage]
	pub type Due<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxOpenJobs>,
		ValueQuery,
	>;

	/// The oldest block whose due list may still hold jobs (lists are worked through in
	/// block order when a block has more due steps than `MaxStepsPerBlock`).
	#[pallet::storage]
	pub type DueCursor<T: Config> = StorageValue<_, BlockNumberFor<T>>;

	/// Finished jobs by the block their record is pruned at.
	#[pallet::storage]
	pub type Expiring<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxStepsPerBlock>,
		ValueQuery,
	>;

	/// The open jobs each worker is assigned to: (worker, job) → ().
	#[pallet::storage]
	pub type Assignments<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, JobId, ()>;

	/// Each validator's inference worker: validator → the account of its `infr` key, named
	/// by the validator with `bind_worker`.
	#[pallet::storage]
	pub type WorkerOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// The validator each inference worker serves: worker → validator (the inverse of
	/// `WorkerOf`).
	#[pallet::storage]
	pub type ValidatorOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// The fewest workers (n) a job may ask for.
	#[pallet::storage]
	pub type MinRedundancy<T: Config> = StorageValue<_, u32, ValueQuery, DefaultMinRedundancy>;

	/// The minimum redundancy before governance or genesis sets one: 1.
	#[pallet::type_value]
	pub fn DefaultMinRedundancy() -> u32 {
		1
	}

	/// Events of the compute market.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered.
		ModelRegistered {
			/// Its id, `blake2_256` of the ONNX bytes.
			model: ModelId,
			/// Who registered it.
			registrar: T::AccountId,
			/// The deposit held.
			deposit: BalanceOf<T>,
		},
		/// A model was deregistered and its deposit returned.
		ModelDeregistered {
			/// Its id.
			model: ModelId,
		},
		/// A provider registered.
		ProviderRegistered {
			/// The provider (an `infr` key's account).
			provider: T::AccountId,
			/// Its bond.
			bond: BalanceOf<T>,
		},
		/// A provider changed the models it serves.
		ProviderModelsUpdated {
			/// The provider.
			provider: T::AccountId,
		},
		/// A provider now serves a model: its node fetched and loaded it (or it listed it).
		ModelServed {
			/// The model.
			model: ModelId,
			/// The provider.
			provider: T::AccountId,
		},
		/// A provider no longer serves a model; it is not assigned new jobs of it.
		ModelNoLongerServed {
			/// The model.
			model: ModelId,
			/// The provider.
			provider: T::AccountId,
		},
		/// A provider's node refused a registered model (it retries with back-off).
		ModelRefused {
			/// The model.
			model: ModelId,
			/// The provider.
			provider: T::AccountId,
			/// Why: no source, unreachable, too large, wrong hash, not loadable, wrong shape.
			reason: ModelRefusal,
		},
		/// A provider unregistered; its bond can be withdrawn from `unlock_at`.
		ProviderUnbonding {
			/// The provider.
			provider: T::AccountId,
			/// The first block `withdraw_bond` succeeds in.
			unlock_at: BlockNumberFor<T>,
		},
		/// A provider withdrew its bond and left.
		BondWithdrawn {
			/// The provider.
			provider: T::AccountId,
			/// The bond released.
			amount: BalanceOf<T>,
		},
		/// A job was submitted; it is assigned in the next block.
		JobSubmitted {
			/// The job.
			job: JobId,
			/// Who pays for it.
			owner: T::AccountId,
			/// The model.
			model: ModelId,
			/// The fee held in escrow.
			fee: BalanceOf<T>,
			/// Workers asked for.
			n: u32,
			/// Agreeing outputs needed.
			k: u32,
		},
		/// A pending job was cancelled and its fee refunded, less `UnservedJobFee`.
		JobCancelled {
			/// The job.
			job: JobId,
			/// What was kept of the fee (burned).
			retained: BalanceOf<T>,
		},
		/// A job was assigned to workers; they commit until `commit_until`.
		JobAssigned {
			/// The job.
			job: JobId,
			/// The workers, lowest assignment hash first.
			workers: BoundedVec<T::AccountId, T::MaxRedundancy>,
			/// The block the commit window ends at.
			commit_until: BlockNumberFor<T>,
		},
		/// The reveal phase of a job began; workers reveal until `reveal_until`.
		RevealStarted {
			/// The job.
			job: JobId,
			/// The block the reveal window ends at.
			reveal_until: BlockNumberFor<T>,
		},
		/// A worker committed to its result.
		ResultCommitted {
			/// The job.
			job: JobId,
			/// The worker.
			worker: T::AccountId,
		},
		/// A worker revealed a result matching its commitment.
		ResultRevealed {
			/// The job.
			job: JobId,
			/// The worker.
			worker: T::AccountId,
		},
		/// A worker reported that it could not run the job.
		InferenceFailureReported {
			/// The job.
			job: JobId,
			/// The worker.
			worker: T::AccountId,
			/// Why.
			reason: InferenceFailure,
		},
		/// A job completed with an agreed result.
		JobCompleted {
			/// The job.
			job: JobId,
			/// `blake2_256` of the SCALE-encoded result (`Vec<i32>`).
			result_hash: [u8; 32],
		},
		/// A job failed; its fee was refunded.
		JobFailed {
			/// The job.
			job: JobId,
			/// Why.
			reason: JobFailure,
		},
		/// A worker was paid its share of a job's fee.
		WorkerPaid {
			/// The job.
			job: JobId,
			/// The worker.
			worker: T::AccountId,
			/// Its share.
			amount: BalanceOf<T>,
		},
		/// A provider got a strike.
		ProviderStruck {
			/// The provider.
			provider: T::AccountId,
			/// The job it was struck for.
			job: JobId,
			/// Why.
			reason: StrikeReason,
			/// Its strikes within the window, this one included.
			strikes: u32,
		},
		/// Part of a provider's bond was slashed (burned).
		ProviderSlashed {
			/// The provider.
			provider: T::AccountId,
			/// The amount slashed.
			amount: BalanceOf<T>,
			/// Why.
			reason: SlashReason,
		},
		/// A provider is not assigned jobs until `until`.
		ProviderSuspended {
			/// The provider.
			provider: T::AccountId,
			/// The block its suspension ends at.
			until: BlockNumberFor<T>,
		},
		/// A validator named its inference worker; the worker may now register as a
		/// provider, and is assigned jobs while the validator is in the set.
		WorkerBound {
			/// The validator.
			validator: T::AccountId,
			/// The account of its `infr` key.
			worker: T::AccountId,
		},
		/// Governance set the minimum redundancy.
		MinRedundancySet {
			/// The fewest workers a job may ask for.
			n: u32,
		},
		/// A provider reported not having a model it advertised: it is taken off the
		/// model's list (it lists it again with `update_models` once it can serve it).
		ProviderModelDropped {
			/// The provider.
			provider: T::AccountId,
			/// The model.
			model: ModelId,
		},
	}

	/// Why a compute-market call was refused.
	#[pallet::error]
	pub enum Error<T> {
		/// No model with this id is registered.
		UnknownModel,
		/// A model with this id is already registered.
		ModelExists,
		/// Input and output lengths must be at least 1 and within `MaxInputLen` / 4 and
		/// `MaxOutputLen`.
		BadModelShape,
		/// The fraction bits exceed 24.
		FractionBitsTooHigh,
		/// A tolerance exceeds its bound: `2^(F−4)` units absolute, 50 000 ppm relative.
		BadTolerance,
		/// Only the model's registrar may deregister it.
		NotRegistrar,
		/// Open jobs use this model.
		ModelInUse,
		/// This account is already a provider.
		AlreadyProvider,
		/// This account is not a provider.
		NotProvider,
		/// The bond is below `MinBond`.
		BondTooLow,
		/// A model is listed twice.
		DuplicateModel,
		/// A listed model already has `MaxProvidersPerModel` providers.
		TooManyProviders,
		/// The provider already unregistered.
		AlreadyUnbonding,
		/// The provider is assigned to open jobs; it can leave once they finish.
		HasOpenAssignments,
		/// The provider has not unregistered.
		NotUnbonding,
		/// The unbonding period has not passed.
		StillUnbonding,
		/// The input has more rows than a job may carry: their outputs (rows × the model's
		/// `output_len`) would not fit `MaxOutputLen`.
		InputTooLarge,
		/// The input is shorter than one row of the model's `input_len` elements (4 bytes
		/// each).
		InputTooShort,
		/// n must be between `MinRedundancy` and `MaxRedundancy`.
		BadRedundancy,
		/// k must be between 1 and n.
		BadQuorum,
		/// The fee is below `MinJobFee` for each row of the input.
		FeeTooLow,
		/// `MaxOpenJobs` jobs are open; try again later.
		TooManyOpenJobs,
		/// The caller cannot pay the fee, deposit or bond.
		InsufficientBalance,
		/// No job with this id exists.
		UnknownJob,
		/// Only the job's owner may cancel it.
		NotJobOwner,
		/// The job was already assigned; it can no longer be cancelled.
		AlreadyAssigned,
		/// The job is not in its commit phase.
		NotCommitPhase,
		/// The job is not in its reveal phase.
		NotRevealPhase,
		/// The caller is not assigned to this job.
		NotAssigned,
		/// The caller already committed (or reported a failure) for this job.
		AlreadyCommitted,
		/// The caller has no commitment to reveal.
		NotCommitted,
		/// The caller already revealed its result.
		AlreadyRevealed,
		/// The revealed output and salt do not hash to the commitment.
		RevealMismatch,
		/// The output does not have the model's `output_len` elements for each row of the
		/// job's input.
		WrongOutputLength,
		/// The slash exceeds the provider's bond.
		SlashExceedsBond,
		/// The minimum redundancy must be between 1 and `MaxRedundancy`.
		BadMinRedundancy,
		/// The caller already has `MaxOpenJobsPerAccount` open jobs.
		TooManyOpenJobsOfAccount,
		/// Only a current validator may name an inference worker.
		NotValidator,
		/// This worker already serves another validator.
		WorkerTaken,
		/// The caller is not the inference worker of a current validator (a validator
		/// names its worker with `bind_worker` first).
		NotValidatorWorker,
		/// The input is not a whole number of rows of the model's `input_len` elements (4
		/// bytes each).
		InputNotWholeRows,
		/// The model's size is 0 or above `MaxModelSize`.
		BadModelSize,
		/// The model's URI is not an `http://` or `https://` address of printable ASCII.
		BadUri,
		/// A model is both served and refused in one report.
		ServedAndRefused,
	}

	/// Genesis: models, providers and the minimum redundancy the chain starts with.
	#[pallet::genesis_config]
	#[derive(polkadot_sdk::frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// (id, meta, registrar) of each model; the deposit is held from the registrar.
		pub models: alloc::vec::Vec<(ModelId, ModelMetaOf<T>, T::AccountId)>,
		/// (validator, worker) pairs: each validator's inference worker, bound before the
		/// providers register (the session's set is not consulted at genesis).
		pub workers: alloc::vec::Vec<(T::AccountId, T::AccountId)>,
		/// (account, bond, models) of each provider, a worker of `workers`; the bond is held
		/// from the account.
		pub providers: alloc::vec::Vec<(T::AccountId, BalanceOf<T>, alloc::vec::Vec<ModelId>)>,
		/// The fewest workers a job may ask for (0 keeps the default, 1).
		pub min_redundancy: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.min_redundancy > 0 {
				MinRedundancy::<T>::put(self.min_redundancy);
			}
			for (id, meta, registrar) in &self.models {
				if let Err(e) = Pallet::<T>::do_register_model(registrar.clone(), *id, meta.clone())
				{
					panic!("genesis model {id:?}: {e:?}");
				}
			}
			for (validator, worker) in &self.workers {
				if let Err(e) = Pallet::<T>::bind(validator.clone(), worker.clone()) {
					panic!("genesis worker {worker:?}: {e:?}");
				}
			}
			for (who, bond, models) in &self.providers {
				let models = BoundedVec::try_from(models.clone())
					.expect("genesis: too many models for a provider");
				if let Err(e) = Pallet::<T>::add_provider(who.clone(), *bond, models) {
					panic!("genesis provider {who:?}: {e:?}");
				}
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Reserves the weight of the work `on_finalize` will do: the results expiring now
		/// and the job steps due now (at most `MaxStepsPerBlock`).
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::block_weight(now)
		}

		/// Prunes expired results and takes the job steps due in this block. This runs after
		/// BABE's `on_finalize`, so assignment seeds use this block's VRF output, which
		/// nobody knew when the job was submitted in an earlier block.
		fn on_finalize(now: BlockNumberFor<T>) {
			Self::process_block(now);
		}

		/// Serves the jobs assigned to this node's `infr` keys (see `worker`).
		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::run_worker(now);
		}

		fn integrity_test() {
			assert!(T::MaxOpenJobs::get() >= 1, "MaxOpenJobs must be at least 1");
			assert!(T::MaxStepsPerBlock::get() >= 1, "MaxStepsPerBlock must be at least 1");
			assert!(T::MaxRedundancy::get() >= 1, "MaxRedundancy must be at least 1");
			assert!(T::StrikeLimit::get() >= 1, "StrikeLimit must be at least 1");
			assert!(!T::CommitWindow::get().is_zero(), "CommitWindow must be at least 1 block");
			assert!(!T::RevealWindow::get().is_zero(), "RevealWindow must be at least 1 block");
			assert!(
				!T::ResultRetention::get().is_zero(),
				"ResultRetention must be at least 1 block"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a model under `model_id` = `blake2_256` of its ONNX file, with its shape,
		/// fraction bits and tolerances (left out: `2^(F−13)` units and 1000 ppm). Holds
		/// `ModelDeposit`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_model())]
		pub fn register_model(
			origin: OriginFor<T>,
			model_id: ModelId,
			meta: ModelMetaOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_model(who, model_id, meta)
		}

		/// Deregisters a model no open job uses and returns its deposit; providers stop
		/// serving it. Registrar only.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_model(T::MaxProvidersPerModel::get()))]
		pub fn deregister_model(origin: OriginFor<T>, model_id: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deregister_model(who, model_id)
		}

		/// Registers the caller, the inference worker of a current validator (see
		/// `bind_worker`), as a provider serving `models`, holding `bond` (at least
		/// `MinBond`).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_provider(models.len() as u32))]
		pub fn register_provider(
			origin: OriginFor<T>,
			bond: BalanceOf<T>,
			models: BoundedVec<ModelId, T::MaxModelsPerProvider>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_provider(who, bond, models)
		}

		/// Replaces the models the caller (a provider) serves; emits `ModelServed` and
		/// `ModelNoLongerServed` for each change.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::update_models(T::MaxModelsPerProvider::get()))]
		pub fn update_models(
			origin: OriginFor<T>,
			models: BoundedVec<ModelId, T::MaxModelsPerProvider>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_models(who, models)
		}

		/// Stops serving: no new assignments; the bond can be withdrawn after
		/// `UnbondingPeriod`. Refused while assigned to open jobs.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::unregister_provider(T::MaxModelsPerProvider::get()))]
		pub fn unregister_provider(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister_provider(who)
		}

		/// Releases the bond of a provider whose unbonding period has passed.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_bond(who)
		}

		/// Submits a job: run `model_id` on `input` on `n` workers, complete with `k`
		/// agreeing outputs. The input is one or more rows of the model's `input_len`
		/// little-endian i32 values (fixed point with its F), one after another: a batch of
		/// B rows gets B output rows back, as long as B × `output_len` fits `MaxOutputLen`.
		/// Holds `fee` (at least `MinJobFee` per row) in escrow. Usual choice: n = 3, k = 2.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::submit_job())]
		pub fn submit_job(
			origin: OriginFor<T>,
			model_id: ModelId,
			input: BoundedVec<u8, T::MaxInputLen>,
			fee: BalanceOf<T>,
			n: u32,
			k: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_job(who, model_id, input, fee, n, k)
		}

		/// Cancels a job not yet assigned and refunds its fee. Owner only.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::cancel_job())]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_job(who, job)
		}

		/// Commits to a result: `hash` = `blake2_256(job ‖ worker ‖ salt ‖ output)`, SCALE
		/// encoded (u64, account, [u8; 32], Vec<i32>). Assigned workers, commit phase only.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::commit_result())]
		pub fn commit_result(origin: OriginFor<T>, job: JobId, hash: [u8; 32]) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_result(who, job, hash)
		}

		/// Reveals the committed output and salt. Reveal phase only.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::reveal_result())]
		pub fn reveal_result(
			origin: OriginFor<T>,
			job: JobId,
			output: OutputOf<T>,
			salt: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reveal_result(who, job, output, salt)
		}

		/// Reports, instead of a commitment, that the worker could not run the job. Not paid;
		/// `ModelUnavailable` counts as a strike, the others do not.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::report_failure())]
		pub fn report_failure(
			origin: OriginFor<T>,
			job: JobId,
			reason: InferenceFailure,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_report_failure(who, job, reason)
		}

		/// Slashes (burns) `amount` of a provider's bond. Admin origin only.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::slash_provider())]
		pub fn slash_provider(
			origin: OriginFor<T>,
			provider: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_governance_slash(provider, amount)
		}

		/// Sets the fewest workers a job may ask for. Admin origin only.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_min_redundancy())]
		pub fn set_min_redundancy(origin: OriginFor<T>, n: u32) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_min_redundancy(n)
		}

		/// Names the caller's inference worker: the account of the `infr` key its node signs
		/// commits and reveals with. The caller must be a current validator; one worker per
		/// validator (naming another replaces it, and the old one is no longer assigned
		/// jobs), and a worker serves one validator.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::bind_worker())]
		pub fn bind_worker(origin: OriginFor<T>, worker: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bind_worker(who, worker)
		}

		/// The worker's off-chain worker reports what its node's engine serves and refuses
		/// (DESIGN §11): `served` replaces the models the caller (a provider) serves, so it
		/// is assigned only jobs its engine can run, and each refusal is published as
		/// `ModelRefused`. Sent when the engine's state changes, not every block.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::report_models(served.len() as u32, refused.len() as u32))]
		pub fn report_models(
			origin: OriginFor<T>,
			served: BoundedVec<ModelId, T::MaxModelsPerProvider>,
			refused: BoundedVec<(ModelId, ModelRefusal), T::MaxModelsPerProvider>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_report_models(who, served, refused)
		}
	}
}
