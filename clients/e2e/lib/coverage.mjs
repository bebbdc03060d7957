// Proof-of-coverage helpers: the exact bytes hotspots sign (assay-wire's
// wire/src/coverage.rs and the unique-report envelope, pinned by wire/vectors.json),
// the beacon payload, channel and commitments (checks.rs), the free-space RSSI limit
// (fspl.rs, in floating point) and the H3 geometry the verification uses, plus the
// feeless general transactions that carry beacons, witness reports and reveals.

import { compactAddLength, stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { cellToLatLng, cellToParent, greatCircleDistance, gridDistance, latLngToCell } from 'h3-js';

import { generalExtrinsic, report } from './devices.mjs';

/** Region variant indices, as in assay_wire::Region. */
export const REGION = { Eu868: 0, Us915: 1 };

/** The uplink channels of each regional plan, Hz (assay_wire `Region::channels`). */
export const CHANNELS_HZ = {
  Eu868: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000, 868_100_000, 868_300_000, 868_500_000],
  Us915: [903_900_000, 904_100_000, 904_300_000, 904_500_000, 904_700_000, 904_900_000, 905_100_000, 905_300_000],
};

/** Resolution of asserted locations, and of the minimum-distance grid. */
export const LOCATION_RESOLUTION = 12;
export const GRID_RESOLUTION = 11;
/** The fewest resolution-11 grid steps between beaconer and witness. */
export const MIN_GRID_DISTANCE = 8;
/** The farthest a witness may be, metres. */
export const MAX_DISTANCE_M = 100_000;

const bytes = (text) => compactAddLength(stringToU8a(text));

function int(bitLength, signed, value) {
  const buffer = new Uint8Array(bitLength / 8);
  const view = new DataView(buffer.buffer);
  if (bitLength === 16) signed ? view.setInt16(0, Number(value), true) : view.setUint16(0, Number(value), true);
  else if (bitLength === 32) view.setUint32(0, Number(value), true);
  else view.setBigUint64(0, BigInt(value), true);
  return buffer;
}

/** SCALE i16, little endian. */
export const i16le = (n) => int(16, true, n);
/** SCALE u32, little endian. */
export const u32le = (n) => int(32, false, n);
/** SCALE u64, little endian (number or bigint). */
export const u64le = (n) => int(64, false, n);

/** blake2_256 of the concatenation of `parts`. */
export const blake2 = (...parts) => blake2AsU8a(u8aConcat(...parts), 256);

/** `blake2_256(local_entropy)`: what a beacon commits to. */
export const beaconCommitment = (localEntropy) => blake2(localEntropy);

/** `entropy ‖ local_entropy`: what is hashed into a beacon's payload. */
export const beaconPayloadPreimage = (entropy, localEntropy) => u8aConcat(entropy, localEntropy);

/** `blake2_256(entropy ‖ local_entropy)`: the beacon's radio payload, public once revealed. */
export const beaconRadioPayload = (entropy, localEntropy) => blake2(beaconPayloadPreimage(entropy, localEntropy));

/** The channel a payload selects: `u16_le(payload[0..2]) mod n` of the region's plan, Hz. */
export function channelHz(payload, region = 'Eu868') {
  const channels = CHANNELS_HZ[region];
  return channels[(payload[0] | (payload[1] << 8)) % channels.length];
}

/** `payload ‖ witness_id`: what is hashed into a witness's commitment. */
export const witnessCommitmentPreimage = (payload, witnessId) => u8aConcat(payload, witnessId);

/** `blake2_256(payload ‖ witness_id)`: a witness's commitment, bound to its own id. */
export const witnessCommitment = (payload, witnessId) => blake2(witnessCommitmentPreimage(payload, witnessId));

/** ("assay/poc-witness", beacon, witness): the pool tag a witness report provides. */
export function witnessPoolTag(beacon, witnessId) {
  return u8aConcat(bytes('assay/poc-witness'), u64le(beacon), witnessId);
}

/** ("assay/poc-beacon", hotspot, entropy_index, commitment, tx_power_dbm, frequency_hz, region) */
export function beaconPayload(hotspotId, entropyIndex, commitment, txPowerDbm, frequencyHz, region = 'Eu868') {
  return u8aConcat(
    bytes('assay/poc-beacon'),
    hotspotId,
    u32le(entropyIndex),
    commitment,
    i16le(txPowerDbm),
    u64le(frequencyHz),
    [REGION[region]],
  );
}

/** ("assay/poc-witness", witness, beacon, commitment, rssi_dbm_x10, snr_db_x10, frequency_hz, region) */
export function witnessPayload(witnessId, beacon, commitment, rssiDbmX10, snrDbX10, frequencyHz, region = 'Eu868') {
  return u8aConcat(
    bytes('assay/poc-witness'),
    witnessId,
    u64le(beacon),
    commitment,
    i16le(rssiDbmX10),
    i16le(snrDbX10),
    u64le(frequencyHz),
    [REGION[region]],
  );
}

/** ("assay/poc-reveal", hotspot, beacon, local_entropy) */
export function revealPayload(hotspotId, beacon, localEntropy) {
  return u8aConcat(bytes('assay/poc-reveal'), hotspotId, u64le(beacon), localEntropy);
}

