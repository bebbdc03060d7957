use crate::{mock::*, Error, Event, SetChanged, Validators};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

fn give_keys(who: u64) {
	assert_ok!(Session::set_keys(
		RuntimeOrigin::signed(who),
		polkadot_sdk::sp_runtime::testing::UintAuthorityId(who),
		vec![]
	));
}

#[test]
fn genesis_adopts_the_session_set() {
	new_test_ext().execute_with(|| {
		assert_eq!(ValidatorSet::validators(), vec![1, 2, 3]);
		assert_eq!(Session::validators(), vec![1, 2, 3]);
		assert!(!SetChanged::<Test>::get());
		ValidatorSet::do_try_state().unwrap();
	});
}

#[test]
fn added_validator_becomes_active_after_the_next_rotation() {
	new_test_ext().execute_with(|| {
		give_keys(4);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		System::assert_last_event(Event::ValidatorAdded { who: 4 }.into());
		assert_eq!(ValidatorSet::validators(), vec![1, 2, 3, 4]);
		// Still the old set in this session.
		assert_eq!(Session::validators(), vec![1, 2, 3]);

		// First rotation (block 5): the new set is queued for session 2.
		run_to_block(5);
		System::assert_has_event(Event::ValidatorSetQueued { session: 2, count: 4 }.into());
		assert_eq!(Session::current_index(), 1);
		assert_eq!(Session::validators(), vec![1, 2, 3]);
		assert!(!SetChanged::<Test>::get());

		// Second rotation (block 10): it is active.
		run_to_block(10);
		assert_eq!(Session::current_index(), 2);
		assert_eq!(Session::validators(), vec![1, 2, 3, 4]);
		ValidatorSet::do_try_state().unwrap();
	});
}

#[test]
fn removed_validator_leaves_after_the_next_rotation() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ValidatorRemoved { who: 2 }.into());
		assert_eq!(ValidatorSet::validators(), vec![1, 3]);
		run_to_block(10);
		assert_eq!(Session::validators(), vec![1, 3]);
	});
}

#[test]
fn unchanged_set_is_not_handed_over() {
	new_test_ext().execute_with(|| {
		run_to_block(10);
		assert!(System::events().iter().all(|r| !matches!(
			r.event,
			RuntimeEvent::ValidatorSet(Event::ValidatorSetQueued { .. })
		)));
		assert_eq!(Session::validators(), vec![1, 2, 3]);
	});
}

#[test]
fn add_existing_validator_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::AlreadyValidator
		);
	});
}

#[test]
fn add_validator_without_session_keys_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::NoSessionKeys
		);
	});
}

#[test]
fn add_beyond_maximum_fails() {
	new_test_ext().execute_with(|| {
		let full: Vec<u64> = (1..=10).collect();
		Validators::<Test>::put(polkadot_sdk::frame_support::BoundedVec::try_from(full).unwrap());
		give_keys(11);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 11),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn remove_unknown_validator_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 6),
			Error::<Test>::NotValidator
		);
	});
}

#[test]
fn remove_below_minimum_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		// MinValidators is 2 in the mock.
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(ValidatorSet::validators(), vec![1, 2]);
	});
}

#[test]
fn non_admin_origin_is_refused() {
	new_test_ext().execute_with(|| {
		give_keys(4);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 4),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::none(), 2),
			DispatchError::BadOrigin
		);
	});
}

/// pallet-offences' call for one offender reported in `session`.
fn report(offender: u64, session: u32) {
	use polkadot_sdk::sp_staking::offence::{OffenceDetails, OnOffenceHandler};
	let details = [OffenceDetails { offender: (offender, ()), reporters: vec![] }];
	let fraction = [polkadot_sdk::sp_runtime::Perbill::from_percent(50)];
	<ValidatorSet as OnOffenceHandler<u64, (u64, ()), _>>::on_offence(&details, &fraction, session);
}

#[test]
fn an_equivocating_validator_is_disabled_now_and_leaves_at_the_next_rotations() {
	new_test_ext().execute_with(|| {
		// Four active validators: a third of them (one) may be disabled.
		give_keys(4);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		run_to_block(10);
		assert_eq!(Session::validators(), vec![1, 2, 3, 4]);

		report(2, 2);
		System::assert_has_event(Event::OffenderRemoved { who: 2, session: 2 }.into());
		assert_eq!(ValidatorSet::validators(), vec![1, 3, 4]);
		// Disabled at once: BABE refuses blocks it authors for the rest of the session.
		assert_eq!(Session::disabled_validators(), vec![1]);
		assert_eq!(Session::validators(), vec![1, 2, 3, 4]);

		// The next rotation queues the set without it; the one after makes that active.
		run_to_block(15);
		System::assert_has_event(Event::ValidatorSetQueued { session: 4, count: 3 }.into());
		run_to_block(20);
		assert_eq!(Session::validators(), vec![1, 3, 4]);
		ValidatorSet::do_try_state().unwrap();
	});
}

#[test]
fn an_offender_the_set_cannot_lose_stays_and_is_named() {
	new_test_ext().execute_with(|| {
		report(2, 0);
		assert_eq!(ValidatorSet::validators(), vec![1, 3]);
		// Two left and MinValidators is two: the next offender stays.
		report(3, 0);
		System::assert_last_event(Event::OffenderKept { who: 3, session: 0 }.into());
		assert_eq!(ValidatorSet::validators(), vec![1, 3]);
		ValidatorSet::do_try_state().unwrap();
	});
}

#[test]
fn a_second_report_of_a_removed_offender_changes_nothing() {
	new_test_ext().execute_with(|| {
		report(2, 0);
		run_to_block(5);
		let events = System::events().len();
		report(2, 0);
		assert_eq!(ValidatorSet::validators(), vec![1, 3]);
		assert_eq!(System::events().len(), events);
	});
}

#[test]
fn every_session_from_the_second_has_a_root_and_only_history_depth_is_kept() {
	use polkadot_sdk::pallet_session::historical::{HistoricalSessions, StoredRange};
	new_test_ext().execute_with(|| {
		// pallet-session takes the genesis set from its keys: no root for sessions 0 and 1.
		assert!(!HistoricalSessions::<Test>::contains_key(0));
		assert!(!HistoricalSessions::<Test>::contains_key(1));
		// The first rotation hands the unchanged set over, so session 2 has a root; without
		// that, an unchanged set would never get one and no key-ownership proof could be made.
		run_to_block(5);
		assert!(HistoricalSessions::<Test>::contains_key(2));
		assert_eq!(Session::validators(), vec![1, 2, 3]);
		run_to_block(40);
		assert_eq!(Session::current_index(), 8);
		// Roots of sessions 5..=9 (the queued one included); 8 - 3 = 5 is the first kept.
		assert_eq!(StoredRange::<Test>::get(), Some((5, 10)));
		assert!(!HistoricalSessions::<Test>::contains_key(4));
		assert!((5..10).all(HistoricalSessions::<Test>::contains_key));
	});
}
