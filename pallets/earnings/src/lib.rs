//! # pallet-earnings
//!
//! The earnings ledger: what every account earned on Assay, by source (validation,
//! coverage, compute, energy). It holds no funds and moves none; the pallets that pay
//! (transaction-fee handling, proof of coverage, the compute market, the energy market)
//! record each payment here through [`assay_primitives::Earnings`], wired in the runtime.
//!
//! Reads are the runtime API [`runtime_api::EarningsApi`]: `earnings(account)` answers
//! "what did I earn, from what", `total_earnings()` the same for the whole chain.

#![cfg_attr(not(feature = "std"), no_std)]

pub use pallet::*;

#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
mod ledger_impls;
pub mod runtime_api;
mod views;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use assay_primitives::{EarningSource, Earnings, EarningsRecord};

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use polkadot_sdk::{
		frame_support::pallet_prelude::*,
		sp_runtime::traits::{AtLeast32BitUnsigned, MaybeSerializeDeserialize},
	};

	/// The layout version of this pallet's storage: a runtime upgrade that changes a
	/// stored type (a bounded vector's bound included) bumps it and migrates.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The pallet: a ledger, no calls.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the earnings ledger.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// The balance type amounts are recorded in (the runtime's native balance).
		type Balance: Parameter
			+ Member
			+ AtLeast32BitUnsigned
			+ Default
			+ Copy
			+ MaxEncodedLen
			+ MaybeSerializeDeserialize;
	}

	/// What each account earned since genesis, by source.
	#[pallet::storage]
	pub type Earned<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, EarningsRecord<T::Balance>, ValueQuery>;

	/// What all accounts together earned since genesis, by source.
	#[pallet::storage]
	pub type TotalEarned<T: Config> = StorageValue<_, EarningsRecord<T::Balance>, ValueQuery>;

	/// Events of the earnings ledger.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` earned `amount` from `source`.
		Earned {
			/// The account that was paid.
			who: T::AccountId,
			/// Where the payment came from.
			source: EarningSource,
			/// How much was paid, in plancks of ASY.
			amount: T::Balance,
		},
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}
}
