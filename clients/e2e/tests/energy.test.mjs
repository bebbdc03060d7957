// The energy market on a `--dev` chain (dev preset: zone 1, λ_imp 250,000 and λ_exp 50,000
// µASY per kWh, grid account //Ferdie; 5-block slots, readings within 2 slots). Two
// prosumers with solar, //Bob (meter P1) and //Charlie (P2), sell to two consumers, //Dave
// (C1) and //Eve (C2), through one slot s of zone 1:
//
// - Each owner registers an EnergyMeter attested by the dev maker and binds it to zone 1.
// - Orders for s: P1 sells 3,000 Wh at 100,000, P2 2,000 at 120,000; C1 buys 2,500 at
//   200,000, C2 2,000 at 150,000. Collateral is held (a bid at its price, an ask at λ_imp);
//   prices outside [λ_exp, λ_imp], a second binding and an order past the gate are refused.
// - At gate closure (the first block of slot s − 1) the book clears at p* = 120,000 for
//   4,500 Wh: C1 2,500, C2 2,000, P1 3,000, P2 1,500 (P2's unfilled 500 Wh release their
//   collateral). Orders for s are refused from then on.
// - Each meter signs its cumulative registers at boundaries s and s + 1 (feeless general
//   transactions, lib/energy.mjs): P1 exports 200 Wh short, P2 200 over, C1 takes exactly
//   what it bought, C2 300 more. The pool refuses a reading for a boundary not reached yet,
//   a second one for a boundary, and a register going backwards (Custom(96 + error index)).
// - //Alice settles: P1 +310,000 µASY, P2 +190,000, C1 −300,000, C2 −315,000, the grid
//   +115,000. The events, the runtime API and every balance agree to the planck and sum to
//   zero; the collateral holds are gone; the sellers' receipts are Energy earnings; a second
//   settlement is refused.
//
// //Alice (who authors every block and earns its fees) only settles; no participant sends
// anything in the settlement block, so its balances move by the settlement alone.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  bestNumber,
  devAccount,
  eventsOf,
  getKeyring,
  rpc,
  signAndWait,
  startDevNode,
  stopAll,
  waitFor,
  poolCatchUp,
  withNodeLogs,
} from '../lib/node.mjs';
import { makerAttestation, registration } from '../lib/devices.mjs';
import { ERROR_CODE_BASE, MICRO, readingExtrinsic, settlementOf, valueUp } from '../lib/energy.mjs';

const ZONE = 1;
const IMPORT_PRICE = 250_000;
const EXPORT_PRICE = 50_000;
// Each meter's capacity, Wh per slot: above every order and register step below.
const CAPACITY_WH = 10_000;

/**
 * The four meters: owner, order, registers (import, export Wh) at boundaries s and s + 1,
 * and what DESIGN §7 says comes of it (fill Wh, net µASY).
 */
const METERS = {
  P1: { owner: 'Bob', side: 'Sell', qtyWh: 3_000, price: 100_000, registers: [[1_000, 50_000], [1_000, 52_800]], fillWh: 3_000, net: 310_000n },
  P2: { owner: 'Charlie', side: 'Sell', qtyWh: 2_000, price: 120_000, registers: [[2_000, 40_000], [2_000, 41_700]], fillWh: 1_500, net: 190_000n },
  C1: { owner: 'Dave', side: 'Buy', qtyWh: 2_500, price: 200_000, registers: [[70_000, 0], [72_500, 0]], fillWh: 2_500, net: -300_000n },
  C2: { owner: 'Eve', side: 'Buy', qtyWh: 2_000, price: 150_000, registers: [[30_000, 0], [32_300, 0]], fillWh: 2_000, net: -315_000n },
};
const CLEARING_PRICE = 120_000;
const VOLUME_WH = 4_500;
const GRID_NET = 115_000n;
/** The same settlement itemized: (trade, deviation) µASY. */
const ITEMIZED = { P1: [360_000n, -50_000n], P2: [180_000n, 10_000n], C1: [-300_000n, 0n], C2: [-240_000n, -75_000n] };


