//! Mock-runtime tests of the compute market. Every test ends by checking the pallet's
//! invariants (`do_try_state`): escrow held equals open jobs' fees, bonds held equal
//! providers' bonds, deposits held equal models' deposits.

use crate::{
	mock::*, Assignments, Error, Event, HoldReason, InferenceFailure, JobFailure, JobId, JobPhase,
	Jobs, MinRedundancy, ModelProviders, Models, OpenJobs, Providers, SlashReason, StrikeReason,
	WorkState, ASSIGNMENT_DOMAIN,
};
use assay_primitives::{derive_seed, EarningSource};
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{
			fungible::{Inspect, InspectHold, Mutate},
			Hooks,
		},
		BoundedVec,
	},
	frame_system::RawOrigin,
	sp_crypto_hashing::blake2_256,
	sp_runtime::DispatchError,
};

// ---- helpers ----------------------------------------------------------------------------------

fn signed(who: AccountId) -> RuntimeOrigin {
	RawOrigin::Signed(who).into()
}

fn escrow(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &who)
}

fn bond_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ProviderBond.into(), &who)
}

/// Submits a job for `MODEL` from Alice with the standard fee; returns its id.
fn submit(n: u32, k: u32) -> JobId {
	submit_for(MODEL, n, k)
}

fn submit_for(model: crate::ModelId, n: u32, k: u32) -> JobId {
	submit_by(ALICE, model, n, k)
}

fn submit_by(who: AccountId, model: crate::ModelId, n: u32, k: u32) -> JobId {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(ComputeMarket::submit_job(signed(who), model, input(), FEE, n, k));
	id
}

/// Finishes this block and the next: what became due now (assignment of a job submitted
/// in this block, finalization after the last reveal) happens at the end of the next block.
fn settle() {
	run_to_block(System::block_number() + 2);
}

fn workers_of(job: JobId) -> Vec<AccountId> {
	Jobs::<Test>::get(job).unwrap().assignments.iter().map(|a| a.worker).collect()
}

fn commit(job: JobId, who: AccountId, values: &[i32]) {
	assert_ok!(ComputeMarket::commit_result(signed(who), job, commit_hash(job, who, values)));
}

fn reveal(job: JobId, who: AccountId, values: &[i32]) {
	assert_ok!(ComputeMarket::reveal_result(signed(who), job, output(values), salt(who)));
}

/// Each worker commits, then each reveals, its own output.
fn serve(job: JobId, outputs: &[(AccountId, &[i32])]) {
	for (who, values) in outputs {
		commit(job, *who, values);
	}
	for (who, values) in outputs {
		reveal(job, *who, values);
	}
}

fn phase(job: JobId) -> JobPhase<u64> {
	Jobs::<Test>::get(job).unwrap().phase
}

fn result(job: JobId) -> Vec<i32> {
	Jobs::<Test>::get(job).unwrap().result.unwrap().into_inner()
}

fn earned(who: AccountId) -> Balance {
	Balance::try_from(assay_primitives::testing::earned(&who, EarningSource::Compute))
		.expect("fits the mock's balance")
}

fn strikes(who: AccountId) -> usize {
	Providers::<Test>::get(who).unwrap().strikes.len()
}

const HONEST: [i32; 3] = [65_536, -1_000, 250_000];

// ---- models -----------------------------------------------------------------------------------

#[test]
fn registering_a_model_resolves_default_tolerances_and_holds_the_deposit() {
	test(|| {
		let id = [9u8; 32];
		assert_ok!(ComputeMarket::register_model(signed(BOB), id, meta(4, 2, false)));
		let model = Models::<Test>::get(id).unwrap();
		assert_eq!((model.absolute_tolerance, model.relative_tolerance_ppm), (8, 1_000));
		assert_eq!((model.input_len, model.output_len, model.fraction_bits), (4, 2, 16));
		assert_eq!(Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &BOB), 100);
		System::assert_last_event(
			Event::ModelRegistered { model: id, registrar: BOB, deposit: 100 }.into(),
		);

		// Explicit tolerances are kept; F = 8 would default to 1 unit.
		let mut m = meta(1, 1, false);
		m.fraction_bits = 8;
		assert_ok!(ComputeMarket::register_model(signed(BOB), [10u8; 32], m.clone()));
		assert_eq!(Models::<Test>::get([10u8; 32]).unwrap().absolute_tolerance, 1);
		m.absolute_tolerance = Some(3);
		m.relative_tolerance_ppm = Some(50);
		assert_ok!(ComputeMarket::register_model(signed(BOB), [11u8; 32], m));
		let model = Models::<Test>::get([11u8; 32]).unwrap();
		assert_eq!((model.absolute_tolerance, model.relative_tolerance_ppm), (3, 50));
	});
}

#[test]
fn model_registration_errors_change_nothing() {
	test(|| {
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), MODEL, meta(2, 3, false)),
			Error::<Test>::ModelExists
		);
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], meta(0, 3, false)),
			Error::<Test>::BadModelShape
		);
		// MaxInputLen is 64 bytes: 16 elements.
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], meta(17, 3, false)),
			Error::<Test>::BadModelShape
		);
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], meta(2, 9, false)),
			Error::<Test>::BadModelShape
		);
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], meta(2, 0, false)),
			Error::<Test>::BadModelShape
		);
		// A size of 0, or above MaxModelSize (1,000,000 in the mock).
		for size in [0, 1_000_001] {
			let mut m = meta(2, 3, false);
			m.size = size;
			assert_noop!(
				ComputeMarket::register_model(signed(BOB), [9u8; 32], m),
				Error::<Test>::BadModelSize
			);
		}
		// Only http(s) addresses of printable ASCII that name something.
		for uri in [&b"ftp://x/m.onnx"[..], b"models/m.onnx", b"https://", b"http://a b/m.onnx"] {
			let mut m = meta(2, 3, false);
			m.uri = Some(BoundedVec::truncate_from(uri.to_vec()));
			assert_noop!(
				ComputeMarket::register_model(signed(BOB), [9u8; 32], m),
				Error::<Test>::BadUri
			);
		}
		let mut m = meta(2, 3, false);
		m.uri = Some(BoundedVec::truncate_from(b"http://127.0.0.1:8000/m.onnx".to_vec()));
		assert_ok!(ComputeMarket::register_model(signed(BOB), [8u8; 32], m));
		let mut m = meta(2, 3, false);
		m.fraction_bits = 25;
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], m),
			Error::<Test>::FractionBitsTooHigh
		);
		let mut m = meta(2, 3, false);
		m.relative_tolerance_ppm = Some(1_000_001);
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], m),
			Error::<Test>::BadTolerance
		);
		assert_noop!(
			ComputeMarket::register_model(signed(PAUPER), [9u8; 32], meta(2, 3, false)),
			Error::<Test>::InsufficientBalance
		);
	});
}

/// Issue 15, item 13. Before: a registrar could declare `absolute_tolerance = u32::MAX` (or
/// 100 % relative), and every pair of outputs agreed: any worker's output became the
/// result. Now tolerances are bounded (`2^(F−4)` units, 50 000 ppm).
#[test]
fn a_model_cannot_declare_a_tolerance_that_makes_every_output_agree() {
	test(|| {
		for (absolute, relative) in [(Some(u32::MAX), None), (None, Some(1_000_000))] {
			let mut m = meta(2, 3, false);
			m.absolute_tolerance = absolute;
			m.relative_tolerance_ppm = relative;
			assert_noop!(
				ComputeMarket::register_model(signed(BOB), [9u8; 32], m),
				Error::<Test>::BadTolerance
			);
		}
		// One unit above the bounds, then at them (F = 16: 4,096 units).
		let mut m = meta(2, 3, false);
		m.absolute_tolerance = Some(4_097);
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], m.clone()),
			Error::<Test>::BadTolerance
		);
		m.absolute_tolerance = Some(4_096);
		m.relative_tolerance_ppm = Some(50_001);
		assert_noop!(
			ComputeMarket::register_model(signed(BOB), [9u8; 32], m.clone()),
			Error::<Test>::BadTolerance
		);
		m.relative_tolerance_ppm = Some(50_000);
		assert_ok!(ComputeMarket::register_model(signed(BOB), [9u8; 32], m));
	});
}

