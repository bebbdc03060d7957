//! `do_try_state`: the invariants the compute market keeps, checked by `try-runtime` and
//! after every mock test.

use crate::{
	Assignments, BalanceOf, Config, Due, Expiring, HoldReason, Jobs, ModelProviders, Models,
	OpenJobs, OpenJobsOf, Pallet, Providers,
};
use assay_primitives::storage_checks::map_decodes;
use polkadot_sdk::frame_support::traits::GetStorageVersion;
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::InspectHold},
	sp_runtime::traits::Saturating,
};

impl<T: Config> Pallet<T> {
	/// The invariants: escrow held equals open jobs' fees, bonds held equal providers'
	/// bonds, deposits held equal models' deposits, and the counters and indexes match.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		ensure!(
			Self::on_chain_storage_version() == crate::STORAGE_VERSION,
			"the stored layout version is not this code's"
		);
		map_decodes::<_, _, crate::ModelProviders<T>>("ModelProviders does not decode")?;
		for (validator, worker) in crate::WorkerOf::<T>::iter() {
			ensure!(
				crate::ValidatorOf::<T>::get(&worker) == Some(validator),
				"a validator's worker does not name it back"
			);
		}
		ensure!(
			crate::WorkerOf::<T>::iter_keys().count()
				== crate::ValidatorOf::<T>::iter_keys().count(),
			"workers and validators are not paired one to one"
		);
		map_decodes::<_, _, crate::Due<T>>("Due does not decode")?;
		map_decodes::<_, _, crate::Expiring<T>>("Expiring does not decode")?;
		map_decodes::<_, _, crate::Providers<T>>("Providers does not decode")?;
		map_decodes::<_, _, crate::Jobs<T>>("Jobs does not decode")?;
		use alloc::collections::btree_map::BTreeMap;
		let mut escrow: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut open = 0u32;
		let mut per_model: BTreeMap<crate::ModelId, u32> = BTreeMap::new();
		let mut per_worker: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut per_owner: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (id, job) in Jobs::<T>::iter() {
			let entry = escrow.entry(job.owner.clone()).or_default();
			if job.is_open() {
				*entry = entry.saturating_add(job.fee);
				open = open.saturating_add(1);
				*per_model.entry(job.model).or_default() += 1;
				*per_owner.entry(job.owner.clone()).or_default() += 1;
				ensure!(
					Due::<T>::get(job.due).iter().filter(|j| **j == id).count() == 1,
					"an open job is not due exactly once where it says"
				);
				for a in job.assignments.iter() {
					if Assignments::<T>::contains_key(&a.worker, id) {
						*per_worker.entry(a.worker.clone()).or_default() += 1;
					}
				}
			} else {
				ensure!(
					Expiring::<T>::get(job.due).contains(&id),
					"a finished job is not set to expire"
				);
			}
		}
		let escrow_reason = HoldReason::JobEscrow.into();
		for (owner, fees) in escrow {
			ensure!(
				T::Currency::balance_on_hold(&escrow_reason, &owner) == fees,
				"escrow held differs from the sum of open jobs' fees"
			);
		}
		ensure!(OpenJobs::<T>::get() == open, "OpenJobs differs from the open jobs");
		ensure!(
			OpenJobsOf::<T>::iter().collect::<BTreeMap<_, _>>() == per_owner,
			"OpenJobsOf differs from each account's open jobs"
		);
		let due_entries: usize = Due::<T>::iter_values().map(|l| l.len()).sum();
		ensure!(due_entries as u32 == open, "the due lists hold other than the open jobs");
		ensure!(
			Assignments::<T>::iter().count() as u32 == per_worker.values().sum::<u32>(),
			"an assignment names a job that is not open or does not list the worker"
		);

		let bond_reason = HoldReason::ProviderBond.into();
		for (who, provider) in Providers::<T>::iter() {
			ensure!(
				T::Currency::balance_on_hold(&bond_reason, &who) == provider.bond,
				"bond held differs from the provider's bond"
			);
			ensure!(
				provider.open_assignments == per_worker.get(&who).copied().unwrap_or(0),
				"a provider's open assignments differ from its assignments"
			);
			for model in provider.models.iter() {
				ensure!(
					ModelProviders::<T>::get(model).contains(&who),
					"a served model does not list its provider"
				);
			}
		}
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, model) in Models::<T>::iter() {
			let entry = deposits.entry(model.registrar.clone()).or_default();
			*entry = entry.saturating_add(model.deposit);
			ensure!(
				model.open_jobs == per_model.get(&id).copied().unwrap_or(0),
				"a model's open-job count differs from its open jobs"
			);
		}
		let deposit_reason = HoldReason::ModelDeposit.into();
		for (who, amount) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&deposit_reason, &who) == amount,
				"deposit held differs from the registrar's models' deposits"
			);
		}
		for (model, providers) in ModelProviders::<T>::iter() {
			for who in providers.iter() {
				ensure!(
					Providers::<T>::get(who).is_some_and(|p| p.models.contains(&model)),
					"a model lists a provider that does not serve it"
				);
			}
		}
		Ok(())
	}
}
