//! Reward epochs: units accrue per owner and epoch as beacons finish; after the epoch each
//! owner pulls its share of the epoch's emission with `claim_rewards`. Nothing iterates
//! over devices or owners.

use crate::{
	epoch_rewards, Config, EpochIndex, EpochTotals, Epochs, Error, Event, OwnerUnits, Pallet,
	ParamsOf, PendingReward, Units,
};
use alloc::vec::Vec;
use assay_primitives::{EarningSource, Earnings};
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::Mutate},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{traits::Zero, DispatchResult, SaturatedConversion, Saturating},
};

impl<T: Config> Pallet<T> {
	/// The reward epoch of `block`.
	pub(crate) fn epoch_of(block: BlockNumberFor<T>, params: &ParamsOf<T>) -> EpochIndex {
		(block / params.reward_epoch).saturated_into()
	}

	/// The current reward epoch (0 while unconfigured).
	pub fn current_epoch() -> EpochIndex {
		Self::params()
			.map(|params| Self::epoch_of(frame_system::Pallet::<T>::block_number(), &params))
			.unwrap_or(0)
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
	fn worth(units: &Units, totals: &EpochTotals<crate::BalanceOf<T>>) -> crate::BalanceOf<T> {
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
		let amount = Self::worth(&units, &totals);
		if !amount.is_zero() {
			T::Currency::mint_into(&owner, amount).map_err(|_| Error::<T>::MintFailed)?;
			T::Earnings::record(&owner, EarningSource::Coverage, amount);
		}
		totals.paid = totals.paid.saturating_add(amount);
		Epochs::<T>::insert(epoch, totals);
		Self::deposit_event(Event::RewardsClaimed { owner, epoch, amount });
		Ok(())
	}

	/// `owner`'s unclaimed rewards by epoch: final for finished epochs, so far for the
	/// current one.
	pub fn pending_rewards(owner: &T::AccountId) -> Vec<PendingReward<crate::BalanceOf<T>>> {
		let current = Self::current_epoch();
		let mut pending: Vec<_> = OwnerUnits::<T>::iter_prefix(owner)
			.filter_map(|(epoch, units)| {
				let totals = Epochs::<T>::get(epoch)?;
				Some(PendingReward {
					epoch,
					amount: Self::worth(&units, &totals),
					claimable: epoch < current,
				})
			})
			.collect();
		pending.sort_by_key(|p| p.epoch);
		pending
	}
}

impl<T: Config> Pallet<T> {
	/// A beacon with its witnesses, for the runtime API.
	pub fn beacon_view(
		id: crate::BeaconId,
	) -> Option<crate::BeaconView<T::AccountId, BlockNumberFor<T>>> {
		let beacon = crate::Beacons::<T>::get(id)?;
		let now = frame_system::Pallet::<T>::block_number();
		let expired = beacon.phase == crate::BeaconPhase::Open
			&& Self::params()
				.map(|p| now > Self::reveal_window_end(&beacon, &p))
				.unwrap_or(false);
		let witnesses = crate::Witnesses::<T>::iter_prefix(id)
			.map(|(witness, report)| crate::WitnessView { witness, report })
			.collect();
		Some(crate::BeaconView { beacon, expired, witnesses })
	}

	/// The newest entropy value, for the runtime API.
	pub fn latest_entropy() -> Option<(crate::EntropyIndex, [u8; 32])> {
		let index = crate::LatestEntropy::<T>::get()?;
		crate::Entropy::<T>::get(index).map(|(value, _)| (index, value))
	}

	/// Invariants: queued beacons are being verified and have their state; each epoch
	/// paid at most its emission; the density queue's bounds match its entries.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		for id in crate::VerifyQueue::<T>::get()
			.iter()
			.chain(crate::AwaitingSeed::<T>::get().iter())
		{
			let beacon = crate::Beacons::<T>::get(id).ok_or("queued beacon missing")?;
			ensure!(beacon.phase == crate::BeaconPhase::Verifying, "queued beacon not verifying");
			ensure!(
				crate::Verifications::<T>::contains_key(id),
				"queued beacon without verification state"
			);
		}
		for (id, state) in crate::Verifications::<T>::iter() {
			ensure!(state.best.len() as u32 <= state.valid, "more selected than valid");
			ensure!(crate::Beacons::<T>::contains_key(id), "verification of a missing beacon");
		}
		for (_, totals) in Epochs::<T>::iter() {
			ensure!(totals.paid <= totals.emission, "an epoch paid more than its emission");
		}
		let queued = crate::DensityQueue::<T>::iter().count() as u32;
		ensure!(
			queued == Self::density_backlog(),
			"density queue bounds disagree with its entries"
		);
		ensure!(
			queued == crate::DensityQueued::<T>::iter().count() as u32,
			"density queue and its set disagree"
		);
		Ok(())
	}
}