#[test]
fn deregistering_a_model_returns_the_deposit_and_unlists_it() {
	test(|| {
		assert_noop!(
			ComputeMarket::deregister_model(signed(ALICE), [9u8; 32]),
			Error::<Test>::UnknownModel
		);
		assert_noop!(
			ComputeMarket::deregister_model(signed(BOB), MODEL),
			Error::<Test>::NotRegistrar
		);
		let job = submit(3, 2);
		assert_noop!(
			ComputeMarket::deregister_model(signed(ALICE), MODEL),
			Error::<Test>::ModelInUse
		);
		assert_ok!(ComputeMarket::cancel_job(signed(ALICE), job));

		assert_ok!(ComputeMarket::deregister_model(signed(ALICE), MODEL));
		assert!(Models::<Test>::get(MODEL).is_none());
		assert!(ModelProviders::<Test>::get(MODEL).is_empty());
		for w in WORKERS {
			assert_eq!(Providers::<Test>::get(w).unwrap().models.into_inner(), vec![CLASSIFIER]);
		}
		// The classifier's deposit is still held.
		assert_eq!(Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &ALICE), 100);
		System::assert_last_event(Event::ModelDeregistered { model: MODEL }.into());
	});
}

// ---- providers -----------------------------------------------------------------------------------

#[test]
fn providers_register_with_a_bond_and_update_their_models() {
	test(|| {
		bind(OUTSIDER);
		assert_ok!(ComputeMarket::register_provider(
			signed(OUTSIDER),
			1_500,
			BoundedVec::truncate_from(vec![MODEL])
		));
		assert_eq!(bond_held(OUTSIDER), 1_500);
		assert!(ModelProviders::<Test>::get(MODEL).contains(&OUTSIDER));
		System::assert_last_event(
			Event::ProviderRegistered { provider: OUTSIDER, bond: 1_500 }.into(),
		);

		assert_ok!(ComputeMarket::update_models(
			signed(OUTSIDER),
			BoundedVec::truncate_from(vec![CLASSIFIER])
		));
		assert!(!ModelProviders::<Test>::get(MODEL).contains(&OUTSIDER));
		assert!(ModelProviders::<Test>::get(CLASSIFIER).contains(&OUTSIDER));
		System::assert_last_event(Event::ProviderModelsUpdated { provider: OUTSIDER }.into());
		System::assert_has_event(
			Event::ModelNoLongerServed { model: MODEL, provider: OUTSIDER }.into(),
		);
		System::assert_has_event(
			Event::ModelServed { model: CLASSIFIER, provider: OUTSIDER }.into(),
		);
	});
}

/// DESIGN §11: the worker reports what its engine serves and refuses. Served models become
/// its models (it is assigned only those), and each change and refusal is an event.
#[test]
fn a_workers_report_sets_what_it_serves_and_publishes_refusals() {
	use crate::ModelRefusal;
	test(|| {
		let worker = WORKERS[0];
		assert_ok!(ComputeMarket::register_model(signed(BOB), [9u8; 32], meta(2, 3, false)));
		System::reset_events();
		assert_ok!(ComputeMarket::report_models(
			signed(worker),
			BoundedVec::truncate_from(vec![MODEL, [9u8; 32]]),
			BoundedVec::truncate_from(vec![(CLASSIFIER, ModelRefusal::WrongHash)]),
		));
		assert_eq!(
			Providers::<Test>::get(worker).unwrap().models.into_inner(),
			vec![MODEL, [9u8; 32]]
		);
		assert!(ModelProviders::<Test>::get([9u8; 32]).contains(&worker));
		assert!(!ModelProviders::<Test>::get(CLASSIFIER).contains(&worker));
		let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();
		assert_eq!(
			events,
			vec![
				Event::ModelNoLongerServed { model: CLASSIFIER, provider: worker }.into(),
				Event::ModelServed { model: [9u8; 32], provider: worker }.into(),
				Event::ModelRefused {
					model: CLASSIFIER,
					provider: worker,
					reason: ModelRefusal::WrongHash
				}
				.into(),
			]
		);
		// A classifier job now goes to the other two workers only.
		let job = submit_for(CLASSIFIER, 2, 2);
		settle();
		assert!(!workers_of(job).contains(&worker));
	});
}

#[test]
fn bad_model_reports_change_nothing() {
	use crate::ModelRefusal;
	test(|| {
		let report =
			|who, served: Vec<crate::ModelId>, refused: Vec<(crate::ModelId, ModelRefusal)>| {
				ComputeMarket::report_models(
					signed(who),
					BoundedVec::truncate_from(served),
					BoundedVec::truncate_from(refused),
				)
			};
		assert_noop!(report(OUTSIDER, vec![MODEL], vec![]), Error::<Test>::NotProvider);
		let worker = WORKERS[0];
		assert_noop!(report(worker, vec![[9u8; 32]], vec![]), Error::<Test>::UnknownModel);
		assert_noop!(
			report(worker, vec![], vec![([9u8; 32], ModelRefusal::Unreachable)]),
			Error::<Test>::UnknownModel
		);
		assert_noop!(report(worker, vec![MODEL, MODEL], vec![]), Error::<Test>::DuplicateModel);
		assert_noop!(
			report(worker, vec![MODEL], vec![(MODEL, ModelRefusal::TooLarge)]),
			Error::<Test>::ServedAndRefused
		);
	});
}

/// Storage version 1 → 2: a model record written without `size` reads back with size 0,
/// everything else kept; the migration runs once (at version 1 only).
#[test]
fn models_of_storage_version_one_migrate_with_size_zero() {
	use crate::migrations::v2::{MigrateV1ToV2, ModelInfoV1Of};
	use polkadot_sdk::frame_support::{
		storage::unhashed,
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	};
	test(|| {
		let before = Models::<Test>::get(MODEL).unwrap();
		let old: ModelInfoV1Of<Test> = crate::migrations::v2::ModelInfoV1 {
			registrar: before.registrar,
			deposit: before.deposit,
			name: before.name.clone(),
			input_len: before.input_len,
			output_len: before.output_len,
			fraction_bits: before.fraction_bits,
			classifier: before.classifier,
			absolute_tolerance: before.absolute_tolerance,
			relative_tolerance_ppm: before.relative_tolerance_ppm,
			uri: before.uri.clone(),
			open_jobs: before.open_jobs,
		};
		unhashed::put(&Models::<Test>::hashed_key_for(MODEL), &old);
		StorageVersion::new(1).put::<ComputeMarket>();
		// Under version 1's layout the record does not decode as version 2's.
		assert!(Models::<Test>::get(MODEL).is_none());

		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		let after = Models::<Test>::get(MODEL).unwrap();
		assert_eq!(after.size, 0);
		assert_eq!(after.card, None);
		assert_eq!(after.open_jobs, before.open_jobs);
		assert_eq!(after.registrar, before.registrar);
		assert_eq!(after.name, before.name);
		assert_eq!(after.input_len, before.input_len);
		assert_eq!(ComputeMarket::on_chain_storage_version(), StorageVersion::new(2));
		// Again: nothing happens at version 2.
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Models::<Test>::get(MODEL).unwrap().size, 0);
	});
}

#[test]
fn provider_registration_errors_change_nothing() {
	test(|| {
		let models = |m: Vec<crate::ModelId>| BoundedVec::truncate_from(m);
		// Only a current validator's worker registers.
		assert_noop!(
			ComputeMarket::register_provider(signed(OUTSIDER), BOND, models(vec![MODEL])),
			Error::<Test>::NotValidatorWorker
		);
		bind(OUTSIDER);
		bind(PAUPER);
		assert_noop!(
			ComputeMarket::register_provider(signed(WORKERS[0]), BOND, models(vec![MODEL])),
			Error::<Test>::AlreadyProvider
		);
		assert_noop!(
			ComputeMarket::register_provider(signed(OUTSIDER), 999, models(vec![MODEL])),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			ComputeMarket::register_provider(signed(OUTSIDER), BOND, models(vec![[9u8; 32]])),
			Error::<Test>::UnknownModel
		);
		assert_noop!(
			ComputeMarket::register_provider(signed(OUTSIDER), BOND, models(vec![MODEL, MODEL])),
			Error::<Test>::DuplicateModel
		);
		assert_noop!(
			ComputeMarket::register_provider(signed(PAUPER), BOND, models(vec![MODEL])),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			ComputeMarket::update_models(signed(OUTSIDER), models(vec![MODEL])),
			Error::<Test>::NotProvider
		);
		assert_noop!(
			ComputeMarket::update_models(signed(WORKERS[0]), models(vec![[9u8; 32]])),
			Error::<Test>::UnknownModel
		);
		// MaxProvidersPerModel is 8: three are listed, five more fit, the ninth does not.
		for who in 100..105 {
			Balances::set_balance(&who, ENDOWMENT);
			bind(who);
			assert_ok!(ComputeMarket::register_provider(signed(who), BOND, models(vec![MODEL])));
		}
		assert_noop!(
			ComputeMarket::register_provider(
				signed(OUTSIDER),
				BOND,
				models(vec![CLASSIFIER, MODEL])
			),
			Error::<Test>::TooManyProviders
		);
	});
}

