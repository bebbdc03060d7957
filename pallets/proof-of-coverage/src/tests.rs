//! Mock-runtime tests: real device keys through the real device registry, the whole
//! beacon → witnesses → reveal → verification → rewards flow, every refusal.

use crate::{
	beacon_impls::invalid, checks, fspl, mock::*, BeaconPhase, Beacons, Epochs, Error, Event,
	LastHeard, OwnerUnits, Params, Region, Verdict, WitnessRejection, Witnesses,
};
use assay_primitives::{
	DeviceKind, DeviceRegistry as _, DeviceStatus, EarningSource, ReportRejection,
};
use h3o::{CellIndex, LatLng, Resolution};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, dispatch::Pays},
	sp_arithmetic::{FixedPointNumber, FixedU128},
	sp_runtime::{
		transaction_validity::{InvalidTransaction, TransactionValidityError},
		DispatchError,
	},
};

/// Lisbon, and places around it.
const LISBON: (f64, f64) = (38.7223, -9.1393);

fn err(e: Error<Test>) -> Result<(), TransactionValidityError> {
	Err(invalid(e))
}

fn report_err(r: ReportRejection) -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(r.into()))
}

/// The RSSI limit (tenths of dBm, rounded down) between two located hotspots for `plan`.
fn rssi_limit(plan: &BeaconPlan, beaconer: &HotspotKey, witness: &HotspotKey) -> Option<i16> {
	let b = DeviceRegistry::location_of(&beaconer.id()).unwrap();
	let w = DeviceRegistry::location_of(&witness.id()).unwrap();
	let d = checks::distance_m(
		CellIndex::try_from(b.cell).unwrap(),
		CellIndex::try_from(w.cell).unwrap(),
	);
	let limit = fspl::max_rssi_milli_dbm(
		plan.tx_power_dbm,
		b.gain_dbi_x10,
		w.gain_dbi_x10,
		d,
		plan.frequency(),
	)?;
	i16::try_from(limit.div_euclid(100)).ok()
}

/// Makes `who` reciprocal (it beaconed and was heard just now).
fn make_reciprocal(who: &HotspotKey) {
	LastHeard::<Test>::insert(who.id(), System::block_number());
}

/// Submits a beacon of `key` now and returns its id.
fn beacon_now(key: &HotspotKey, plan: &BeaconPlan) -> u64 {
	let id = crate::NextBeaconId::<Test>::get();
	assert_ok!(submit(beacon_call(key, plan)));
	id
}

/// Runs to the first block of the reveal window of `beacon` and reveals it.
fn reveal_when_allowed(key: &HotspotKey, beacon: u64, plan: &BeaconPlan) {
	let b = Beacons::<Test>::get(beacon).unwrap();
	run_to(b.submitted_at + test_params().witness_window + 1);
	assert_ok!(submit(reveal_call(key, beacon, plan.local_entropy)));
}

/// Runs blocks until `beacon` is verified.
fn run_until_verified(beacon: u64) {
	for _ in 0..50 {
		if matches!(Beacons::<Test>::get(beacon).unwrap().phase, BeaconPhase::Verified { .. }) {
			return;
		}
		next_block();
	}
	panic!("beacon {beacon} not verified");
}

fn verdict(beacon: u64, witness: &HotspotKey) -> Verdict {
	Witnesses::<Test>::get(beacon, witness.id()).unwrap().verdict
}

#[test]
fn entropy_is_drawn_every_period_and_expires() {
	new_test_ext().execute_with(|| {
		assert_eq!(crate::LatestEntropy::<Test>::get(), Some(1));
		System::assert_has_event(Event::EntropyDrawn { index: 1 }.into());
		run_to(13);
		// Blocks 2, 4, … 12 drew entropy 1 … 6; lifespan 6 keeps the last 4 (3 … 6).
		assert_eq!(crate::LatestEntropy::<Test>::get(), Some(6));
		assert!(crate::Entropy::<Test>::get(2).is_none());
		assert!(crate::Entropy::<Test>::get(3).is_some());
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		// Entropy 3 was drawn at block 6: 13 > 6 + 6, expired.
		let plan = BeaconPlan { entropy_index: 3, ..BeaconPlan::new(1) };
		assert_eq!(submit(beacon_call(&a, &plan)), err(Error::EntropyExpired));
		let plan = BeaconPlan {
			entropy_index: 99,
			local_entropy: [1; 32],
			tx_power_dbm: 27,
			region: Region::Eu868,
		};
		assert_eq!(submit(beacon_call_with(&a, &plan, 867_100_000, 0)), err(Error::UnknownEntropy));
		assert_ok!(submit(beacon_call(&a, &BeaconPlan::new(1))));
	});
}

