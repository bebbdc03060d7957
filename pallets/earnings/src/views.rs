//! Reads for the runtime API (`EarningsApi`). Nothing here writes.

use crate::{Config, Earned, EarningsRecord, Pallet, TotalEarned};

impl<T: Config> Pallet<T> {
	/// What `who` earned, by source (the runtime API's answer).
	pub fn earnings_of(who: &T::AccountId) -> EarningsRecord<T::Balance> {
		Earned::<T>::get(who)
	}

	/// What all accounts earned, by source.
	pub fn total_earnings() -> EarningsRecord<T::Balance> {
		TotalEarned::<T>::get()
	}
}