#[test]
fn unbonding_releases_the_bond_after_the_period() {
	test(|| {
		let w = WORKERS[0];
		assert_noop!(ComputeMarket::withdraw_bond(signed(w)), Error::<Test>::NotUnbonding);
		assert_noop!(
			ComputeMarket::unregister_provider(signed(OUTSIDER)),
			Error::<Test>::NotProvider
		);
		assert_noop!(ComputeMarket::withdraw_bond(signed(OUTSIDER)), Error::<Test>::NotProvider);

		let job = submit(3, 2);
		settle();
		assert_noop!(
			ComputeMarket::unregister_provider(signed(w)),
			Error::<Test>::HasOpenAssignments
		);
		serve(job, &[(10, &HONEST), (11, &HONEST), (12, &HONEST)]);
		settle();
		assert!(matches!(phase(job), JobPhase::Completed { .. }));

		assert_ok!(ComputeMarket::unregister_provider(signed(w)));
		let unlock_at = System::block_number() + 50;
		System::assert_last_event(Event::ProviderUnbonding { provider: w, unlock_at }.into());
		assert!(!ModelProviders::<Test>::get(MODEL).contains(&w));
		assert_noop!(
			ComputeMarket::unregister_provider(signed(w)),
			Error::<Test>::AlreadyUnbonding
		);
		assert_noop!(
			ComputeMarket::update_models(signed(w), BoundedVec::truncate_from(vec![MODEL])),
			Error::<Test>::AlreadyUnbonding
		);
		assert_noop!(ComputeMarket::withdraw_bond(signed(w)), Error::<Test>::StillUnbonding);

		run_to_block(unlock_at);
		let free = Balances::balance(&w);
		assert_ok!(ComputeMarket::withdraw_bond(signed(w)));
		assert_eq!(Balances::balance(&w), free + BOND);
		assert_eq!(bond_held(w), 0);
		assert!(Providers::<Test>::get(w).is_none());
		System::assert_last_event(Event::BondWithdrawn { provider: w, amount: BOND }.into());
	});
}

// ---- submission and cancellation --------------------------------------------------------------

#[test]
fn submitting_holds_the_fee_and_cancelling_refunds_it_in_full() {
	test(|| {
		let free = Balances::balance(&ALICE);
		let job = submit(3, 2);
		assert_eq!(escrow(ALICE), FEE);
		assert_eq!(Balances::balance(&ALICE), free - FEE);
		System::assert_last_event(
			Event::JobSubmitted { job, owner: ALICE, model: MODEL, fee: FEE, n: 3, k: 2 }.into(),
		);
		assert_eq!(phase(job), JobPhase::Pending);

		assert_noop!(ComputeMarket::cancel_job(signed(BOB), job), Error::<Test>::NotJobOwner);
		assert_noop!(ComputeMarket::cancel_job(signed(ALICE), 99), Error::<Test>::UnknownJob);
		let issuance = Balances::total_issuance();
		assert_ok!(ComputeMarket::cancel_job(signed(ALICE), job));
		// Refunded less UnservedJobFee, which is burned.
		assert_eq!(Balances::balance(&ALICE), free - 2);
		assert_eq!(Balances::total_issuance(), issuance - 2);
		assert_eq!(escrow(ALICE), 0);
		assert!(Jobs::<Test>::get(job).is_none());
		assert_eq!(OpenJobs::<Test>::get(), 0);
		System::assert_last_event(Event::JobCancelled { job, retained: 2 }.into());

		// Nothing happens for it in the next block.
		settle();
		assert!(Jobs::<Test>::get(job).is_none());
	});
}

#[test]
fn an_assigned_job_can_no_longer_be_cancelled() {
	test(|| {
		let job = submit(3, 2);
		settle();
		assert_noop!(ComputeMarket::cancel_job(signed(ALICE), job), Error::<Test>::AlreadyAssigned);
	});
}

#[test]
fn submission_errors_change_nothing() {
	test(|| {
		let submit_with = |model, input, fee, n, k| {
			ComputeMarket::submit_job(signed(ALICE), model, input, fee, n, k)
		};
		assert_noop!(submit_with([9u8; 32], input(), FEE, 3, 2), Error::<Test>::UnknownModel);
		// A row and a half.
		let mut ragged = input().into_inner();
		ragged.extend_from_slice(&[0, 0, 0, 0]);
		assert_noop!(
			submit_with(MODEL, BoundedVec::truncate_from(ragged), FEE, 3, 2),
			Error::<Test>::InputNotWholeRows
		);
		// Three rows need 9 outputs; MaxOutputLen is 8.
		assert_noop!(
			submit_with(MODEL, BoundedVec::truncate_from(input().repeat(3)), FEE * 3, 3, 2),
			Error::<Test>::InputTooLarge
		);
		let mut short = input().into_inner();
		short.pop();
		assert_noop!(
			submit_with(MODEL, BoundedVec::truncate_from(short), FEE, 3, 2),
			Error::<Test>::InputTooShort
		);
		assert_noop!(
			submit_with(MODEL, BoundedVec::truncate_from(vec![]), FEE, 3, 2),
			Error::<Test>::InputTooShort
		);
		// Two rows: MinJobFee (10) for each.
		assert_noop!(
			submit_with(MODEL, BoundedVec::truncate_from(input().repeat(2)), 19, 3, 2),
			Error::<Test>::FeeTooLow
		);
		assert_noop!(submit_with(MODEL, input(), FEE, 6, 2), Error::<Test>::BadRedundancy);
		assert_noop!(submit_with(MODEL, input(), FEE, 0, 0), Error::<Test>::BadRedundancy);
		assert_noop!(submit_with(MODEL, input(), FEE, 2, 3), Error::<Test>::BadQuorum);
		assert_noop!(submit_with(MODEL, input(), FEE, 3, 0), Error::<Test>::BadQuorum);
		assert_noop!(submit_with(MODEL, input(), 9, 3, 2), Error::<Test>::FeeTooLow);
		assert_noop!(
			ComputeMarket::submit_job(signed(PAUPER), MODEL, input(), FEE, 3, 2),
			Error::<Test>::InsufficientBalance
		);
		// MaxOpenJobsPerAccount is 4, MaxOpenJobs 8.
		for _ in 0..4 {
			submit(1, 1);
		}
		assert_noop!(
			submit_with(MODEL, input(), FEE, 1, 1),
			Error::<Test>::TooManyOpenJobsOfAccount
		);
		for _ in 0..4 {
			submit_by(BOB, MODEL, 1, 1);
		}
		assert_noop!(
			ComputeMarket::submit_job(signed(OUTSIDER), MODEL, input(), FEE, 1, 1),
			Error::<Test>::TooManyOpenJobs
		);
	});
}

#[test]
fn governance_sets_the_minimum_redundancy() {
	test(|| {
		assert_noop!(ComputeMarket::set_min_redundancy(signed(ALICE), 2), DispatchError::BadOrigin);
		assert_noop!(
			ComputeMarket::set_min_redundancy(RawOrigin::Root.into(), 0),
			Error::<Test>::BadMinRedundancy
		);
		assert_noop!(
			ComputeMarket::set_min_redundancy(RawOrigin::Root.into(), 6),
			Error::<Test>::BadMinRedundancy
		);
		assert_ok!(ComputeMarket::set_min_redundancy(RawOrigin::Root.into(), 3));
		assert_eq!(MinRedundancy::<Test>::get(), 3);
		System::assert_last_event(Event::MinRedundancySet { n: 3 }.into());
		assert_noop!(
			ComputeMarket::submit_job(signed(ALICE), MODEL, input(), FEE, 2, 1),
			Error::<Test>::BadRedundancy
		);
		submit(3, 2);
	});
}

// ---- assignment ----------------------------------------------------------------------------------

