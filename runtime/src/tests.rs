//! Runtime integration tests: genesis presets, the validator set over real pallet-session
//! and BABE, fees to the block author through the earnings ledger, and the randomness
//! helper over BABE's VRF output.

use crate::*;
use assay_primitives::{EarningSource, SeedSource};
use frame_support::traits::{
	fungible::Balanced,
	tokens::{Fortitude, Precision, Preservation},
	OnUnbalanced,
};
use polkadot_sdk::{
	sp_consensus_babe::{
		digests::{PreDigest, SecondaryPlainPreDigest},
		BABE_ENGINE_ID,
	},
	sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
	sp_io::TestExternalities,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{Digest, DigestItem},
};
use serde_json::Value;

/// Merges `patch` into `base` as the node's chain-spec builder does.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) =>
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			},
		(base, patch) => *base = patch,
	}
}

/// Externalities holding the genesis state of preset `id`.
fn preset_ext(id: &str) -> TestExternalities {
	let patch: Value =
		serde_json::from_slice(&genesis_config_presets::get_preset(&id.into()).unwrap()).unwrap();
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, patch);
	let mut ext = TestExternalities::new_empty();
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(
			serde_json::to_vec(&config).unwrap(),
		)
		.unwrap()
	});
	ext
}

/// A BABE secondary pre-digest naming authority `index` as the author of `slot`.
fn babe_digest(index: u32, slot: u64) -> Digest {
	let pre = PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
		authority_index: index,
		slot: slot.into(),
	});
	Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, codec::Encode::encode(&pre))] }
}

/// A BABE secondary VRF pre-digest: authority `index` (a dev keyring validator) signs the
/// slot's VRF transcript, so the block carries VRF randomness.
fn babe_vrf_digest(index: u32, keyring: Sr25519Keyring, slot: u64) -> Digest {
	use polkadot_sdk::{
		sp_consensus_babe::{digests::SecondaryVRFPreDigest, make_vrf_sign_data},
		sp_core::crypto::VrfSecret,
	};
	let data = make_vrf_sign_data(
		&pallet_babe::Randomness::<Runtime>::get(),
		slot.into(),
		pallet_babe::EpochIndex::<Runtime>::get(),
	);
	let pre = PreDigest::SecondaryVRF(SecondaryVRFPreDigest {
		authority_index: index,
		slot: slot.into(),
		vrf_signature: keyring.pair().vrf_sign(&data),
	});
	Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, codec::Encode::encode(&pre))] }
}

/// Starts block `n` authored by authority `index`: finalizes the current block, then
/// runs every pallet's on_initialize for the new one.
fn start_block(n: BlockNumber, index: u32) {
	start_block_with(n, |slot| babe_digest(index, slot));
}

/// Starts block `n` with the pre-digest `digest` makes for the next slot.
fn start_block_with(n: BlockNumber, digest: impl FnOnce(u64) -> Digest) {
	use frame_support::traits::{OnFinalize, OnInitialize};
	if System::block_number() > 0 {
		AllPalletsWithSystem::on_finalize(System::block_number());
	}
	let slot = Babe::current_slot().saturating_add(1u64);
	System::reset_events();
	System::initialize(&n, &System::parent_hash(), &digest(*slot));
	AllPalletsWithSystem::on_initialize(n);
	// The timestamp inherent: Babe checks it against the slot.
	Timestamp::set_timestamp(*slot * SLOT_DURATION);
}

#[test]
fn local_preset_has_four_validators_in_session_and_validator_set() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let expected: Vec<AccountId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.to_account_id())
		.collect();
		assert_eq!(Session::validators(), expected);
		assert_eq!(ValidatorSet::validators(), expected);
		assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 4);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
		assert_eq!(
			pallet_sudo::Key::<Runtime>::get(),
			Some(Sr25519Keyring::Alice.to_account_id())
		);
	});
}

