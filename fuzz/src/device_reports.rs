//! The decoding and authorization of every device report and relayed batch, in the real
//! runtime (`assay-runtime`, natively, on the development preset's genesis).
//!
//! The fixture: four ed25519 devices registered with the development maker — hotspots 0
//! and 1 (Bob's, 2 km apart in Lisbon), hotspot 2 (Charlie's, 4 km east), meter 3
//! (Charlie's, bound to the development zone) — and device 4, never registered; beacons of
//! hotspots 0 and 1 open at block 3. A case is a sequence of operations: heartbeats,
//! beacons, reveals, witness reports, relayed batches and meter readings built from fuzzed
//! fields, signed well or badly (another device's key, a flipped byte, garbage); raw bytes
//! decoded as an extrinsic or as a call sent as a general transaction; and new blocks (the
//! hooks then verify witnesses, pay rewards, clear and settle).
//!
//! Each transaction goes through `Executive::validate_transaction` (the pool's view, rolled
//! back) and `Executive::apply_extrinsic` (a block's). Invariants:
//! - nothing panics (decoding, authorization, dispatch, hooks);
//! - what a block includes, the pool would have accepted, and a report it includes takes
//!   effect (its dispatch does not fail: the authorization ran every check);
//! - a report that took effect cannot take effect again (no replay);
//! - device reports move no balance into or out of existence (they are feeless);
//! - every pallet's `try_state` holds after every transaction and block.

use arbitrary::Arbitrary;
use assay_primitives::DeviceKind;
use assay_runtime::{
	genesis_config_presets as presets, tx_extension, AccountId, AllPalletsWithSystem, Babe,
	Balances, BlockNumber, DeviceRegistry, Executive, ProofOfCoverage, Runtime, RuntimeCall,
	RuntimeOrigin, System, Timestamp, UncheckedExtrinsic, SLOT_DURATION,
};
use codec::{Decode, DecodeLimit};
use pallet_proof_of_coverage::checks::{self, Region};
use polkadot_sdk::{
	frame_support::{
		self,
		storage::{with_transaction, TransactionOutcome},
		traits::{OnFinalize, OnInitialize},
	},
	sp_consensus_babe::{digests::PreDigest, BABE_ENGINE_ID},
	sp_core::{ed25519, sr25519, Pair},
	sp_genesis_builder::DEV_RUNTIME_PRESET,
	sp_io::TestExternalities,
	sp_runtime::{
		generic::Era,
		traits::IdentifyAccount,
		transaction_validity::{TransactionSource, TransactionValidity},
		Digest, DigestItem, DispatchError, MultiSignature, MultiSigner,
	},
};
use std::cell::RefCell;

/// Devices of the fixture (the last one is never registered).
const DEVICES: usize = 5;
/// The bound meter.
const METER: usize = 3;
/// Blocks a case may add.
const MAX_BLOCKS: u32 = 40;
/// Operations a case may run.
const MAX_OPS: usize = 48;

/// Which nonce a nonce report carries.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum NonceChoice {
	/// The device's next nonce.
	Next,
	/// That many ahead of it.
	Ahead(u8),
	/// Any nonce.
	Raw(u64),
}

/// How a report is signed.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum SigChoice {
	/// By the device, over the right bytes.
	Good,
	/// By another device of the fixture.
	OtherDevice(u8),
	/// By the device, with one byte flipped.
	Flipped(u8),
	/// 64 bytes of garbage, as an sr25519 signature.
	Garbage(u8),
}

/// Which beacon an operation refers to.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum BeaconChoice {
	/// One of the beacons this case knows (the fixture's and its own), modulo their number.
	Known(u8),
	/// Any id.
	Raw(u64),
}

/// A frequency: the payload's channel plus an offset, or any value.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum FrequencyChoice {
	/// The channel plus this many Hz.
	Channel(i32),
	/// Any frequency.
	Raw(u64),
}