#[test]
fn assignment_picks_the_lowest_hashes_with_randomness_from_the_next_block() {
	test(|| {
		for who in [30, 31, 32] {
			Balances::set_balance(&who, ENDOWMENT);
			bind(who);
			assert_ok!(ComputeMarket::register_provider(
				signed(who),
				BOND,
				BoundedVec::truncate_from(vec![MODEL])
			));
		}
		let job = submit(3, 2);
		// The block's randomness is set after submission: it could not be known then.
		let randomness = [42u8; 32];
		assay_primitives::testing::set_randomness(Some(randomness));
		settle();

		let seed = derive_seed(ASSIGNMENT_DOMAIN, &randomness, &job.encode());
		let mut ranked: Vec<([u8; 32], AccountId)> = [10, 11, 12, 30, 31, 32]
			.iter()
			.map(|w| ((seed, w).using_encoded(blake2_256), *w))
			.collect();
		ranked.sort();
		let expected: Vec<AccountId> = ranked.iter().take(3).map(|(_, w)| *w).collect();
		assert_eq!(workers_of(job), expected);
		for w in &expected {
			assert!(Assignments::<Test>::contains_key(w, job));
			assert_eq!(ComputeMarket::assignments_of(w), vec![job]);
		}
		assert_eq!(phase(job), JobPhase::Committing { until: 12 });
		System::assert_last_event(
			Event::JobAssigned {
				job,
				workers: BoundedVec::truncate_from(expected),
				commit_until: 12,
			}
			.into(),
		);
	});
}

#[test]
fn without_randomness_assignment_waits_a_block() {
	test(|| {
		let job = submit(3, 2);
		assay_primitives::testing::set_randomness(None);
		settle();
		assert_eq!(phase(job), JobPhase::Pending);
		assay_primitives::testing::set_randomness(Some([1u8; 32]));
		settle();
		assert!(matches!(phase(job), JobPhase::Committing { .. }));
	});
}

#[test]
fn too_few_providers_fails_the_job_at_once_with_a_refund() {
	test(|| {
		let free = Balances::balance(&ALICE);
		let job = submit(4, 2);
		settle();
		assert_eq!(phase(job), JobPhase::Failed { at: 2, reason: JobFailure::TooFewProviders });
		// A job nobody could take keeps UnservedJobFee.
		assert_eq!(Balances::balance(&ALICE), free - 2);
		assert_eq!(escrow(ALICE), 0);
		System::assert_last_event(
			Event::JobFailed { job, reason: JobFailure::TooFewProviders }.into(),
		);
	});
}

#[test]
fn suspended_unbonding_and_underbonded_providers_are_not_assigned() {
	test(|| {
		// Worker 10 is slashed below MinBond, 11 unbonds, 12 is suspended.
		assert_ok!(ComputeMarket::slash_provider(RawOrigin::Root.into(), 10, 1));
		assert_ok!(ComputeMarket::unregister_provider(signed(11)));
		Providers::<Test>::mutate(12, |p| p.as_mut().unwrap().suspended_until = Some(5));
		let job = submit(1, 1);
		settle();
		assert_eq!(phase(job), JobPhase::Failed { at: 2, reason: JobFailure::TooFewProviders });
		// The suspension ends at block 5.
		run_to_block(4);
		let job = submit(1, 1);
		settle();
		assert_eq!(workers_of(job), vec![12]);
	});
}

#[test]
fn only_a_current_validators_worker_provides() {
	test(|| {
		let models = || BoundedVec::truncate_from(vec![MODEL]);
		// A sybil with a bond is not a provider: it is no validator's worker.
		assert_noop!(
			ComputeMarket::register_provider(signed(OUTSIDER), BOND, models()),
			Error::<Test>::NotValidatorWorker
		);
		// Only a validator names a worker, and a worker serves one validator.
		assert_noop!(ComputeMarket::bind_worker(signed(OUTSIDER), 40), Error::<Test>::NotValidator);
		assert_noop!(
			ComputeMarket::bind_worker(signed(validator_of(OUTSIDER)), WORKERS[0]),
			Error::<Test>::WorkerTaken
		);
		assert_ok!(ComputeMarket::bind_worker(signed(validator_of(OUTSIDER)), OUTSIDER));
		System::assert_last_event(
			Event::WorkerBound { validator: validator_of(OUTSIDER), worker: OUTSIDER }.into(),
		);
		assert_ok!(ComputeMarket::register_provider(signed(OUTSIDER), BOND, models()));

		// Two validators leave the set: their workers keep their bonds but get no jobs.
		RetiredValidators::set(vec![validator_of(10), validator_of(11), validator_of(OUTSIDER)]);
		let job = submit(1, 1);
		settle();
		assert_eq!(workers_of(job), vec![12]);
		let job = submit(2, 1);
		settle();
		assert!(matches!(phase(job), JobPhase::Failed { reason: JobFailure::TooFewProviders, .. }));

		// A validator that names another worker retires the old one: 12 is not assigned.
		assert_ok!(ComputeMarket::bind_worker(signed(validator_of(12)), 40));
		assert_eq!(crate::ValidatorOf::<Test>::get(12), None);
		let job = submit(1, 1);
		settle();
		assert!(matches!(phase(job), JobPhase::Failed { reason: JobFailure::TooFewProviders, .. }));
		// The worker of a validator that left the set is free for a current one to name
		// (zombienet's stash validators take over the keys the preset bound at genesis).
		assert_ok!(ComputeMarket::bind_worker(signed(validator_of(OUTSIDER) + 1), 11));
		assert_eq!(crate::ValidatorOf::<Test>::get(11), Some(validator_of(OUTSIDER) + 1));
		assert_eq!(crate::WorkerOf::<Test>::get(validator_of(11)), None);
		// Back in the set, 10 is assigned again.
		RetiredValidators::set(vec![]);
		let job = submit(1, 1);
		settle();
		assert_eq!(workers_of(job).len(), 1);
		assert!(workers_of(job)[0] != 12);
	});
}

#[test]
fn steps_beyond_the_per_block_bound_wait_for_the_next_block() {
	test(|| {
		// Two owners (one holds at most MaxOpenJobsPerAccount = 4).
		let mut jobs: Vec<JobId> = (0..4).map(|_| submit(1, 1)).collect();
		for _ in 0..2 {
			jobs.push(submit_by(BOB, MODEL, 1, 1));
		}
		settle();
		let assigned = |jobs: &[JobId]| {
			jobs.iter()
				.filter(|j| matches!(phase(**j), JobPhase::Committing { .. }))
				.count()
		};
		// MaxStepsPerBlock is 4.
		assert_eq!(assigned(&jobs), 4);
		settle();
		assert_eq!(assigned(&jobs), 6);
	});
}

// ---- commit and reveal -------------------------------------------------------------------------

#[test]
fn three_honest_workers_complete_the_job_and_share_the_fee() {
	test(|| {
		let issuance = Balances::total_issuance();
		let job = submit(3, 2);
		settle();
		assert_eq!(workers_of(job).len(), 3);
		let before: Vec<Balance> = WORKERS.iter().map(Balances::balance).collect();
		for w in WORKERS {
			commit(job, w, &HONEST);
			System::assert_has_event(Event::ResultCommitted { job, worker: w }.into());
		}
		// Everyone committed: revealing starts at once.
		assert_eq!(phase(job), JobPhase::Revealing { until: 13 });
		System::assert_has_event(Event::RevealStarted { job, reveal_until: 13 }.into());
		for w in WORKERS {
			reveal(job, w, &HONEST);
			System::assert_last_event(Event::ResultRevealed { job, worker: w }.into());
		}
		// Everyone revealed: finalized at the end of the next block.
		settle();
		assert_eq!(phase(job), JobPhase::Completed { at: 4 });
		assert_eq!(result(job), HONEST.to_vec());
		let result_hash = HONEST.to_vec().using_encoded(blake2_256);
		System::assert_has_event(Event::JobCompleted { job, result_hash }.into());

		// fee · (1 − 10 %) / 3 = 90 each; the 30 cut is burned.
		for (i, w) in WORKERS.iter().enumerate() {
			assert_eq!(Balances::balance(w), before[i] + 90);
			assert_eq!(earned(*w), 90);
			System::assert_has_event(Event::WorkerPaid { job, worker: *w, amount: 90 }.into());
			assert_eq!(strikes(*w), 0);
			assert_eq!(Providers::<Test>::get(w).unwrap().open_assignments, 0);
			assert!(ComputeMarket::assignments_of(w).is_empty());
		}
		assert_eq!(escrow(ALICE), 0);
		assert_eq!(Balances::total_issuance(), issuance - 30);
	});
}

#[test]
fn a_dissenter_is_struck_and_the_other_two_are_paid() {
	test(|| {
		let job = submit(3, 2);
		settle();
		let liar = [0, 0, 0];
		serve(job, &[(10, &HONEST), (11, &liar), (12, &HONEST)]);
		settle();
		assert!(matches!(phase(job), JobPhase::Completed { .. }));
		assert_eq!(result(job), HONEST.to_vec());
		// 270 / 2 = 135 each.
		assert_eq!((earned(10), earned(11), earned(12)), (135, 0, 135));
		assert_eq!(strikes(11), 1);
		System::assert_has_event(
			Event::ProviderStruck { provider: 11, job, reason: StrikeReason::Outlier, strikes: 1 }
				.into(),
		);
		assert_eq!(bond_held(11), BOND);
	});
}

