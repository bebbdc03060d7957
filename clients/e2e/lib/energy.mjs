// Energy-market helpers: the exact bytes a meter signs for a reading (assay-wire's
// wire/src/energy.rs and the nonce-report envelope, pinned by wire/vectors.json), the
// feeless general transaction that carries it, the pool's refusal codes, and the integer
// arithmetic of DESIGN §7 (collateral and settlement amounts, µASY).

import { compactAddLength, stringToU8a, u8aConcat } from '@polkadot/util';

import { generalExtrinsic, report } from './devices.mjs';

/** Balance units (plancks) per µASY: prices are µASY per kWh. */
export const MICRO = 1_000_000n;

/** `InvalidTransaction::Custom` code of energy-market error i: 96 + i. */
export const ERROR_CODE_BASE = 96;

const bytes = (text) => compactAddLength(stringToU8a(text));

function le(bitLength, value) {
  const buffer = new Uint8Array(bitLength / 8);
  const view = new DataView(buffer.buffer);
  if (bitLength === 32) view.setUint32(0, Number(value), true);
  else view.setBigUint64(0, BigInt(value), true);
  return buffer;
}

/** ("assay/energy-reading", meter, slot_boundary: u32, import_register_wh: u64, export_register_wh: u64) */
export function readingPayload(meterId, slotBoundary, importRegisterWh, exportRegisterWh) {
  return u8aConcat(bytes('assay/energy-reading'), meterId, le(32, slotBoundary), le(64, importRegisterWh), le(64, exportRegisterWh));
}

/**
 * The reading of `meter` (a keyring pair) at the start of slot `slotBoundary` as a feeless
 * general transaction, signed as the nonce report `report(genesis, nonce, readingPayload(..))`.
 */
export function readingExtrinsic(api, genesisHash, meter, { nonce, slotBoundary, importWh, exportWh }) {
  const payload = readingPayload(meter.publicKey, slotBoundary, importWh, exportWh);
  const signature = meter.sign(report(genesisHash, nonce, payload));
  const call = api.tx.energyMarket.submitReading(
    meter.address, nonce, slotBoundary, BigInt(importWh), BigInt(exportWh), { Sr25519: signature },
  );
  return generalExtrinsic(call.method);
}

/** `⌈wh·price/1000⌉` µASY (a buyer's payment, a collateral, an import-priced shortfall). */
export const valueUp = (wh, price) => (BigInt(wh) * BigInt(price) + 999n) / 1000n;

/** `⌊wh·price/1000⌋` µASY (a seller's receipt, an export-priced surplus). */
export const valueDown = (wh, price) => (BigInt(wh) * BigInt(price)) / 1000n;

/**
 * One participant's settlement (µASY, positive: received): the trade at p* and the
 * deviation `d = m − c` of its metered net export `m` from `c = sold − bought` at the
 * grid prices.
 */
export function settlementOf({ boughtWh = 0, soldWh = 0, meteredExportWh }, { price, importPrice, exportPrice }) {
  const trade = valueDown(soldWh, price) - valueUp(boughtWh, price);
  const d = BigInt(meteredExportWh) - (BigInt(soldWh) - BigInt(boughtWh));
  const deviation = d >= 0n ? valueDown(d, exportPrice) : -valueUp(-d, importPrice);
  return { trade, deviation, net: trade + deviation };
}
