//! Reward epochs: units accrue per owner and epoch as beacons finish; after the epoch each
//! owner pulls its share of the epoch's emission with `claim_rewards`. Nothing iterates
//! over devices or owners.

use crate::{
	epoch_rewards, Config, EpochIndex, EpochTotals, Epochs, Error, Event, OwnerUnits, Pallet,
	ParamsOf, Units,
};
use assay_primitives::{EarningSource, Earnings};
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::Mutate},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::{traits::Zero, DispatchResult, SaturatedConversion, Saturating},
};

impl<T: Config> Pallet<T> {
	/// The reward epoch of `block`.
	pub(crate) fn epoch_of(block: BlockNumberFor<T>, params: &ParamsOf<T>) -> EpochIndex {
		(block / params.reward_epoch).saturated_into()
	}

	/// Adds `units` to `owner`'s units and the totals of `epoch`; the epoch's emission is
	/// fixed by its first units.
	pub(crate) fn add_units(owner: &T::AccountId, epoch: EpochIndex, units: Units) {
		OwnerUnits::<T>::mutate(owner, epoch, |mine| {
			let mine = mine.get_or_insert_with(Units::default);
			mine.beaconer = mine.beaconer.saturating_add(units.beaconer);
			mine.witness = mine.witness.saturating_add(units.witness);
		});
		Epochs::<T>::mutate(epoch, |totals| {
			let totals = totals.get_or_insert_with(|| EpochTotals {
				emission: Self::params().map(|p| p.coverage_emission).unwrap_or_default(),
				units: Units::default(),
				paid: Zero::zero(),
			});
			totals.units.beaconer = totals.units.beaconer.saturating_add(units.beaconer);
			totals.units.witness = totals.units.witness.saturating_add(units.witness);
		});
	}

	/// What `units` are worth in an epoch with `totals`: the beaconer pot (20 %) pro rata
	/// to beaconer units plus the witness pot (80 %) pro rata to witness units.
	pub(crate) fn worth(
		units: &Units,
		totals: &EpochTotals<crate::BalanceOf<T>>,
	) -> crate::BalanceOf<T> {
		let (beaconer_pot, witness_pot) = epoch_rewards::pots(totals.emission.saturated_into());
		epoch_rewards::share(beaconer_pot, units.beaconer, totals.units.beaconer)
			.saturating_add(epoch_rewards::share(witness_pot, units.witness, totals.units.witness))
			.saturated_into()
	}

	/// The epoch must be over.
	fn check_epoch_over(epoch: EpochIndex) -> Result<(), Error<T>> {
		ensure!(epoch < Self::current_epoch(), Error::<T>::EpochNotOver);
		Ok(())
	}

	pub(crate) fn do_claim_rewards(owner: T::AccountId, epoch: EpochIndex) -> DispatchResult {
		Self::params()?;
		Self::check_epoch_over(epoch)?;
		let units = OwnerUnits::<T>::take(&owner, epoch).ok_or(Error::<T>::NothingToClaim)?;
		let mut totals = Epochs::<T>::get(epoch).ok_or(Error::<T>::NothingToClaim)?;
		// Never more than the epoch has left (shares round down, so this never binds
		// while the totals are right).
		let amount = Self::worth(&units, &totals).min(totals.emission.saturating_sub(totals.paid));
		if !amount.is_zero() {
			T::Currency::mint_into(&owner, amount).map_err(|_| Error::<T>::MintFailed)?;
			T::Earnings::record(&owner, EarningSource::Coverage, amount);
		}
		totals.paid = totals.paid.saturating_add(amount);
		Epochs::<T>::insert(epoch, totals);
		Self::deposit_event(Event::RewardsClaimed { owner, epoch, amount });
		Ok(())
	}
}

impl<T: Config> Pallet<T> {}