/// A witness report's fields.
#[derive(Arbitrary, Debug, Clone)]
pub struct WitnessOp {
	/// The witness (a fixture device).
	pub witness: u8,
	/// The beacon heard.
	pub beacon: BeaconChoice,
	/// The right commitment, or these bytes.
	pub commitment: Option<[u8; 32]>,
	/// RSSI, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// SNR, tenths of dB.
	pub snr_db_x10: i16,
	/// The frequency heard.
	pub frequency: FrequencyChoice,
	/// On the US plan (else EU).
	pub us915: bool,
	/// How it is signed.
	pub sig: SigChoice,
}

/// One operation.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
	/// A heartbeat.
	Heartbeat {
		/// The device.
		device: u8,
		/// Its nonce.
		nonce: NonceChoice,
		/// Its signature.
		sig: SigChoice,
	},
	/// A beacon.
	Beacon {
		/// The hotspot.
		hotspot: u8,
		/// Its nonce.
		nonce: NonceChoice,
		/// The latest entropy (`None`), or this index.
		entropy_index: Option<u32>,
		/// The local entropy is 32 of this byte.
		local: u8,
		/// Transmit power, dBm.
		tx_power_dbm: i16,
		/// Frequency.
		frequency: FrequencyChoice,
		/// On the US plan (else EU).
		us915: bool,
		/// Its signature.
		sig: SigChoice,
	},
	/// A reveal.
	Reveal {
		/// The hotspot.
		hotspot: u8,
		/// Its nonce.
		nonce: NonceChoice,
		/// The beacon.
		beacon: BeaconChoice,
		/// The beacon's own local entropy (`None`), or 32 of this byte.
		local: Option<u8>,
		/// Its signature.
		sig: SigChoice,
	},
	/// A witness report.
	Witness(WitnessOp),
	/// A relayed batch of witness reports (at most 64).
	Batch(Vec<WitnessOp>),
	/// A meter reading.
	Reading {
		/// The device (the meter, or another).
		meter: u8,
		/// Its nonce.
		nonce: NonceChoice,
		/// The current slot boundary minus this.
		boundary_back: u8,
		/// Import register, Wh.
		import_wh: u64,
		/// Export register, Wh.
		export_wh: u64,
		/// Its signature.
		sig: SigChoice,
	},
	/// Bytes decoded as an extrinsic.
	RawExtrinsic(Vec<u8>),
	/// Bytes decoded as a call, sent as a feeless general transaction.
	RawCall(Vec<u8>),
	/// The next block.
	NextBlock,
}

/// One case.
#[derive(Arbitrary, Debug)]
pub struct Input {
	/// The operations, in order.
	pub ops: Vec<Op>,
}

/// A beacon the case knows: (id, hotspot index, local entropy byte).
type Known = (u64, usize, u8);

struct Fixture {
	ext: TestExternalities,
	devices: Vec<ed25519::Pair>,
	beacons: Vec<Known>,
}

thread_local! {
	static FIXTURE: RefCell<Option<Fixture>> = const { RefCell::new(None) };
}

/// Checks one case; panics on a broken invariant.
pub fn check(input: &Input) {
	FIXTURE.with(|cell| {
		let mut slot = cell.borrow_mut();
		let fixture = slot.get_or_insert_with(fixture);
		let devices = fixture.devices.clone();
		let mut beacons = fixture.beacons.clone();
		fixture.ext.execute_with(|| {
			let mut blocks = 0;
			for op in input.ops.iter().take(MAX_OPS) {
				run(op, &devices, &mut beacons, &mut blocks);
			}
		});
		// Back to the fixture's committed state for the next case.
		fixture.ext.reset_overlay();
	});
}

fn device_id(p: &ed25519::Pair) -> AccountId {
	MultiSigner::from(p.public()).into_account()
}

fn raw_id(p: &ed25519::Pair) -> [u8; 32] {
	device_id(p).into()
}

fn pick(devices: &[ed25519::Pair], index: u8) -> &ed25519::Pair {
	&devices[usize::from(index) % devices.len()]
}