#[test]
fn a_full_round_records_every_verdict_in_order() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30); // ~2 km north
		let c = hotspot("C", 38.7223, -9.1050, 50); // ~3 km east
		let close = hotspot("Close", 38.7226, -9.1391, 30); // tens of metres
		let porto = hotspot("Porto", 41.1579, -8.6291, 30); // ~275 km
		let copier = hotspot("Copier", 38.7100, -9.1600, 30);
		let loud = hotspot("Loud", 38.7050, -9.1393, 30);
		let off = hotspot("Off", 38.7300, -9.1700, 30);
		let us = hotspot("Us", 38.7350, -9.1200, 30);
		let lonely = hotspot("Lonely", 38.7150, -9.1150, 30);
		let partner = hotspot("Partner", 38.7450, -9.1550, 30);
		let sleeper = hotspot("Sleeper", 38.7000, -9.1200, 30);
		for w in [&b, &c, &close, &porto, &copier, &loud, &off, &us, &partner, &sleeper, &a] {
			make_reciprocal(w);
		}
		assert_ok!(DeviceRegistry::deny_edge(
			polkadot_sdk::frame_system::RawOrigin::Root.into(),
			a.id(),
			partner.id()
		));

		let plan = BeaconPlan::new(9);
		let beacon = beacon_now(&a, &plan);
		System::assert_has_event(
			Event::BeaconSubmitted {
				beacon,
				beaconer: a.id(),
				entropy_index: plan.entropy_index,
				frequency_hz: plan.frequency(),
			}
			.into(),
		);
		let fair = |w: &HotspotKey| {
			Heard::honest(&plan, w, rssi_limit(&plan, &a, w).map_or(-1300, |l| l - 150))
		};
		for w in [&b, &c, &close, &lonely, &partner, &sleeper, &a] {
			assert_ok!(submit(witness_call(w, beacon, &fair(w))));
		}
		// Implausible on arrival: Porto is beyond any signal's reach. (The verification
		// checks distance again: a location may change before it runs.)
		assert_eq!(submit(witness_call(&porto, beacon, &fair(&porto))), err(Error::TooFar));
		// Copied B's commitment from the mempool.
		assert_ok!(submit(witness_call(
			&copier,
			beacon,
			&Heard { commitment: fair(&b).commitment, ..fair(&copier) }
		)));
		// Louder than free space allows: one tenth of a dB over the limit.
		assert_ok!(submit(witness_call(
			&loud,
			beacon,
			&Heard::honest(&plan, &loud, rssi_limit(&plan, &a, &loud).unwrap() + 1)
		)));
		// 100,001 Hz off, and another region's plan: refused on arrival too.
		assert_eq!(
			submit(witness_call(
				&off,
				beacon,
				&Heard { frequency_hz: plan.frequency() + 100_001, ..fair(&off) }
			)),
			err(Error::WrongFrequency)
		);
		assert_eq!(
			submit(witness_call(&us, beacon, &Heard { region: Region::Us915, ..fair(&us) })),
			err(Error::WrongRegion)
		);
		// Suspended after reporting.
		assert_ok!(DeviceRegistry::set_device_status(
			polkadot_sdk::frame_system::RawOrigin::Root.into(),
			sleeper.id(),
			DeviceStatus::Suspended
		));

		reveal_when_allowed(&a, beacon, &plan);
		System::assert_has_event(Event::BeaconRevealed { beacon, payload: plan.payload() }.into());
		run_until_verified(beacon);

		let invalid = |r| Verdict::Invalid(r);
		assert_eq!(verdict(beacon, &b), Verdict::Selected);
		assert_eq!(verdict(beacon, &c), Verdict::Selected);
		assert_eq!(verdict(beacon, &sleeper), invalid(WitnessRejection::DeniedDevice));
		assert_eq!(verdict(beacon, &partner), invalid(WitnessRejection::DeniedEdge));
		assert_eq!(verdict(beacon, &a), invalid(WitnessRejection::SelfWitness));
		assert_eq!(verdict(beacon, &copier), invalid(WitnessRejection::PayloadMismatch));
		assert_eq!(verdict(beacon, &close), invalid(WitnessRejection::TooClose));
		assert_eq!(verdict(beacon, &loud), invalid(WitnessRejection::RssiTooHigh));
		assert_eq!(verdict(beacon, &lonely), invalid(WitnessRejection::NotReciprocal));
		assert_eq!(
			Beacons::<Test>::get(beacon).unwrap().phase,
			BeaconPhase::Verified { valid: 2, selected: 2 }
		);
		let epoch = ProofOfCoverage::current_epoch();
		System::assert_has_event(
			Event::BeaconVerified { beacon, valid: 2, selected: 2, epoch }.into(),
		);
		// A was heard; the runtime API's view shows every verdict.
		assert_eq!(
			LastHeard::<Test>::get(a.id()),
			Some(Beacons::<Test>::get(beacon).unwrap().submitted_at)
		);
		let view = ProofOfCoverage::beacon_view(beacon).unwrap();
		assert_eq!(view.witnesses.len(), 9);
		assert!(!view.expired);
		// HIP-15 with w = 2: beaconer 2/4, each witness 1, times each one's hex scale (A
		// shares its resolution-10 cell with "Close", so it is scaled by 1/2).
		let scale = |k: &HotspotKey| ProofOfCoverage::hex_scale(&k.id()).unwrap();
		assert_eq!(scale(&a), FixedU128::saturating_from_rational(1, 2));
		let units = OwnerUnits::<Test>::get(alice(), epoch).unwrap();
		assert_eq!(units.beaconer, FixedU128::saturating_from_rational(1, 2) * scale(&a));
		assert_eq!(units.witness, scale(&b) + scale(&c));
	});
}

#[test]
fn verification_is_bounded_per_block() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let witnesses: Vec<HotspotKey> = (0..7)
			.map(|i| hotspot(&format!("W{i}"), 38.70 + 0.005 * i as f64, -9.10, 30))
			.collect();
		let plan = BeaconPlan::new(3);
		let beacon = beacon_now(&a, &plan);
		for w in &witnesses {
			assert_ok!(submit(witness_call(w, beacon, &Heard::honest(&plan, w, -1200))));
		}
		reveal_when_allowed(&a, beacon, &plan);
		// The block after the reveal's draws the seed at its end; then 3 witnesses per block
		// (mock).
		next_block();
		next_block();
		let verified =
			|| witnesses.iter().filter(|w| verdict(beacon, w) != Verdict::Pending).count();
		assert_eq!(verified(), 3);
		next_block();
		assert_eq!(verified(), 6);
		next_block();
		assert_eq!(verified(), 7);
		// Finishing weighs more than the mock's budget of 3 verifications, so it waits for
		// the next block, where the first step always runs.
		assert_eq!(Beacons::<Test>::get(beacon).unwrap().phase, BeaconPhase::Verifying);
		next_block();
		assert!(matches!(
			Beacons::<Test>::get(beacon).unwrap().phase,
			BeaconPhase::Verified { .. }
		));
	});
}

#[test]
fn at_most_fourteen_witnesses_are_selected_by_lowest_draw() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let witnesses: Vec<HotspotKey> = (0..16)
			.map(|i| {
				let angle = i as f64 * core::f64::consts::TAU / 16.0;
				hotspot(
					&format!("R{i}"),
					LISBON.0 + 0.03 * angle.sin(),
					LISBON.1 + 0.03 * angle.cos(),
					30,
				)
			})
			.collect();
		for w in &witnesses {
			make_reciprocal(w);
		}
		let plan = BeaconPlan::new(4);
		let beacon = beacon_now(&a, &plan);
		for w in witnesses.iter().rev() {
			assert_ok!(submit(witness_call(w, beacon, &Heard::honest(&plan, w, -1100))));
		}
		reveal_when_allowed(&a, beacon, &plan);
		let reveal_block = System::block_number();
		run_until_verified(beacon);
		assert_eq!(
			Beacons::<Test>::get(beacon).unwrap().phase,
			BeaconPhase::Verified { valid: 16, selected: 14 }
		);
		// The seed came from the reveal block's randomness; the selected are the 14 lowest draws.
		let _ = reveal_block;
		let seed = assay_primitives::derive_seed(
			crate::SELECTION_DOMAIN,
			&[7u8; 32],
			&codec::Encode::encode(&beacon),
		);
		let ids: Vec<[u8; 32]> = witnesses.iter().map(|w| w.id().into()).collect();
		let expected = crate::selection::select(&seed, &codec::Encode::encode(&beacon), &ids);
		let selected: Vec<[u8; 32]> = witnesses
			.iter()
			.filter(|w| verdict(beacon, w) == Verdict::Selected)
			.map(|w| w.id().into())
			.collect();
		assert_eq!(selected.len(), 14);
		for id in &selected {
			assert!(expected.contains(id));
		}
		assert_eq!(witnesses.iter().filter(|w| verdict(beacon, w) == Verdict::Valid).count(), 2);
	});
}

