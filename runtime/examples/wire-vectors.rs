//! Writes `wire/vectors.json`: byte vectors for every message `assay-wire` builds and one
//! full general transaction of each device report, signed with fixed ed25519 keys
//! (deterministic signatures), the calls encoded by this runtime.
//!
//!     cargo run --release -p assay-runtime --example wire-vectors > wire/vectors.json
//!
//! Checked by `wire/tests/vectors.rs` (Rust), `clients/e2e/tests/wire.test.mjs` (JS) and the
//! runtime test `wire_vectors` (the transactions decode and validate).

use assay_runtime::RuntimeCall;
use assay_wire::{
	coverage::{self, Heard, Region},
	devices::{self, DeviceKind},
	energy, extrinsic,
};
use codec::Encode;
use polkadot_sdk::{
	sp_core::{ed25519, Pair},
	sp_runtime::{traits::IdentifyAccount, AccountId32, MultiSignature, MultiSigner},
};
use serde_json::{json, Value};

const GENESIS: [u8; 32] = [0xaa; 32];

fn hex(bytes: &[u8]) -> String {
	let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
	format!("0x{digits}")
}

/// A device key from a fixed seed, and its account.
fn device(seed: u8) -> (ed25519::Pair, AccountId32) {
	let pair = ed25519::Pair::from_seed(&[seed; 32]);
	let id = MultiSigner::from(pair.public()).into_account();
	(pair, id)
}

fn message(name: &str, fields: Value, bytes: Vec<u8>) -> Value {
	json!({ "name": name, "fields": fields, "bytes": hex(&bytes) })
}

/// The envelope a device signs: a nonce report, or a unique report (`nonce` None).
struct Envelope {
	nonce: Option<u64>,
	payload: Vec<u8>,
}

impl Envelope {
	fn signed(&self) -> Vec<u8> {
		match self.nonce {
			Some(nonce) => devices::report(&GENESIS, nonce, &self.payload),
			None => devices::unique_report(&GENESIS, &self.payload),
		}
	}
}

fn transaction(name: &str, seed: u8, envelope: &Envelope, call: RuntimeCall) -> Value {
	let (pair, id) = device(seed);
	let call = call.encode();
	let signed = envelope.signed();
	json!({
		"name": name,
		"seed": hex(&[seed; 32]),
		"device": hex(id.as_ref()),
		"nonce": envelope.nonce,
		"payload": hex(&envelope.payload),
		"message": hex(&signed),
		"signature": hex(&pair.sign(&signed).0),
		"call": hex(&call),
		"transaction": hex(&extrinsic::general_transaction(&call)),
	})
}

fn sign(seed: u8, message: &[u8]) -> MultiSignature {
	device(seed).0.sign(message).into()
}