fn nonce_of(device: &AccountId, choice: NonceChoice) -> u64 {
	let next = pallet_device_registry::Reports::<Runtime>::get(device).next_nonce;
	match choice {
		NonceChoice::Next => next,
		NonceChoice::Ahead(k) => next.saturating_add(u64::from(k)),
		NonceChoice::Raw(n) => n,
	}
}

fn sign(
	devices: &[ed25519::Pair],
	signer: &ed25519::Pair,
	message: &[u8],
	how: SigChoice,
) -> MultiSignature {
	match how {
		SigChoice::Good => signer.sign(message).into(),
		SigChoice::OtherDevice(k) => pick(devices, k).sign(message).into(),
		SigChoice::Flipped(k) => {
			let mut bytes = signer.sign(message).0;
			bytes[usize::from(k) % 64] ^= 1;
			ed25519::Signature::from_raw(bytes).into()
		},
		SigChoice::Garbage(b) => sr25519::Signature::from_raw([b; 64]).into(),
	}
}

fn genesis() -> polkadot_sdk::sp_core::H256 {
	DeviceRegistry::genesis_hash()
}

fn general(call: RuntimeCall) -> UncheckedExtrinsic {
	UncheckedExtrinsic::new_transaction(call, tx_extension(Era::Immortal, 0, 0))
}

/// `call` signed by //Alice (the relay of every batch) with her next nonce.
fn signed_by_alice(call: RuntimeCall) -> UncheckedExtrinsic {
	use polkadot_sdk::sp_keyring::Sr25519Keyring;
	let alice = Sr25519Keyring::Alice;
	let extension = tx_extension(Era::Immortal, System::account_nonce(alice.to_account_id()), 0);
	let payload =
		assay_runtime::SignedPayload::new(call.clone(), extension.clone()).expect("signable");
	let signature = codec::Encode::using_encoded(&payload, |bytes| alice.sign(bytes));
	UncheckedExtrinsic::new_signed(call, alice.to_account_id().into(), signature.into(), extension)
}

/// How many relayed reports this block has refused so far.
fn refused_so_far() -> usize {
	System::events()
		.iter()
		.filter(|e| {
			matches!(
				e.event,
				assay_runtime::RuntimeEvent::ProofOfCoverage(
					pallet_proof_of_coverage::Event::RelayedWitnessRefused { .. }
				)
			)
		})
		.count()
}

/// A relay's batch, signed and paid for by //Alice. Its rules: a batch a block includes
/// dispatches (an empty one is refused); the relay pays exactly when a report was refused
/// (the signatures it made the chain verify for nothing), else nothing; and a report is
/// never recorded twice (the same batch again is refused report by report).
fn relay(
	reports: polkadot_sdk::frame_support::BoundedVec<
		pallet_proof_of_coverage::RelayedWitness<AccountId>,
		<Runtime as pallet_proof_of_coverage::Config>::MaxWitnessBatch,
	>,
) {
	let alice = polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id();
	let n = reports.len();
	let send = |reports| {
		let call = RuntimeCall::ProofOfCoverage(pallet_proof_of_coverage::Call::submit_witnesses {
			reports,
		});
		let xt = signed_by_alice(call);
		assert!(pool_validity(&xt).is_ok(), "the pool refused a funded relay's batch");
		let (balance, refused) = (Balances::free_balance(&alice), refused_so_far());
		let applied = Executive::apply_extrinsic(xt);
		(applied, Balances::free_balance(&alice), balance, refused_so_far() - refused)
	};
	let (applied, after, before, refused) = send(reports.clone());
	match applied {
		Ok(Ok(())) if refused == 0 => assert_eq!(after, before, "a clean batch cost its relay"),
		Ok(Ok(())) => assert!(after < before, "a refused report cost its relay nothing"),
		Ok(Err(_)) => assert_eq!(n, 0, "a relayed batch failed to dispatch"),
		Err(e) => panic!("a block refused a funded relay's batch: {e:?}"),
	}
	if n > 0 {
		let (applied, _, _, refused) = send(reports);
		assert!(matches!(applied, Ok(Ok(()))));
		assert_eq!(refused, n, "a relayed report was recorded twice");
	}
	try_state();
}