#[test]
fn reports_outside_the_rules_are_refused_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30);
		let plan = BeaconPlan::new(5);
		// Not a channel of the plan; a channel other than the payload's is caught at reveal.
		assert_eq!(submit(beacon_call_with(&a, &plan, 867_000_000, 0)), err(Error::NotAChannel));
		assert_eq!(
			submit(beacon_call(&a, &BeaconPlan { tx_power_dbm: 37, ..plan })),
			err(Error::InvalidTxPower)
		);
		let beacon = beacon_now(&a, &plan);
		// A second beacon in the same window.
		assert_eq!(submit(beacon_call(&a, &BeaconPlan::new(6))), err(Error::AlreadyBeaconed));
		let heard = Heard::honest(&plan, &b, -1000);
		assert_eq!(submit(witness_call(&b, beacon + 1, &heard)), err(Error::UnknownBeacon));
		assert_ok!(submit(witness_call(&b, beacon, &heard)));
		// A duplicate, even with other values, never reaches a block.
		assert_eq!(
			submit(witness_call(&b, beacon, &Heard { rssi_dbm_x10: -900, ..heard })),
			err(Error::DuplicateWitness)
		);
		// Forged: signed by another key.
		let forger = HotspotKey::new("Forger");
		let crate::Call::submit_witness { signature, .. } = witness_call(&forger, beacon, &heard)
		else {
			unreachable!()
		};
		let crate::Call::submit_witness {
			witness,
			beacon: id,
			commitment,
			rssi_dbm_x10,
			snr_db_x10,
			frequency_hz,
			region,
			..
		} = witness_call(&a, beacon, &heard)
		else {
			unreachable!()
		};
		let forged = crate::Call::<Test>::submit_witness {
			witness,
			beacon: id,
			commitment,
			rssi_dbm_x10,
			snr_db_x10,
			frequency_hz,
			region,
			signature,
		};
		assert_eq!(submit(forged), Err(InvalidTransaction::BadProof.into()));
		// Reveal: too early, by someone else, with the wrong entropy.
		assert_eq!(submit(reveal_call(&a, beacon, plan.local_entropy)), err(Error::RevealTooEarly));
		run_to(System::block_number() + test_params().witness_window + 1);
		let late = hotspot("Late", 38.7000, -9.1393, 30);
		assert_eq!(
			submit(witness_call(&late, beacon, &Heard::honest(&plan, &late, -1000))),
			err(Error::WitnessWindowClosed)
		);
		assert_eq!(submit(reveal_call(&b, beacon, plan.local_entropy)), err(Error::NotBeaconer));
		assert_eq!(submit(reveal_call(&a, beacon, [0u8; 32])), err(Error::CommitmentMismatch));
		assert_ok!(submit(reveal_call(&a, beacon, plan.local_entropy)));
		assert_eq!(
			submit(reveal_call(&a, beacon, plan.local_entropy)),
			err(Error::AlreadyRevealed)
		);
		assert_eq!(
			submit(reveal_call(&a, beacon + 7, plan.local_entropy)),
			err(Error::UnknownBeacon)
		);
	});
}

#[test]
fn a_beacon_on_another_channel_than_its_payload_cannot_be_revealed() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let plan = BeaconPlan::new(5);
		let other = Region::Eu868
			.channels()
			.iter()
			.copied()
			.find(|f| *f != plan.frequency())
			.unwrap();
		let beacon = crate::NextBeaconId::<Test>::get();
		assert_ok!(submit(beacon_call_with(&a, &plan, other, a.nonce())));
		run_to(System::block_number() + test_params().witness_window + 1);
		assert_eq!(submit(reveal_call(&a, beacon, plan.local_entropy)), err(Error::WrongChannel));
	});
}

#[test]
fn an_unrevealed_beacon_expires_and_earns_nothing() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30);
		make_reciprocal(&b);
		let plan = BeaconPlan::new(5);
		let beacon = beacon_now(&a, &plan);
		assert_ok!(submit(witness_call(&b, beacon, &Heard::honest(&plan, &b, -1000))));
		let p = test_params();
		run_to(System::block_number() + p.witness_window + p.reveal_window + 1);
		assert_eq!(
			submit(reveal_call(&a, beacon, plan.local_entropy)),
			err(Error::RevealWindowClosed)
		);
		assert!(ProofOfCoverage::beacon_view(beacon).unwrap().expired);
		assert_eq!(verdict(beacon, &b), Verdict::Pending);
		assert_eq!(OwnerUnits::<Test>::iter().count(), 0);
		// Pruned after the retention, with its witness.
		run_to(System::block_number() + p.retention + 1);
		assert!(Beacons::<Test>::get(beacon).is_none());
		assert!(Witnesses::<Test>::get(beacon, b.id()).is_none());
	});
}

#[test]
fn suspended_denied_and_unlocated_devices_cannot_report() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30);
		let plan = BeaconPlan::new(5);
		let beacon = beacon_now(&a, &plan);
		let root = || polkadot_sdk::frame_system::RawOrigin::Root.into();
		for status in [DeviceStatus::Suspended, DeviceStatus::Denied] {
			assert_ok!(DeviceRegistry::set_device_status(root(), b.id(), status));
			assert_eq!(
				submit(witness_call(&b, beacon, &Heard::honest(&plan, &b, -1000))),
				report_err(ReportRejection::DeviceNotActive)
			);
			assert_eq!(
				submit(beacon_call(&b, &plan)),
				report_err(ReportRejection::DeviceNotActive)
			);
		}
		let unlocated = HotspotKey::new("Unlocated");
		unlocated.register(&alice());
		assert_eq!(submit(beacon_call(&unlocated, &plan)), err(Error::NotLocated));
		assert_eq!(
			submit(witness_call(&unlocated, beacon, &Heard::honest(&plan, &unlocated, -1000))),
			err(Error::NotLocated)
		);
		let sensor = HotspotKey::new("Sensor");
		sensor.register_as(&alice(), DeviceKind::Sensor);
		assert_eq!(submit(beacon_call(&sensor, &plan)), err(Error::NotAHotspot));
		// An unregistered key is refused by the cheap checks, before its signature.
		let stranger = HotspotKey::new("Stranger");
		assert_eq!(
			submit(witness_call(&stranger, beacon, &Heard::honest(&plan, &stranger, -1000))),
			err(Error::NotAHotspot)
		);
	});
}

#[test]
fn a_beaconer_suspended_before_verification_gets_nothing() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30);
		make_reciprocal(&b);
		let plan = BeaconPlan::new(5);
		let beacon = beacon_now(&a, &plan);
		assert_ok!(submit(witness_call(&b, beacon, &Heard::honest(&plan, &b, -1000))));
		reveal_when_allowed(&a, beacon, &plan);
		assert_ok!(DeviceRegistry::set_device_status(
			polkadot_sdk::frame_system::RawOrigin::Root.into(),
			a.id(),
			DeviceStatus::Suspended
		));
		run_until_verified(beacon);
		assert_eq!(verdict(beacon, &b), Verdict::Invalid(WitnessRejection::DeniedDevice));
		assert_eq!(OwnerUnits::<Test>::iter().count(), 0);
	});
}

/// One verified round: A beacons, B and C witness (reciprocal). Returns the epoch.
fn rewarded_round(a: &HotspotKey, b: &HotspotKey, c: &HotspotKey) -> u32 {
	make_reciprocal(b);
	make_reciprocal(c);
	let plan = BeaconPlan::new(8);
	let beacon = beacon_now(a, &plan);
	for w in [b, c] {
		assert_ok!(submit(witness_call(w, beacon, &Heard::honest(&plan, w, -1100))));
	}
	reveal_when_allowed(a, beacon, &plan);
	run_until_verified(beacon);
	ProofOfCoverage::current_epoch()
}

