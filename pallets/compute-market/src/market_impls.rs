//! Models and providers: registration, the checks they pass, bonds and unbonding.

use crate::{
	types::{
		default_absolute_tolerance, max_absolute_tolerance, DEFAULT_RELATIVE_TOLERANCE_PPM,
		MAX_FRACTION_BITS, MAX_RELATIVE_TOLERANCE_PPM,
	},
	BalanceOf, Config, Error, Event, HoldReason, MinRedundancy, ModelId, ModelInfo, ModelMetaOf,
	ModelOf, ModelProviders, ModelRefusal, Models, Pallet, ProviderInfo, ProviderOf, Providers,
	ValidatorOf, WorkerOf,
};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::*,
		traits::{fungible::MutateHold, tokens::Precision, Contains},
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{traits::Saturating, DispatchResult},
};

impl<T: Config> Pallet<T> {
	// ---- the checks -------------------------------------------------------------------

	/// The caller must be a current validator.
	fn ensure_validator(who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(T::Validators::contains(who), Error::<T>::NotValidator);
		Ok(())
	}

	/// The worker must not serve another current validator. One bound to a validator that
	/// has left the set is free: returns that former validator, whose binding goes.
	fn ensure_worker_free(
		validator: &T::AccountId,
		worker: &T::AccountId,
	) -> Result<Option<T::AccountId>, Error<T>> {
		match ValidatorOf::<T>::get(worker) {
			Some(v) if &v != validator && T::Validators::contains(&v) => {
				Err(Error::<T>::WorkerTaken)
			},
			Some(v) if &v != validator => Ok(Some(v)),
			_ => Ok(None),
		}
	}

	/// The validator `worker` serves, if it is in the set now: only such workers register
	/// and are assigned jobs (DESIGN §5: validators run inference).
	pub(crate) fn serving_validator(worker: &T::AccountId) -> Option<T::AccountId> {
		ValidatorOf::<T>::get(worker).filter(T::Validators::contains)
	}

	/// The caller must be the inference worker of a current validator.
	fn ensure_validator_worker(who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(Self::serving_validator(who).is_some(), Error::<T>::NotValidatorWorker);
		Ok(())
	}