/// The local entropy byte of a beacon this case knows.
fn local_of(beacons: &[Known], beacon: u64) -> Option<u8> {
	beacons.iter().find(|(id, _, _)| *id == beacon).map(|(_, _, local)| *local)
}

/// The payload of a beacon this case knows, while its entropy is kept.
fn beacon_payload(beacons: &[Known], beacon: u64) -> Option<[u8; 32]> {
	let b = pallet_proof_of_coverage::Beacons::<Runtime>::get(beacon)?;
	let (entropy, _) = pallet_proof_of_coverage::Entropy::<Runtime>::get(b.entropy_index)?;
	Some(checks::payload(&entropy, &[local_of(beacons, beacon)?; 32]))
}

fn beacon_id(beacons: &[Known], choice: BeaconChoice) -> u64 {
	match choice {
		BeaconChoice::Known(k) if !beacons.is_empty() => beacons[usize::from(k) % beacons.len()].0,
		BeaconChoice::Known(k) => u64::from(k),
		BeaconChoice::Raw(id) => id,
	}
}

fn frequency(choice: FrequencyChoice, payload: Option<[u8; 32]>, region: Region) -> u64 {
	match choice {
		FrequencyChoice::Channel(offset) => checks::channel(&payload.unwrap_or_default(), region)
			.saturating_add_signed(i64::from(offset)),
		FrequencyChoice::Raw(hz) => hz,
	}
}

fn region(us915: bool) -> Region {
	if us915 {
		Region::Us915
	} else {
		Region::Eu868
	}
}

fn relayed(
	devices: &[ed25519::Pair],
	beacons: &[Known],
	w: &WitnessOp,
) -> pallet_proof_of_coverage::RelayedWitness<AccountId> {
	let witness = pick(devices, w.witness);
	let beacon = beacon_id(beacons, w.beacon);
	let payload = beacon_payload(beacons, beacon);
	let region = region(w.us915);
	let commitment = w.commitment.unwrap_or_else(|| {
		checks::witness_commitment(&payload.unwrap_or_default(), &raw_id(witness))
	});
	let frequency_hz = frequency(w.frequency, payload, region);
	let id = device_id(witness);
	let heard = assay_wire::coverage::Heard {
		witness: &id,
		beacon,
		commitment: &commitment,
		rssi_dbm_x10: w.rssi_dbm_x10,
		snr_db_x10: w.snr_db_x10,
		frequency_hz,
		region,
	};
	let message = assay_wire::devices::unique_report(
		&genesis(),
		&assay_wire::coverage::witness_payload(&heard),
	);
	pallet_proof_of_coverage::RelayedWitness {
		witness: id.clone(),
		beacon,
		commitment,
		rssi_dbm_x10: w.rssi_dbm_x10,
		snr_db_x10: w.snr_db_x10,
		frequency_hz,
		region,
		signature: sign(devices, witness, &message, w.sig),
	}
}