#[test]
fn dev_preset_has_alice_alone() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(Session::validators(), vec![Sr25519Keyring::Alice.to_account_id()]);
		assert_eq!(ValidatorSet::validators(), vec![Sr25519Keyring::Alice.to_account_id()]);
		assert_eq!(
			Balances::free_balance(Sr25519Keyring::Bob.to_account_id()),
			genesis_config_presets::ENDOWMENT
		);
	});
}

#[test]
fn fees_pay_the_author_and_burn_the_rest() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// Authority index 1 is Bob.
		start_block(1, 1);
		let bob = Sr25519Keyring::Bob.to_account_id();
		let eve = Sr25519Keyring::Eve.to_account_id();
		assert_eq!(Authorship::author(), Some(bob.clone()));

		let issuance_before = Balances::total_issuance();
		let bob_before = Balances::free_balance(&bob);
		let fee = Balances::withdraw(
			&eve,
			1_000 * MILLI_UNIT,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.unwrap();
		let tip = Balances::withdraw(
			&eve,
			10 * MILLI_UNIT,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.unwrap();
		configs::DealWithFees::on_unbalanceds(vec![fee, tip].into_iter());

		// 80% of the fee and all of the tip to the author; 20% of the fee burned.
		let to_author = 800 * MILLI_UNIT + 10 * MILLI_UNIT;
		assert_eq!(Balances::free_balance(&bob), bob_before + to_author);
		assert_eq!(Balances::total_issuance(), issuance_before - 200 * MILLI_UNIT);
		assert_eq!(Earnings::earnings_of(&bob).validation, to_author);
		System::assert_has_event(
			pallet_earnings::Event::Earned {
				who: bob,
				source: EarningSource::Validation,
				amount: to_author,
			}
			.into(),
		);
	});
}

#[test]
fn removed_validator_leaves_session_two_rotations_later() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let dave = Sr25519Keyring::Dave.to_account_id();
		start_block(1, 0);
		frame_support::assert_ok!(ValidatorSet::remove_validator(
			RuntimeOrigin::root(),
			dave.clone()
		));
		let removed_in = Session::current_index();

		let mut n = 1;
		while Session::validators().contains(&dave) {
			n += 1;
			assert!(n < 10 * EPOCH_DURATION_IN_SLOTS as u32, "Dave never left the session set");
			start_block(n, 0);
		}
		assert_eq!(Session::current_index(), removed_in + 2);
		assert_eq!(Session::validators().len(), 3);
		assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 3);
	});
}

#[test]
fn seeds_come_from_babe_vrf_randomness() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		// Without a VRF output in the block there is no seed.
		assert_eq!(randomness::BabeSeedSource::seed(b"assay/test", b"subject"), None);
		let r = [9u8; 32];
		pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some(r));
		assert_eq!(
			randomness::BabeSeedSource::seed(b"assay/test", b"subject"),
			Some(assay_primitives::derive_seed(b"assay/test", &r, b"subject"))
		);
	});
}

#[test]
fn runtime_version_names_assay() {
	assert_eq!(VERSION.spec_name, "assay");
	assert_eq!(TOKEN_SYMBOL, "ASY");
	assert_eq!(TOKEN_DECIMALS, 12);
}

// ---- devices through the real transaction pipeline ----------------------------------

mod devices {
	use super::*;
	use assay_primitives::DeviceKind;
	use pallet_device_registry::messages;
	use polkadot_sdk::{
		sp_core::{sr25519, Pair},
		sp_runtime::{
			generic::Era,
			traits::IdentifyAccount,
			transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
			MultiSigner,
		},
	};

	/// The development maker: `//DevMaker`.
	fn dev_maker() -> sr25519::Pair {
		sr25519::Pair::from_string("//DevMaker", None).unwrap()
	}

	fn device_pair() -> sr25519::Pair {
		sr25519::Pair::from_string("//Hotspot/1", None).unwrap()
	}

	fn device_id() -> AccountId {
		MultiSigner::from(device_pair().public()).into_account()
	}

	/// The extensions of a feeless general transaction: no signer, no tip, immortal.
	fn general_extensions() -> TxExtension {
		tx_extension(Era::Immortal, 0, 0)
	}