/// A rewarded round of Alice's A beaconing, witnessed by Bob's B and Alice's C; returns
/// its epoch.
fn round_shared_with_bob() -> u32 {
	let a = hotspot("A", LISBON.0, LISBON.1, 30);
	let b = HotspotKey::new("B");
	b.register(&bob());
	b.locate(&bob(), 38.7400, -9.1393, 30);
	let c = hotspot("C", 38.7223, -9.1050, 30);
	rewarded_round(&a, &b, &c)
}

#[test]
fn owners_claim_an_epochs_emission_after_it_ends() {
	new_test_ext().execute_with(|| {
		let epoch = round_shared_with_bob();
		assert_noop!(
			ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(alice()), epoch),
			Error::<Test>::EpochNotOver
		);
		let pending = ProofOfCoverage::pending_rewards(&alice());
		assert_eq!(pending.len(), 1);
		assert!(!pending[0].claimable);

		run_to((epoch as u64 + 1) * test_params().reward_epoch);
		// Alice: beaconer units 1/2 of 1/2 (all beaconer units), witness units 1 of 2.
		// Pots: 200,000 and 800,000.
		let alice_share = 200_000 + 400_000;
		let bob_share: u64 = 400_000;
		let pending = ProofOfCoverage::pending_rewards(&alice());
		assert_eq!((pending[0].amount, pending[0].claimable), (alice_share, true));
		let before = Balances::free_balance(alice());
		let issuance = Balances::total_issuance();
		assert_ok!(ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(alice()), epoch));
		System::assert_last_event(
			Event::RewardsClaimed { owner: alice(), epoch, amount: alice_share }.into(),
		);
		assert_eq!(Balances::free_balance(alice()), before + alice_share);
		assert_eq!(Balances::total_issuance(), issuance + alice_share, "rewards are minted");
		assert_ok!(ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(bob()), epoch));
		assert_eq!(
			assay_primitives::testing::records::<AccountId>(),
			vec![
				(alice(), EarningSource::Coverage, u128::from(alice_share)),
				(bob(), EarningSource::Coverage, u128::from(bob_share))
			]
		);
		assert_eq!(Epochs::<Test>::get(epoch).unwrap().paid, 1_000_000);
		assert_noop!(
			ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(alice()), epoch),
			Error::<Test>::NothingToClaim
		);
		assert!(ProofOfCoverage::pending_rewards(&alice()).is_empty());
	});
}

#[test]
fn parameters_are_set_by_the_admin_and_checked() {
	new_test_ext().execute_with(|| {
		let mut p = test_params();
		p.coverage_emission = 2_000_000;
		assert_noop!(
			ProofOfCoverage::set_params(RuntimeOrigin::signed(alice()), p.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ProofOfCoverage::set_params(
				RuntimeOrigin::root(),
				crate::CoverageParams { witness_window: 0, ..p.clone() }
			),
			Error::<Test>::InvalidParams
		);
		assert_ok!(ProofOfCoverage::set_params(RuntimeOrigin::root(), p.clone()));
		System::assert_last_event(Event::ParamsSet { params: p.clone() }.into());
		assert_eq!(Params::<Test>::get(), Some(p));
	});
}

/// Issue 15, item 3. Before: `set_params` took a longer `reward_epoch`, which re-indexed
/// epochs: units earned later landed in epochs already claimed, and their claims paid more
/// than the epoch's emission. Now the epoch length is fixed once set.
#[test]
fn the_reward_epoch_cannot_change_under_claimed_epochs() {
	new_test_ext().execute_with(|| {
		let epoch = round_shared_with_bob();
		run_to((epoch as u64 + 1) * test_params().reward_epoch);
		assert_ok!(ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(alice()), epoch));
		assert_ok!(ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(bob()), epoch));
		let totals = Epochs::<Test>::get(epoch).unwrap();
		assert_eq!(totals.paid, totals.emission);
		// Twice as long: blocks from now on would be indexed as earlier, claimed epochs.
		let mut p = test_params();
		p.reward_epoch *= 2;
		assert_noop!(
			ProofOfCoverage::set_params(RuntimeOrigin::root(), p),
			Error::<Test>::RewardEpochFixed
		);
	});
}

#[test]
fn an_unconfigured_pallet_refuses_everything() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let plan = BeaconPlan::new(1);
		Params::<Test>::kill();
		assert_eq!(submit(beacon_call(&a, &plan)), err(Error::NotConfigured));
		assert_noop!(
			ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(alice()), 0),
			Error::<Test>::NotConfigured
		);
	});
}

#[test]
fn reveals_are_bounded_per_block_and_wait_for_randomness() {
	new_test_ext().execute_with(|| {
		let keys: Vec<HotspotKey> = (0..5)
			.map(|i| hotspot(&format!("H{i}"), 38.70 + 0.01 * i as f64, -9.14, 30))
			.collect();
		let plan = BeaconPlan::new(2);
		let beacons: Vec<u64> = keys.iter().map(|k| beacon_now(k, &plan)).collect();
		run_to(System::block_number() + test_params().witness_window + 1);
		for (k, b) in keys.iter().zip(&beacons).take(4) {
			assert_ok!(submit(reveal_call(k, *b, plan.local_entropy)));
		}
		assert_eq!(
			submit(reveal_call(&keys[4], beacons[4], plan.local_entropy)),
			err(Error::TooManyReveals)
		);
		// No randomness at the end of this block: the seeds wait.
		assay_primitives::testing::set_randomness(None);
		next_block();
		assert_eq!(crate::AwaitingSeed::<Test>::get().len(), 4);
		assert!(ProofOfCoverage::verification_queue().is_empty());
		assay_primitives::testing::set_randomness(Some([3u8; 32]));
		next_block();
		assert!(crate::AwaitingSeed::<Test>::get().is_empty());
		// Seeded and queued at the end of that block; the next block finished one: a finish
		// weighs more than the mock's budget of 3 verifications, and a block's first step
		// always runs.
		assert_eq!(ProofOfCoverage::verification_queue(), beacons[1..4].to_vec());
	});
}

/// Issue 15, item 19. Before: the selection seed came from the randomness of the block that
/// included the reveal, which that block's author knew when it chose to include it (the
/// seed was set at the end of the reveal block, from `[1; 32]`).
#[test]
fn the_selection_seed_is_the_next_blocks_randomness_not_the_including_authors() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let plan = BeaconPlan::new(4);
		let beacon = beacon_now(&a, &plan);
		run_to(System::block_number() + test_params().witness_window + 1);
		let seed_from = |r: [u8; 32]| {
			assay_primitives::derive_seed(
				crate::SELECTION_DOMAIN,
				&r,
				&codec::Encode::encode(&beacon),
			)
		};
		// The randomness of the block that includes the reveal: its author knows it.
		assay_primitives::testing::set_randomness(Some([1u8; 32]));
		assert_ok!(submit(reveal_call(&a, beacon, plan.local_entropy)));
		assert_eq!(crate::RevealedThisBlock::<Test>::get(), 1);
		next_block();
		let seed = || crate::Verifications::<Test>::get(beacon).unwrap().seed;
		assert_eq!(seed(), None, "seeded with the including block's randomness");
		assert_eq!(crate::AwaitingSeed::<Test>::get().to_vec(), vec![beacon]);
		assert_eq!(crate::RevealedThisBlock::<Test>::get(), 0);
		// The next block's randomness, unknown to the author that included the reveal.
		assay_primitives::testing::set_randomness(Some([2u8; 32]));
		// The end of that block draws the seed (the next block would verify the beacon, which
		// has no witnesses, and finish it).
		<ProofOfCoverage as polkadot_sdk::frame_support::traits::OnFinalize<BlockNumber>>::on_finalize(
			System::block_number(),
		);
		assert_eq!(seed(), Some(seed_from([2u8; 32])));
		assert_ne!(seed(), Some(seed_from([1u8; 32])));
		assert!(crate::AwaitingSeed::<Test>::get().is_empty());
	});
}