fn run(op: &Op, devices: &[ed25519::Pair], beacons: &mut Vec<Known>, blocks: &mut u32) {
	match op {
		Op::Heartbeat { device, nonce, sig } => {
			let p = pick(devices, *device);
			let id = device_id(p);
			let nonce = nonce_of(&id, *nonce);
			let message = assay_wire::devices::report(
				&genesis(),
				nonce,
				&assay_wire::devices::heartbeat_payload(&id),
			);
			let signature = sign(devices, p, &message, *sig);
			let call = RuntimeCall::DeviceRegistry(pallet_device_registry::Call::heartbeat {
				device: id,
				nonce,
				signature,
			});
			submit(general(call));
		},
		Op::Beacon {
			hotspot,
			nonce,
			entropy_index,
			local,
			tx_power_dbm,
			frequency: f,
			us915,
			sig,
		} => {
			let p = pick(devices, *hotspot);
			let id = device_id(p);
			let nonce = nonce_of(&id, *nonce);
			let latest = ProofOfCoverage::latest_entropy();
			let index = entropy_index.unwrap_or(latest.map(|(i, _)| i).unwrap_or_default());
			let entropy = pallet_proof_of_coverage::Entropy::<Runtime>::get(index).map(|(e, _)| e);
			let payload = entropy.map(|e| checks::payload(&e, &[*local; 32]));
			let region = region(*us915);
			let frequency_hz = frequency(*f, payload, region);
			let commitment = polkadot_sdk::sp_crypto_hashing::blake2_256(&[*local; 32]);
			let signed = assay_wire::coverage::beacon_payload(
				&id,
				index,
				&commitment,
				*tx_power_dbm,
				frequency_hz,
				region,
			);
			let message = assay_wire::devices::report(&genesis(), nonce, &signed);
			let call =
				RuntimeCall::ProofOfCoverage(pallet_proof_of_coverage::Call::submit_beacon {
					hotspot: id,
					nonce,
					entropy_index: index,
					commitment,
					tx_power_dbm: *tx_power_dbm,
					frequency_hz,
					region,
					signature: sign(devices, p, &message, *sig),
				});
			let next = pallet_proof_of_coverage::NextBeaconId::<Runtime>::get();
			if submit(general(call)) {
				beacons.push((next, usize::from(*hotspot) % devices.len(), *local));
			}
		},
		Op::Reveal { hotspot, nonce, beacon, local, sig } => {
			let p = pick(devices, *hotspot);
			let id = device_id(p);
			let nonce = nonce_of(&id, *nonce);
			let beacon = beacon_id(beacons, *beacon);
			let own = local_of(beacons, beacon).unwrap_or_default();
			let local_entropy = [local.unwrap_or(own); 32];
			let signed = assay_wire::coverage::reveal_payload(&id, beacon, &local_entropy);
			let message = assay_wire::devices::report(&genesis(), nonce, &signed);
			let call =
				RuntimeCall::ProofOfCoverage(pallet_proof_of_coverage::Call::reveal_beacon {
					hotspot: id,
					nonce,
					beacon,
					local_entropy,
					signature: sign(devices, p, &message, *sig),
				});
			submit(general(call));
		},
		Op::Witness(w) => {
			let r = relayed(devices, beacons, w);
			let call =
				RuntimeCall::ProofOfCoverage(pallet_proof_of_coverage::Call::submit_witness {
					witness: r.witness,
					beacon: r.beacon,
					commitment: r.commitment,
					rssi_dbm_x10: r.rssi_dbm_x10,
					snr_db_x10: r.snr_db_x10,
					frequency_hz: r.frequency_hz,
					region: r.region,
					signature: r.signature,
				});
			submit(general(call));
		},
		Op::Batch(reports) => {
			let reports: Vec<_> =
				reports.iter().take(64).map(|w| relayed(devices, beacons, w)).collect();
			let Ok(reports) = reports.try_into() else { return };
			relay(reports);
		},
		Op::Reading { meter, nonce, boundary_back, import_wh, export_wh, sig } => {
			let p = pick(devices, *meter);
			let id = device_id(p);
			let nonce = nonce_of(&id, *nonce);
			let slot_length = pallet_energy_market::Params::<Runtime>::get()
				.map(|p| p.slot_length)
				.unwrap_or(1)
				.max(1);
			let boundary =
				(System::block_number() / slot_length).saturating_sub(u32::from(*boundary_back));
			let payload =
				assay_wire::energy::reading_payload(&id, boundary, *import_wh, *export_wh);
			let message = assay_wire::devices::report(&genesis(), nonce, &payload);
			let call = RuntimeCall::EnergyMarket(pallet_energy_market::Call::submit_reading {
				meter: id,
				nonce,
				slot_boundary: boundary,
				import_register_wh: *import_wh,
				export_register_wh: *export_wh,
				signature: sign(devices, p, &message, *sig),
			});
			submit(general(call));
		},
		Op::RawExtrinsic(bytes) => {
			if let Ok(xt) = UncheckedExtrinsic::decode(&mut &bytes[..]) {
				submit_raw(xt);
			}
		},
		Op::RawCall(bytes) => {
			if let Ok(call) = RuntimeCall::decode_with_depth_limit(
				frame_support::MAX_EXTRINSIC_DEPTH,
				&mut &bytes[..],
			) {
				submit_raw(general(call));
			}
		},
		Op::NextBlock => {
			if *blocks < MAX_BLOCKS {
				*blocks += 1;
				start_block(System::block_number() + 1);
				try_state();
			}
		},
	}
}