#[test]
fn float_noise_between_workers_still_agrees_and_the_median_is_paid() {
	test(|| {
		let job = submit(3, 3);
		settle();
		// The same model on three machines: outputs 1–3 units apart in the last place.
		let a = [65_536, -1_000, 250_000];
		let b = [65_537, -1_003, 250_002];
		let c = [65_534, -999, 249_999];
		serve(job, &[(10, &a), (11, &b), (12, &c)]);
		settle();
		assert!(matches!(phase(job), JobPhase::Completed { .. }));
		// Element-wise lower median of the three.
		assert_eq!(result(job), vec![65_536, -1_000, 250_000]);
		assert_eq!((earned(10), earned(11), earned(12)), (90, 90, 90));
	});
}

#[test]
fn a_classifier_output_with_another_top_class_is_an_outlier() {
	test(|| {
		let job = submit_for(CLASSIFIER, 3, 2);
		settle();
		// Within 8 units element-wise, but worker 12's top class is the first.
		let top_second = [30_000, 30_004, 100];
		let top_first = [30_004, 30_000, 100];
		serve(job, &[(10, &top_second), (11, &top_second), (12, &top_first)]);
		settle();
		assert_eq!(result(job), top_second.to_vec());
		assert_eq!(strikes(12), 1);
	});
}

#[test]
fn a_committer_who_never_reveals_is_slashed() {
	test(|| {
		let job = submit(3, 2);
		settle();
		for w in WORKERS {
			commit(job, w, &HONEST);
		}
		reveal(job, 10, &HONEST);
		reveal(job, 11, &HONEST);
		// Worker 12 stays silent; the reveal window ends with block 13.
		run_to_block(13);
		assert!(matches!(phase(job), JobPhase::Revealing { .. }));
		run_to_block(14);
		assert!(matches!(phase(job), JobPhase::Completed { .. }));
		// 20 % of its bond is burned.
		assert_eq!(bond_held(12), 800);
		assert_eq!(Providers::<Test>::get(12).unwrap().bond, 800);
		System::assert_has_event(
			Event::ProviderSlashed { provider: 12, amount: 200, reason: SlashReason::NoReveal }
				.into(),
		);
		assert_eq!((earned(10), earned(11), earned(12)), (135, 135, 0));
	});
}

#[test]
fn three_mutually_disagreeing_outputs_fail_the_job_with_a_refund() {
	test(|| {
		let free = Balances::balance(&ALICE);
		let job = submit(3, 2);
		settle();
		serve(job, &[(10, &[0, 0, 0]), (11, &[100_000, 0, 0]), (12, &[200_000, 0, 0])]);
		settle();
		assert_eq!(phase(job), JobPhase::Failed { at: 4, reason: JobFailure::NoAgreement });
		System::assert_has_event(Event::JobFailed { job, reason: JobFailure::NoAgreement }.into());
		assert_eq!(Balances::balance(&ALICE), free);
		assert_eq!(Jobs::<Test>::get(job).unwrap().result, None);
		// Nobody can be called an outlier without a cluster: no strikes, no pay.
		for w in WORKERS {
			assert_eq!(strikes(w), 0);
			assert_eq!(earned(w), 0);
		}
	});
}

#[test]
fn a_no_show_is_struck_and_the_others_reveal_after_the_commit_window() {
	test(|| {
		let job = submit(3, 2);
		settle();
		commit(job, 10, &HONEST);
		commit(job, 11, &HONEST);
		assert!(matches!(phase(job), JobPhase::Committing { .. }));
		// The reveal window opens only when the commit window closes.
		assert_noop!(
			ComputeMarket::reveal_result(signed(10), job, output(&HONEST), salt(10)),
			Error::<Test>::NotRevealPhase
		);
		run_to_block(12);
		assert!(matches!(phase(job), JobPhase::Committing { .. }));
		run_to_block(13);
		assert_eq!(phase(job), JobPhase::Revealing { until: 22 });
		System::assert_has_event(
			Event::ProviderStruck { provider: 12, job, reason: StrikeReason::NoShow, strikes: 1 }
				.into(),
		);
		assert!(ComputeMarket::assignments_of(&12).is_empty());
		assert_noop!(
			ComputeMarket::commit_result(signed(12), job, [0u8; 32]),
			Error::<Test>::NotCommitPhase
		);
		reveal(job, 10, &HONEST);
		reveal(job, 11, &HONEST);
		settle();
		assert!(matches!(phase(job), JobPhase::Completed { .. }));
		assert_eq!((earned(10), earned(11)), (135, 135));
	});
}

#[test]
fn nobody_committing_fails_the_job() {
	test(|| {
		let job = submit(3, 2);
		settle();
		run_to_block(13);
		assert_eq!(phase(job), JobPhase::Failed { at: 12, reason: JobFailure::NoCommitments });
		assert_eq!(escrow(ALICE), 0);
	});
}

#[test]
fn commit_errors_change_nothing() {
	test(|| {
		let job = submit(3, 2);
		assert_noop!(
			ComputeMarket::commit_result(signed(10), job, [0u8; 32]),
			Error::<Test>::NotCommitPhase
		);
		settle();
		assert_noop!(
			ComputeMarket::commit_result(signed(10), 99, [0u8; 32]),
			Error::<Test>::UnknownJob
		);
		assert_noop!(
			ComputeMarket::commit_result(signed(OUTSIDER), job, [0u8; 32]),
			Error::<Test>::NotAssigned
		);
		commit(job, 10, &HONEST);
		assert_noop!(
			ComputeMarket::commit_result(signed(10), job, [0u8; 32]),
			Error::<Test>::AlreadyCommitted
		);
		assert_noop!(
			ComputeMarket::report_failure(signed(10), job, InferenceFailure::BadInput),
			Error::<Test>::AlreadyCommitted
		);
	});
}

#[test]
fn reveal_errors_change_nothing() {
	test(|| {
		let job = submit(3, 2);
		settle();
		assert_noop!(
			ComputeMarket::reveal_result(signed(10), job, output(&HONEST), salt(10)),
			Error::<Test>::NotRevealPhase
		);
		commit(job, 10, &HONEST);
		commit(job, 11, &HONEST);
		assert_ok!(ComputeMarket::report_failure(signed(12), job, InferenceFailure::RuntimeError));
		assert!(matches!(phase(job), JobPhase::Revealing { .. }));

		let reveal_as = |who, values: &[i32], s| {
			ComputeMarket::reveal_result(signed(who), job, output(values), s)
		};
		assert_noop!(reveal_as(OUTSIDER, &HONEST, salt(OUTSIDER)), Error::<Test>::NotAssigned);
		assert_noop!(reveal_as(12, &HONEST, salt(12)), Error::<Test>::NotCommitted);
		// Another output, or another salt, than committed.
		assert_noop!(reveal_as(10, &[1, 2, 3], salt(10)), Error::<Test>::RevealMismatch);
		assert_noop!(reveal_as(10, &HONEST, [0u8; 32]), Error::<Test>::RevealMismatch);
		assert_noop!(reveal_as(10, &[1, 2], salt(10)), Error::<Test>::WrongOutputLength);
		assert_noop!(
			ComputeMarket::reveal_result(signed(10), 99, output(&HONEST), salt(10)),
			Error::<Test>::UnknownJob
		);
		reveal(job, 10, &HONEST);
		assert_noop!(reveal_as(10, &HONEST, salt(10)), Error::<Test>::AlreadyRevealed);
		reveal(job, 11, &HONEST);
		settle();
		assert!(matches!(phase(job), JobPhase::Completed { .. }));
		// After finalization the window is closed.
		assert_noop!(reveal_as(11, &HONEST, salt(11)), Error::<Test>::NotRevealPhase);
	});
}

#[test]
fn workers_that_cannot_run_the_model_fail_the_job_with_the_reason() {
	test(|| {
		let free = Balances::balance(&ALICE);
		let job = submit(3, 2);
		settle();
		for w in WORKERS {
			assert_ok!(ComputeMarket::report_failure(signed(w), job, InferenceFailure::BadInput));
			System::assert_has_event(
				Event::InferenceFailureReported {
					job,
					worker: w,
					reason: InferenceFailure::BadInput,
				}
				.into(),
			);
		}
		// All reported and nobody has anything to reveal: the job fails in the next block.
		settle();
		let reason = JobFailure::InferenceFailed(InferenceFailure::BadInput);
		assert_eq!(phase(job), JobPhase::Failed { at: 4, reason });
		assert_eq!(Balances::balance(&ALICE), free);
		for w in WORKERS {
			assert_eq!(strikes(w), 0);
		}
	});
}

