//! Every vector of `wire/vectors.json` rebuilt from its fields with `assay-wire`: one byte
//! changed in a layout, or in the file, fails here (and in `clients/e2e/tests/wire.test.mjs`
//! for the JS helpers).

use assay_wire::{
	coverage::{self, Heard, Region},
	devices::{self, DeviceKind},
	energy, extrinsic,
};
use serde_json::Value;

fn vectors() -> Value {
	let text = include_str!("../vectors.json");
	serde_json::from_str(text).expect("vectors.json is JSON")
}

fn bytes(v: &Value) -> Vec<u8> {
	let text = v.as_str().expect("a hex string");
	hex::decode(text.trim_start_matches("0x")).expect("hex")
}

fn array32(v: &Value) -> [u8; 32] {
	bytes(v).try_into().expect("32 bytes")
}

fn int(v: &Value) -> i64 {
	v.as_i64().expect("an integer")
}

fn kind(v: &Value) -> DeviceKind {
	DeviceKind::from_name(v.as_str().expect("a name")).expect("a device kind")
}

fn region(v: &Value) -> Region {
	Region::from_name(v.as_str().expect("a name")).expect("a region")
}

/// What `assay-wire` builds from a message vector's fields.
fn build(name: &str, f: &Value) -> Vec<u8> {
	match name {
		"maker_attestation" => devices::maker_attestation(&array32(&f["device"]), kind(&f["kind"])),
		"registration" => devices::registration(
			&array32(&f["genesis"]),
			&array32(&f["owner"]),
			kind(&f["kind"]),
			int(&f["registrations"]) as u32,
		),
		"heartbeat_payload" => devices::heartbeat_payload(&array32(&f["device"])),
		"report" => {
			devices::report(&array32(&f["genesis"]), int(&f["nonce"]) as u64, &bytes(&f["payload"]))
		},
		"unique_report" => devices::unique_report(&array32(&f["genesis"]), &bytes(&f["payload"])),
		"report_pool_tag" => {
			devices::report_pool_tag(&array32(&f["device"]), int(&f["nonce"]) as u64)
		},
		"beacon_payload" => coverage::beacon_payload(
			&array32(&f["hotspot"]),
			int(&f["entropy_index"]) as u32,
			&array32(&f["commitment"]),
			int(&f["tx_power_dbm"]) as i16,
			int(&f["frequency_hz"]) as u64,
			region(&f["region"]),
		),
		"witness_payload" => coverage::witness_payload(&Heard {
			witness: &array32(&f["witness"]),
			beacon: int(&f["beacon"]) as u64,
			commitment: &array32(&f["commitment"]),
			rssi_dbm_x10: int(&f["rssi_dbm_x10"]) as i16,
			snr_db_x10: int(&f["snr_db_x10"]) as i16,
			frequency_hz: int(&f["frequency_hz"]) as u64,
			region: region(&f["region"]),
		}),
		"witness_pool_tag" => {
			coverage::witness_pool_tag(int(&f["beacon"]) as u64, &array32(&f["witness"]))
		},
		"reveal_payload" => coverage::reveal_payload(
			&array32(&f["hotspot"]),
			int(&f["beacon"]) as u64,
			&array32(&f["local_entropy"]),
		),
		"beacon_payload_preimage" => {
			coverage::beacon_payload_preimage(&array32(&f["entropy"]), &bytes(&f["local_entropy"]))
		},
		"witness_commitment_preimage" => {
			coverage::witness_commitment_preimage(&array32(&f["payload"]), &array32(&f["witness"]))
				.to_vec()
		},
		"reading_payload" => energy::reading_payload(
			&array32(&f["meter"]),
			int(&f["slot_boundary"]) as u32,
			int(&f["import_register_wh"]) as u64,
			int(&f["export_register_wh"]) as u64,
		),
		"general_transaction" => extrinsic::general_transaction(&bytes(&f["call"])),
		other => panic!("vectors.json has a message assay-wire does not build: {other}"),
	}
}

#[test]
fn every_message_vector_is_what_assay_wire_builds() {
	let vectors = vectors();
	let messages = vectors["messages"].as_array().expect("messages");
	assert!(messages.len() >= 14, "a vector for every message");
	for m in messages {
		let name = m["name"].as_str().expect("a name");
		assert_eq!(
			hex::encode(build(name, &m["fields"])),
			hex::encode(bytes(&m["bytes"])),
			"message {name}"
		);
	}
}

#[test]
fn every_transaction_vector_is_a_general_transaction_of_its_signed_report() {
	let vectors = vectors();
	let genesis = array32(&vectors["genesis"]);
	let transactions = vectors["transactions"].as_array().expect("transactions");
	let names: Vec<&str> = transactions.iter().map(|t| t["name"].as_str().expect("name")).collect();
	assert_eq!(
		names,
		["heartbeat", "submit_beacon", "submit_witness", "reveal_beacon", "submit_reading"]
	);
	for t in transactions {
		let name = t["name"].as_str().expect("a name");
		let payload = bytes(&t["payload"]);
		let message = match t["nonce"].as_u64() {
			Some(nonce) => devices::report(&genesis, nonce, &payload),
			None => devices::unique_report(&genesis, &payload),
		};
		assert_eq!(hex::encode(&message), hex::encode(bytes(&t["message"])), "{name}: message");
		let call = bytes(&t["call"]);
		assert_eq!(
			hex::encode(extrinsic::general_transaction(&call)),
			hex::encode(bytes(&t["transaction"])),
			"{name}: envelope"
		);
		let contains = |needle: &[u8]| call.windows(needle.len()).any(|w| w == needle);
		assert!(contains(&bytes(&t["signature"])), "{name}: the call carries the signature");
		assert!(contains(&bytes(&t["device"])), "{name}: the call names the device");
	}
}
