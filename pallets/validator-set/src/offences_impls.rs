//! Equivocations: what the set does with a reported offender, and the session history that
//! lets anyone prove an offender held its keys.
//!
//! BABE and GRANDPA check an equivocation proof (two blocks for one slot, two votes in one
//! round) together with a key-ownership proof against pallet-session's historical roots,
//! and pallet-offences hands every new offender here. Assay has no stake to slash, so the
//! punishment is the seat: the offender is disabled at once (pallet-session refuses blocks
//! a disabled BABE authority authors, up to a third of the set) and removed from the set
//! the chain wants, which pallet-session applies at the next rotations like a governance
//! removal. The set never goes below `MinValidators`: an offender that would take it
//! there stays (disabled for the session) and the event says so.

use crate::{Config, Error, Event, Pallet};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{pallet_prelude::*, traits::Get},
	frame_system,
	pallet_session::{self, historical},
	sp_runtime::{traits::Convert, Perbill},
	sp_staking::{
		offence::{OffenceDetails, OffenceSeverity, OnOffenceHandler},
		SessionIndex,
	},
};

impl<T: Config> Pallet<T> {
	/// Takes an offender out of the set the chain wants (`take_out`, as governance would),
	/// or names it as kept when that would leave fewer than `MinValidators`. One already
	/// out (removed earlier, or reported twice) changes nothing.
	pub(crate) fn remove_offender(who: &T::AccountId, session: SessionIndex) {
		match Self::take_out(who) {
			Ok(()) => Self::deposit_event(Event::OffenderRemoved { who: who.clone(), session }),
			Err(Error::<T>::TooFewValidators) => {
				Self::deposit_event(Event::OffenderKept { who: who.clone(), session })
			},
			Err(_) => {},
		}
	}
}

/// The identification an offence carries for a validator: nothing beyond its account (there
/// is no stake exposure to record). Every account has it; the session root proves the seat.
pub struct IdentifiedByAccount;

impl<A> Convert<A, Option<()>> for IdentifiedByAccount {
	fn convert(_: A) -> Option<()> {
		Some(())
	}
}

/// pallet-offences' handler: every offender (with those of earlier concurrent reports) is
/// disabled for the current session and removed from the wanted set.
impl<T, Id> OnOffenceHandler<T::AccountId, (T::AccountId, Id), Weight> for Pallet<T>
where
	T: Config + pallet_session::Config<ValidatorId = <T as frame_system::Config>::AccountId>,
{
	fn on_offence(
		offenders: &[OffenceDetails<T::AccountId, (T::AccountId, Id)>],
		slash_fraction: &[Perbill],
		session: SessionIndex,
	) -> Weight {
		for (i, details) in offenders.iter().enumerate() {
			let who = &details.offender.0;
			let severity = OffenceSeverity(slash_fraction.get(i).copied().unwrap_or_default());
			pallet_session::Pallet::<T>::report_offence(who.clone(), severity);
			Self::remove_offender(who, session);
		}
		// Per offender: the disabling (session validators, disabled list: 2 reads, 1 write)
		// and the removal (the set: 1 read, 2 writes with the change flag).
		let n = offenders.len() as u64;
		T::DbWeight::get().reads_writes(n.saturating_mul(3), n.saturating_mul(3))
	}
}

/// The session manager pallet-session's historical wrapper (`NoteHistoricalRoot`) calls: the
/// same hand-over as the plain one, and two duties of its own.
/// - A root for every session. The wrapper stores a root when a set is handed over and
///   otherwise copies the previous session's; at genesis (pallet-session takes the set from
///   its own keys) there is none to copy, so the first rotation hands the queued set over
///   unchanged and its root is stored: proofs work from session 2 on (also after an upgrade
///   that adds this). Sessions 0 and 1 of a chain have no root.
/// - Pruning: roots older than `HistoryDepth` sessions are removed when a session starts.
impl<T> historical::SessionManager<T::AccountId, ()> for Pallet<T>
where
	T: Config
		+ historical::Config<FullIdentification = ()>
		+ pallet_session::Config<ValidatorId = <T as frame_system::Config>::AccountId>,
{
	fn new_session(new_index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		let handed = <Self as pallet_session::SessionManager<_>>::new_session(new_index);
		let set = handed.or_else(|| {
			let previous = new_index.checked_sub(1)?;
			if historical::HistoricalSessions::<T>::contains_key(previous) {
				return None;
			}
			Some(pallet_session::Pallet::<T>::queued_keys().into_iter().map(|(v, _)| v).collect())
		})?;
		Some(set.into_iter().map(|v| (v, ())).collect())
	}

	fn new_session_genesis(new_index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		<Self as pallet_session::SessionManager<_>>::new_session_genesis(new_index)
			.map(|set| set.into_iter().map(|v| (v, ())).collect())
	}

	fn start_session(start_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::start_session(start_index);
		let keep = T::HistoryDepth::get();
		if start_index > keep {
			historical::Pallet::<T>::prune_up_to(start_index.saturating_sub(keep));
		}
	}

	fn end_session(end_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::end_session(end_index)
	}
}