	fn heartbeat(nonce: u64, signer: &sr25519::Pair) -> UncheckedExtrinsic {
		let genesis = DeviceRegistry::genesis_hash();
		let message = messages::report(&genesis, nonce, &messages::heartbeat_payload(&device_id()));
		let call = RuntimeCall::DeviceRegistry(pallet_device_registry::Call::heartbeat {
			device: device_id(),
			nonce,
			signature: signer.sign(&message).into(),
		});
		UncheckedExtrinsic::new_transaction(call, general_extensions())
	}

	/// Registers the device to Bob with the development maker's (`//DevMaker`) attestation.
	fn register_hotspot() {
		let kind = DeviceKind::Hotspot;
		let bob = Sr25519Keyring::Bob.to_account_id();
		let maker = dev_maker();
		frame_support::assert_ok!(DeviceRegistry::register_device(
			RuntimeOrigin::signed(bob.clone()),
			device_pair().public().into(),
			kind,
			genesis_config_presets::DEV_MAKER_ID,
			maker.sign(&messages::maker_attestation(&device_id(), kind)).into(),
			device_pair()
				.sign(&messages::registration(&DeviceRegistry::genesis_hash(), &bob, kind))
				.into(),
		));
	}

	#[test]
	fn a_device_heartbeat_is_a_feeless_general_transaction() {
		preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
			start_block(1, 0);
			register_hotspot();
			let issuance = Balances::total_issuance();
			let parent = System::parent_hash();

			let valid = Executive::validate_transaction(TransactionSource::External, heartbeat(0, &device_pair()), parent);
			assert!(valid.is_ok(), "{valid:?}");
			let applied = Executive::apply_extrinsic(heartbeat(0, &device_pair()));
			assert!(matches!(applied, Ok(Ok(()))), "{applied:?}");
			assert_eq!(
				pallet_device_registry::Reports::<Runtime>::get(device_id()).last_seen,
				Some(System::block_number())
			);
			assert_eq!(Balances::total_issuance(), issuance, "no fee was charged");

			// The same nonce again is stale; a forged signature is a bad proof.
			assert_eq!(
				Executive::validate_transaction(TransactionSource::External, heartbeat(0, &device_pair()), parent),
				Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
			);
			let forger = sr25519::Pair::from_string("//Forger", None).unwrap();
			assert_eq!(
				Executive::validate_transaction(TransactionSource::External, heartbeat(1, &forger), parent),
				Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
			);
			assert!(Executive::apply_extrinsic(heartbeat(1, &forger)).is_err(), "a block cannot include it");
		});
	}

	#[test]
	fn presets_allow_the_development_maker() {
		for preset in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET] {
			preset_ext(preset).execute_with(|| {
				let maker = pallet_device_registry::Makers::<Runtime>::get(genesis_config_presets::DEV_MAKER_ID)
					.expect("the development maker is allowed");
				assert_eq!(maker.signer, MultiSigner::from(dev_maker().public()).into_account());
			});
		}
	}
}

// ---- the compute market over real BABE randomness and the earnings ledger ----------------

mod compute {
	use super::*;
	use pallet_compute_market::{commitment::commitment, JobPhase, WorkState};
	use polkadot_sdk::{frame_support::BoundedVec, sp_crypto_hashing::blake2_256};

	fn alice() -> AccountId {
		Sr25519Keyring::Alice.to_account_id()
	}

	fn bob() -> AccountId {
		Sr25519Keyring::Bob.to_account_id()
	}

	#[test]
	fn shipped_model_ids_are_the_hashes_of_the_committed_files() {
		let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
		let listed: Vec<Value> =
			serde_json::from_slice(&std::fs::read(dir.join("models.json")).unwrap()).unwrap();
		let models = genesis_config_presets::shipped_models();
		assert_eq!(models.len(), 4);
		for ((id, meta), entry) in models.iter().zip(&listed) {
			let bytes = std::fs::read(dir.join(entry["file"].as_str().unwrap())).unwrap();
			assert_eq!(*id, blake2_256(&bytes), "{}", entry["file"]);
			assert_eq!(meta.input_len as u64, entry["input_len"].as_u64().unwrap());
			assert_eq!(meta.output_len as u64, entry["output_len"].as_u64().unwrap());
		}
	}

