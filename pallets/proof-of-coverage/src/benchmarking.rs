//! Benchmarks of proof of coverage. Hotspots are real sr25519 keys in the benchmark
//! keystore, registered and located through the device registry, so authorization pays for
//! real signature checks and the verification step for real H3 and FSPL maths.

use crate::{
	checks, AwaitingSeed, Beacon, BeaconId, BeaconPhase, Beacons, BenchmarkHelper, Call,
	CellCounts, Config, CoverageParams, Entropy, EpochTotals, Epochs, LastHeard, LatestEntropy,
	NextBeaconId, OwnerUnits, Pallet, Params, ParamsOf, Region, RelayedWitness, Rosters, Units,
	Verdict, Verification, Verifications, Witness, Witnesses,
};
use alloc::{vec, vec::Vec};
use h3o::{CellIndex, LatLng, Resolution};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{Authorize, Get},
		BoundedVec,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor, RawOrigin},
	sp_arithmetic::{FixedPointNumber, FixedU128},
	sp_core::sr25519,
	sp_crypto_hashing::blake2_256,
	sp_runtime::{traits::IdentifyAccount, MultiSigner},
};

use assay_primitives::bench_keys::{generate, sign};

const LOCAL_ENTROPY: [u8; 32] = [42u8; 32];

fn id_of<T: Config>(key: &sr25519::Public) -> T::AccountId {
	MultiSigner::from(*key).into_account().into()
}

fn genesis<T: Config>() -> T::Hash {
	frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::from(0u32))
}

/// The genesis hash a device report's signature covers is read by every transaction's
/// `CheckGenesis` (whose cost is in the base extrinsic weight), so within a block it is
/// an overlay cache hit: not charged again to the reports.
fn whitelist_genesis_hash<T: Config>() {
	polkadot_sdk::frame_benchmarking::benchmarking::add_to_whitelist(
		frame_system::BlockHash::<T>::hashed_key_for(BlockNumberFor::<T>::from(0u32)).into(),
	);
}

fn report<T: Config>(nonce: u64, payload: &[u8]) -> Vec<u8> {
	assay_wire::devices::report(&genesis::<T>(), nonce, payload)
}

fn unique_report<T: Config>(payload: &[u8]) -> Vec<u8> {
	assay_wire::devices::unique_report(&genesis::<T>(), payload)
}

/// The resolution-12 cell at (lat, lng).
fn cell(lat: f64, lng: f64) -> u64 {
	u64::from(LatLng::new(lat, lng).expect("valid coordinates").to_cell(Resolution::Twelve))
}

/// Lisbon, where the beaconer stands.
fn beaconer_cell() -> u64 {
	cell(38.7223, -9.1393)
}

/// The i-th witness position: on a 3 km circle around the beaconer.
fn witness_cell(i: u32) -> u64 {
	let angle = f64::from(i) * core::f64::consts::TAU / 16.0;
	cell(38.7223 + 0.03 * libm_sin(angle), -9.1393 + 0.03 * libm_cos(angle))
}

fn libm_sin(x: f64) -> f64 {
	trig(x).0
}
fn libm_cos(x: f64) -> f64 {
	trig(x).1
}
/// sin and cos by Taylor series (`core` has neither): benchmarks need positions, not
/// precision.
fn trig(x: f64) -> (f64, f64) {
	let (mut sin, mut cos, mut term_s, mut term_c) = (0.0, 0.0, x, 1.0);
	for n in 0..12 {
		sin += term_s;
		cos += term_c;
		let k = f64::from(2 * n + 2);
		term_s = -term_s * x * x / (k * (k + 1.0));
		term_c = -term_c * x * x / ((k - 1.0) * k);
	}
	(sin, cos)
}

/// A located hotspot of `owner`, with its key.
fn hotspot<T: Config>(owner: &T::AccountId, cell: u64) -> sr25519::Public {
	let key = generate();
	T::BenchmarkHelper::located_hotspot(key, owner, cell);
	key
}

