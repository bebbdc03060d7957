// Byte layouts of the compute market, as the chain and the off-chain worker use them.

import { compactToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

/** Little-endian i32 bytes: how job inputs are laid out. */
export function i32le(values) {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return bytes;
}

/** `blake2_256(job ‖ worker ‖ salt ‖ output)`, SCALE-encoded (u64, AccountId32, [u8; 32], Vec<i32>). */
export function commitment(job, workerPublicKey, salt, output) {
  const jobBytes = new Uint8Array(8);
  new DataView(jobBytes.buffer).setBigUint64(0, BigInt(job), true);
  return blake2AsU8a(u8aConcat(jobBytes, workerPublicKey, salt, compactToU8a(output.length), i32le(output)), 256);
}

/** Floats as a job input with `fractionBits` fraction bits: the bytes, and the exact floats they stand for. */
export function fixedPoint(floats, fractionBits = 16) {
  const q = floats.map((x) => Math.round(x * 2 ** fractionBits));
  return { bytes: i32le(q), exact: q.map((v) => v / 2 ** fractionBits) };
}
