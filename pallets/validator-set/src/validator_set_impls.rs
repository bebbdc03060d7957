//! The validator set's logic: the protocol checks, the changes, and the hand-over to
//! pallet-session.

use crate::{Config, Error, Event, Pallet, SetChanged, Validators};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{ValidatorRegistration, ValidatorSet},
	},
	pallet_session::SessionManager,
	sp_runtime::DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// `who` must not be in the set yet.
	fn ensure_not_validator(who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(!Validators::<T>::get().contains(who), Error::<T>::AlreadyValidator);
		Ok(())
	}

	/// `who` must have session keys, or it would be dropped silently at rotation.
	fn ensure_has_session_keys(who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(T::KeysRegistration::is_registered(who), Error::<T>::NoSessionKeys);
		Ok(())
	}

	/// A set of `len` validators after one removal must keep `MinValidators`.
	fn ensure_above_minimum(len: usize) -> Result<(), Error<T>> {
		let remaining = (len as u32).saturating_sub(1);
		ensure!(remaining >= T::MinValidators::get().max(1), Error::<T>::TooFewValidators);
		Ok(())
	}

	pub(crate) fn do_add_validator(who: T::AccountId) -> DispatchResult {
		Self::ensure_not_validator(&who)?;
		Self::ensure_has_session_keys(&who)?;
		Validators::<T>::try_mutate(|set| set.try_push(who.clone()))
			.map_err(|_| Error::<T>::TooManyValidators)?;
		SetChanged::<T>::put(true);
		Self::deposit_event(Event::ValidatorAdded { who });
		Ok(())
	}

	pub(crate) fn do_remove_validator(who: T::AccountId) -> DispatchResult {
		Self::take_out(&who)?;
		Self::deposit_event(Event::ValidatorRemoved { who });
		Ok(())
	}

	/// Takes `who` out of the set the chain wants (it leaves at the next rotations), unless
	/// that would leave fewer than `MinValidators`: the one removal, by governance or for an
	/// offence.
	pub(crate) fn take_out(who: &T::AccountId) -> Result<(), Error<T>> {
		let mut set = Validators::<T>::get();
		let index = set.iter().position(|v| v == who).ok_or(Error::<T>::NotValidator)?;
		Self::ensure_above_minimum(set.len())?;
		set.remove(index);
		Validators::<T>::put(set);
		SetChanged::<T>::put(true);
		Ok(())
	}

	/// Takes the session pallet's genesis set as this pallet's set.
	pub(crate) fn adopt_session_validators() {
		let mut set = BoundedVec::<T::AccountId, T::MaxValidators>::default();
		for who in T::SessionValidators::validators() {
			if set.try_push(who).is_err() {
				log::warn!(target: "runtime::validator-set", "genesis set exceeds MaxValidators; extra validators ignored");
				break;
			}
		}
		Validators::<T>::put(set);
	}
}

impl<T: Config> SessionManager<T::AccountId> for Pallet<T> {
	/// Hands the changed set to pallet-session, which queues it to become active in
	/// `new_index`. Unchanged sets return `None` (keep the current one).
	fn new_session(new_index: u32) -> Option<Vec<T::AccountId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let set = Validators::<T>::get().into_inner();
		Self::deposit_event(Event::ValidatorSetQueued {
			session: new_index,
			count: set.len() as u32,
		});
		Some(set)
	}

	/// At genesis pallet-session takes its own keys' owners.
	fn new_session_genesis(_: u32) -> Option<Vec<T::AccountId>> {
		None
	}

	fn end_session(_: u32) {}

	fn start_session(_: u32) {}
}
