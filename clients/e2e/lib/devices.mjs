// Device-side helpers: the exact bytes makers and devices sign (assay-wire's
// wire/src/devices.rs in JS, pinned by wire/vectors.json and tests/wire.test.mjs) and the
// feeless general transaction (extrinsic v5, no signer; wire/src/extrinsic.rs) that carries
// a device-signed report.

import { bnToU8a, compactAddLength, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';

/** DeviceKind variant indices, as in assay_wire::DeviceKind. */
export const KIND = { Hotspot: 0, Sensor: 1, EnergyMeter: 2, EvCharger: 3, Drone: 4, ComputeNode: 5 };

const bytes = (text) => compactAddLength(stringToU8a(text));
const u64 = (n) => bnToU8a(n, { bitLength: 64, isLe: true });
const u32 = (n) => bnToU8a(n, { bitLength: 32, isLe: true });

/** ("assay/maker-attest", device_id, kind) */
export function makerAttestation(deviceId, kind) {
  return u8aConcat(bytes('assay/maker-attest'), deviceId, [KIND[kind]]);
}

/** ("assay/register", genesis_hash, owner, kind, registrations: u32): `registrations` is
 * how many times the device was registered before (0 for a new device). */
export function registration(genesisHash, ownerId, kind, registrations = 0) {
  return u8aConcat(bytes('assay/register'), genesisHash, ownerId, [KIND[kind]], u32(registrations));
}

/** ("assay/heartbeat", device) */
export function heartbeatPayload(deviceId) {
  return u8aConcat(bytes('assay/heartbeat'), deviceId);
}

/** ("assay/report", genesis_hash, nonce, payload) */
export function report(genesisHash, nonce, payload) {
  return u8aConcat(bytes('assay/report'), genesisHash, u64(nonce), compactAddLength(payload));
}

/** ("assay/report", device, nonce): the pool tag a nonce report provides. */
export function reportPoolTag(deviceId, nonce) {
  return u8aConcat(bytes('assay/report'), deviceId, u64(nonce));
}

/**
 * A general transaction (extrinsic v5, no signer, no fee) for `call` (a call object with
 * `toU8a()`, or the call's bytes). Explicit extension
 * data in the runtime's order: AuthorizeCall, CheckNonZeroSender, CheckSpecVersion,
 * CheckTxVersion, CheckGenesis: none; CheckEra: immortal (0x00); CheckNonce: compact 0;
 * CheckWeight: none; ChargeTransactionPayment: compact tip 0; WeightReclaim: none.
 */
export function generalExtrinsic(call) {
  const GENERAL_V5 = 0b0100_0101;
  const EXTENSION_VERSION = 0;
  const callBytes = call instanceof Uint8Array ? call : call.toU8a();
  const body = u8aConcat([GENERAL_V5, EXTENSION_VERSION], [0x00], [0x00], [0x00], callBytes);
  return u8aToHex(compactAddLength(body));
}

/** The heartbeat of `device` (a keyring pair) with `nonce`, signed by `signer`. */
export function heartbeat(api, genesisHash, device, nonce, signer = device) {
  const signature = signer.sign(report(genesisHash, nonce, heartbeatPayload(device.publicKey)));
  return generalExtrinsic(api.tx.deviceRegistry.heartbeat(device.address, nonce, { Sr25519: signature }).method);
}