/// A block's reveals are bounded on their own: the previous block's reveals, still
/// awaiting their seed, take none of this block's room.
#[test]
fn reveals_waiting_for_the_next_blocks_seed_leave_this_blocks_room() {
	new_test_ext().execute_with(|| {
		// Four of Alice's hotspots and three of Bob's (one owner holds at most 6 queued).
		let keys: Vec<HotspotKey> = (0..7)
			.map(|i| {
				let (lat, lng) = (38.70 + 0.01 * i as f64, -9.14);
				if i < 4 {
					return hotspot(&format!("H{i}"), lat, lng, 30);
				}
				let key = HotspotKey::new(&format!("H{i}"));
				key.register(&bob());
				key.locate(&bob(), lat, lng, 30);
				key
			})
			.collect();
		let plan = BeaconPlan::new(2);
		let beacons: Vec<u64> = keys.iter().map(|k| beacon_now(k, &plan)).collect();
		run_to(System::block_number() + test_params().witness_window + 1);
		for (k, b) in keys.iter().zip(&beacons).take(3) {
			assert_ok!(submit(reveal_call(k, *b, plan.local_entropy)));
		}
		next_block();
		// Three wait for this block's randomness; a whole block's four may be revealed.
		assert_eq!(crate::AwaitingSeed::<Test>::get().len(), 3);
		for (k, b) in keys.iter().zip(&beacons).skip(3) {
			assert_ok!(submit(reveal_call(k, *b, plan.local_entropy)));
		}
		assert_eq!(crate::AwaitingSeed::<Test>::get().len(), 7);
		next_block();
		// The first three were seeded and queued; the other four wait a block.
		assert_eq!(crate::AwaitingSeed::<Test>::get().to_vec(), beacons[3..].to_vec());
	});
}

fn res11_of(key: &HotspotKey) -> CellIndex {
	CellIndex::try_from(DeviceRegistry::location_of(&key.id()).unwrap().cell)
		.unwrap()
		.parent(Resolution::Eleven)
		.unwrap()
}

#[test]
fn hex_density_follows_locations_through_the_registry_hook() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		next_block();
		assert_eq!(ProofOfCoverage::hex_scale(&a.id()), Some(FixedU128::from_u32(1)));
		// A second hotspot in the same resolution-11 cell: resolution 10 allows one, so
		// each is scaled by 1/2 once the queued cells are recomputed.
		let b = HotspotKey::new("B");
		b.register(&alice());
		b.locate_cell(
			&alice(),
			u64::from(res11_of(&a).center_child(Resolution::Twelve).unwrap()),
			30,
		);
		assert!(ProofOfCoverage::density_backlog() > 0);
		next_block();
		assert_eq!(ProofOfCoverage::density_backlog(), 0);
		let half = FixedU128::saturating_from_rational(1, 2);
		assert_eq!(ProofOfCoverage::hex_scale(&a.id()), Some(half));
		assert_eq!(ProofOfCoverage::hex_scale(&b.id()), Some(half));
		// B moves 5 km away: both are alone again.
		b.locate(&alice(), 38.7650, -9.1393, 30);
		next_block();
		assert_eq!(ProofOfCoverage::hex_scale(&a.id()), Some(FixedU128::from_u32(1)));
		// B comes back, then is deregistered: A is alone.
		b.locate_cell(
			&alice(),
			u64::from(res11_of(&a).center_child(Resolution::Twelve).unwrap()),
			30,
		);
		next_block();
		assert_eq!(ProofOfCoverage::hex_scale(&a.id()), Some(half));
		assert_ok!(DeviceRegistry::deregister_device(RuntimeOrigin::signed(alice()), b.id()));
		next_block();
		assert_eq!(ProofOfCoverage::hex_scale(&a.id()), Some(FixedU128::from_u32(1)));
		// Sensors do not count.
		let s = HotspotKey::new("S");
		s.register_as(&alice(), DeviceKind::Sensor);
		s.locate_cell(
			&alice(),
			u64::from(res11_of(&a).center_child(Resolution::Twelve).unwrap()),
			30,
		);
		assert_eq!(ProofOfCoverage::density_backlog(), 0);
		// The stored counts equal the full computation.
		let ll = LatLng::new(LISBON.0, LISBON.1).unwrap();
		let _ = ll;
		assert_eq!(ProofOfCoverage::hex_scale(&HotspotKey::new("Nobody").id()), None);
	});
}

#[test]
fn rewards_are_scaled_by_hex_density() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30);
		// C shares B's resolution-11 cell: both witnesses are scaled by 1/2.
		let c = HotspotKey::new("C");
		c.register(&alice());
		c.locate_cell(
			&alice(),
			u64::from(res11_of(&b).center_child(Resolution::Twelve).unwrap()),
			30,
		);
		next_block();
		let epoch = rewarded_round(&a, &b, &c);
		let units = OwnerUnits::<Test>::get(alice(), epoch).unwrap();
		assert_eq!(units.beaconer, FixedU128::saturating_from_rational(1, 2));
		assert_eq!(units.witness, FixedU128::from_u32(1), "two witnesses at 1 unit × 1/2");
	});
}

#[test]
fn unique_reports_do_not_touch_the_device_nonce() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30);
		let plan = BeaconPlan::new(5);
		let beacon = beacon_now(&a, &plan);
		assert_eq!(a.nonce(), 1);
		assert_ok!(submit(witness_call(&b, beacon, &Heard::honest(&plan, &b, -1000))));
		assert_eq!(b.nonce(), 0);
		System::assert_last_event(Event::WitnessReported { beacon, witness: b.id() }.into());
	});
}