	/// The model must be registered.
	pub(crate) fn ensure_known_model(model: &ModelId) -> Result<ModelOf<T>, Error<T>> {
		Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)
	}

	/// Input and output lengths must be at least 1 and fit the chain's bounds.
	fn ensure_model_shape(input_len: u32, output_len: u32) -> Result<(), Error<T>> {
		let max_input_elements = T::MaxInputLen::get() / 4;
		ensure!(
			(1..=max_input_elements).contains(&input_len)
				&& (1..=T::MaxOutputLen::get()).contains(&output_len),
			Error::<T>::BadModelShape
		);
		Ok(())
	}

	/// Fraction bits must leave room in an i32.
	fn ensure_fraction_bits(bits: u8) -> Result<(), Error<T>> {
		ensure!(bits <= MAX_FRACTION_BITS, Error::<T>::FractionBitsTooHigh);
		Ok(())
	}

	/// Tolerances within their bounds: at most `max_absolute_tolerance(F)` units and
	/// `MAX_RELATIVE_TOLERANCE_PPM`, so a registrar cannot make every output agree.
	fn ensure_tolerances(
		absolute: u32,
		relative_ppm: u32,
		fraction_bits: u8,
	) -> Result<(), Error<T>> {
		ensure!(absolute <= max_absolute_tolerance(fraction_bits), Error::<T>::BadTolerance);
		ensure!(relative_ppm <= MAX_RELATIVE_TOLERANCE_PPM, Error::<T>::BadTolerance);
		Ok(())
	}

	/// The account must be a registered provider.
	pub(crate) fn ensure_provider(who: &T::AccountId) -> Result<ProviderOf<T>, Error<T>> {
		Providers::<T>::get(who).ok_or(Error::<T>::NotProvider)
	}

	/// The model file's size: at least 1 byte, at most `MaxModelSize`.
	fn ensure_model_size(size: u32) -> Result<(), Error<T>> {
		ensure!((1..=T::MaxModelSize::get()).contains(&size), Error::<T>::BadModelSize);
		Ok(())
	}

	/// A URI, when given, is an `http://` or `https://` address of printable ASCII with
	/// something after the scheme.
	fn ensure_fetchable_uri(uri: Option<&[u8]>) -> Result<(), Error<T>> {
		let Some(uri) = uri else { return Ok(()) };
		let rest = uri
			.strip_prefix(b"https://")
			.or_else(|| uri.strip_prefix(b"http://"))
			.ok_or(Error::<T>::BadUri)?;
		ensure!(!rest.is_empty() && uri.iter().all(|c| c.is_ascii_graphic()), Error::<T>::BadUri);
		Ok(())
	}

	/// No model is both served and refused.
	fn ensure_disjoint(
		served: &[ModelId],
		refused: &[(ModelId, ModelRefusal)],
	) -> Result<(), Error<T>> {
		ensure!(
			!refused.iter().any(|(model, _)| served.contains(model)),
			Error::<T>::ServedAndRefused
		);
		Ok(())
	}

	/// Every listed model must be registered, and listed once.
	fn ensure_servable(models: &[ModelId]) -> Result<(), Error<T>> {
		for (i, model) in models.iter().enumerate() {
			ensure!(Models::<T>::contains_key(model), Error::<T>::UnknownModel);
			ensure!(!models[..i].contains(model), Error::<T>::DuplicateModel);
		}
		Ok(())
	}

	/// The provider must not have unregistered.
	fn ensure_not_unbonding(provider: &ProviderOf<T>) -> Result<(), Error<T>> {
		ensure!(provider.unbonding_at.is_none(), Error::<T>::AlreadyUnbonding);
		Ok(())
	}

	/// Holds `amount` for `reason`, or refuses with `InsufficientBalance`.
	pub(crate) fn hold(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<(), Error<T>> {
		T::Currency::hold(&reason.into(), who, amount).map_err(|_| Error::<T>::InsufficientBalance)
	}

	/// Releases up to `amount` held for `reason`.
	pub(crate) fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
		if let Err(e) = T::Currency::release(&reason.into(), who, amount, Precision::BestEffort) {
			log::error!(target: "runtime::compute-market", "release of {reason:?} for {who:?} failed: {e:?}");
		}
	}

	// ---- models -------------------------------------------------------------------------

	/// `register_model`: checks the meta, holds the deposit, stores the model with its
	/// tolerances resolved.
	pub(crate) fn do_register_model(
		who: T::AccountId,
		model_id: ModelId,
		meta: ModelMetaOf<T>,
	) -> DispatchResult {
		ensure!(!Models::<T>::contains_key(model_id), Error::<T>::ModelExists);
		Self::ensure_model_shape(meta.input_len, meta.output_len)?;
		Self::ensure_fraction_bits(meta.fraction_bits)?;
		Self::ensure_model_size(meta.size)?;
		Self::ensure_fetchable_uri(meta.uri.as_ref().map(|uri| uri.as_slice()))?;
		let relative = meta.relative_tolerance_ppm.unwrap_or(DEFAULT_RELATIVE_TOLERANCE_PPM);
		let absolute = meta
			.absolute_tolerance
			.unwrap_or_else(|| default_absolute_tolerance(meta.fraction_bits));
		Self::ensure_tolerances(absolute, relative, meta.fraction_bits)?;
		let deposit = T::ModelDeposit::get();
		Self::hold(HoldReason::ModelDeposit, &who, deposit)?;
		let info = ModelInfo {
			registrar: who.clone(),
			deposit,
			name: meta.name,
			input_len: meta.input_len,
			output_len: meta.output_len,
			fraction_bits: meta.fraction_bits,
			classifier: meta.classifier,
			absolute_tolerance: absolute,
			relative_tolerance_ppm: relative,
			uri: meta.uri,
			open_jobs: 0,
			size: meta.size,
			card: meta.card,
		};
		Models::<T>::insert(model_id, info);
		Self::deposit_event(Event::ModelRegistered { model: model_id, registrar: who, deposit });
		Ok(())
	}

	/// `deregister_model`: registrar only, no open job may use it; providers stop serving
	/// it and the deposit is released.
	pub(crate) fn do_deregister_model(who: T::AccountId, model_id: ModelId) -> DispatchResult {
		let model = Self::ensure_known_model(&model_id)?;
		ensure!(model.registrar == who, Error::<T>::NotRegistrar);
		ensure!(model.open_jobs == 0, Error::<T>::ModelInUse);
		for provider in ModelProviders::<T>::take(model_id) {
			Providers::<T>::mutate(&provider, |p| {
				if let Some(p) = p {
					p.models.retain(|m| m != &model_id);
				}
			});
		}
		Models::<T>::remove(model_id);
		Self::release(HoldReason::ModelDeposit, &who, model.deposit);
		Self::deposit_event(Event::ModelDeregistered { model: model_id });
		Ok(())
	}

	// ---- providers ------------------------------------------------------------------------

	/// Adds `who` to the provider lists of `models`.
	fn list_provider(who: &T::AccountId, models: &[ModelId]) -> DispatchResult {
		// Check all lists first, so a full one changes nothing.
		for model in models {
			let listed = ModelProviders::<T>::decode_len(model).unwrap_or(0);
			ensure!((listed as u32) < T::MaxProvidersPerModel::get(), Error::<T>::TooManyProviders);
		}
		for model in models {
			ModelProviders::<T>::try_mutate(model, |list| list.try_push(who.clone()))
				.map_err(|_| Error::<T>::TooManyProviders)?;
		}
		Ok(())
	}

	/// Removes `who` from the provider lists of `models`.
	pub(crate) fn unlist_provider(who: &T::AccountId, models: &[ModelId]) {
		for model in models {
			ModelProviders::<T>::mutate_exists(model, |list| {
				if let Some(l) = list {
					l.retain(|p| p != who);
					if l.is_empty() {
						*list = None;
					}
				}
			});
		}
	}

	/// `register_provider`: the caller is a current validator's worker; a bond of at least
	/// `MinBond` is held and the provider is listed for each model.
	pub(crate) fn do_register_provider(
		who: T::AccountId,
		bond: BalanceOf<T>,
		models: BoundedVec<ModelId, T::MaxModelsPerProvider>,
	) -> DispatchResult {
		ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyProvider);
		Self::ensure_validator_worker(&who)?;
		Self::add_provider(who, bond, models)
	}

	/// Holds the bond and lists the provider. Genesis adds its providers this way: the
	/// session's set is not consulted at genesis (zombienet, for one, replaces the
	/// validators), and assignment checks the worker's validator anyway.
	pub(crate) fn add_provider(
		who: T::AccountId,
		bond: BalanceOf<T>,
		models: BoundedVec<ModelId, T::MaxModelsPerProvider>,
	) -> DispatchResult {
		ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyProvider);
		ensure!(bond >= T::MinBond::get(), Error::<T>::BondTooLow);
		Self::ensure_servable(&models)?;
		Self::list_provider(&who, &models)?;
		// Holding is the last fallible step: a failure rolls back the listing with the call.
		Self::hold(HoldReason::ProviderBond, &who, bond)?;
		Providers::<T>::insert(
			&who,
			ProviderInfo {
				bond,
				models,
				suspended_until: None,
				unbonding_at: None,
				open_assignments: 0,
				jobs_served: 0,
				strikes: BoundedVec::new(),
			},
		);
		Self::deposit_event(Event::ProviderRegistered { provider: who, bond });
		Ok(())
	}

	/// `bind_worker`: a current validator names its inference worker.
	pub(crate) fn do_bind_worker(validator: T::AccountId, worker: T::AccountId) -> DispatchResult {
		Self::ensure_validator(&validator)?;
		Self::bind(validator, worker)
	}

	/// Binds `worker` to `validator`, replacing the validator's previous worker (genesis
	/// binds without asking the session, whose set is not built yet).
	pub(crate) fn bind(validator: T::AccountId, worker: T::AccountId) -> DispatchResult {
		if let Some(former) = Self::ensure_worker_free(&validator, &worker)? {
			WorkerOf::<T>::remove(&former);
		}
		if let Some(previous) = WorkerOf::<T>::get(&validator) {
			ValidatorOf::<T>::remove(&previous);
		}
		WorkerOf::<T>::insert(&validator, &worker);
		ValidatorOf::<T>::insert(&worker, &validator);
		Self::deposit_event(Event::WorkerBound { validator, worker });
		Ok(())
	}

	/// `update_models`: replaces the served models.
	pub(crate) fn do_update_models(
		who: T::AccountId,
		models: BoundedVec<ModelId, T::MaxModelsPerProvider>,
	) -> DispatchResult {
		let provider = Self::ensure_provider(&who)?;
		Self::ensure_not_unbonding(&provider)?;
		Self::ensure_servable(&models)?;
		Self::replace_models(&who, provider, models)?;
		Self::deposit_event(Event::ProviderModelsUpdated { provider: who });
		Ok(())
	}

	/// `report_models`: the worker's engine serves `served` and refused `refused`; the
	/// served models replace the provider's, each refusal is published.
	pub(crate) fn do_report_models(
		who: T::AccountId,
		served: BoundedVec<ModelId, T::MaxModelsPerProvider>,
		refused: BoundedVec<(ModelId, ModelRefusal), T::MaxModelsPerProvider>,
	) -> DispatchResult {
		let provider = Self::ensure_provider(&who)?;
		Self::ensure_not_unbonding(&provider)?;
		Self::ensure_servable(&served)?;
		let refused_ids: Vec<ModelId> = refused.iter().map(|(model, _)| *model).collect();
		Self::ensure_servable(&refused_ids)?;
		Self::ensure_disjoint(&served, &refused)?;
		Self::replace_models(&who, provider, served)?;
		for (model, reason) in refused {
			Self::deposit_event(Event::ModelRefused { model, provider: who.clone(), reason });
		}
		Ok(())
	}

	/// Replaces the models `who` serves with `models` (registered, each once), relisting
	/// it, with a `ModelServed` or `ModelNoLongerServed` event for each change.
	fn replace_models(
		who: &T::AccountId,
		mut provider: ProviderOf<T>,
		models: BoundedVec<ModelId, T::MaxModelsPerProvider>,
	) -> DispatchResult {
		Self::unlist_provider(who, &provider.models);
		Self::list_provider(who, &models)?;
		for model in provider.models.iter().filter(|m| !models.contains(m)) {
			Self::deposit_event(Event::ModelNoLongerServed {
				model: *model,
				provider: who.clone(),
			});
		}
		for model in models.iter().filter(|m| !provider.models.contains(m)) {
			Self::deposit_event(Event::ModelServed { model: *model, provider: who.clone() });
		}
		provider.models = models;
		Providers::<T>::insert(who, provider);
		Ok(())
	}

	/// `unregister_provider`: refused while assigned to open jobs; unlists the provider and
	/// starts the unbonding period.
	pub(crate) fn do_unregister_provider(who: T::AccountId) -> DispatchResult {
		let mut provider = Self::ensure_provider(&who)?;
		Self::ensure_not_unbonding(&provider)?;
		ensure!(provider.open_assignments == 0, Error::<T>::HasOpenAssignments);
		Self::unlist_provider(&who, &provider.models);
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		provider.unbonding_at = Some(unlock_at);
		provider.models = BoundedVec::new();
		Providers::<T>::insert(&who, provider);
		Self::deposit_event(Event::ProviderUnbonding { provider: who, unlock_at });
		Ok(())
	}

	/// `withdraw_bond`: after the unbonding period, releases the bond and forgets the
	/// provider.
	pub(crate) fn do_withdraw_bond(who: T::AccountId) -> DispatchResult {
		let provider = Self::ensure_provider(&who)?;
		let unlock_at = provider.unbonding_at.ok_or(Error::<T>::NotUnbonding)?;
		ensure!(frame_system::Pallet::<T>::block_number() >= unlock_at, Error::<T>::StillUnbonding);
		Providers::<T>::remove(&who);
		Self::release(HoldReason::ProviderBond, &who, provider.bond);
		Self::deposit_event(Event::BondWithdrawn { provider: who, amount: provider.bond });
		Ok(())
	}

	/// Whether provider `who` may be assigned a job now: the worker of a current validator,
	/// bonded at least `MinBond`, not unbonding, not suspended.
	pub(crate) fn is_eligible(
		who: &T::AccountId,
		provider: &ProviderOf<T>,
		now: BlockNumberFor<T>,
	) -> bool {
		Self::serving_validator(who).is_some()
			&& provider.bond >= T::MinBond::get()
			&& provider.unbonding_at.is_none()
			&& provider.suspended_until.is_none_or(|until| now >= until)
	}

	/// `set_min_redundancy`: between 1 and `MaxRedundancy`.
	pub(crate) fn do_set_min_redundancy(n: u32) -> DispatchResult {
		ensure!((1..=T::MaxRedundancy::get()).contains(&n), Error::<T>::BadMinRedundancy);
		MinRedundancy::<T>::put(n);
		Self::deposit_event(Event::MinRedundancySet { n });
		Ok(())
	}
}