fn main() {
	let (_, dev) = device(1);
	let owner = AccountId32::new([0x02; 32]);
	let commitment = [0x03; 32];
	let local_entropy = [0x04; 32];
	let heard = Heard {
		witness: &dev,
		beacon: 42,
		commitment: &commitment,
		rssi_dbm_x10: -1234,
		snr_db_x10: 55,
		frequency_hz: 867_500_000,
		region: Region::Eu868,
	};
	let heartbeat = devices::heartbeat_payload(&dev);
	let reveal = coverage::reveal_payload(&dev, 42, &local_entropy);
	let id = hex(dev.as_ref());
	let messages = vec![
		message(
			"maker_attestation",
			json!({ "device": id, "kind": "Hotspot" }),
			devices::maker_attestation(&dev, DeviceKind::Hotspot),
		),
		message(
			"registration",
			json!({
				"genesis": hex(&GENESIS),
				"owner": hex(owner.as_ref()),
				"kind": "EnergyMeter",
				"registrations": 2
			}),
			devices::registration(&GENESIS, &owner, DeviceKind::EnergyMeter, 2),
		),
		message("heartbeat_payload", json!({ "device": id }), heartbeat.clone()),
		message(
			"report",
			json!({ "genesis": hex(&GENESIS), "nonce": 5, "payload": hex(&heartbeat) }),
			devices::report(&GENESIS, 5, &heartbeat),
		),
		message(
			"unique_report",
			json!({ "genesis": hex(&GENESIS), "payload": hex(&reveal) }),
			devices::unique_report(&GENESIS, &reveal),
		),
		message(
			"report_pool_tag",
			json!({ "device": id, "nonce": 7 }),
			devices::report_pool_tag(&dev, 7),
		),
		message(
			"beacon_payload",
			json!({ "hotspot": id, "entropy_index": 7, "commitment": hex(&commitment),
				"tx_power_dbm": 27, "frequency_hz": 867_500_000u64, "region": "Eu868" }),
			coverage::beacon_payload(&dev, 7, &commitment, 27, 867_500_000, Region::Eu868),
		),
		message(
			"witness_payload",
			json!({ "witness": id, "beacon": 42, "commitment": hex(&commitment),
				"rssi_dbm_x10": -1234, "snr_db_x10": 55, "frequency_hz": 867_500_000u64,
				"region": "Eu868" }),
			coverage::witness_payload(&heard),
		),
		message(
			"witness_pool_tag",
			json!({ "beacon": 42, "witness": id }),
			coverage::witness_pool_tag(42, &dev),
		),
		message(
			"reveal_payload",
			json!({ "hotspot": id, "beacon": 42, "local_entropy": hex(&local_entropy) }),
			reveal.clone(),
		),
		message(
			"beacon_payload_preimage",
			json!({ "entropy": hex(&commitment), "local_entropy": hex(&local_entropy) }),
			coverage::beacon_payload_preimage(&commitment, &local_entropy),
		),
		message(
			"witness_commitment_preimage",
			json!({ "payload": hex(&commitment), "witness": id }),
			coverage::witness_commitment_preimage(&commitment, dev.as_ref()).to_vec(),
		),
		message(
			"reading_payload",
			json!({ "meter": id, "slot_boundary": 123, "import_register_wh": 1_000,
				"export_register_wh": 52_800 }),
			energy::reading_payload(&dev, 123, 1_000, 52_800),
		),
		message(
			"general_transaction",
			json!({ "call": hex(&[0x0d, 0x09, 1, 2, 3]) }),
			extrinsic::general_transaction(&[0x0d, 0x09, 1, 2, 3]),
		),
	];

	// One full general transaction of each device report, by device 0x01…, over the
	// genesis hash 0xaa…. (A relay's `submit_witnesses` is an ordinary signed extrinsic of
	// the relay's account; the reports inside are `witness_payload`s as above.)
	let heartbeat_report = Envelope { nonce: Some(0), payload: heartbeat };
	let beacon_report = Envelope {
		nonce: Some(1),
		payload: coverage::beacon_payload(&dev, 7, &commitment, 27, 867_500_000, Region::Eu868),
	};
	let witness_report = Envelope { nonce: None, payload: coverage::witness_payload(&heard) };
	let reveal_report = Envelope { nonce: Some(2), payload: reveal };
	let reading_report =
		Envelope { nonce: Some(3), payload: energy::reading_payload(&dev, 123, 1_000, 52_800) };
	use pallet_device_registry::Call as Registry;
	use pallet_energy_market::Call as Energy;
	use pallet_proof_of_coverage::Call as Coverage;
	let transactions = vec![
		transaction(
			"heartbeat",
			1,
			&heartbeat_report,
			RuntimeCall::DeviceRegistry(Registry::heartbeat {
				device: dev.clone(),
				nonce: 0,
				signature: sign(1, &heartbeat_report.signed()),
			}),
		),
		transaction(
			"submit_beacon",
			1,
			&beacon_report,
			RuntimeCall::ProofOfCoverage(Coverage::submit_beacon {
				hotspot: dev.clone(),
				nonce: 1,
				entropy_index: 7,
				commitment,
				tx_power_dbm: 27,
				frequency_hz: 867_500_000,
				region: Region::Eu868,
				signature: sign(1, &beacon_report.signed()),
			}),
		),
		transaction(
			"submit_witness",
			1,
			&witness_report,
			RuntimeCall::ProofOfCoverage(Coverage::submit_witness {
				witness: dev.clone(),
				beacon: 42,
				commitment,
				rssi_dbm_x10: -1234,
				snr_db_x10: 55,
				frequency_hz: 867_500_000,
				region: Region::Eu868,
				signature: sign(1, &witness_report.signed()),
			}),
		),
		transaction(
			"reveal_beacon",
			1,
			&reveal_report,
			RuntimeCall::ProofOfCoverage(Coverage::reveal_beacon {
				hotspot: dev.clone(),
				nonce: 2,
				beacon: 42,
				local_entropy,
				signature: sign(1, &reveal_report.signed()),
			}),
		),
		transaction(
			"submit_reading",
			1,
			&reading_report,
			RuntimeCall::EnergyMarket(Energy::submit_reading {
				meter: dev.clone(),
				nonce: 3,
				slot_boundary: 123,
				import_register_wh: 1_000,
				export_register_wh: 52_800,
				signature: sign(1, &reading_report.signed()),
			}),
		),
	];
	let vectors = json!({
		"about": "Byte vectors of assay-wire, made by `cargo run --release -p assay-runtime --example wire-vectors`; checked by wire/tests/vectors.rs, clients/e2e/tests/wire.test.mjs and the runtime test wire_vectors.",
		"genesis": hex(&GENESIS),
		"messages": messages,
		"transactions": transactions,
	});
	println!("{}", serde_json::to_string_pretty(&vectors).expect("JSON"));
}