/// The pool's verdict for this block, with every change it made rolled back. A node's pool
/// validates on the state of the best block `b` as for block `b + 1`, where it includes
/// the transaction; here the block is already open, so its number goes back by one first.
fn pool_validity(xt: &UncheckedExtrinsic) -> TransactionValidity {
	let parent = System::parent_hash();
	with_transaction(|| {
		System::set_block_number(System::block_number().saturating_sub(1));
		let validity =
			Executive::validate_transaction(TransactionSource::External, xt.clone(), parent);
		TransactionOutcome::Rollback(Ok::<_, DispatchError>(validity))
	})
	.expect("rolled back")
}

/// Validates and applies a report; returns whether it took effect (a block included it
/// and its dispatch succeeded).
fn submit(xt: UncheckedExtrinsic) -> bool {
	let issuance = Balances::total_issuance();
	let validity = pool_validity(&xt);
	let applied = Executive::apply_extrinsic(xt.clone());
	if applied.is_ok() {
		assert!(validity.is_ok(), "a block included what the pool refuses: {validity:?}");
	}
	// The rule of every report (`assay_primitives::pool`): its authorization runs every
	// check again in the block, so a report a block includes takes effect.
	if let Ok(Err(e)) = applied {
		panic!("a block included a report whose dispatch failed: {e:?}");
	}
	let effective = matches!(applied, Ok(Ok(())));
	if effective {
		let again = Executive::apply_extrinsic(xt);
		assert!(!matches!(again, Ok(Ok(()))), "a report took effect twice");
	}
	assert_eq!(Balances::total_issuance(), issuance, "a device report changed the issuance");
	try_state();
	effective
}

/// Raw bytes: a block author includes only what the pool accepted (an inherent out of
/// place would not make a valid block).
fn submit_raw(xt: UncheckedExtrinsic) {
	if pool_validity(&xt).is_ok() {
		let _ = Executive::apply_extrinsic(xt);
	}
	try_state();
}

fn try_state() {
	pallet_device_registry::Pallet::<Runtime>::do_try_state().expect("device registry state");
	pallet_proof_of_coverage::Pallet::<Runtime>::do_try_state().expect("coverage state");
	pallet_energy_market::Pallet::<Runtime>::do_try_state().expect("energy market state");
	pallet_earnings::Pallet::<Runtime>::do_try_state().expect("earnings state");
	pallet_compute_market::Pallet::<Runtime>::do_try_state().expect("compute market state");
}

/// Starts block `n`: finalizes the current block, then runs every pallet's on_initialize
/// for the new one, authored by Alice with her VRF output (PoC draws entropy from it).
fn start_block(n: BlockNumber) {
	if System::block_number() > 0 {
		AllPalletsWithSystem::on_finalize(System::block_number());
	}
	let slot = Babe::current_slot().saturating_add(1u64);
	let digest = Digest {
		logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, codec::Encode::encode(&alice_vrf(slot)))],
	};
	System::reset_events();
	System::initialize(&n, &System::parent_hash(), &digest);
	AllPalletsWithSystem::on_initialize(n);
	// BABE verifies the VRF at the block's end (a debug assertion, on in the fuzz build)
	// against the epoch the block is in, which its on_initialize may just have started:
	// sign again over that epoch's randomness.
	polkadot_sdk::pallet_babe::Initialized::<Runtime>::put(Some(alice_vrf(slot)));
	Timestamp::set_timestamp(*slot * SLOT_DURATION);
}

