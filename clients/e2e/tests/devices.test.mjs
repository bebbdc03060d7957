// Devices on a `--dev` chain: registration with the development maker's attestation and
// the device's own consent, the deposit coming back on deregistration, and feeless
// device-signed heartbeats, with the transaction pool refusing bad signatures, reused
// nonces and reports over the rate limit, so they never enter a block.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  devAccount,
  eventsOf,
  randomAccount,
  rpc,
  signAndWait,
  startDevNode,
  stopAll,
  waitFor,
  withNodeLogs,
} from '../lib/node.mjs';
import { latLngToCell, cellToParent } from 'h3-js';

import { heartbeat, makerAttestation, registration } from '../lib/devices.mjs';

const MAX_REPORTS_PER_BLOCK = 4;

describe('devices on a dev chain', () => {
  let node;
  let api;
  let genesis;
  let maker;
  let owner;

  before(
    withNodeLogs(async () => {
      ({ node, api } = await startDevNode('devices'));
      genesis = api.genesisHash.toU8a();
      maker = await devAccount('DevMaker'); // the development maker of the dev preset
      owner = await devAccount('Bob');
    }),
    { timeout: 180_000 },
  );

  after(() => stopAll(), { timeout: 60_000 });

  async function registerDevice(device, kind = 'Hotspot', by = owner) {
    const tx = api.tx.deviceRegistry.registerDevice(
      { Sr25519: device.publicKey },
      kind,
      0,
      { Sr25519: maker.sign(makerAttestation(device.publicKey, kind)) },
      { Sr25519: device.sign(registration(genesis, by.publicKey, kind)) },
    );
    return signAndWait(api, tx, by);
  }

  const feeOf = (events) => eventsOf(events, 'transactionPayment', 'TransactionFeePaid')[0].data.actualFee.toBigInt();
  const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
  const nextNonce = async (device) => (await api.call.deviceRegistryApi.nextReportNonce(device.address)).toNumber();
  // Raw JSON-RPC: the client library would re-encode the v5 general extrinsic.
  const submit = (xt) => rpc(node.wsUrl, 'author_submitExtrinsic', [xt]);

  test('a device registered by //Alice asserts a location and sends a heartbeat with no funds', { timeout: 120_000 }, withNodeLogs(async () => {
    const alice = await devAccount('Alice');
    const device = await randomAccount();
    await registerDevice(device, 'Hotspot', alice);

    // A resolution-12 H3 cell in Lisbon; its resolution-11 parent is refused.
    const cellHex = latLngToCell(38.7223, -9.1393, 12);
    const cell = BigInt(`0x${cellHex}`);
    const asserted = await signAndWait(api, api.tx.deviceRegistry.assertLocation(device.address, cell, 81, 12), alice);
    const [moved] = eventsOf(asserted.events, 'deviceRegistry', 'LocationAsserted');
    assert.ok(moved, 'LocationAsserted');
    assert.equal(moved.data.cell.toBigInt(), cell);
    const parent = BigInt(`0x${cellToParent(cellHex, 11)}`);
    await assert.rejects(
      signAndWait(api, api.tx.deviceRegistry.assertLocation(device.address, parent, 81, 12), alice),
      (e) => e.error === 'deviceRegistry.WrongCellResolution',
    );

    // The runtime API answers.
    const info = (await api.call.deviceRegistryApi.device(device.address)).unwrap();
    assert.equal(info.owner.toString(), alice.address);
    assert.equal(info.kind.type, 'Hotspot');
    assert.equal(info.location.unwrap().cell.toBigInt(), cell);
    const mine = (await api.call.deviceRegistryApi.devicesOf(alice.address)).map(String);
    assert.ok(mine.includes(device.address));

    // The device holds nothing and still reports: a feeless general transaction.
    assert.equal(await free(device.address), 0n);
    await submit(heartbeat(api, genesis, device, 0));
    await waitFor(async () => (await nextNonce(device)) === 1, { timeoutMs: 60_000, what: 'the heartbeat to be included' });
    const seenAt = (await api.query.deviceRegistry.reports(device.address)).lastSeen.unwrap().toNumber();
    const at = await api.at(await api.rpc.chain.getBlockHash(seenAt));
    const beat = (await at.query.system.events()).find(({ event }) => api.events.deviceRegistry.Heartbeat.is(event));
    assert.ok(beat, 'Heartbeat event in the block that recorded it');
    assert.equal(beat.event.data.device.toString(), device.address);
    assert.equal(await free(device.address), 0n);
  }));

  test('register then deregister returns the deposit', { timeout: 120_000 }, withNodeLogs(async () => {
    const device = await randomAccount();
    const before = await free(owner.address);
    const registered = await registerDevice(device);
    const [event] = eventsOf(registered.events, 'deviceRegistry', 'DeviceRegistered');
    assert.ok(event, 'DeviceRegistered');
    assert.equal(event.data.device.toString(), device.address);
    assert.equal(event.data.owner.toString(), owner.address);
    const deposit = event.data.deposit.toBigInt();
    assert.ok(deposit > 0n);
    const info = (await api.query.deviceRegistry.devices(device.address)).unwrap();
    assert.equal(info.owner.toString(), owner.address);
    assert.equal(info.status.type, 'Active');

    const gone = await signAndWait(api, api.tx.deviceRegistry.deregisterDevice(device.address), owner);
    assert.equal(eventsOf(gone.events, 'deviceRegistry', 'DeviceDeregistered').length, 1);
    const fees = feeOf(registered.events) + feeOf(gone.events);
    assert.equal(await free(owner.address), before - fees, 'free balance is back, minus the two fees');
    assert.ok((await api.query.deviceRegistry.devices(device.address)).isNone);
  }));

  test('a registration replayed by another owner is refused', { timeout: 120_000 }, withNodeLogs(async () => {
    const device = await randomAccount();
    const charlie = await devAccount('Charlie');
    const tx = api.tx.deviceRegistry.registerDevice(
      { Sr25519: device.publicKey },
      'Sensor',
      0,
      { Sr25519: maker.sign(makerAttestation(device.publicKey, 'Sensor')) },
      { Sr25519: device.sign(registration(genesis, owner.publicKey, 'Sensor')) }, // consent for Bob
    );
    await assert.rejects(signAndWait(api, tx, charlie), (e) => e.error === 'deviceRegistry.BadDeviceSignature');
  }));

  test('heartbeats are feeless device-signed transactions; the pool refuses bad ones', { timeout: 240_000 }, withNodeLogs(async () => {
    const device = await randomAccount();
    await registerDevice(device);
    const issuanceBefore = (await api.query.balances.totalIssuance()).toBigInt();

    // A valid heartbeat is included and recorded.
    await submit(heartbeat(api, genesis, device, 0));
    await waitFor(async () => (await nextNonce(device)) === 1, { timeoutMs: 60_000, what: 'heartbeat 0 to be included' });
    assert.ok((await api.query.deviceRegistry.reports(device.address)).lastSeen.isSome);

    // Bad signature, reused nonce: refused by the pool (RPC error 1010), never included.
    const forger = await randomAccount();
    await assert.rejects(submit(heartbeat(api, genesis, device, 1, forger)), /1010.*(bad signature|BadProof)/i);
    await assert.rejects(submit(heartbeat(api, genesis, device, 0)), /1010.*(outdated|Stale)/i);

    // At most MAX_REPORTS_PER_BLOCK ahead of the next nonce: one more is refused.
    for (let n = 1; n <= MAX_REPORTS_PER_BLOCK; n++) await submit(heartbeat(api, genesis, device, n));
    await assert.rejects(
      submit(heartbeat(api, genesis, device, MAX_REPORTS_PER_BLOCK + 1)),
      /1010.*Custom error: 13/i,
    );
    await waitFor(async () => (await nextNonce(device)) === MAX_REPORTS_PER_BLOCK + 1, {
      timeoutMs: 90_000,
      what: 'the accepted heartbeats to be included',
    });

    // Only the accepted heartbeats entered blocks: one Heartbeat event per nonce 0..=4.
    const seen = [];
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let n = Math.max(1, head - 40); n <= head; n++) {
      const at = await api.at(await api.rpc.chain.getBlockHash(n));
      for (const { event } of await at.query.system.events()) {
        if (api.events.deviceRegistry.Heartbeat.is(event) && event.data.device.toString() === device.address) {
          seen.push(event.data.nonce.toNumber());
        }
      }
    }
    assert.deepEqual(seen.sort((a, b) => a - b), [0, 1, 2, 3, 4]);
    // Feeless: no fee was burned for any heartbeat (issuance only changes by fees of others).
    const issuanceAfter = (await api.query.balances.totalIssuance()).toBigInt();
    assert.equal(issuanceAfter, issuanceBefore, 'no fees were charged for heartbeats');
  }));
});
