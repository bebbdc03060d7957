// The compute market on a `--dev` chain: the shipped models and Alice's provider record
// from the genesis preset, a job submitted by Bob, assigned with BABE randomness at the end
// of the next block, committed and revealed by Alice (the dev provider) through signed
// extrinsics, completed with the revealed output, and paid through the earnings ledger.
// Bad submissions fail with the pallet's typed errors and change nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

import {
  UNIT,
  devAccount,
  eventsOf,
  signAndWait,
  startDevNode,
  stopAll,
  waitFor,
  withNodeLogs,
} from '../lib/node.mjs';
import { commitment, i32le } from '../lib/compute.mjs';

describe('compute market on a dev chain', () => {
  let node;
  let api;
  let alice;
  let bob;
  let models;

  before(
    withNodeLogs(async () => {
      ({ node, api } = await startDevNode('compute'));
      alice = await devAccount('Alice');
      bob = await devAccount('Bob');
      models = await api.call.computeApi.models();
    }),
    { timeout: 180_000 },
  );

  after(() => stopAll(), { timeout: 60_000 });

  /** The shipped model called `name`: [id (hex), record]. */
  function model(name) {
    const found = models.find(([, m]) => new TextDecoder().decode(m.name.toU8a(true)) === name);
    assert.ok(found, `model ${name} is registered`);
    return [found[0].toHex(), found[1]];
  }

  /** The events of block `hash` that are `computeMarket.<method>` about `job`. */
  async function jobEvents(hash, method, job) {
    const events = await (await api.at(hash)).query.system.events();
    return events
      .map(({ event }) => event)
      .filter((e) => e.section === 'computeMarket' && e.method === method && e.data.job.toNumber() === job);
  }

  /** Waits until job `id` is in `phase` (e.g. 'Committing') and returns the job. */
  async function waitForPhase(id, phase, timeoutMs = 60_000) {
    let job;
    await waitFor(
      async () => {
        job = (await api.call.computeApi.job(id)).unwrapOr(null);
        return job?.phase.type === phase;
      },
      { timeoutMs, what: `job ${id} to be ${phase}` },
    );
    return job;
  }

  test('the dev preset registers the shipped models and Alice as their provider', { timeout: 60_000 }, async () => {
    const names = models.map(([, m]) => new TextDecoder().decode(m.name.toU8a(true))).sort();
    assert.deepEqual(names, [
      'air-quality-anomaly', 'breast-cancer-diagnosis', 'coverage-fraud-score', 'energy-demand-forecast', 'solar-production-forecast',
    ]);
    const provider = (await api.call.computeApi.provider(alice.address)).unwrap();
    assert.equal(provider.models.length, 5);
    // Each model says where its card is, and which providers serve it.
    for (const [id, m] of models) {
      const name = new TextDecoder().decode(m.name.toU8a(true));
      assert.equal(new TextDecoder().decode(m.card.unwrap().toU8a(true)), `models/cards/${name}.md`);
      // polkadot.js names the field `size_` (`.size` is the struct's entry count); JSON keeps `size`.
      assert.ok(Number(m.toJSON().size) > 0);
      const serving = (await api.call.computeApi.modelProviders(id)).map((a) => a.toString());
      assert.deepEqual(serving, [alice.address], name);
    }
    assert.equal(provider.bond.toBigInt(), 100n * UNIT);
    assert.equal((await api.query.computeMarket.minRedundancy()).toNumber(), 1);
  });

  test('a job is assigned, committed, revealed, completed and paid', { timeout: 180_000 }, withNodeLogs(async () => {
    const [modelId, meta] = model('air-quality-anomaly');
    const input = i32le(Array.from({ length: meta.inputLen.toNumber() }, (_, i) => (i + 1) * 8192));
    const fee = UNIT;
    const earnedBefore = (await api.call.earningsApi.earnings(alice.address)).compute.toBigInt();

    const submitted = await signAndWait(api, api.tx.computeMarket.submitJob(modelId, u8aToHex(input), fee, 1, 1), bob);
    const [event] = eventsOf(submitted.events, 'computeMarket', 'JobSubmitted');
    assert.ok(event, 'JobSubmitted');
    const id = event.data.job.toNumber();
    const submittedAt = (await api.rpc.chain.getHeader(submitted.blockHash)).number.toNumber();

    // Assigned at the end of the next block, to Alice, the only provider.
    const job = await waitForPhase(id, 'Committing');
    assert.deepEqual(job.assignments.map((a) => a.worker.toString()), [alice.address]);
    assert.deepEqual((await api.call.computeApi.assignmentsOf(alice.address)).map((j) => j.toNumber()), [id]);
    const assignedAt = submittedAt + 1;
    const assignedHash = await api.rpc.chain.getBlockHash(assignedAt);
    assert.equal((await jobEvents(assignedHash, 'JobAssigned', id)).length, 1, 'JobAssigned in the block after submission');

    // Alice commits to an output, then reveals it.
    const output = [15_134];
    const salt = new Uint8Array(32).fill(7);
    const committed = await signAndWait(api, api.tx.computeMarket.commitResult(id, commitment(id, alice.publicKey, salt, output)), alice);
    assert.equal(eventsOf(committed.events, 'computeMarket', 'ResultCommitted').length, 1);
    await waitForPhase(id, 'Revealing');
    // A reveal that does not match the commitment is refused.
    await assert.rejects(
      signAndWait(api, api.tx.computeMarket.revealResult(id, [15_135], salt), alice),
      (e) => e.error === 'computeMarket.RevealMismatch',
    );
    const revealed = await signAndWait(api, api.tx.computeMarket.revealResult(id, output, salt), alice);
    assert.equal(eventsOf(revealed.events, 'computeMarket', 'ResultRevealed').length, 1);

    const done = await waitForPhase(id, 'Completed');
    assert.deepEqual(done.result.unwrap().map((v) => v.toNumber()), output);
    assert.equal((await api.call.computeApi.assignmentsOf(alice.address)).length, 0);
    const completedAt = done.phase.asCompleted.at.toNumber();
    const [completed] = await jobEvents(await api.rpc.chain.getBlockHash(completedAt), 'JobCompleted', id);
    assert.ok(completed, 'JobCompleted');
    const expectedHash = blake2AsU8a(api.createType('Vec<i32>', output).toU8a(), 256);
    assert.equal(completed.data.resultHash.toHex(), u8aToHex(expectedHash));

    // 90 % of the fee is Alice's compute earning; Bob's escrow is released.
    const earned = (await api.call.earningsApi.earnings(alice.address)).compute.toBigInt() - earnedBefore;
    assert.equal(earned, (fee * 9n) / 10n);
    console.log(`job ${id}: submitted in #${submittedAt}, assigned in #${assignedAt}, completed in #${completedAt}`);
  }));

  test('bad submissions fail with typed errors and hold nothing', { timeout: 120_000 }, withNodeLogs(async () => {
    const [modelId, meta] = model('breast-cancer-diagnosis');
    const good = i32le(new Array(meta.inputLen.toNumber()).fill(65_536));
    const reserved = async () => (await api.query.system.account(bob.address)).data.reserved.toBigInt();
    const before = await reserved();
    const cases = [
      [api.tx.computeMarket.submitJob(modelId, u8aToHex(good.slice(4)), UNIT, 1, 1), 'computeMarket.InputTooShort'],
      [api.tx.computeMarket.submitJob(modelId, u8aToHex(u8aConcat(good, i32le([1]))), UNIT, 1, 1), 'computeMarket.InputNotWholeRows'],
      // Two rows cost MinJobFee each.
      [api.tx.computeMarket.submitJob(modelId, u8aToHex(u8aConcat(good, good)), (await api.consts.computeMarket.minJobFee).toBigInt() * 2n - 1n, 1, 1), 'computeMarket.FeeTooLow'],
      [api.tx.computeMarket.submitJob(modelId, u8aToHex(good), UNIT, 1, 2), 'computeMarket.BadQuorum'],
      [api.tx.computeMarket.submitJob(modelId, u8aToHex(good), UNIT, 8, 1), 'computeMarket.BadRedundancy'],
      [api.tx.computeMarket.submitJob(modelId, u8aToHex(good), 1n, 1, 1), 'computeMarket.FeeTooLow'],
      [api.tx.computeMarket.submitJob(`0x${'00'.repeat(32)}`, u8aToHex(good), UNIT, 1, 1), 'computeMarket.UnknownModel'],
    ];
    for (const [tx, error] of cases) {
      await assert.rejects(signAndWait(api, tx, bob), (e) => e.error === error, error);
    }
    assert.equal(await reserved(), before);
  }));
});