#[test]
fn a_worker_without_the_model_it_advertised_is_struck() {
	test(|| {
		let job = submit(3, 2);
		settle();
		assert_ok!(ComputeMarket::report_failure(
			signed(10),
			job,
			InferenceFailure::ModelUnavailable
		));
		serve(job, &[(11, &HONEST), (12, &HONEST)]);
		settle();
		assert!(matches!(phase(job), JobPhase::Completed { .. }));
		assert_eq!(strikes(10), 1);
		System::assert_has_event(
			Event::ProviderStruck {
				provider: 10,
				job,
				reason: StrikeReason::ModelUnavailable,
				strikes: 1,
			}
			.into(),
		);
	});
}

// ---- strikes and slashing -----------------------------------------------------------------------

#[test]
fn three_strikes_slash_and_suspend() {
	test(|| {
		for round in 1..=3u32 {
			let job = submit(3, 2);
			settle();
			serve(job, &[(10, &HONEST), (11, &HONEST), (12, &[0, 0, 0])]);
			settle();
			assert!(matches!(phase(job), JobPhase::Completed { .. }));
			if round < 3 {
				assert_eq!(strikes(12), round as usize);
			}
		}
		let now = System::block_number();
		// Struck out when the job was finalized, at the end of the previous block: 10 % of
		// the bond burned, suspended for 100 blocks, strikes cleared.
		let until = now - 1 + 100;
		assert_eq!(Providers::<Test>::get(12).unwrap().bond, 900);
		assert_eq!(bond_held(12), 900);
		assert_eq!(Providers::<Test>::get(12).unwrap().suspended_until, Some(until));
		assert_eq!(strikes(12), 0);
		System::assert_has_event(
			Event::ProviderSlashed { provider: 12, amount: 100, reason: SlashReason::Strikes }
				.into(),
		);
		System::assert_has_event(Event::ProviderSuspended { provider: 12, until }.into());

		// While suspended, only the two others can be assigned.
		let job = submit(3, 2);
		settle();
		assert_eq!(
			phase(job),
			JobPhase::Failed { at: now + 1, reason: JobFailure::TooFewProviders }
		);
		let job = submit(2, 2);
		settle();
		assert_eq!(workers_of(job).len(), 2);
		assert!(!workers_of(job).contains(&12));
	});
}

#[test]
fn strikes_older_than_the_window_are_forgotten() {
	test(|| {
		Providers::<Test>::mutate(12, |p| {
			let p = p.as_mut().unwrap();
			// Two strikes long ago: at its 1st and 2nd job, now at its 150th.
			p.strikes = BoundedVec::truncate_from(vec![1, 2]);
			p.jobs_served = 150;
		});
		let job = submit(3, 2);
		settle();
		serve(job, &[(10, &HONEST), (11, &HONEST), (12, &[0, 0, 0])]);
		settle();
		assert_eq!(strikes(12), 1);
		assert_eq!(Providers::<Test>::get(12).unwrap().bond, BOND);
	});
}

#[test]
fn governance_slashes_never_below_zero() {
	test(|| {
		assert_noop!(ComputeMarket::slash_provider(signed(ALICE), 10, 1), DispatchError::BadOrigin);
		assert_noop!(
			ComputeMarket::slash_provider(RawOrigin::Root.into(), OUTSIDER, 1),
			Error::<Test>::NotProvider
		);
		assert_noop!(
			ComputeMarket::slash_provider(RawOrigin::Root.into(), 10, BOND + 1),
			Error::<Test>::SlashExceedsBond
		);
		let issuance = Balances::total_issuance();
		assert_ok!(ComputeMarket::slash_provider(RawOrigin::Root.into(), 10, BOND));
		assert_eq!(Providers::<Test>::get(10).unwrap().bond, 0);
		assert_eq!(bond_held(10), 0);
		assert_eq!(Balances::total_issuance(), issuance - BOND);
		System::assert_last_event(
			Event::ProviderSlashed { provider: 10, amount: BOND, reason: SlashReason::Governance }
				.into(),
		);
		assert_noop!(
			ComputeMarket::slash_provider(RawOrigin::Root.into(), 10, 1),
			Error::<Test>::SlashExceedsBond
		);
	});
}

// ---- retention and timing -----------------------------------------------------------------------

#[test]
fn results_are_pruned_after_the_retention_period() {
	test(|| {
		let job = submit(1, 1);
		settle();
		serve(job, &[(workers_of(job)[0], &HONEST)]);
		settle();
		assert_eq!(phase(job), JobPhase::Completed { at: 4 });
		// ResultRetention is 20 blocks: pruned at the end of block 24.
		run_to_block(24);
		assert!(Jobs::<Test>::get(job).is_some());
		run_to_block(25);
		assert!(Jobs::<Test>::get(job).is_none());
	});
}

#[test]
fn a_single_worker_job_completes_two_blocks_after_submission() {
	test(|| {
		// As in `--dev` (n = k = 1): submitted in block 1, assigned at the end of 2,
		// committed and revealed in 3, finalized at the end of 4.
		let job = submit(1, 1);
		settle();
		let worker = workers_of(job)[0];
		serve(job, &[(worker, &HONEST)]);
		settle();
		assert_eq!(phase(job), JobPhase::Completed { at: 4 });
		assert_eq!(earned(worker), 270);
		assert!(matches!(
			Jobs::<Test>::get(job).unwrap().assignments[0].work,
			WorkState::Revealed(_)
		));
	});
}

#[test]
fn on_initialize_reports_more_weight_for_more_work() {
	test(|| {
		System::set_block_number(2);
		let idle = ComputeMarket::on_initialize(2);
		submit(3, 2);
		System::set_block_number(3);
		let busy = ComputeMarket::on_initialize(3);
		assert!(busy.ref_time() > idle.ref_time());
		ComputeMarket::on_finalize(3);
		assert!(matches!(phase(0), JobPhase::Committing { .. }));
	});
}

// ---- the off-chain worker --------------------------------------------------------------------

mod worker {
	use super::*;
	use crate::worker::{claim_key, input_hash, record_key, WorkRecord};
	use assay_inference::{InferenceEngine, InferenceError, InferenceExt};
	use polkadot_sdk::{
		sp_core::offchain::{
			testing::{TestOffchainExt, TestTransactionPoolExt},
			OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
		},
		sp_io::TestExternalities,
		sp_runtime::{
			generic::Preamble, offchain::storage::StorageValueRef, testing::UintAuthorityId,
		},
	};
	use std::sync::Arc;

	/// A stand-in model with a known answer, so the plumbing can be checked exactly (the
	/// real engine is tested in assay-inference and end to end on a node).
	struct Arithmetic(Result<(), InferenceError>);
	impl InferenceEngine for Arithmetic {
		/// Serves what worker 10 is listed for at genesis: nothing to report.
		fn models(&self) -> assay_inference::EngineModels {
			let mut served = vec![MODEL, CLASSIFIER];
			served.sort();
			assay_inference::EngineModels { served, refused: vec![] }
		}

		fn infer(
			&self,
			model_id: &[u8; 32],
			_: u8,
			input: &[i32],
		) -> Result<Vec<i32>, InferenceError> {
			self.0?;
			if model_id != &MODEL {
				return Err(InferenceError::UnknownModel);
			}
			Ok(vec![input[0] * 2, input[1] * 2, input[0] + input[1]])
		}
	}

	fn expected_output() -> Vec<i32> {
		vec![131_072, -65_536, 32_768]
	}

	/// A node holding worker 10's key, with an off-chain DB, a pool and (maybe) an engine.
	fn node(
		engine: Option<Arc<dyn InferenceEngine>>,
	) -> (TestExternalities, impl Fn() -> Vec<Vec<u8>>) {
		let mut ext = new_test_ext();
		let (offchain, _) = TestOffchainExt::new();
		let (pool, pool_state) = TestTransactionPoolExt::new();
		ext.register_extension(OffchainDbExt::new(offchain.clone()));
		ext.register_extension(OffchainWorkerExt::new(offchain));
		ext.register_extension(TransactionPoolExt::new(pool));
		if let Some(engine) = engine {
			ext.register_extension(InferenceExt(engine));
		}
		UintAuthorityId::set_all_keys(vec![10u64]);
		(ext, move || pool_state.read().transactions.clone())
	}