/// Issue 15, item 2. Before: a relayed batch was a free general transaction whose
/// authorization verified every report's signature, so one forged last report made the
/// pool verify up to 63 good signatures (other people's reports, copied from the pool)
/// for nothing, as often as anyone liked. Now the relay signs and pays: its batch is
/// checked at dispatch, the forged report is skipped, and the fee is waived only when every
/// report was recorded.
#[test]
fn a_relay_pays_for_a_batch_with_a_refused_report_and_nothing_for_a_clean_one() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = hotspot("B", 38.7400, -9.1393, 30);
		let c = hotspot("C", 38.7223, -9.1050, 30);
		let d = hotspot("D", 38.7050, -9.1393, 30);
		make_reciprocal(&b);
		make_reciprocal(&c);
		let plan = BeaconPlan::new(5);
		let beacon = beacon_now(&a, &plan);
		let report = |k: &HotspotKey| relayed(k, beacon, &Heard::honest(&plan, k, -1100));
		// A forged report is skipped and named; the batch's good report stands; the relay
		// pays for the signatures it made the chain verify.
		let mut forged = report(&d);
		forged.signature = HotspotKey::new("Forger").sign(b"anything");
		let paid = relay(vec![report(&b), forged]).unwrap();
		assert_eq!(paid.pays_fee, Pays::Yes);
		System::assert_has_event(
			Event::RelayedWitnessRefused {
				beacon,
				witness: d.id(),
				error: Error::<Test>::InvalidWitnessSignature.into(),
			}
			.into(),
		);
		assert!(Witnesses::<Test>::get(beacon, b.id()).is_some());
		assert!(Witnesses::<Test>::get(beacon, d.id()).is_none());
		// Already reported (alone or by this batch): refused, and the relay pays.
		let paid = relay(vec![report(&c), report(&c)]).unwrap();
		assert_eq!(paid.pays_fee, Pays::Yes);
		System::assert_last_event(
			Event::RelayedWitnessRefused {
				beacon,
				witness: c.id(),
				error: Error::<Test>::DuplicateWitness.into(),
			}
			.into(),
		);
		assert_eq!(
			submit(witness_call(&c, beacon, &Heard::honest(&plan, &c, -1100))),
			err(Error::DuplicateWitness)
		);
		// A clean batch is free.
		let e = hotspot("E", 38.7223, -9.1700, 30);
		make_reciprocal(&e);
		assert_eq!(relay(vec![report(&d), report(&e)]).unwrap().pays_fee, Pays::No);
		reveal_when_allowed(&a, beacon, &plan);
		run_until_verified(beacon);
		assert_eq!(verdict(beacon, &b), Verdict::Selected);
		assert_eq!(verdict(beacon, &c), Verdict::Selected);
	});
}

#[test]
fn a_full_verification_queue_refuses_reveals() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let plan = BeaconPlan::new(5);
		let beacon = beacon_now(&a, &plan);
		run_to(System::block_number() + test_params().witness_window + 1);
		// The queue (8 in the mock) is full of other beacons' verifications.
		crate::VerifyQueue::<Test>::put(polkadot_sdk::frame_support::BoundedVec::truncate_from(
			vec![100u64; 8],
		));
		assert_eq!(
			submit(reveal_call(&a, beacon, plan.local_entropy)),
			err(Error::VerifyQueueFull)
		);
		assert_eq!(Beacons::<Test>::get(beacon).unwrap().phase, BeaconPhase::Open);
		crate::VerifyQueue::<Test>::kill();
		assert_ok!(submit(reveal_call(&a, beacon, plan.local_entropy)));
	});
}

#[test]
fn a_claim_the_owner_cannot_receive_fails_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		// A tiny emission, shared with Alice, and an owner who has left: Charlie's share is
		// below the existential deposit of his reaped account.
		let mut p = test_params();
		p.coverage_emission = 20;
		assert_ok!(ProofOfCoverage::set_params(RuntimeOrigin::root(), p));
		use polkadot_sdk::sp_core::Pair as _;
		let charlie: AccountId =
			polkadot_sdk::sp_core::sr25519::Pair::from_string("//Charlie", None)
				.unwrap()
				.public()
				.into();
		assert_ok!(
			<Balances as polkadot_sdk::frame_support::traits::fungible::Mutate<_>>::mint_into(
				&charlie, 10_000
			)
		);
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = HotspotKey::new("B");
		b.register(&charlie);
		b.locate(&charlie, 38.7400, -9.1393, 30);
		let c = hotspot("C", 38.7223, -9.1050, 30);
		let epoch = rewarded_round(&a, &b, &c);
		assert_ok!(DeviceRegistry::deregister_device(
			RuntimeOrigin::signed(charlie.clone()),
			b.id()
		));
		assert_ok!(Balances::transfer_all(RuntimeOrigin::signed(charlie.clone()), bob(), false));
		assert!(!polkadot_sdk::frame_system::Account::<Test>::contains_key(&charlie));
		ExistentialDeposit::set(100);
		run_to((epoch as u64 + 1) * test_params().reward_epoch);
		assert_noop!(
			ProofOfCoverage::claim_rewards(RuntimeOrigin::signed(charlie), epoch),
			Error::<Test>::MintFailed
		);
	});
}

/// Issue 15, item 2 (beacons and reveals). Before: `authorize_beacon` and
/// `authorize_reveal` verified the signature first, so every report that broke a cheap rule
/// still cost the pool a signature check (a forged report answered `BadProof`). Now the
/// storage and arithmetic checks come first and such a report is refused before any
/// signature is checked.
#[test]
fn cheap_checks_come_before_the_signature() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let forger = HotspotKey::new("Forger");
		let plan = BeaconPlan::new(3);
		// A beacon off every channel, signed by someone else.
		let crate::Call::submit_beacon {
			hotspot,
			nonce,
			entropy_index,
			commitment,
			tx_power_dbm,
			region,
			..
		} = beacon_call_with(&a, &plan, 868_000_000, a.nonce())
		else {
			unreachable!()
		};
		let off_channel = crate::Call::<Test>::submit_beacon {
			hotspot,
			nonce,
			entropy_index,
			commitment,
			tx_power_dbm,
			frequency_hz: 868_000_000,
			region,
			signature: forger.sign(b"anything"),
		};
		assert_eq!(submit(off_channel), err(Error::NotAChannel));
		// A reveal with the wrong entropy, signed by someone else.
		let beacon = beacon_now(&a, &plan);
		run_to(System::block_number() + test_params().witness_window + 1);
		let crate::Call::reveal_beacon { hotspot, nonce, beacon, .. } =
			reveal_call(&a, beacon, [7u8; 32])
		else {
			unreachable!()
		};
		let wrong = crate::Call::<Test>::reveal_beacon {
			hotspot,
			nonce,
			beacon,
			local_entropy: [7u8; 32],
			signature: forger.sign(b"anything"),
		};
		assert_eq!(submit(wrong), err(Error::CommitmentMismatch));
	});
}

#[test]
fn a_queue_whose_bound_shrank_breaks_the_invariants_instead_of_reading_empty() {
	new_test_ext().execute_with(|| {
		use codec::Encode;
		use polkadot_sdk::frame_support::traits::GetStorageVersion;
		// The layout version is declared and stored at genesis.
		assert_eq!(ProofOfCoverage::on_chain_storage_version(), crate::STORAGE_VERSION);
		// What an older runtime with a larger bound left behind: 9 queued beacons where
		// this code allows 8. The queue reads back empty, as if nothing waited.
		polkadot_sdk::frame_support::storage::unhashed::put_raw(
			&crate::VerifyQueue::<Test>::hashed_key(),
			&vec![100u64; 9].encode(),
		);
		assert!(crate::VerifyQueue::<Test>::get().is_empty());
		assert_eq!(
			ProofOfCoverage::do_try_state(),
			Err(DispatchError::Other("VerifyQueue does not decode"))
		);
		crate::VerifyQueue::<Test>::kill();
		assert_ok!(ProofOfCoverage::do_try_state());
	});
}