describe('energy market on a dev chain', () => {
  let node;
  let api;
  let genesis;
  let alice;
  let ferdie;
  let slotLength;
  let readingWindow;
  /** The delivery slot traded. */
  let s;
  /** name → { pair (the meter), owner (keyring pair), order id, collateral (planck), ...METERS[name] } */
  const m = {};
  /** owner address → reserved balance before any order (the device deposit). */
  const reservedBase = new Map();

  before(
    withNodeLogs(async () => {
      ({ node, api } = await startDevNode('energy'));
      genesis = api.genesisHash.toU8a();
      alice = await devAccount('Alice');
      ferdie = await devAccount('Ferdie');
      assert.ok(api.call.energyApi, `runtime API EnergyApi in the metadata (have: ${Object.keys(api.call).join(', ')})`);
      const p = (await api.query.energyMarket.params()).unwrap();
      slotLength = p.slotLength.toNumber();
      readingWindow = p.readingWindow.toNumber();
      assert.deepEqual([slotLength, readingWindow], [5, 2], 'the dev preset: 5-block slots, readings within 2 slots');
      const zone = (await api.query.energyMarket.zones(ZONE)).unwrap();
      assert.equal(zone.importPrice.toNumber(), IMPORT_PRICE);
      assert.equal(zone.exportPrice.toNumber(), EXPORT_PRICE);
      assert.equal(zone.gridAccount.toString(), ferdie.address, 'the grid account is //Ferdie');
      const keyring = await getKeyring();
      for (const [name, spec] of Object.entries(METERS)) {
        m[name] = { ...spec, pair: keyring.addFromUri(`//meter/${name}`), owner: await devAccount(spec.owner) };
      }
    }),
    { timeout: 180_000 },
  );

  after(() => stopAll(), { timeout: 60_000 });

  // Raw JSON-RPC: the client library would re-encode the v5 general extrinsic.
  const submit = (xt) => rpc(node.wsUrl, 'author_submitExtrinsic', [xt]);
  const nextNonce = async (meter) => (await api.call.deviceRegistryApi.nextReportNonce(meter.address)).toNumber();
  /** The slot the pool validates against: that of the next block. */
  const poolSlot = async () => Math.floor(((await bestNumber(api)) + 1) / slotLength);
  const firstBlockOf = (slot) => slot * slotLength;

  /** A pool refusal carrying `InvalidTransaction::Custom(96 + index of the pallet error)`. */
  function refusal(error) {
    const code = ERROR_CODE_BASE + api.errors.energyMarket[error].meta.index.toNumber();
    return new RegExp(`1010.*Custom error: ${code}\\b`);
  }

  /** Rejects with the dispatch error `energyMarket.<error>`. */
  const failsWith = (promise, error) => assert.rejects(promise, (e) => {
    assert.equal(e.error, `energyMarket.${error}`);
    return true;
  });

  async function waitUntilBlock(number, what = `block #${number}`, timeoutMs = 90_000) {
    await waitFor(async () => (await bestNumber(api)) >= number, { timeoutMs, intervalMs: 250, what });
    await poolCatchUp();
  }

  /** `who`'s energy-market collateral hold at `at` (an api or api.at(..)), planck. */
  async function collateralHeld(who, at = api) {
    const holds = await at.query.balances.holds(who);
    return holds
      .filter(({ id }) => id.type === 'EnergyMarket' && id.value.type === 'OrderCollateral')
      .reduce((sum, { amount }) => sum + amount.toBigInt(), 0n);
  }

  /** The reading of meter `name` at `boundary` with `registers` (default: its own for that boundary). */
  async function readingXt(name, boundary, registers = m[name].registers[boundary - s]) {
    const [importWh, exportWh] = registers;
    return readingExtrinsic(api, genesis, m[name].pair, { nonce: await nextNonce(m[name].pair), slotBoundary: boundary, importWh, exportWh });
  }

  /** Waits until every meter's latest reading is at `boundary`; checks the registers. */
  async function waitForReadings(boundary) {
    await waitFor(
      async () => {
        for (const { pair } of Object.values(m)) {
          const last = await api.query.energyMarket.lastReading(pair.address);
          if (last.isNone || last.unwrap()[0].toNumber() !== boundary) return false;
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `every meter's reading at boundary ${boundary}` },
    );
    for (const [name, { pair, registers }] of Object.entries(m)) {
      const stored = (await api.query.energyMarket.readings(pair.address, boundary)).unwrap();
      assert.deepEqual([stored[0].toNumber(), stored[1].toNumber()], registers[boundary - s], `${name}'s registers at ${boundary}`);
    }
    await poolCatchUp();
  }

  test('four EnergyMeters, attested by the dev maker, are registered and bound to zone 1', { timeout: 120_000 }, withNodeLogs(async () => {
    const maker = await devAccount('DevMaker'); // the development maker of the dev preset
    const results = await Promise.all(
      Object.values(m).map(({ pair, owner }) =>
        signAndWait(
          api,
          api.tx.utility.batchAll([
            api.tx.deviceRegistry.registerDevice(
              { Sr25519: pair.publicKey },
              'EnergyMeter',
              0,
              { Sr25519: maker.sign(makerAttestation(pair.publicKey, 'EnergyMeter')) },
              { Sr25519: pair.sign(registration(genesis, owner.publicKey, 'EnergyMeter')) },
            ),
            api.tx.energyMarket.bindMeter(pair.address, ZONE, CAPACITY_WH),
          ]),
          owner,
        ),
      ),
    );
    for (const [k, [name, { pair, owner }]] of Object.entries(m).entries()) {
      const { events } = results[k];
      assert.equal(eventsOf(events, 'deviceRegistry', 'DeviceRegistered').length, 1, `${name} registered`);
      const [bound] = eventsOf(events, 'energyMarket', 'MeterBound');
      assert.ok(bound, `${name} bound`);
      assert.equal(bound.data.meter.toString(), pair.address);
      assert.equal(bound.data.zone.toNumber(), ZONE);
      assert.equal(bound.data.capacityWh.toNumber(), CAPACITY_WH);
      const info = (await api.call.deviceRegistryApi.device(pair.address)).unwrap();
      assert.equal(info.owner.toString(), owner.address);
      assert.equal(info.kind.type, 'EnergyMeter');
      assert.equal((await api.query.energyMarket.meters(pair.address)).unwrap().zone.toNumber(), ZONE);
      reservedBase.set(owner.address, (await api.query.system.account(owner.address)).data.reserved.toBigInt());
      assert.equal(await collateralHeld(owner.address), 0n);
    }
  }));

  test('refusals: prices outside [λ_exp, λ_imp], a second binding, an order past its gate', { timeout: 120_000 }, withNodeLogs(async () => {
    const far = (await poolSlot()) + 10;
    const near = (await poolSlot()) + 1; // its gate is closed: orders close one slot before delivery
    await Promise.all([
      failsWith(signAndWait(api, api.tx.energyMarket.placeOrder(m.P1.pair.address, far, 'Sell', 1_000, IMPORT_PRICE + 1), m.P1.owner), 'PriceOutsideBand'),
      failsWith(signAndWait(api, api.tx.energyMarket.placeOrder(m.P2.pair.address, far, 'Sell', 1_000, EXPORT_PRICE - 1), m.P2.owner), 'PriceOutsideBand'),
      failsWith(signAndWait(api, api.tx.energyMarket.bindMeter(m.C1.pair.address, ZONE, CAPACITY_WH), m.C1.owner), 'MeterAlreadyBound'),
      failsWith(signAndWait(api, api.tx.energyMarket.placeOrder(m.C2.pair.address, near, 'Buy', 1_000, 150_000), m.C2.owner), 'GateClosed'),
    ]);
    for (const { owner } of Object.values(m)) assert.equal(await collateralHeld(owner.address), 0n, 'nothing held');
    assert.equal((await api.query.energyMarket.nextOrderId()).toNumber(), 0, 'no order was stored');
  }));

  test('orders for slot s hold their collateral', { timeout: 120_000 }, withNodeLogs(async () => {
    s = (await poolSlot()) + 3;
    const gate = firstBlockOf(s - 1); // cleared in on_initialize of this block
    console.log(`delivery slot s = ${s}: blocks #${firstBlockOf(s)}–#${firstBlockOf(s + 1) - 1}, gate closes at #${gate}`);
    const results = await Promise.all(
      Object.values(m).map(({ pair, owner, side, qtyWh, price }) =>
        signAndWait(api, api.tx.energyMarket.placeOrder(pair.address, s, side, qtyWh, price), owner),
      ),
    );
    for (const [k, [name, meter]] of Object.entries(m).entries()) {
      const [placed] = eventsOf(results[k].events, 'energyMarket', 'OrderPlaced');
      assert.ok(placed, `${name}'s OrderPlaced`);
      const expected = valueUp(meter.qtyWh, meter.side === 'Buy' ? meter.price : IMPORT_PRICE) * MICRO;
      assert.equal(placed.data.owner.toString(), meter.owner.address);
      assert.equal(placed.data.meter.toString(), meter.pair.address);
      assert.equal(placed.data.zone.toNumber(), ZONE);
      assert.equal(placed.data.slot.toNumber(), s);
      assert.equal(placed.data.side.type, meter.side);
      assert.equal(placed.data.qtyWh.toNumber(), meter.qtyWh);
      assert.equal(placed.data.price.toNumber(), meter.price);
      assert.equal(placed.data.collateral.toBigInt(), expected, `${name}'s collateral`);
      meter.order = placed.data.order.toNumber();
      meter.collateral = expected;
    }
    // 0.75, 0.5, 0.5 and 0.3 ASY: an ask at λ_imp, a bid at its own price.
    assert.deepEqual(
      Object.values(m).map(({ collateral }) => collateral / MICRO),
      [750_000n, 500_000n, 500_000n, 300_000n],
    );

    for (const [name, { owner, collateral, side, qtyWh }] of Object.entries(m)) {
      const account = await api.query.system.account(owner.address);
      assert.equal(await collateralHeld(owner.address), collateral, `${name}'s hold`);
      assert.equal(account.data.reserved.toBigInt() - reservedBase.get(owner.address), collateral, `${name}'s reserved balance`);
      const position = await api.call.energyApi.position(owner.address, ZONE, s);
      assert.equal(position.collateralHeld.toBigInt(), collateral);
      assert.equal(position[side === 'Buy' ? 'bidWh' : 'offeredWh'].toNumber(), qtyWh);
      assert.equal(position.settled.isTrue, false);
    }
    const book = await api.call.energyApi.orderBook(ZONE, s);
    // Each side by id (ids follow inclusion order, not the order of submission).
    const byId = (a, b) => a - b;
    assert.deepEqual(book.bids.map((o) => o.id.toNumber()), [m.C1.order, m.C2.order].sort(byId));
    assert.deepEqual(book.asks.map((o) => o.id.toNumber()), [m.P1.order, m.P2.order].sort(byId));
    assert.ok([...book.bids, ...book.asks].every((o) => o.filledWh.isNone), 'nothing filled before the gate');
    assert.equal(book.gateClosed.isTrue, false);
    assert.ok((await api.call.energyApi.clearing(ZONE, s)).isNone);
    const header = await api.rpc.chain.getHeader(results[0].blockHash);
    assert.ok(header.number.toNumber() < gate, `orders in #${header.number} before the gate at #${gate}`);
  }));

  test('gate closure clears the book: 4,500 Wh at 120,000 µASY/kWh; unfilled collateral is released', { timeout: 120_000 }, withNodeLogs(async () => {
    const gate = firstBlockOf(s - 1);
    await waitUntilBlock(gate, `the gate of slot ${s} (#${gate})`);
    const hash = await api.rpc.chain.getBlockHash(gate);
    const cleared = (await (await api.at(hash)).query.system.events())
      .map(({ event }) => event)
      .filter((e) => e.section === 'energyMarket' && e.method === 'SlotCleared');
    assert.equal(cleared.length, 1, `one SlotCleared in #${gate}`);
    const [event] = cleared;
    assert.deepEqual(
      [event.data.zone.toNumber(), event.data.slot.toNumber(), event.data.price.toNumber(), event.data.volume.toNumber()],
      [ZONE, s, CLEARING_PRICE, VOLUME_WH],
    );

    const clearing = (await api.call.energyApi.clearing(ZONE, s)).unwrap();
    assert.equal(clearing.price.toNumber(), CLEARING_PRICE);
    assert.equal(clearing.volume.toNumber(), VOLUME_WH);
    assert.equal(clearing.importPrice.toNumber(), IMPORT_PRICE);
    assert.equal(clearing.exportPrice.toNumber(), EXPORT_PRICE);
    assert.equal(clearing.gridAccount.toString(), ferdie.address);
    assert.ok(clearing.settled.isNone);

    const book = await api.call.energyApi.orderBook(ZONE, s);
    assert.equal(book.gateClosed.isTrue, true);
    const filled = Object.fromEntries([...book.bids, ...book.asks].map((o) => [o.id.toNumber(), o.filledWh.unwrap().toNumber()]));
    for (const [name, { order, fillWh }] of Object.entries(m)) assert.equal(filled[order], fillWh, `${name}'s fill`);

    // P2 keeps ⌈1,500·λ_imp/1000⌉ = 375,000 µASY; the other orders filled completely.
    m.P2.kept = valueUp(1_500, IMPORT_PRICE) * MICRO;
    assert.equal(m.P2.kept, 375_000n * MICRO);
    for (const [name, { owner, collateral, kept = collateral, fillWh, side }] of Object.entries(m)) {
      assert.equal(await collateralHeld(owner.address), kept, `${name}'s hold after clearing`);
      const position = await api.call.energyApi.position(owner.address, ZONE, s);
      assert.equal(position.collateralHeld.toBigInt(), kept);
      assert.equal(position[side === 'Buy' ? 'boughtWh' : 'soldWh'].toNumber(), fillWh);
    }

    await failsWith(signAndWait(api, api.tx.energyMarket.placeOrder(m.C1.pair.address, s, 'Buy', 100, 200_000), m.C1.owner), 'GateClosed');
  }));

  test('readings at boundaries s and s + 1; the pool refuses early, repeated and backward readings', { timeout: 150_000 }, withNodeLogs(async (t) => {
    // Boundary s: valid once the pool's next block is in slot s.
    await waitUntilBlock(firstBlockOf(s) - 1, `the start of slot ${s}`);
    for (const name of Object.keys(m)) await submit(await readingXt(name, s));
    await waitForReadings(s);

    // A reading for boundary s + 1 before slot s + 1 has begun (a block of margin: an
    // accepted one would be real).
    if ((await bestNumber(api)) + 2 < firstBlockOf(s + 1)) {
      await assert.rejects(submit(await readingXt('C1', s + 1)), refusal('UnknownSlot'));
    } else {
      t.diagnostic(`too close to slot ${s + 1} to try an early reading`);
    }
    // A second reading for boundary s.
    await assert.rejects(submit(await readingXt('C2', s)), refusal('ReadingExists'));
    // Delivery is not over: too early to settle.
    await failsWith(signAndWait(api, api.tx.energyMarket.settleSlot(ZONE, s), alice), 'SettlementTooEarly');

    // Boundary s + 1.
    await waitUntilBlock(firstBlockOf(s + 1) - 1, `the start of slot ${s + 1}`);
    // P1's export register going backwards (49,000 < 50,000 Wh) first.
    await assert.rejects(submit(await readingXt('P1', s + 1, [1_000, 49_000])), refusal('NonMonotonicRegister'));
    for (const name of Object.keys(m)) await submit(await readingXt(name, s + 1));
    await waitForReadings(s + 1);

    // The runtime API's view before settlement, from the readings so far.
    for (const [name, { owner, registers }] of Object.entries(m)) {
      const position = await api.call.energyApi.position(owner.address, ZONE, s);
      const metered = registers[1][1] - registers[0][1] - (registers[1][0] - registers[0][0]);
      assert.equal(position.meteredExportWh.toBigInt(), BigInt(metered), `${name}'s metered export`);
      assert.deepEqual([position.trade.toBigInt(), position.deviation.toBigInt()], ITEMIZED[name], `${name}'s trade and deviation`);
      assert.equal(position.settled.isTrue, false);
    }
  }));

  test('//Alice settles: every amount to the planck, zero-sum with the grid; Energy earnings for the sellers', { timeout: 120_000 }, withNodeLogs(async () => {
    // The helper's arithmetic agrees with the expected figures.
    const prices = { price: CLEARING_PRICE, importPrice: IMPORT_PRICE, exportPrice: EXPORT_PRICE };
    for (const [name, { side, fillWh, registers, net }] of Object.entries(m)) {
      const meteredExportWh = registers[1][1] - registers[0][1] - (registers[1][0] - registers[0][0]);
      const amounts = settlementOf({ [side === 'Buy' ? 'boughtWh' : 'soldWh']: fillWh, meteredExportWh }, prices);
      assert.deepEqual([amounts.trade, amounts.deviation, amounts.net], [...ITEMIZED[name], net], name);
    }
    assert.equal(Object.values(m).reduce((sum, { net }) => sum + net, 0n) + GRID_NET, 0n);

    const settled = await signAndWait(api, api.tx.energyMarket.settleSlot(ZONE, s), alice);
    const { events, blockHash } = settled;

    // Events.
    const positions = eventsOf(events, 'energyMarket', 'PositionSettled');
    assert.equal(positions.length, 4);
    for (const [name, { pair, owner, side, fillWh, registers, net }] of Object.entries(m)) {
      const event = positions.find((e) => e.data.meter.toString() === pair.address);
      assert.ok(event, `${name}'s PositionSettled`);
      const metered = registers[1][1] - registers[0][1] - (registers[1][0] - registers[0][0]);
      assert.equal(event.data.zone.toNumber(), ZONE);
      assert.equal(event.data.slot.toNumber(), s);
      assert.equal(event.data.owner.toString(), owner.address);
      assert.equal(event.data.committedExportWh.toBigInt(), BigInt(side === 'Buy' ? -fillWh : fillWh), `${name}'s committed export`);
      assert.equal(event.data.meteredExportWh.toBigInt(), BigInt(metered), `${name}'s metered export`);
      assert.equal(event.data.net.toBigInt(), net, `${name}'s net`);
      assert.equal(event.data.debt.toBigInt(), 0n, `${name}'s debt`);
    }
    const [slotSettled] = eventsOf(events, 'energyMarket', 'SlotSettled');
    assert.ok(slotSettled, 'SlotSettled');
    const totals = slotSettled.data.totals;
    assert.deepEqual(
      [totals.participants.toNumber(), totals.participantsNet.toBigInt(), totals.gridNet.toBigInt(), totals.debtRecorded.toBigInt()],
      [4, -GRID_NET, GRID_NET, 0n],
    );
    assert.equal(eventsOf(events, 'energyMarket', 'DebtRecorded').length, 0, 'no debt');

    // Balances right before and right after the settlement block.
    const parent = (await api.rpc.chain.getHeader(blockHash)).parentHash;
    const snapshot = async (hash) => {
      const at = await api.at(hash);
      const take = async (who) => {
        const { data } = await at.query.system.account(who);
        return {
          total: data.free.toBigInt() + data.reserved.toBigInt(),
          reserved: data.reserved.toBigInt(),
          held: await collateralHeld(who, at),
          energy: (await at.call.earningsApi.earnings(who)).energy.toBigInt(),
        };
      };
      const owners = Object.fromEntries(await Promise.all(Object.entries(m).map(async ([name, { owner }]) => [name, await take(owner.address)])));
      return { owners, grid: await take(ferdie.address) };
    };
    const [before, after] = await Promise.all([snapshot(parent), snapshot(blockHash)]);
    let sum = 0n;
    for (const [name, { owner, net, collateral, kept = collateral }] of Object.entries(m)) {
      const delta = after.owners[name].total - before.owners[name].total;
      assert.equal(delta, net * MICRO, `${name}'s (${owner.address}) balance moved by its net`);
      sum += delta;
      assert.equal(before.owners[name].held, kept, `${name}'s hold before settlement`);
      assert.equal(after.owners[name].held, 0n, `${name}'s collateral is no longer held`);
      assert.equal(after.owners[name].reserved, reservedBase.get(owner.address), `${name}'s reserved balance is back to the device deposit`);
      const earned = after.owners[name].energy - before.owners[name].energy;
      assert.equal(earned, net > 0n ? net * MICRO : 0n, `${name}'s Energy earnings`);
    }
    const gridDelta = after.grid.total - before.grid.total;
    assert.equal(gridDelta, GRID_NET * MICRO, "the grid account's balance moved by its net");
    assert.equal(after.grid.energy, before.grid.energy, 'the grid earns nothing as Energy');
    assert.equal(sum + gridDelta, 0n, 'zero-sum to the planck');

    // The runtime API's view after settlement.
    const clearing = (await api.call.energyApi.clearing(ZONE, s)).unwrap();
    assert.ok(clearing.settled.isSome);
    assert.equal(clearing.settled.unwrap().gridNet.toBigInt(), GRID_NET);
    for (const [name, { owner }] of Object.entries(m)) {
      const position = await api.call.energyApi.position(owner.address, ZONE, s);
      assert.equal(position.settled.isTrue, true);
      assert.deepEqual([position.trade.toBigInt(), position.deviation.toBigInt()], ITEMIZED[name], name);
      assert.equal(position.debt.toBigInt(), 0n);
      assert.equal((await api.call.energyApi.debt(owner.address, ferdie.address)).toBigInt(), 0n);
      assert.equal((await api.call.energyApi.debt(ferdie.address, owner.address)).toBigInt(), 0n);
    }
    const book = await api.call.energyApi.orderBook(ZONE, s);
    assert.equal(book.bids.length + book.asks.length, 0, 'settled orders are removed');

    // Settled once.
    await failsWith(signAndWait(api, api.tx.energyMarket.settleSlot(ZONE, s), alice), 'AlreadySettled');
    console.log(`slot ${s} settled in ${blockHash.toHex()}: nets ${Object.entries(m).map(([n, { net }]) => `${n} ${net}`).join(', ')}, grid ${GRID_NET} µASY`);
  }));
});
