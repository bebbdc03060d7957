//! # pallet-validator-set
//!
//! Governance-managed validators for Assay. The admin origin (root for now) adds and
//! removes validators; the change is handed to `pallet-session` through its
//! `SessionManager` at the next session rotation. pallet-session queues a new set for one
//! session before it becomes active, so a change made during session `s` is queued at the
//! end of `s` and the new set produces and finalizes blocks from session `s + 2`.
//!
//! The genesis set is whatever `pallet-session`'s genesis keys name (so a chain spec that
//! zombienet rewrites stays consistent); this pallet adopts it at genesis.
//!
//! A validator must have set its session keys (`session.setKeys`) before it is added, and
//! the set never drops below `MinValidators`.
//!
//! Equivocations (two BABE blocks for one slot, two GRANDPA votes in one round) reported
//! through pallet-offences disable the offender for the rest of the session and remove it
//! from the set like a governance removal (`offences_impls.rs`). The set also keeps
//! pallet-session's historical roots for `HistoryDepth` sessions: the window in which an
//! equivocation can still be proved.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
mod offences_impls;
pub mod runtime_api;
mod validator_set_impls;
pub mod weights;
pub use offences_impls::IdentifiedByAccount;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// What benchmarks need from the runtime: an account with session keys registered.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` pass the `KeysRegistration` check (e.g. by giving it session keys).
	fn register_keys(who: &AccountId);
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::{ValidatorRegistration, ValidatorSet},
		},
		frame_system::pallet_prelude::*,
	};

	/// The layout version of this pallet's storage: a runtime upgrade that changes a
	/// stored type (a bounded vector's bound included) bumps it and migrates.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the validator set.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// Who may add and remove validators (root for now; a council later).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The most validators the set may hold.
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The fewest validators the set may hold; `remove_validator` refuses to go below.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// Tells whether an account has registered session keys (pallet-session).
		type KeysRegistration: ValidatorRegistration<Self::AccountId>;
		/// The active set of the session pallet, adopted at genesis.
		type SessionValidators: ValidatorSet<Self::AccountId, ValidatorId = Self::AccountId>;
		/// How many sessions of pallet-session's historical roots are kept: an equivocation
		/// older than this can no longer be proved (BABE's and GRANDPA's report longevity and
		/// GRANDPA's `MaxSetIdSessionEntries` follow it).
		#[pallet::constant]
		type HistoryDepth: Get<u32>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
		/// Prepares accounts for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// The validators the chain wants: handed to pallet-session at the next rotation after
	/// a change. The active set is `session.validators`.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether `Validators` changed since it was last handed to pallet-session.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Events of the validator set.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` was added; it joins at the next session rotation.
		ValidatorAdded {
			/// The new validator (its stash/controller account).
			who: T::AccountId,
		},
		/// `who` was removed; it leaves at the next session rotation.
		ValidatorRemoved {
			/// The removed validator.
			who: T::AccountId,
		},
		/// `who` equivocated in session `session` (reported through pallet-offences): it is
		/// disabled for the current session and leaves the set at the next rotations.
		OffenderRemoved {
			/// The equivocating validator.
			who: T::AccountId,
			/// The session of the offence.
			session: u32,
		},
		/// `who` equivocated in session `session` but stays in the set: removing it would
		/// leave fewer than `MinValidators`. It is still disabled for the current session
		/// where the disabling limit allows.
		OffenderKept {
			/// The equivocating validator.
			who: T::AccountId,
			/// The session of the offence.
			session: u32,
		},
		/// The changed set was handed to pallet-session, queued for session `session`.
		ValidatorSetQueued {
			/// The session index in which the new set becomes active.
			session: u32,
			/// How many validators the new set has.
			count: u32,
		},
	}

	/// Why a validator-set call was refused.
	#[pallet::error]
	pub enum Error<T> {
		/// The account is already in the validator set.
		AlreadyValidator,
		/// The account is not in the validator set.
		NotValidator,
		/// Removing would leave fewer than `MinValidators` validators.
		TooFewValidators,
		/// The set already holds `MaxValidators` validators.
		TooManyValidators,
		/// The account has not set session keys (`session.setKeys`) yet.
		NoSessionKeys,
	}

	/// Genesis: the set is adopted from pallet-session's genesis keys (this pallet must come
	/// after Session in the runtime).
	#[pallet::genesis_config]
	#[derive(polkadot_sdk::frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		/// Nothing to configure.
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::adopt_session_validators();
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `who` to the validator set from the next session rotation. `who` must have
		/// set its session keys first. Admin origin only.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_add_validator(who)
		}

		/// Removes `who` from the validator set from the next session rotation. Refused if
		/// the set would fall below `MinValidators`. Admin origin only.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_validator(who)
		}
	}

	impl<T: Config> Pallet<T> {
		/// The validators the chain wants (the runtime API's answer).
		pub fn validators() -> Vec<T::AccountId> {
			Validators::<T>::get().into_inner()
		}
	}
}