/** ("assay/unique-report", genesis_hash, payload): a device report without a nonce. */
export function uniqueReport(genesisHash, payload) {
  return u8aConcat(bytes('assay/unique-report'), genesisHash, compactAddLength(payload));
}

/**
 * The beacon of `device` (a keyring pair) as a feeless general transaction, signed as the
 * nonce report `report(genesis, nonce, beaconPayload(..))`.
 */
export function beaconExtrinsic(api, genesisHash, device, { nonce, entropyIndex, commitment, txPowerDbm, frequencyHz, region = 'Eu868' }) {
  const payload = beaconPayload(device.publicKey, entropyIndex, commitment, txPowerDbm, frequencyHz, region);
  const signature = device.sign(report(genesisHash, nonce, payload));
  const call = api.tx.proofOfCoverage.submitBeacon(
    device.address, nonce, entropyIndex, commitment, txPowerDbm, BigInt(frequencyHz), region, { Sr25519: signature },
  );
  return generalExtrinsic(call.method);
}

/**
 * A witness report of `device` about `beacon` as a feeless general transaction, signed as
 * the unique report `uniqueReport(genesis, witnessPayload(..))` (no nonce).
 */
export function witnessExtrinsic(api, genesisHash, device, { beacon, commitment, rssiDbmX10, snrDbX10, frequencyHz, region = 'Eu868' }) {
  const payload = witnessPayload(device.publicKey, beacon, commitment, rssiDbmX10, snrDbX10, frequencyHz, region);
  const signature = device.sign(uniqueReport(genesisHash, payload));
  const call = api.tx.proofOfCoverage.submitWitness(
    device.address, beacon, commitment, rssiDbmX10, snrDbX10, BigInt(frequencyHz), region, { Sr25519: signature },
  );
  return generalExtrinsic(call.method);
}

/**
 * A relay's batch of witness reports (`submitWitnesses`): each `{ device, beacon, commitment,
 * rssiDbmX10, snrDbX10, frequencyHz, region }` signed by its own device exactly as for
 * `witnessExtrinsic`. The call, for the relay to sign and send as an ordinary transaction:
 * its fee is waived when every report is recorded.
 */
export function witnessBatchCall(api, genesisHash, reports) {
  const items = reports.map(({ device, beacon, commitment, rssiDbmX10, snrDbX10, frequencyHz, region = 'Eu868' }) => {
    const payload = witnessPayload(device.publicKey, beacon, commitment, rssiDbmX10, snrDbX10, frequencyHz, region);
    return {
      witness: device.address,
      beacon,
      commitment,
      rssiDbmX10,
      snrDbX10,
      frequencyHz: BigInt(frequencyHz),
      region,
      signature: { Sr25519: device.sign(uniqueReport(genesisHash, payload)) },
    };
  });
  return api.tx.proofOfCoverage.submitWitnesses(items);
}

/** The reveal of `beacon` by `device`, signed as the nonce report of `revealPayload(..)`. */
export function revealExtrinsic(api, genesisHash, device, { nonce, beacon, localEntropy }) {
  const signature = device.sign(report(genesisHash, nonce, revealPayload(device.publicKey, beacon, localEntropy)));
  const call = api.tx.proofOfCoverage.revealBeacon(device.address, nonce, beacon, localEntropy, { Sr25519: signature });
  return generalExtrinsic(call.method);
}

/** Free-space path loss, dB: `20·log10(4π·d·f / 2.998e8)` (d in metres, f in Hz). */
export function fsplDb(distanceM, frequencyHz) {
  return 20 * Math.log10((4 * Math.PI * distanceM * frequencyHz) / 2.998e8);
}

/**
 * The strongest RSSI (dBm) a witness `distanceM` away can hear: `tx + ⌊G_b/10⌋ + ⌊G_w/10⌋
 * − FSPL(d, f)`, gains in tenths of dBi (fspl.rs `max_rssi_milli_dbm`, within ~1 milli-dB).
 */
export function maxRssiDbm(txPowerDbm, beaconerGainX10, witnessGainX10, distanceM, frequencyHz) {
  const gains = Math.floor(beaconerGainX10 / 10) + Math.floor(witnessGainX10 / 10);
  return txPowerDbm + gains - fsplDb(Math.max(1, distanceM), frequencyHz);
}

/** The resolution-12 cell of a point: `{ hex, id }` with `id` the u64 as a bigint. */
export function cellAt(lat, lng) {
  const hex = latLngToCell(lat, lng, LOCATION_RESOLUTION);
  return { hex, id: BigInt(`0x${hex}`) };
}

/** Great-circle distance between two cells' centres in whole metres, rounded as the runtime does. */
export function cellDistanceM(hexA, hexB) {
  return Math.floor(greatCircleDistance(cellToLatLng(hexA), cellToLatLng(hexB), 'm') + 0.5);
}

/** Grid steps between two cells' resolution-11 parents; `Infinity` where H3 cannot measure it. */
export function gridSteps(hexA, hexB) {
  try {
    return gridDistance(cellToParent(hexA, GRID_RESOLUTION), cellToParent(hexB, GRID_RESOLUTION));
  } catch {
    return Infinity;
  }
}
