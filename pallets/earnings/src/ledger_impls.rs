//! The ledger's logic: recording, reading, and the consistency check.

use crate::{Config, Earned, EarningSource, Earnings, EarningsRecord, Event, Pallet, TotalEarned};
use polkadot_sdk::sp_runtime::traits::Zero;

impl<T: Config> Earnings<T::AccountId, T::Balance> for Pallet<T> {
	fn record(who: &T::AccountId, source: EarningSource, amount: T::Balance) {
		if amount.is_zero() {
			return;
		}
		Earned::<T>::mutate(who, |record| record.add(source, amount));
		TotalEarned::<T>::mutate(|record| record.add(source, amount));
		Self::deposit_event(Event::Earned { who: who.clone(), source, amount });
	}
}

impl<T: Config> Pallet<T> {
	/// What `who` earned, by source (the runtime API's answer).
	pub fn earnings_of(who: &T::AccountId) -> EarningsRecord<T::Balance> {
		Earned::<T>::get(who)
	}

	/// What all accounts earned, by source.
	pub fn total_earnings() -> EarningsRecord<T::Balance> {
		TotalEarned::<T>::get()
	}

	/// The chain-wide totals never fall below any single account's record: every record
	/// adds to both. (Equality of the sum is not checked, as saturation may differ.)
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		let total = TotalEarned::<T>::get();
		for (_, record) in Earned::<T>::iter() {
			polkadot_sdk::frame_support::ensure!(
				record.validation <= total.validation
					&& record.coverage <= total.coverage
					&& record.compute <= total.compute
					&& record.energy <= total.energy,
				"an account earned more than the whole chain"
			);
		}
		Ok(())
	}
}
