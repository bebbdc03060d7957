// wire/vectors.json against the JS helpers: every message the chain's assay-wire builds,
// rebuilt here from its fields, byte for byte; every transaction vector's signed message,
// ed25519 signature and general-transaction envelope. No node needed. One byte changed in
// a helper, in assay-wire or in the file fails here or in wire/tests/vectors.rs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import {
  beaconPayload, beaconPayloadPreimage, revealPayload, uniqueReport, witnessCommitmentPreimage,
  witnessPayload, witnessPoolTag,
} from '../lib/coverage.mjs';
import {
  generalExtrinsic, heartbeatPayload, makerAttestation, registration, report, reportPoolTag,
} from '../lib/devices.mjs';
import { readingPayload } from '../lib/energy.mjs';

const vectors = JSON.parse(readFileSync(new URL('../../../wire/vectors.json', import.meta.url), 'utf8'));
const b = hexToU8a;

/** What the JS helpers build from a message vector's fields. */
const BUILD = {
  maker_attestation: (f) => makerAttestation(b(f.device), f.kind),
  registration: (f) => registration(b(f.genesis), b(f.owner), f.kind, f.registrations),
  heartbeat_payload: (f) => heartbeatPayload(b(f.device)),
  report: (f) => report(b(f.genesis), f.nonce, b(f.payload)),
  unique_report: (f) => uniqueReport(b(f.genesis), b(f.payload)),
  report_pool_tag: (f) => reportPoolTag(b(f.device), f.nonce),
  beacon_payload: (f) => beaconPayload(b(f.hotspot), f.entropy_index, b(f.commitment), f.tx_power_dbm, f.frequency_hz, f.region),
  witness_payload: (f) => witnessPayload(b(f.witness), f.beacon, b(f.commitment), f.rssi_dbm_x10, f.snr_db_x10, f.frequency_hz, f.region),
  witness_pool_tag: (f) => witnessPoolTag(f.beacon, b(f.witness)),
  reveal_payload: (f) => revealPayload(b(f.hotspot), f.beacon, b(f.local_entropy)),
  beacon_payload_preimage: (f) => beaconPayloadPreimage(b(f.entropy), b(f.local_entropy)),
  witness_commitment_preimage: (f) => witnessCommitmentPreimage(b(f.payload), b(f.witness)),
  reading_payload: (f) => readingPayload(b(f.meter), f.slot_boundary, f.import_register_wh, f.export_register_wh),
  general_transaction: (f) => b(generalExtrinsic(b(f.call))),
};

test('every message vector is what the JS helpers build', () => {
  assert.ok(vectors.messages.length >= 14);
  for (const m of vectors.messages) {
    const build = BUILD[m.name];
    assert.ok(build, `no JS helper for ${m.name}`);
    assert.equal(u8aToHex(build(m.fields)), m.bytes, m.name);
  }
  // Every builder is exercised by a vector.
  assert.deepEqual(Object.keys(BUILD).sort(), vectors.messages.map((m) => m.name).sort());
});

test('every transaction vector is a device-signed report in a general transaction', async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'ed25519' });
  const genesis = b(vectors.genesis);
  assert.deepEqual(
    vectors.transactions.map((t) => t.name),
    ['heartbeat', 'submit_beacon', 'submit_witness', 'reveal_beacon', 'submit_reading'],
  );
  for (const t of vectors.transactions) {
    const device = keyring.addFromSeed(b(t.seed));
    assert.equal(u8aToHex(device.publicKey), t.device, `${t.name}: device`);
    const message = t.nonce === null ? uniqueReport(genesis, b(t.payload)) : report(genesis, t.nonce, b(t.payload));
    assert.equal(u8aToHex(message), t.message, `${t.name}: signed message`);
    assert.equal(u8aToHex(device.sign(message)), t.signature, `${t.name}: ed25519 signature`);
    assert.equal(generalExtrinsic(b(t.call)), t.transaction, `${t.name}: envelope`);
  }
});