	#[test]
	fn presets_register_the_models_and_the_validators_as_providers() {
		for (preset, validators, min) in [(DEV_RUNTIME_PRESET, 1, 1), (LOCAL_TESTNET_RUNTIME_PRESET, 4, 3)] {
			preset_ext(preset).execute_with(|| {
				assert_eq!(ComputeMarket::models().len(), 4);
				assert_eq!(pallet_compute_market::MinRedundancy::<Runtime>::get(), min);
				let providers: Vec<_> = pallet_compute_market::Providers::<Runtime>::iter().collect();
				assert_eq!(providers.len(), validators);
				for (who, provider) in providers {
					assert!(ValidatorSet::validators().contains(&who));
					assert_eq!(provider.models.len(), 4);
					assert_eq!(provider.bond, genesis_config_presets::DEV_PROVIDER_BOND);
				}
				ComputeMarket::do_try_state().unwrap();
			});
		}
	}

	#[test]
	fn a_dev_job_is_assigned_with_babe_randomness_served_and_paid() {
		preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
			start_block(1, 0);
			let (model, meta) = genesis_config_presets::shipped_models().remove(0);
			let input: Vec<u8> = (0..meta.input_len).flat_map(|i| (i as i32 * 1000).to_le_bytes()).collect();
			let fee = 10 * UNIT;
			assert_ok(ComputeMarket::submit_job(
				RuntimeOrigin::signed(bob()),
				model,
				BoundedVec::truncate_from(input),
				fee,
				1,
				1,
			));
			let job = 0;

			// Block 2 carries no VRF output: at its end there is no randomness, the job waits.
			start_block(2, 0);
			start_block_with(3, |slot| babe_vrf_digest(0, Sr25519Keyring::Alice, slot));
			assert_eq!(pallet_compute_market::Jobs::<Runtime>::get(job).map(|j| j.phase), Some(JobPhase::Pending));
			assert!(pallet_babe::AuthorVrfRandomness::<Runtime>::get().is_none());

			// Block 3 carries Alice's VRF output: at its end (after BABE's on_finalize) the
			// job is assigned to Alice, the only provider.
			start_block(4, 0);
			assert!(pallet_babe::AuthorVrfRandomness::<Runtime>::get().is_some());
			assert!(matches!(
				pallet_compute_market::Jobs::<Runtime>::get(job).map(|j| j.phase),
				Some(JobPhase::Committing { until: 13 })
			));
			assert_eq!(ComputeMarket::assignments_of(&alice()), vec![job]);

			let output = vec![12_345i32];
			let salt = [3u8; 32];
			assert_ok(ComputeMarket::commit_result(
				RuntimeOrigin::signed(alice()),
				job,
				commitment(job, &alice(), &salt, &output),
			));
			assert_ok(ComputeMarket::reveal_result(
				RuntimeOrigin::signed(alice()),
				job,
				BoundedVec::truncate_from(output.clone()),
				salt,
			));
			// Everything revealed in block 4: finalized at the end of block 5.
			start_block(5, 0);
			start_block(6, 0);
			let record = pallet_compute_market::Jobs::<Runtime>::get(job).unwrap();
			assert_eq!(record.phase, JobPhase::Completed { at: 5 });
			assert_eq!(record.result.map(|r| r.into_inner()), Some(output));
			assert!(matches!(record.assignments[0].work, WorkState::Revealed(_)));
			// 90 % of the fee reaches Alice and the ledger; 10 % is burned.
			assert_eq!(Earnings::earnings_of(&alice()).compute, fee * 9 / 10);
			ComputeMarket::do_try_state().unwrap();
		});
	}

	fn assert_ok(result: polkadot_sdk::sp_runtime::DispatchResult) {
		assert!(result.is_ok(), "{result:?}");
	}
}