fn params<T: Config>() -> ParamsOf<T> {
	CoverageParams {
		entropy_period: 10u32.into(),
		entropy_lifespan: 30u32.into(),
		beacon_window: 3_600u32.into(),
		witness_window: 5u32.into(),
		reveal_window: 5u32.into(),
		reciprocity_window: 28_800u32.into(),
		reward_epoch: 14_400u32.into(),
		coverage_emission: 1_000_000_000u32.into(),
		retention: 14_400u32.into(),
	}
}

/// Parameters set, at block 100, with entropy 10 drawn.
fn setup<T: Config>() {
	Params::<T>::put(params::<T>());
	frame_system::Pallet::<T>::set_block_number(100u32.into());
	Entropy::<T>::insert(10, ([9u8; 32], BlockNumberFor::<T>::from(100u32)));
	LatestEntropy::<T>::put(10);
}

/// The chain configured (`setup`), the benchmark owner, and its located beaconer.
fn owner_and_beaconer<T: Config>() -> (T::AccountId, sr25519::Public) {
	setup::<T>();
	let owner: T::AccountId = account("owner", 0, 0);
	let beaconer = hotspot::<T>(&owner, beaconer_cell());
	(owner, beaconer)
}

/// The EU868 channel the beacon's payload selects.
fn channel() -> u64 {
	checks::channel(&checks::payload(&[9u8; 32], &LOCAL_ENTROPY), Region::Eu868)
}

/// An open beacon of `beaconer` submitted at the current block.
fn open_beacon<T: Config>(beaconer: &sr25519::Public) -> BeaconId {
	let id = NextBeaconId::<T>::get();
	NextBeaconId::<T>::put(id + 1);
	Beacons::<T>::insert(
		id,
		Beacon {
			beaconer: id_of::<T>(beaconer),
			entropy_index: 10,
			entropy: [9u8; 32],
			commitment: blake2_256(&LOCAL_ENTROPY),
			tx_power_dbm: 27,
			frequency_hz: channel(),
			region: Region::Eu868,
			submitted_at: frame_system::Pallet::<T>::block_number(),
			witness_until: frame_system::Pallet::<T>::block_number() + 5u32.into(),
			payload: None,
			phase: BeaconPhase::Open,
		},
	);
	id
}

/// An honest witness report of `beacon` by `witness`.
fn honest_report<T: Config>(witness: &sr25519::Public) -> Witness<BlockNumberFor<T>> {
	let payload = checks::payload(&[9u8; 32], &LOCAL_ENTROPY);
	Witness {
		commitment: checks::witness_commitment(&payload, &witness.0),
		rssi_dbm_x10: -1100,
		snr_db_x10: 50,
		frequency_hz: channel(),
		region: Region::Eu868,
		received_at: frame_system::Pallet::<T>::block_number(),
		verdict: Verdict::Pending,
	}
}

/// Fills `beacon`'s roster with reports ranked worse than any real one, each stored: a new
/// report then displaces one (the costliest path of a report).
fn fill_roster<T: Config>(beacon: BeaconId, sample: &sr25519::Public) {
	let roster: Vec<_> = (0..T::MaxWitnessesPerBeacon::get())
		.map(|i| {
			let filler: T::AccountId = account("filler", i, 0);
			Witnesses::<T>::insert(beacon, &filler, honest_report::<T>(sample));
			([0xffu8; 32], filler)
		})
		.collect();
	Rosters::<T>::insert(beacon, BoundedVec::truncate_from(roster));
}