	/// The (signer, call) of every transaction in the pool.
	fn submitted(pool: &impl Fn() -> Vec<Vec<u8>>) -> Vec<(AccountId, RuntimeCall)> {
		pool()
			.iter()
			.map(|bytes| {
				let xt = Extrinsic::decode(&mut &bytes[..]).unwrap();
				let Preamble::Signed(signer, _, _) = xt.preamble else {
					panic!("a signed transaction")
				};
				(signer, xt.function)
			})
			.collect()
	}

	/// Worker 10's record key for `job` as the chain holds it now.
	fn key_of(job: JobId) -> Vec<u8> {
		let record = crate::Jobs::<Test>::get(job).expect("the job exists");
		record_key(job, &input_hash::<Test>(&record), &10u64)
	}

	fn record(job: JobId) -> WorkRecord<u64> {
		StorageValueRef::persistent(&key_of(job)).get().unwrap().unwrap()
	}

	fn run_worker() {
		ComputeMarket::offchain_worker(System::block_number());
	}

	/// Submits a 3-worker job and moves to the block after its assignment.
	fn assigned_job() -> JobId {
		let job = submit(3, 2);
		settle();
		assert!(workers_of(job).contains(&10));
		job
	}

	use codec::Decode;
	use polkadot_sdk::sp_runtime::traits::Dispatchable;

	#[test]
	fn the_worker_commits_then_reveals_its_output_exactly_once() {
		let (mut ext, pool) = node(Some(Arc::new(Arithmetic(Ok(())))));
		ext.execute_with(|| {
			let job = assigned_job();
			run_worker();
			// A second run in the same block submits nothing more.
			run_worker();
			let txs = submitted(&pool);
			assert_eq!(txs.len(), 1);
			let kept = record(job);
			assert_eq!(kept.outcome, Ok(expected_output()));
			let hash = crate::commitment::commitment(job, &10u64, &kept.salt, &expected_output());
			assert_eq!(
				txs[0],
				(10, RuntimeCall::ComputeMarket(crate::Call::commit_result { job, hash }))
			);
			assert_ok!(txs[0].1.clone().dispatch(signed(10)));
			commit(job, 11, &expected_output());
			commit(job, 12, &expected_output());
			assert!(matches!(phase(job), JobPhase::Revealing { .. }));

			// The next block: the worker reveals what it kept.
			run_to_block(System::block_number() + 1);
			run_worker();
			run_worker();
			let txs = submitted(&pool);
			assert_eq!(txs.len(), 2);
			let revealed = crate::Call::reveal_result {
				job,
				output: output(&expected_output()),
				salt: kept.salt,
			};
			assert_eq!(txs[1], (10, RuntimeCall::ComputeMarket(revealed)));
			assert_ok!(txs[1].1.clone().dispatch(signed(10)));
			reveal(job, 11, &expected_output());
			reveal(job, 12, &expected_output());
			settle();
			assert_eq!(result(job), expected_output());
			assert_eq!(earned(10), 90);
		});
	}

	/// Issue 15, item 12. Before: a node without an engine submitted nothing, so it was
	/// struck as a no-show for every job it was assigned and stayed eligible, assigned job
	/// after job, until the strikes suspended it. Now it reports the model unavailable:
	/// one strike, the model leaves its list, and the next job of the model goes to others.
	#[test]
	fn a_node_without_an_engine_reports_the_model_unavailable_and_leaves_its_list() {
		let (mut ext, pool) = node(None);
		ext.execute_with(|| {
			let job = assigned_job();
			run_worker();
			let reason = InferenceFailure::ModelUnavailable;
			let txs = submitted(&pool);
			assert_eq!(
				txs,
				vec![(10, RuntimeCall::ComputeMarket(crate::Call::report_failure { job, reason }))]
			);
			assert_ok!(txs[0].1.clone().dispatch(signed(10)));
			serve(job, &[(11, &HONEST), (12, &HONEST)]);
			settle();
			assert!(matches!(phase(job), JobPhase::Completed { .. }));
			assert_eq!(strikes(10), 1);
			System::assert_has_event(
				Event::ProviderModelDropped { provider: 10, model: MODEL }.into(),
			);
			assert!(!crate::Providers::<Test>::get(10).unwrap().models.contains(&MODEL));
			// Out of eligibility for the model: the next job of it goes to the others.
			let next = submit(2, 2);
			settle();
			assert!(!workers_of(next).is_empty());
			assert!(!workers_of(next).contains(&10));
		});
	}

	#[test]
	fn a_model_that_fails_is_reported_with_its_reason() {
		let (mut ext, pool) = node(Some(Arc::new(Arithmetic(Err(InferenceError::RuntimeError)))));
		ext.execute_with(|| {
			let job = assigned_job();
			run_worker();
			let reason = InferenceFailure::RuntimeError;
			assert_eq!(
				submitted(&pool),
				vec![(10, RuntimeCall::ComputeMarket(crate::Call::report_failure { job, reason }))]
			);
		});
	}

	#[test]
	fn a_model_the_node_lacks_is_reported_unavailable() {
		let (mut ext, pool) = node(Some(Arc::new(Arithmetic(Ok(())))));
		ext.execute_with(|| {
			let job = submit_for(CLASSIFIER, 3, 2);
			settle();
			run_worker();
			let reason = InferenceFailure::ModelUnavailable;
			assert_eq!(
				submitted(&pool),
				vec![(10, RuntimeCall::ComputeMarket(crate::Call::report_failure { job, reason }))]
			);
		});
	}

	#[test]
	fn a_commit_the_chain_never_saw_is_sent_again_with_the_same_salt() {
		let (mut ext, pool) = node(Some(Arc::new(Arithmetic(Ok(())))));
		ext.execute_with(|| {
			assigned_job();
			let start = System::block_number();
			run_worker();
			for n in 1..crate::worker::RESUBMIT_AFTER as u64 {
				run_to_block(start + n);
				run_worker();
			}
			assert_eq!(submitted(&pool).len(), 1);
			run_to_block(start + crate::worker::RESUBMIT_AFTER as u64);
			run_worker();
			let txs = submitted(&pool);
			assert_eq!(txs.len(), 2);
			assert_eq!(txs[0], txs[1]);
		});
	}

	/// An engine that loaded `MODEL` and could not fetch `CLASSIFIER` (nor an unregistered
	/// model).
	struct HalfFetched;
	impl InferenceEngine for HalfFetched {
		fn models(&self) -> assay_inference::EngineModels {
			assay_inference::EngineModels {
				served: vec![MODEL],
				refused: vec![
					(CLASSIFIER, crate::ModelRefusal::Unreachable),
					([9u8; 32], crate::ModelRefusal::TooLarge),
				],
			}
		}
		fn infer(&self, _: &[u8; 32], _: u8, _: &[i32]) -> Result<Vec<i32>, InferenceError> {
			Err(InferenceError::RuntimeError)
		}
	}

	/// DESIGN §11: the worker tells the chain what its engine serves (so it is assigned
	/// only that) and publishes refusals, once: not again while nothing changes.
	#[test]
	fn the_worker_reports_its_engines_models_once() {
		use crate::ModelRefusal;
		let (mut ext, pool) = node(Some(Arc::new(HalfFetched)));
		ext.execute_with(|| {
			let served = || BoundedVec::truncate_from(vec![MODEL]);
			// [9; 32] is not a registered model: not reported.
			let refused =
				|| BoundedVec::truncate_from(vec![(CLASSIFIER, ModelRefusal::Unreachable)]);
			run_worker();
			let report = crate::Call::report_models { served: served(), refused: refused() };
			assert_eq!(submitted(&pool), vec![(10, RuntimeCall::ComputeMarket(report))]);
			// Not on chain yet: the same report waits RESUBMIT_AFTER blocks.
			run_to_block(System::block_number() + 1);
			run_worker();
			assert_eq!(submitted(&pool).len(), 1);
			// On chain: nothing more to say.
			assert_ok!(ComputeMarket::report_models(signed(10), served(), refused()));
			run_to_block(System::block_number() + crate::worker::RESUBMIT_AFTER as u64);
			run_worker();
			assert_eq!(submitted(&pool).len(), 1);
			assert_eq!(Providers::<Test>::get(10).unwrap().models.into_inner(), vec![MODEL]);
		});
	}

