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
