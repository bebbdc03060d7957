//! The ledger's logic: recording, reading, and the consistency check.

use crate::{Config, Earned, EarningSource, Earnings, Event, Pallet, TotalEarned};
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

impl<T: Config> Pallet<T> {}