/// A hotspot of Bob's fleet on a ring 3 km around Lisbon.
fn fleet_hotspot(i: usize, of: usize) -> HotspotKey {
	let angle = i as f64 * core::f64::consts::TAU / of as f64;
	let key = HotspotKey::new(&format!("Fleet{i}"));
	key.register(&bob());
	key.locate(&bob(), LISBON.0 + 0.03 * angle.sin(), LISBON.1 + 0.03 * angle.cos(), 30);
	key
}

#[test]
fn witness_stuffing_is_bounded_and_an_honest_round_still_pays() {
	new_test_ext().execute_with(|| {
		// Bob's fleet of 20 reports every beacon it can; Alice's A beacons, B and C are honest.
		let fleet: Vec<HotspotKey> = (0..20).map(|i| fleet_hotspot(i, 20)).collect();
		let beaconers: Vec<HotspotKey> = (0..4)
			.map(|i| hotspot(&format!("A{i}"), LISBON.0 + 0.01 * i as f64, LISBON.1 - 0.05, 30))
			.collect();
		let b = hotspot("B", LISBON.0 + 0.02, LISBON.1 + 0.01, 30);
		let c = hotspot("C", LISBON.0 - 0.02, LISBON.1 - 0.01, 30);
		for w in fleet.iter().chain([&b, &c]) {
			make_reciprocal(w);
		}

		// Round 1: the fleet floods the beacon; the roster keeps 16 (MaxWitnessesPerBeacon),
		// the lowest roster ranks of all who reported, whatever the order they came in.
		let plan = BeaconPlan::new(11);
		let beacon = beacon_now(&beaconers[0], &plan);
		let record = Beacons::<Test>::get(beacon).unwrap();
		let mut offered = Vec::new();
		for w in fleet.iter().chain([&b, &c]) {
			let _ = submit(witness_call(w, beacon, &Heard::honest(&plan, w, -1100)));
			offered.push(w.id());
		}
		let kept: std::collections::BTreeSet<_> =
			Witnesses::<Test>::iter_prefix(beacon).map(|(w, _)| w).collect();
		assert_eq!(kept.len(), 16);
		let mut ranked: Vec<_> = offered
			.iter()
			.map(|w| (ProofOfCoverage::roster_rank(beacon, &record, w), w.clone()))
			.collect();
		ranked.sort();
		let expected: std::collections::BTreeSet<_> =
			ranked.into_iter().take(16).map(|(_, w)| w).collect();
		assert_eq!(kept, expected);

		// Rounds 2 and 3 in the same beacon window: the fleet's budget (3 reports per
		// window) runs out at the third beacon it reports.
		let plans: Vec<BeaconPlan> = (12..14).map(BeaconPlan::new).collect();
		let more: Vec<u64> =
			beaconers[1..3].iter().zip(&plans).map(|(a, p)| beacon_now(a, p)).collect();
		let x = fleet.iter().find(|w| kept.contains(&w.id())).expect("the fleet holds places");
		assert_eq!(crate::WitnessBudget::<Test>::get(x.id()).unwrap().1, 1);
		for (beacon, plan) in more.iter().zip(&plans) {
			assert_ok!(submit(witness_call(x, *beacon, &Heard::honest(plan, x, -1100))));
		}
		assert_eq!(crate::WitnessBudget::<Test>::get(x.id()).unwrap().1, 3);
		let plan4 = BeaconPlan::new(14);
		let last = beacon_now(&beaconers[3], &plan4);
		assert_eq!(
			submit(witness_call(x, last, &Heard::honest(&plan4, x, -1100))),
			err(Error::WitnessBudgetSpent)
		);

		// The honest round: B and C report the fourth beacon and are paid.
		for w in [&b, &c] {
			assert_ok!(submit(witness_call(w, last, &Heard::honest(&plan4, w, -1100))));
		}
		reveal_when_allowed(&beaconers[3], last, &plan4);
		run_until_verified(last);
		assert!(matches!(
			Beacons::<Test>::get(last).unwrap().phase,
			BeaconPhase::Verified { selected: 2, .. }
		));
		assert_eq!(verdict(last, &b), Verdict::Selected);
		assert_eq!(verdict(last, &c), Verdict::Selected);
		assert!(OwnerUnits::<Test>::iter_prefix(alice()).count() > 0);
	});
}

#[test]
fn implausible_reports_are_refused_on_arrival_before_the_signature() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let near = hotspot("Near", LISBON.0 + 0.02, LISBON.1, 30);
		// Porto, about 275 km away: no LoRa signal carries that far.
		let far = hotspot("Far", 41.1579, -8.6291, 30);
		let plan = BeaconPlan::new(21);
		let beacon = beacon_now(&a, &plan);
		let honest = Heard::honest(&plan, &near, -1100);
		// Each refusal is reached with a signature that would not verify: no signature check.
		let forged = |mut call: crate::Call<Test>| {
			if let crate::Call::submit_witness { signature, .. } = &mut call {
				*signature = near.sign_unique_report::<Test>(b"something else");
			}
			call
		};
		let other_region = Heard { region: Region::Us915, ..Heard::honest(&plan, &near, -1100) };
		assert_eq!(
			submit(forged(witness_call(&near, beacon, &other_region))),
			err(Error::WrongRegion)
		);
		let off = Heard {
			frequency_hz: honest.frequency_hz + 200_000,
			..Heard::honest(&plan, &near, -1100)
		};
		assert_eq!(submit(forged(witness_call(&near, beacon, &off))), err(Error::WrongFrequency));
		assert_eq!(
			submit(forged(witness_call(&far, beacon, &Heard::honest(&plan, &far, -1300)))),
			err(Error::TooFar)
		);
		assert_eq!(Witnesses::<Test>::iter_prefix(beacon).count(), 0);
		assert_ok!(submit(witness_call(&near, beacon, &honest)));
	});
}

#[test]
fn one_owner_cannot_fill_the_verification_queue() {
	new_test_ext().execute_with(|| {
		// Bob reveals beacon after beacon; at most MaxQueuedPerOwner (6) of them wait for
		// verification at once.
		let fleet: Vec<HotspotKey> = (0..9).map(|i| fleet_hotspot(i, 9)).collect();
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let plans: Vec<BeaconPlan> = (0..9).map(|i| BeaconPlan::new(30 + i)).collect();
		let beacons: Vec<u64> = fleet.iter().zip(&plans).map(|(k, p)| beacon_now(k, p)).collect();
		let plan_a = BeaconPlan::new(40);
		let beacon_a = beacon_now(&a, &plan_a);
		run_to(System::block_number() + test_params().witness_window + 1);
		let mut next = 0;
		while crate::QueuedOf::<Test>::get(bob()) < 6 {
			// Four reveals per block (MaxRevealsPerBlock).
			if crate::AwaitingSeed::<Test>::get().len() == 4 {
				next_block();
			}
			assert_ok!(submit(reveal_call(&fleet[next], beacons[next], plans[next].local_entropy)));
			next += 1;
		}
		assert!(next < 9);
		assert_eq!(
			submit(reveal_call(&fleet[next], beacons[next], plans[next].local_entropy)),
			err(Error::OwnerQueueFull)
		);
		// Alice's beacon still gets in.
		assert_ok!(submit(reveal_call(&a, beacon_a, plan_a.local_entropy)));
		// Verification releases the places.
		run_until_verified(beacon_a);
		assert_eq!(crate::QueuedOf::<Test>::get(bob()), 0);
		assert_eq!(crate::QueuedOf::<Test>::get(alice()), 0);
	});
}