	/// An engine that counts its runs.
	struct Counting(std::sync::atomic::AtomicUsize);
	impl InferenceEngine for Counting {
		fn models(&self) -> assay_inference::EngineModels {
			Arithmetic(Ok(())).models()
		}

		fn infer(
			&self,
			model: &[u8; 32],
			f: u8,
			input: &[i32],
		) -> Result<Vec<i32>, InferenceError> {
			self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
			Arithmetic(Ok(())).infer(model, f, input)
		}
	}

	/// Issue 15, item 15. Before: the record was keyed by job id only, so after a fork in
	/// which the id named another job, the worker committed the output it had kept for the
	/// old input. Now the key carries the input's hash: a record made for another input is
	/// never used.
	#[test]
	fn an_output_kept_for_another_input_under_the_same_job_id_is_not_committed() {
		let (mut ext, pool) = node(Some(Arc::new(Arithmetic(Ok(())))));
		ext.execute_with(|| {
			let job = assigned_job();
			// What this node kept for job `job` on a fork where it asked something else.
			let stale = WorkRecord {
				salt: [7u8; 32],
				outcome: Ok(vec![1, 2, 3]),
				committed_at: 0u64,
				revealed_at: None,
			};
			StorageValueRef::persistent(&record_key(job, &[9u8; 32], &10u64)).set(&stale);
			run_worker();
			let kept = record(job);
			assert_eq!(kept.outcome, Ok(expected_output()));
			let hash = crate::commitment::commitment(job, &10u64, &kept.salt, &expected_output());
			assert_eq!(
				submitted(&pool),
				vec![(10, RuntimeCall::ComputeMarket(crate::Call::commit_result { job, hash }))]
			);
		});
	}

	/// Issue 15, item 15. A run claims the job before it runs the model: a run that finds
	/// the job claimed (another run is computing it) neither runs the model nor submits;
	/// once the claim is released the job is served, and only once.
	#[test]
	fn a_claimed_job_is_neither_computed_again_nor_submitted_twice() {
		let engine = Arc::new(Counting(Default::default()));
		let (mut ext, pool) = node(Some(engine.clone()));
		ext.execute_with(|| {
			use polkadot_sdk::sp_runtime::offchain::storage_lock::{StorageLock, Time};
			let job = assigned_job();
			let claim = claim_key(&key_of(job));
			let mut other_run = StorageLock::<Time>::with_deadline(
				&claim,
				polkadot_sdk::sp_core::offchain::Duration::from_millis(crate::worker::CLAIM_FOR_MS),
			);
			let guard = other_run.try_lock().expect("the other run claims it first");
			run_worker();
			assert_eq!(engine.0.load(std::sync::atomic::Ordering::SeqCst), 0);
			assert!(submitted(&pool).is_empty());
			drop(guard);
			run_worker();
			run_worker();
			assert_eq!(engine.0.load(std::sync::atomic::Ordering::SeqCst), 1);
			assert_eq!(submitted(&pool).len(), 1);
		});
	}

	#[test]
	fn a_worker_without_a_key_for_the_job_does_nothing() {
		let (mut ext, pool) = node(Some(Arc::new(Arithmetic(Ok(())))));
		ext.execute_with(|| {
			UintAuthorityId::set_all_keys(vec![OUTSIDER]);
			assigned_job();
			run_worker();
			assert!(submitted(&pool).is_empty());
		});
	}
}

/// Issue 15, item 14. Before: `MaxOpenJobs` was shared by everyone, and a job cancelled
/// before assignment (or failed for too few providers) was refunded in full: one account
/// held every open-job slot at no cost, and nobody else could submit. Now an account holds
/// at most `MaxOpenJobsPerAccount`, and an unserved job keeps `UnservedJobFee`.
#[test]
fn one_account_cannot_hold_the_market_full_for_free() {
	test(|| {
		let free = Balances::balance(&ALICE);
		let mut jobs = Vec::new();
		while let Ok(()) = ComputeMarket::submit_job(signed(ALICE), MODEL, input(), FEE, 1, 1) {
			jobs.push(crate::NextJobId::<Test>::get() - 1);
		}
		assert_eq!(jobs.len(), 4, "one account holds at most MaxOpenJobsPerAccount");
		// Others still get in.
		submit_by(BOB, MODEL, 1, 1);
		// Cancelling and resubmitting costs UnservedJobFee each time.
		for job in jobs {
			assert_ok!(ComputeMarket::cancel_job(signed(ALICE), job));
		}
		assert_eq!(Balances::balance(&ALICE), free - 4 * 2);
	});
}

/// Issue 15, item 12. Before: a worker that reported `BadInput`, `RuntimeError` or
/// `BadOutput` on a job the others completed was never penalised (censoring cost nothing),
/// and one that reported `ModelUnavailable` stayed listed and kept being assigned the model.
/// Now a failure the cluster contradicts is a strike, and a missing model leaves the
/// provider's list.
#[test]
fn failures_the_cluster_contradicts_are_struck_and_missing_models_dropped() {
	test(|| {
		let job = submit(3, 2);
		settle();
		assert_ok!(ComputeMarket::report_failure(signed(10), job, InferenceFailure::BadInput));
		serve(job, &[(11, &HONEST), (12, &HONEST)]);
		settle();
		assert!(matches!(phase(job), JobPhase::Completed { .. }));
		assert_eq!(strikes(10), 1);
		System::assert_has_event(
			Event::ProviderStruck {
				provider: 10,
				job,
				reason: StrikeReason::FailureContradicted,
				strikes: 1,
			}
			.into(),
		);
		// A worker without the model leaves the model's list.
		let job = submit(3, 2);
		settle();
		assert_ok!(ComputeMarket::report_failure(
			signed(11),
			job,
			InferenceFailure::ModelUnavailable
		));
		serve(job, &[(10, &HONEST), (12, &HONEST)]);
		settle();
		assert!(!ModelProviders::<Test>::get(MODEL).contains(&11));
		assert!(!Providers::<Test>::get(11).unwrap().models.contains(&MODEL));
		System::assert_has_event(Event::ProviderModelDropped { provider: 11, model: MODEL }.into());
	});
}

/// DESIGN §11: a job may carry several inputs of one model. Two rows in, two output rows
/// back; the workers' outputs must have the length of both rows, and the result is the
/// element-wise median over both.
#[test]
fn a_job_with_two_rows_is_served_row_for_row() {
	test(|| {
		let id = crate::NextJobId::<Test>::get();
		let two_rows = BoundedVec::truncate_from(input().repeat(2));
		assert_ok!(ComputeMarket::submit_job(signed(ALICE), MODEL, two_rows, 2 * 10, 3, 2));
		settle();
		let [a, b, c] = workers_of(id)[..] else { panic!("three workers") };
		let rows: [i32; 6] = [100, 200, 300, 400, 500, 600];
		let near: [i32; 6] = [101, 200, 299, 400, 501, 600];
		for (who, values) in [(a, &rows), (b, &near), (c, &rows)] {
			commit(id, who, values);
		}
		// One row's worth of output is not the job's output.
		assert_noop!(
			ComputeMarket::reveal_result(signed(a), id, output(&rows[..3]), salt(a)),
			Error::<Test>::WrongOutputLength
		);
		for (who, values) in [(a, &rows), (b, &near), (c, &rows)] {
			reveal(id, who, values);
		}
		settle();
		assert_eq!(result(id), rows.to_vec());
		assert!(matches!(phase(id), JobPhase::Completed { .. }));
	});
}

/// A classifier's batch agrees only when every row's class does: two workers whose first
/// rows agree but whose second rows name different classes are not one cluster.
#[test]
fn a_classifier_batch_agrees_only_when_every_row_names_the_same_class() {
	test(|| {
		let id = crate::NextJobId::<Test>::get();
		let two_rows = BoundedVec::truncate_from(input().repeat(2));
		assert_ok!(ComputeMarket::submit_job(signed(ALICE), CLASSIFIER, two_rows, 2 * 10, 3, 2));
		settle();
		let [a, b, c] = workers_of(id)[..] else { panic!("three workers") };
		// Row 2: class 0 for `a`, class 1 for `b` and `c` (within tolerance of each other,
		// but also within the element tolerance of `a`: only the argmax separates them).
		let first: [i32; 6] = [9_000, 1_000, 0, 5_002, 5_000, 0];
		let second: [i32; 6] = [9_000, 1_000, 0, 5_000, 5_002, 0];
		serve(id, &[(a, &first), (b, &second), (c, &second)]);
		settle();
		assert_eq!(result(id), second.to_vec());
		assert_eq!(strikes(a), 1);
		assert_eq!(strikes(b) + strikes(c), 0);
	});
}
