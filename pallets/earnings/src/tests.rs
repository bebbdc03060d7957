use crate::{mock::*, EarningSource, Earnings as _, EarningsRecord, Event};

#[test]
fn record_adds_to_the_account_and_the_total() {
	new_test_ext().execute_with(|| {
		crate::Pallet::<Test>::record(&1, EarningSource::Validation, 100);
		crate::Pallet::<Test>::record(&1, EarningSource::Compute, 7);
		crate::Pallet::<Test>::record(&2, EarningSource::Validation, 5);

		assert_eq!(
			crate::Pallet::<Test>::earnings_of(&1),
			EarningsRecord { validation: 100, coverage: 0, compute: 7, energy: 0 }
		);
		assert_eq!(crate::Pallet::<Test>::earnings_of(&1).total(), 107);
		assert_eq!(
			crate::Pallet::<Test>::total_earnings(),
			EarningsRecord { validation: 105, coverage: 0, compute: 7, energy: 0 }
		);
		System::assert_has_event(
			Event::Earned { who: 2, source: EarningSource::Validation, amount: 5 }.into(),
		);
		crate::Pallet::<Test>::do_try_state().unwrap();
	});
}

#[test]
fn zero_amounts_are_not_recorded() {
	new_test_ext().execute_with(|| {
		crate::Pallet::<Test>::record(&1, EarningSource::Energy, 0);
		assert!(!crate::Earned::<Test>::contains_key(1));
		assert!(System::events().is_empty());
	});
}

#[test]
fn records_saturate_instead_of_wrapping() {
	new_test_ext().execute_with(|| {
		crate::Pallet::<Test>::record(&1, EarningSource::Coverage, u128::MAX - 1);
		crate::Pallet::<Test>::record(&1, EarningSource::Coverage, 10);
		assert_eq!(crate::Pallet::<Test>::earnings_of(&1).coverage, u128::MAX);
		assert_eq!(crate::Pallet::<Test>::earnings_of(&1).total(), u128::MAX);
	});
}