/// Alice's secondary VRF pre-digest for `slot`, over the current epoch's randomness.
fn alice_vrf(slot: polkadot_sdk::sp_consensus_babe::Slot) -> PreDigest {
	use polkadot_sdk::{
		sp_consensus_babe::{digests::SecondaryVRFPreDigest, make_vrf_sign_data},
		sp_core::crypto::VrfSecret,
		sp_keyring::Sr25519Keyring,
	};
	let data = make_vrf_sign_data(
		&polkadot_sdk::pallet_babe::Randomness::<Runtime>::get(),
		slot,
		polkadot_sdk::pallet_babe::EpochIndex::<Runtime>::get(),
	);
	PreDigest::SecondaryVRF(SecondaryVRFPreDigest {
		authority_index: 0,
		slot,
		vrf_signature: Sr25519Keyring::Alice.pair().vrf_sign(&data),
	})
}

fn fixture() -> Fixture {
	let mut ext = TestExternalities::new(
		presets::preset_storage(&DEV_RUNTIME_PRESET.into()).expect("the dev preset"),
	);
	let devices: Vec<ed25519::Pair> = (0..DEVICES)
		.map(|i| ed25519::Pair::from_string(&format!("//fuzz//device//{i}"), None).expect("seed"))
		.collect();
	let mut beacons = Vec::new();
	ext.execute_with(|| {
		use polkadot_sdk::sp_keyring::Sr25519Keyring;
		let (bob, charlie) =
			(Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Charlie.to_account_id());
		start_block(1);
		start_block(2);
		let places = [(38.7223, -9.1393), (38.7403, -9.1393), (38.7223, -9.0933)];
		for (i, (lat, lng)) in places.into_iter().enumerate() {
			let owner = if i < 2 { &bob } else { &charlie };
			register(&devices[i], owner, DeviceKind::Hotspot);
			let cell = u64::from(
				h3o::LatLng::new(lat, lng).expect("place").to_cell(h3o::Resolution::Twelve),
			);
			frame_support::assert_ok!(DeviceRegistry::assert_location(
				RuntimeOrigin::signed(owner.clone()),
				device_id(&devices[i]),
				cell,
				30,
				10
			));
		}
		register(&devices[METER], &charlie, DeviceKind::EnergyMeter);
		frame_support::assert_ok!(assay_runtime::EnergyMarket::bind_meter(
			RuntimeOrigin::signed(charlie.clone()),
			device_id(&devices[METER]),
			presets::DEV_ZONE,
			10_000
		));
		start_block(3);
		let mut blocks = 0;
		for hotspot in [0u8, 1] {
			let op = Op::Beacon {
				hotspot,
				nonce: NonceChoice::Next,
				entropy_index: None,
				local: hotspot,
				tx_power_dbm: 27,
				frequency: FrequencyChoice::Channel(0),
				us915: false,
				sig: SigChoice::Good,
			};
			run(&op, &devices, &mut beacons, &mut blocks);
		}
		assert_eq!(beacons.len(), 2, "the fixture's beacons were refused");
	});
	ext.commit_all().expect("commit");
	Fixture { ext, devices, beacons }
}

/// Registers `device` to `owner` as `kind`, attested by the development maker.
fn register(device: &ed25519::Pair, owner: &AccountId, kind: DeviceKind) {
	let id = device_id(device);
	let maker = sr25519::Pair::from_string("//DevMaker", None).expect("the dev maker's seed");
	let registrations = pallet_device_registry::Registrations::<Runtime>::get(&id);
	let consent = assay_wire::devices::registration(&genesis(), owner, kind, registrations);
	frame_support::assert_ok!(DeviceRegistry::register_device(
		RuntimeOrigin::signed(owner.clone()),
		MultiSigner::from(device.public()),
		kind,
		presets::DEV_MAKER_ID,
		MultiSignature::Sr25519(maker.sign(&assay_wire::devices::maker_attestation(&id, kind))),
		MultiSignature::from(device.sign(&consent)),
	));
}