/// Issue 15, item 22: found by the `device_reports` fuzz target. Before: an empty relayed
/// batch was valid, provided no tag and changed nothing, so the same feeless transaction
/// could be included in every block, forever.
#[test]
fn an_empty_batch_is_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(relay(vec![]), Error::<Test>::EmptyBatch);
		// Only a signed relay may send a batch.
		assert_noop!(
			ProofOfCoverage::submit_witnesses(RuntimeOrigin::none(), Default::default()),
			DispatchError::BadOrigin
		);
	});
}

/// Issue 15, item 2. Before: a relayed batch checked each report in full, signature
/// included, before looking at the next, so a batch whose last report broke a cheap rule
/// cost a signature check per report. Each relayed report still gets its cheap checks
/// first: a report that breaks a rule is refused for that rule, its signature unverified.
#[test]
fn a_relayed_report_gets_its_cheap_checks_before_its_signature() {
	new_test_ext().execute_with(|| {
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let c = hotspot("C", 38.7223, -9.1050, 30);
		let plan = BeaconPlan::new(5);
		let beacon = beacon_now(&a, &plan);
		let mut elsewhere = relayed(
			&c,
			beacon,
			&Heard { region: Region::Us915, ..Heard::honest(&plan, &c, -1100) },
		);
		elsewhere.signature = HotspotKey::new("Forger").sign(b"anything");
		assert_eq!(relay(vec![elsewhere]).unwrap().pays_fee, Pays::Yes);
		System::assert_last_event(
			Event::RelayedWitnessRefused {
				beacon,
				witness: c.id(),
				error: Error::<Test>::WrongRegion.into(),
			}
			.into(),
		);
	});
}

/// One verified round: `beaconer` beacons, each of `witnesses` reports it at `rssi`.
fn round(beaconer: &HotspotKey, witnesses: &[(&HotspotKey, i16)], entropy: u8) -> u64 {
	let plan = BeaconPlan::new(entropy);
	let beacon = beacon_now(beaconer, &plan);
	for (w, rssi) in witnesses {
		make_reciprocal(w);
		assert_ok!(submit(witness_call(w, beacon, &Heard::honest(&plan, w, *rssi))));
	}
	reveal_when_allowed(beaconer, beacon, &plan);
	run_until_verified(beacon);
	beacon
}

#[test]
fn witnesses_that_pass_get_fraud_features_from_their_history() {
	use crate::{features, PeerHistories, WitnessFeatures, FEATURE_HEX_RESOLUTION};
	new_test_ext().execute_with(|| {
		// A and C are Alice's, B is Bob's.
		let a = hotspot("A", LISBON.0, LISBON.1, 30);
		let b = HotspotKey::new("B");
		b.register(&bob());
		b.locate(&bob(), 38.7400, -9.1393, 30);
		let c = hotspot("C", 38.7223, -9.1050, 30);
		let loud = hotspot("Loud", 38.7050, -9.1393, 30);
		let plan = BeaconPlan::new(8);
		let over = rssi_limit(&plan, &a, &loud).unwrap() + 1;
		let first = round(&a, &[(&b, -1100), (&c, -1250), (&loud, over)], 8);
		let tag = |k: &HotspotKey| {
			let id: [u8; 32] = k.id().into();
			features::peer_tag(&id)
		};
		let location = |k: &HotspotKey| {
			CellIndex::try_from(DeviceRegistry::location_of(&k.id()).unwrap().cell).unwrap()
		};
		let expected = |w: &HotspotKey, rssi: i16, same_owner: bool, history| {
			let distance = checks::distance_m(location(&a), location(w));
			let limit =
				fspl::max_rssi_milli_dbm(plan.tx_power_dbm, 30, 30, distance, plan.frequency())
					.unwrap();
			let hex = location(w).parent(FEATURE_HEX_RESOLUTION).unwrap();
			let facts = features::WitnessFacts {
				rssi_dbm_x10: rssi,
				snr_db_x10: 55,
				limit_milli_dbm: limit,
				distance_m: distance,
				same_owner,
				hex_hotspots: crate::CellCounts::<Test>::get(u64::from(hex)).unwrap().unclipped,
				beaconer: tag(&a),
			};
			features::features(&facts, &history)
		};
		let fresh = features::PeerHistory::default();
		let margin = |f: &features::Features| f[0] as i16;
		assert_eq!(
			WitnessFeatures::<Test>::get(first, b.id()),
			Some(expected(&b, -1100, false, fresh))
		);
		let c_features = WitnessFeatures::<Test>::get(first, c.id()).unwrap();
		assert_eq!(c_features, expected(&c, -1250, true, fresh));
		assert_eq!(c_features[7], 1, "one owner holds A and C");
		assert!(c_features[0] > 0 && c_features[3] > 250, "{c_features:?}");
		// A report that failed a check has a verdict and no features.
		assert_eq!(verdict(first, &loud), Verdict::Invalid(WitnessRejection::RssiTooHigh));
		assert_eq!(WitnessFeatures::<Test>::get(first, loud.id()), None);
		// Both histories recorded the passing reports, and only them.
		let b_history = PeerHistories::<Test>::get(b.id());
		assert_eq!(b_history.heard.peers(), &[tag(&a)]);
		let b_features = WitnessFeatures::<Test>::get(first, b.id()).unwrap();
		assert_eq!(b_history.heard.newest_margin(&tag(&a)), Some(margin(&b_features)));
		assert_eq!(PeerHistories::<Test>::get(a.id()).heard_by.peers(), &[tag(&b), tag(&c)]);
		assert_eq!(PeerHistories::<Test>::get(loud.id()), fresh);

		// B beacons and A hears it; then A again, heard by B: B has heard A once and A
		// has heard B, so they are mutual peers.
		round(&b, &[(&a, -1100)], 9);
		// A's next beacon window.
		run_to(System::block_number() + test_params().beacon_window);
		let third = round(&a, &[(&b, -1100)], 10);
		let f = WitnessFeatures::<Test>::get(third, b.id()).unwrap();
		assert_eq!(&f[4..7], &[1, 1, 1], "heard, distinct, mutual: {f:?}");
		// The link's asymmetry: B's margin now minus what A reported of B's beacon.
		let a_of_b = PeerHistories::<Test>::get(b.id()).heard_by.newest_margin(&tag(&a)).unwrap();
		assert_eq!(f[11], i32::from(margin(&f)) - i32::from(a_of_b));

		// Pruned with their beacon.
		run_to(System::block_number() + test_params().retention + 1);
		assert!(Beacons::<Test>::get(first).is_none());
		assert_eq!(WitnessFeatures::<Test>::iter_prefix(first).count(), 0);
	});
}