/// A revealed beacon with `n` honest, reciprocal witnesses, ready for verification.
fn revealed_beacon<T: Config>(n: u32) -> (BeaconId, Vec<sr25519::Public>) {
	let (owner, beaconer) = owner_and_beaconer::<T>();
	let beacon = open_beacon::<T>(&beaconer);
	let witnesses: Vec<_> = (0..n).map(|i| hotspot::<T>(&owner, witness_cell(i))).collect();
	let now = frame_system::Pallet::<T>::block_number();
	for w in &witnesses {
		Witnesses::<T>::insert(beacon, id_of::<T>(w), honest_report::<T>(w));
		LastHeard::<T>::insert(id_of::<T>(w), now);
	}
	let payload = checks::payload(&[9u8; 32], &LOCAL_ENTROPY);
	Beacons::<T>::mutate(beacon, |b| {
		if let Some(b) = b {
			b.payload = Some(payload);
			b.phase = BeaconPhase::Verifying;
		}
	});
	Verifications::<T>::insert(
		beacon,
		Verification {
			payload,
			seed: Some([3u8; 32]),
			cursor: None,
			best: Default::default(),
			valid: 0,
			heard: false,
			owner: <T::Devices as assay_primitives::DeviceRegistry<_, _>>::owner_of(&id_of::<T>(
				&beaconer,
			))
			.expect("a registered beaconer"),
		},
	);
	(beacon, witnesses)
}

/// `key`'s honest report of `beacon`, signed as a unique report.
fn signed_report<T: Config>(
	beacon: BeaconId,
	key: &sr25519::Public,
) -> RelayedWitness<T::AccountId> {
	let r = honest_report::<T>(key);
	let witness = id_of::<T>(key);
	let payload = assay_wire::coverage::witness_payload(&assay_wire::coverage::Heard {
		witness: &witness,
		beacon,
		commitment: &r.commitment,
		rssi_dbm_x10: r.rssi_dbm_x10,
		snr_db_x10: r.snr_db_x10,
		frequency_hz: r.frequency_hz,
		region: r.region,
	});
	RelayedWitness {
		witness,
		beacon,
		commitment: r.commitment,
		rssi_dbm_x10: r.rssi_dbm_x10,
		snr_db_x10: r.snr_db_x10,
		frequency_hz: r.frequency_hz,
		region: r.region,
		signature: sign(key, &unique_report::<T>(&payload)),
	}
}

