//! Benchmarks of the validator set, worst cases: the set holds `MaxValidators - 1`
//! validators when one is added, `MaxValidators` when one is removed (the last one).

use crate::{BenchmarkHelper, Call, Config, Pallet, Validators};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		traits::{EnsureOrigin, Get},
		BoundedVec,
	},
};

fn fill_set<T: Config>(count: u32) -> Vec<T::AccountId> {
	let members: Vec<T::AccountId> =
		(0..count).map(|i| account::<T::AccountId>("validator", i, 0)).collect();
	Validators::<T>::put(BoundedVec::try_from(members.clone()).expect("count <= MaxValidators"));
	members
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let max = T::MaxValidators::get();
		fill_set::<T>(max.saturating_sub(1));
		let who: T::AccountId = account("joiner", 0, 0);
		T::BenchmarkHelper::register_keys(&who);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Validators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let max = T::MaxValidators::get();
		let members = fill_set::<T>(max);
		let who = members.last().cloned().expect("MaxValidators >= 2");
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