/// `n` signed reports by `n` located hotspots, each of its own open beacon (the worst
/// case: every report reads its beacon).
fn relayed_batch<T: Config>(
	n: u32,
) -> (BeaconId, BoundedVec<RelayedWitness<T::AccountId>, T::MaxWitnessBatch>) {
	let (owner, beaconer) = owner_and_beaconer::<T>();
	let first = NextBeaconId::<T>::get();
	let reports: Vec<_> = (0..n)
		.map(|i| {
			let beacon = open_beacon::<T>(&beaconer);
			let witness = hotspot::<T>(&owner, witness_cell(i % 16));
			fill_roster::<T>(beacon, &witness);
			signed_report::<T>(beacon, &witness)
		})
		.collect();
	(first, BoundedVec::truncate_from(reports))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_beacon() {
		let (_, key) = owner_and_beaconer::<T>();
		let hotspot = id_of::<T>(&key);
		#[extrinsic_call]
		_(
			RawOrigin::Authorized,
			hotspot,
			0,
			10,
			blake2_256(&LOCAL_ENTROPY),
			27,
			channel(),
			Region::Eu868,
			sign(&key, b"unused"),
		);
		assert_eq!(NextBeaconId::<T>::get(), 1);
	}

	#[benchmark]
	fn authorize_submit_beacon() {
		let (_, key) = owner_and_beaconer::<T>();
		whitelist_genesis_hash::<T>();
		let hotspot = id_of::<T>(&key);
		let commitment = blake2_256(&LOCAL_ENTROPY);
		let payload = assay_wire::coverage::beacon_payload(
			&hotspot,
			10,
			&commitment,
			27,
			channel(),
			Region::Eu868,
		);
		let signature = sign(&key, &report::<T>(0, &payload));
		let call = Call::<T>::submit_beacon {
			hotspot,
			nonce: 0,
			entropy_index: 10,
			commitment,
			tx_power_dbm: 27,
			frequency_hz: channel(),
			region: Region::Eu868,
			signature,
		};
		#[block]
		{
			call.authorize(TransactionSource::External)
				.expect("authorizable")
				.expect("valid");
		}
	}

	#[benchmark]
	fn submit_witness() {
		let (owner, beaconer) = owner_and_beaconer::<T>();
		let witness = hotspot::<T>(&owner, witness_cell(0));
		let beacon = open_beacon::<T>(&beaconer);
		fill_roster::<T>(beacon, &witness);
		let r = honest_report::<T>(&witness);
		let witness_id = id_of::<T>(&witness);
		#[extrinsic_call]
		_(
			RawOrigin::Authorized,
			witness_id.clone(),
			beacon,
			r.commitment,
			r.rssi_dbm_x10,
			r.snr_db_x10,
			r.frequency_hz,
			r.region,
			sign(&witness, b"unused"),
		);
		assert!(Witnesses::<T>::contains_key(beacon, witness_id));
	}

	#[benchmark]
	fn authorize_submit_witness() {
		let (owner, beaconer) = owner_and_beaconer::<T>();
		whitelist_genesis_hash::<T>();
		let witness = hotspot::<T>(&owner, witness_cell(0));
		let beacon = open_beacon::<T>(&beaconer);
		fill_roster::<T>(beacon, &witness);
		let r = signed_report::<T>(beacon, &witness);
		let call = Call::<T>::submit_witness {
			witness: r.witness,
			beacon: r.beacon,
			commitment: r.commitment,
			rssi_dbm_x10: r.rssi_dbm_x10,
			snr_db_x10: r.snr_db_x10,
			frequency_hz: r.frequency_hz,
			region: r.region,
			signature: r.signature,
		};
		#[block]
		{
			call.authorize(TransactionSource::External)
				.expect("authorizable")
				.expect("valid");
		}
	}

	/// The recording of a relayed batch of `n` reports from `n` hotspots, whose checks
	/// have passed (`authorize_submit_witnesses` measures those).
	#[benchmark]
	fn submit_witnesses(n: Linear<1, { T::MaxWitnessBatch::get() }>) {
		let (_, reports) = relayed_batch::<T>(n);
		let sent: Vec<_> = reports.iter().map(|r| (r.beacon, r.witness.clone())).collect();
		#[block]
		{
			for r in reports {
				Pallet::<T>::record_relayed_witness(r).expect("recorded");
			}
		}
		// Each report displaced a filler of its beacon's full roster.
		assert!(sent.iter().all(|(b, w)| Witnesses::<T>::contains_key(b, w)));
	}

	/// The checks of a relayed batch of `n` reports: each report's cheap checks and its
	/// hotspot's signature, which `submit_witnesses` runs before recording it. (The name
	/// is the one these checks had when the pool ran them; the weight file keeps it.)
	#[benchmark]
	fn authorize_submit_witnesses(n: Linear<1, { T::MaxWitnessBatch::get() }>) {
		let (_, reports) = relayed_batch::<T>(n);
		whitelist_genesis_hash::<T>();
		#[block]
		{
			for r in &reports {
				Pallet::<T>::check_relayed_witness(r).expect("valid");
			}
		}
	}

	#[benchmark]
	fn reveal_beacon() {
		let (_, key) = owner_and_beaconer::<T>();
		let beacon = open_beacon::<T>(&key);
		frame_system::Pallet::<T>::set_block_number(106u32.into());
		#[extrinsic_call]
		_(RawOrigin::Authorized, id_of::<T>(&key), 0, beacon, LOCAL_ENTROPY, sign(&key, b"unused"));
		assert_eq!(AwaitingSeed::<T>::get().len(), 1);
	}

	#[benchmark]
	fn authorize_reveal_beacon() {
		let (_, key) = owner_and_beaconer::<T>();
		whitelist_genesis_hash::<T>();
		let beacon = open_beacon::<T>(&key);
		frame_system::Pallet::<T>::set_block_number(106u32.into());
		let hotspot = id_of::<T>(&key);
		let payload = assay_wire::coverage::reveal_payload(&hotspot, beacon, &LOCAL_ENTROPY);
		let call = Call::<T>::reveal_beacon {
			hotspot,
			nonce: 0,
			beacon,
			local_entropy: LOCAL_ENTROPY,
			signature: sign(&key, &report::<T>(0, &payload)),
		};
		#[block]
		{
			call.authorize(TransactionSource::External)
				.expect("authorizable")
				.expect("valid");
		}
	}

	#[benchmark]
	fn draw_selection_seed() {
		let (beacon, _) = revealed_beacon::<T>(0);
		Verifications::<T>::mutate(beacon, |s| {
			if let Some(s) = s {
				s.seed = None;
			}
		});
		AwaitingSeed::<T>::put(BoundedVec::truncate_from(vec![beacon]));
		T::BenchmarkHelper::set_randomness();
		#[block]
		{
			Pallet::<T>::draw_selection_seeds();
		}
		assert_eq!(Pallet::<T>::verification_queue(), vec![beacon]);
	}

	#[benchmark]
	fn claim_rewards() {
		let (owner, _) = owner_and_beaconer::<T>();
		let units = Units {
			beaconer: FixedU128::saturating_from_integer(1),
			witness: FixedU128::saturating_from_integer(3),
		};
		OwnerUnits::<T>::insert(&owner, 0, units);
		Epochs::<T>::insert(
			0,
			EpochTotals { emission: 1_000_000_000u32.into(), units, paid: 0u32.into() },
		);
		frame_system::Pallet::<T>::set_block_number(14_400u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), 0);
		assert!(!OwnerUnits::<T>::contains_key(&owner, 0));
	}

	/// Over parameters already set (the epoch length stays: it cannot change).
	#[benchmark]
	fn set_params() {
		let mut p = params::<T>();
		if let Some(current) = Params::<T>::get() {
			p.reward_epoch = current.reward_epoch;
		}
		p.coverage_emission = 2_000_000_000u32.into();
		#[extrinsic_call]
		_(RawOrigin::Root, p);
		assert!(Params::<T>::get().is_some());
	}

	#[benchmark]
	fn draw_entropy() {
		setup::<T>();
		T::BenchmarkHelper::set_randomness();
		let now: BlockNumberFor<T> = 110u32.into();
		let p = params::<T>();
		#[block]
		{
			Pallet::<T>::draw_entropy(now, &p);
		}
		assert_eq!(LatestEntropy::<T>::get(), Some(11));
	}

	/// One witness that passes every check (the most work), entering a full selection.
	#[benchmark]
	fn verify_witness() {
		let (beacon_id, witnesses) = revealed_beacon::<T>(1);
		let beacon = Beacons::<T>::get(beacon_id).expect("beacon");
		let mut state = Verifications::<T>::get(beacon_id).expect("state");
		let far: T::AccountId = account("placeholder", 0, 0);
		state.best = BoundedVec::truncate_from(vec![([255u8; 32], far); 14]);
		let beaconer = Pallet::<T>::station(&beacon.beaconer, beacon.region);
		let witness = id_of::<T>(&witnesses[0]);
		let report = Witnesses::<T>::get(beacon_id, &witness).expect("report");
		let now = frame_system::Pallet::<T>::block_number();
		let p = params::<T>();
		// Full histories on both sides: the features read and write the most.
		let mut full = crate::features::PeerHistory::default();
		for i in 0..crate::features::HISTORY_LEN {
			full.heard.push([i as u8; 8], 100);
			full.heard_by.push([(i % 4) as u8; 8], 100);
		}
		crate::PeerHistories::<T>::insert(&witness, full);
		crate::PeerHistories::<T>::insert(&beacon.beaconer, full);
		#[block]
		{
			Pallet::<T>::verify_one(
				beacon_id,
				&beacon,
				&mut state,
				&[3u8; 32],
				beaconer.as_ref(),
				witness.clone(),
				report,
				now,
				&p,
			);
		}
		assert_eq!(
			Witnesses::<T>::get(beacon_id, &witness).map(|w| w.verdict),
			Some(Verdict::Valid)
		);
		assert!(crate::WitnessFeatures::<T>::contains_key(beacon_id, &witness));
	}

	/// A beacon with 14 selected witnesses: units for 15 hotspots, each density-scaled.
	#[benchmark]
	fn finish_beacon() {
		let (beacon_id, witnesses) = revealed_beacon::<T>(14);
		let beacon = Beacons::<T>::get(beacon_id).expect("beacon");
		let mut state = Verifications::<T>::get(beacon_id).expect("state");
		state.best = BoundedVec::truncate_from(
			witnesses
				.iter()
				.enumerate()
				.map(|(i, w)| ([i as u8; 32], id_of::<T>(w)))
				.collect::<Vec<_>>(),
		);
		state.valid = 14;
		state.heard = true;
		let now = frame_system::Pallet::<T>::block_number();
		let p = params::<T>();
		#[block]
		{
			Pallet::<T>::finish(beacon_id, beacon, state, now, &p);
		}
		assert_eq!(
			Beacons::<T>::get(beacon_id).map(|b| b.phase),
			Some(BeaconPhase::Verified { valid: 14, selected: 14 })
		);
	}

	/// The costliest recomputation: a resolution-7 cell whose occupancy flips, queueing its
	/// parent and its six neighbours.
	#[benchmark]
	fn density_step() {
		let centre = CellIndex::try_from(beaconer_cell())
			.expect("cell")
			.parent(Resolution::Seven)
			.expect("parent");
		for child in centre.children(Resolution::Eight) {
			CellCounts::<T>::insert(
				u64::from(child),
				crate::density::Counts { unclipped: 1, clipped: 1 },
			);
		}
		let ring: Vec<CellIndex> = centre.grid_disk(1);
		for neighbour in ring.iter().filter(|c| **c != centre) {
			CellCounts::<T>::insert(
				u64::from(*neighbour),
				crate::density::Counts { unclipped: 1, clipped: 1 },
			);
		}
		let (head, mut tail) = crate::DensityQueueBounds::<T>::get();
		crate::DensityQueue::<T>::insert(tail, u64::from(centre));
		crate::DensityQueued::<T>::insert(u64::from(centre), ());
		tail = tail.wrapping_add(1);
		crate::DensityQueueBounds::<T>::put((head, tail));
		#[block]
		{
			Pallet::<T>::process_density_steps(1);
		}
		assert_eq!(Pallet::<T>::density_backlog(), 7);
	}

	/// The location hook: a hotspot moves from one cell to another.
	#[benchmark]
	fn location_changed() {
		let from = beaconer_cell();
		Pallet::<T>::count_hotspot(from, true);
		let to = witness_cell(3);
		#[block]
		{
			Pallet::<T>::count_hotspot(from, false);
			Pallet::<T>::count_hotspot(to, true);
		}
		assert_eq!(Pallet::<T>::density_backlog(), 2);
	}

	/// Pruning an old beacon with `w` witness reports, each with its fraud features.
	#[benchmark]
	fn prune(w: Linear<0, 16>) {
		setup::<T>();
		let key = generate();
		let beacon = open_beacon::<T>(&key);
		for i in 0..w {
			let witness: T::AccountId = account("witness", i, 0);
			Witnesses::<T>::insert(beacon, &witness, honest_report::<T>(&key));
			crate::WitnessFeatures::<T>::insert(
				beacon,
				witness,
				[i32::MAX; crate::features::FEATURES],
			);
		}
		let now: BlockNumberFor<T> = 100_000u32.into();
		let p = params::<T>();
		#[block]
		{
			Pallet::<T>::prune(now, &p);
		}
		assert!(!Beacons::<T>::contains_key(beacon));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
