// A flood of feeless device heartbeats does not starve the compute market: a `--dev`
// validator (Alice) started with the shipped models and the real ONNX Runtime serves a job
// through its off-chain worker (commit, then reveal, both signed fee-paying transactions)
// while 1,200 registered sensors keep the pool fuller than a block can take. Device reports
// rank below every paying transaction in the pool (priority 0) and stop at 75 % of a
// block's normal weight (the runtime answers ExhaustsResources and they wait), so the
// worker's commit and reveal are included on time and the job completes with the result
// Python onnxruntime gives.
//
// This file runs alone, after the others (`npm test` runs `flood/` in a second step): the
// flood keeps both cores busy for minutes, which would slow the other files' nodes down.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { u8aConcat, u8aToHex, bnToU8a } from '@polkadot/util';
import { blake2AsU8a, encodeAddress, sr25519Verify } from '@polkadot/util-crypto';
// The WebAssembly signer: @polkadot/util-crypto's sr25519Sign is pure JS, about ten times
// slower, and the flood signs thousands of heartbeats a block.
import { sr25519KeypairFromSeed, sr25519Sign } from '@polkadot/wasm-crypto';

import { UNIT, devAccount, eventsOf, getKeyring, signAndWait, startDevNode, stopAll, waitFor, withNodeLogs } from '../lib/node.mjs';
import { fixedPoint as toFixedPoint } from '../lib/compute.mjs';
import { SHIPPED, inferenceArgs, reference } from '../lib/inference.mjs';
import { generalExtrinsic, heartbeatPayload, makerAttestation, registration, report } from '../lib/devices.mjs';

const F = 16;
const fixedPoint = (floats) => toFixedPoint(floats, F);

/** Sensors in the fleet: 4 reports each may wait in the pool, 4,800 in all, more than a block takes (~3,340). */
const DEVICES = 1_200;
const REGISTER_BATCH = 200;
const MAX_REPORTS_PER_BLOCK = 4;
/** Heartbeats signed and sent per JSON-RPC batch request. */
const SUBMIT_CHUNK = 250;
/** JSON-RPC batch requests in flight at once (the node validates one while the next is signed). */
const IN_FLIGHT = 2;
/** The node's `--pool-limit` (ready transactions; a tenth more may wait as future ones). */
const POOL_LIMIT = 32_768;
/** Blocks without progress after which a device's pooled heartbeats are sent again. */
const STALL_BLOCKS = 3;
/** A block carrying at least this many heartbeats is a flooded one. */
const FLOODED = 1_000;
/** Reports stop at this share of the normal class's max_total (the runtime's ReportShare). */
const REPORT_SHARE = 0.75;
/** What the test allows: the report share plus one percent (one report is ~0.02 %). */
const ALLOWED_SHARE = 0.76;

/** A device key from `seed`, signing with the WebAssembly signer (a keyring pair's shape). */
function deviceKey(seed) {
  const keypair = sr25519KeypairFromSeed(seed);
  const secretKey = keypair.slice(0, 64);
  const publicKey = keypair.slice(64);
  return { publicKey, address: encodeAddress(publicKey, 42), sign: (message) => sr25519Sign(publicKey, secretKey, message) };
}

/** How the pool answered a heartbeat: `ok`, or the kind of refusal (all are back-pressure). */
function classify(error) {
  if (!error) return 'ok';
  const text = `${error.code} ${error.message} ${typeof error.data === 'string' ? error.data : JSON.stringify(error.data ?? '')}`;
  if (/already imported/i.test(text)) return 'alreadyImported';
  if (/outdated|stale/i.test(text)) return 'stale';
  if (/Custom error: 13\b/.test(text)) return 'rateLimited';
  if (/priority is too low/i.test(text)) return 'priorityTooLow';
  if (/exhaust/i.test(text)) return 'exhaustsResources';
  if (/immediately dropped/i.test(text)) return 'immediatelyDropped';
  if (/banned/i.test(text)) return 'banned';
  if (/limit/i.test(text)) return 'poolLimit';
  return `other(${text.slice(0, 80)})`;
}

/**
 * Keeps up to MAX_REPORTS_PER_BLOCK heartbeats of every device in the pool, nonces chained,
 * re-filling as blocks include them. Heartbeats are signed in chunks, each sent as one
 * JSON-RPC batch of `author_submitExtrinsic` over HTTP (raw: the client library would
 * re-encode the v5 general extrinsic), at most IN_FLIGHT batches at a time, yielding between
 * chunks, so the test process leaves the node its share of the two cores. A refusal is
 * never a test failure; it is counted, and the heartbeat is sent again later if still
 * useful.
 */
class Flood {
  constructor({ url, genesis, devices, callPrefix }) {
    this.url = url.replace(/^ws/, 'http');
    this.genesis = genesis;
    this.callPrefix = callPrefix;
    this.devices = devices.map((pair) => ({
      pair,
      payload: heartbeatPayload(pair.publicKey),
      next: 0, // the next nonce the chain expects (from Heartbeat events)
      pooled: new Set(), // nonces >= next the pool accepted
      movedAt: 0, // the block in which `next` last moved
      built: new Map(), // nonce -> the heartbeat sent for it
    }));
    this.byAddress = new Map(this.devices.map((d) => [d.pair.address, d]));
    this.answers = {};
    this.sent = 0;
    this.head = 0;
    this.running = false;
    this.wake = () => {};
  }

  /**
   * The heartbeat of `device` with `nonce`: the call built by hand (checked against the
   * library's encoding once). Kept until the nonce is used, so a heartbeat sent again is the
   * same transaction (signatures are randomized): the pool answers "already imported" while
   * it holds it, instead of refusing a second transaction for the same nonce.
   */
  build(device, nonce) {
    const cached = device.built.get(nonce);
    if (cached) return cached;
    const xt = this.encode(device, nonce);
    device.built.set(nonce, xt);
    return xt;
  }

  encode(device, nonce) {
    const signature = device.pair.sign(report(this.genesis, nonce, device.payload));
    const call = u8aConcat(this.callPrefix, device.pair.publicKey, bnToU8a(nonce, { bitLength: 64, isLe: true }), [1], signature);
    return generalExtrinsic(call);
  }

  /** Called for every block in order, with the (device address, nonce) of its Heartbeat events. */
  included(number, beats) {
    this.head = Math.max(this.head, number);
    for (const [address, nonce] of beats) {
      const device = this.byAddress.get(address);
      if (!device || nonce < device.next) continue;
      device.movedAt = number;
      this.advance(device, nonce + 1);
    }
    this.wake();
  }

  /** The heartbeats to send now, lowest nonce offset first, so a chunk's predecessors are already pooled. */
  wanted() {
    const work = [];
    for (let offset = 0; offset < MAX_REPORTS_PER_BLOCK; offset += 1) {
      for (const device of this.devices) {
        // A device whose pooled reports have not moved for a few blocks may have lost them
        // (the pool drops the lowest priority when full): send them again (one the pool
        // still holds is answered "already imported").
        if (offset === 0 && device.pooled.size > 0 && this.head - device.movedAt >= STALL_BLOCKS) {
          device.pooled.clear();
          device.movedAt = this.head;
        }
        const nonce = device.next + offset;
        if (!device.pooled.has(nonce)) work.push([device, nonce]);
      }
    }
    return work;
  }

  async submitChunk(chunk) {
    const body = chunk.map(([device, nonce], id) => ({ jsonrpc: '2.0', id, method: 'author_submitExtrinsic', params: [this.build(device, nonce)] }));
    let answers;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      answers = await response.json();
    } catch (error) {
      this.count(`transport(${error.name})`);
      return;
    }
    if (!Array.isArray(answers)) {
      this.count(`batch(${JSON.stringify(answers).slice(0, 80)})`);
      return;
    }
    this.sent += chunk.length;
    for (const answer of answers) {
      const [device, nonce] = chunk[answer.id];
      const kind = classify(answer.error);
      this.count(kind);
      if (kind === 'ok' || kind === 'alreadyImported') {
        if (device.pooled.size === 0) device.movedAt = this.head; // the stall clock starts now
        device.pooled.add(nonce);
        continue;
      }
      // Refused: the next try signs afresh (the pool bans the hash of what it dropped).
      device.built.delete(nonce);
      if (kind === 'stale' && nonce >= device.next) this.advance(device, nonce + 1); // in a block not read yet
    }
  }

  /** The chain expects `next` from `device` now: forget what is used. */
  advance(device, next) {
    device.next = next;
    for (const n of device.pooled) if (n < next) device.pooled.delete(n);
    for (const n of device.built.keys()) if (n < next) device.built.delete(n);
  }

  count(kind) {
    this.answers[kind] = (this.answers[kind] ?? 0) + 1;
  }

  start() {
    this.running = true;
    this.done = (async () => {
      try {
        await this.run();
      } catch (error) {
        this.error = error; // the test reports it
      }
    })();
  }

  async run() {
    while (this.running) {
      const work = this.wanted();
      const inFlight = [];
      for (let i = 0; i < work.length && this.running; i += SUBMIT_CHUNK) {
        inFlight.push(this.submitChunk(work.slice(i, i + SUBMIT_CHUNK)).catch((error) => (this.error ??= error)));
        if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
        await yieldNow();
      }
      await Promise.all(inFlight);
      // Wait for the next block (or a second, when nothing could be sent).
      await new Promise((wake) => {
        const timer = setTimeout(wake, work.length === 0 ? 2_000 : 1_000);
        this.wake = () => {
          clearTimeout(timer);
          wake();
        };
      });
      this.wake = () => {};
    }
  }

  async stop() {
    this.running = false;
    this.wake();
    await this.done;
  }
}

describe('a heartbeat flood while a compute job runs', () => {
  let node;
  let api;
  let genesis;
  let flood;
  let normalMax;
  let baseExtrinsic;
  const blocks = new Map(); // number -> { heartbeats, normal, nonHeartbeat, market, answered }
  let stopReader = () => {};
  let readerError;

  before(
    withNodeLogs(async () => {
      // A pool big enough to hold the whole flood: the fork-aware pool keeps included
      // transactions until they are finalized, and with the default 8,192 + 819 it would
      // drop heartbeats before it held more than a block takes.
      ({ node, api } = await startDevNode('flood-validator', ['--pool-limit', String(POOL_LIMIT), ...inferenceArgs()]));
      genesis = api.genesisHash.toU8a();
      const normal = api.consts.system.blockWeights.perClass.normal;
      normalMax = normal.maxTotal.unwrap().refTime.toBigInt();
      baseExtrinsic = normal.baseExtrinsic.refTime.toBigInt();
      // The engine must be up before the job is submitted.
      await waitFor(() => /model\(s\)/.test(readFileSync(node.logFile, 'utf8')), { timeoutMs: 60_000, what: 'the inference engine to start' });
    }),
    { timeout: 180_000 },
  );

  after(async () => {
    stopReader();
    await flood?.stop().catch(() => {});
    await stopAll();
  }, { timeout: 60_000 });

  /**
   * Reads every new best block in order: its Heartbeat events (fed to the flood), its
   * compute-market events, and `system.blockWeight`'s normal ref_time with the weight of
   * its non-heartbeat normal extrinsics.
   */
  async function startReader() {
    let last = (await api.rpc.chain.getHeader()).number.toNumber();
    let busy = false;
    let failures = 0; // in a row: a slow answer on a loaded machine is tried again at the next head
    const catchUp = async (best) => {
      if (busy) return;
      busy = true;
      try {
        while (last < best) {
          const number = last + 1;
          const hash = await api.rpc.chain.getBlockHash(number);
          const [records, weight] = await Promise.all([api.query.system.events.at(hash), api.query.system.blockWeight.at(hash)]);
          const beats = [];
          const heartbeatIndices = new Set();
          const market = [];
          for (const { phase, event } of records) {
            if (event.section === 'deviceRegistry' && event.method === 'Heartbeat') {
              beats.push([event.data.device.toString(), event.data.nonce.toNumber()]);
              if (phase.isApplyExtrinsic) heartbeatIndices.add(phase.asApplyExtrinsic.toNumber());
            } else if (event.section === 'computeMarket') {
              market.push(event);
            }
          }
          let nonHeartbeat = 0n;
          for (const { phase, event } of records) {
            if (event.section !== 'system' || !phase.isApplyExtrinsic || heartbeatIndices.has(phase.asApplyExtrinsic.toNumber())) continue;
            if (event.method !== 'ExtrinsicSuccess' && event.method !== 'ExtrinsicFailed') continue;
            const info = event.data.dispatchInfo;
            if (!info.class.isNormal) continue;
            nonHeartbeat += info.weight.refTime.toBigInt() + baseExtrinsic;
          }
          const answered = { sent: flood?.sent ?? 0, ok: flood?.answers.ok ?? 0 };
          blocks.set(number, { heartbeats: beats.length, normal: weight.normal.refTime.toBigInt(), nonHeartbeat, market, answered });
          flood?.included(number, beats);
          last = number;
          failures = 0;
        }
      } catch (error) {
        failures += 1;
        if (failures >= 5) readerError = error;
      } finally {
        busy = false;
      }
    };
    const unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => {
      catchUp(header.number.toNumber());
    });
    stopReader = () => unsubscribe();
    return () => last;
  }

  const percent = (weight) => Number((weight * 10_000n) / normalMax) / 100;

  /**
   * Logs the job's events and every block since the flood began (heartbeats, normal weight,
   * what the flood sent); returns the job's events and the blocks over the allowed weight.
   */
  function summarize(id, from, to, floodStart) {
    const jobEvents = [];
    for (let n = from; n <= to; n += 1) {
      for (const event of blocks.get(n)?.market ?? []) {
        if (event.data.job?.toNumber?.() === id) jobEvents.push({ n, method: event.method, event });
      }
    }
    const at = (method) => jobEvents.find((e) => e.method === method)?.n;
    console.log(`job ${id}: submitted #${from}, assigned #${at('JobAssigned')}, committed #${at('ResultCommitted')}, reveal started #${at('RevealStarted')}, revealed #${at('ResultRevealed')}, completed #${at('JobCompleted')}, failed #${at('JobFailed')}`);
    console.log(`job ${id} events: ${jobEvents.map((e) => `#${e.n} ${e.method}`).join(', ')}`);
    console.log(`heartbeats sent ${flood.sent}; pool answers: ${JSON.stringify(flood.answers)}`);
    console.log(`normal class max_total ${normalMax} ps; reports stop at ${REPORT_SHARE * 100} % of it`);
    const lines = [];
    let worst = { share: 0 };
    const overLimit = [];
    let previous = { sent: 0, ok: 0 };
    for (const [n, b] of [...blocks].sort(([x], [y]) => x - y)) {
      const sent = b.answered.sent - previous.sent;
      const accepted = b.answered.ok - previous.ok;
      previous = b.answered;
      if (n <= floodStart) continue;
      const share = percent(b.normal);
      const allowed = (normalMax * BigInt(ALLOWED_SHARE * 100)) / 100n + b.nonHeartbeat;
      if (share > worst.share) worst = { n, share, heartbeats: b.heartbeats };
      if (b.normal > allowed) overLimit.push(`#${n}: ${share} % (allowed ${percent(allowed)} %)`);
      const marks = jobEvents.filter((e) => e.n === n).map((e) => e.method).join('+');
      lines.push(
        `#${n}: ${b.heartbeats} heartbeats, normal ${share} %${b.nonHeartbeat ? ` (other ${percent(b.nonHeartbeat)} %)` : ''}` +
          `; ${sent} sent, ${accepted} accepted since the block before${marks ? `  <- ${marks}` : ''}`,
      );
    }
    console.log(`blocks (normal weight as a share of the normal class's max_total):\n  ${lines.join('\n  ')}`);
    console.log(`heaviest block: #${worst.n}, ${worst.share} % with ${worst.heartbeats} heartbeats`);
    return { jobEvents, overLimit };
  }

  test('a compute job completes on time while heartbeats flood the pool', { timeout: 420_000 }, withNodeLogs(async () => {
    await getKeyring(); // the WebAssembly crypto is ready
    const maker = await devAccount('DevMaker');
    const owner = await devAccount('Charlie');
    const bob = await devAccount('Bob');
    const alice = await devAccount('Alice');

    // 1. The fleet: 1,200 sensors, registered by //Charlie in batches, all sent at once.
    const devices = Array.from({ length: DEVICES }, (_, i) => deviceKey(blake2AsU8a(`assay-flood-${Date.now()}-${i}`, 256)));
    {
      const message = heartbeatPayload(devices[0].publicKey);
      assert.ok(sr25519Verify(message, devices[0].sign(message), devices[0].publicKey), 'the WebAssembly signer signs');
    }
    const calls = devices.map((device) =>
      api.tx.deviceRegistry.registerDevice(
        { Sr25519: device.publicKey },
        'Sensor',
        0,
        { Sr25519: maker.sign(makerAttestation(device.publicKey, 'Sensor')) },
        { Sr25519: device.sign(registration(genesis, owner.publicKey, 'Sensor')) },
      ),
    );
    const firstNonce = (await api.rpc.system.accountNextIndex(owner.address)).toNumber();
    const batches = [];
    for (let i = 0; i < calls.length; i += REGISTER_BATCH) {
      batches.push(signAndWait(api, api.tx.utility.batchAll(calls.slice(i, i + REGISTER_BATCH)), owner, { nonce: firstNonce + batches.length }));
    }
    const registered = (await Promise.all(batches)).reduce((sum, { events }) => sum + eventsOf(events, 'deviceRegistry', 'DeviceRegistered').length, 0);
    assert.equal(registered, DEVICES, 'DeviceRegistered events');

    // The hand-built heartbeat is the library's, byte for byte.
    const template = api.tx.deviceRegistry.heartbeat(devices[0].address, 0, { Sr25519: new Uint8Array(64) }).method.toU8a();
    const callPrefix = template.subarray(0, 2);
    flood = new Flood({ url: node.wsUrl, genesis, devices, callPrefix });
    {
      const signature = devices[0].sign(report(genesis, 7, heartbeatPayload(devices[0].publicKey)));
      const mine = generalExtrinsic(u8aConcat(callPrefix, devices[0].publicKey, bnToU8a(7, { bitLength: 64, isLe: true }), [1], signature));
      const library = generalExtrinsic(api.tx.deviceRegistry.heartbeat(devices[0].address, 7, { Sr25519: signature }).method);
      assert.equal(mine, library, 'heartbeat encoding');
    }

    // 2. The flood, and a reader of every block.
    const readUpTo = await startReader();
    flood.start();
    const floodStart = (await api.rpc.chain.getHeader()).number.toNumber();
    const flooded = await waitFor(
      () => {
        for (const error of [readerError, flood.error]) if (error) throw Object.assign(error, { fatal: true });
        for (const [number, b] of blocks) if (number > floodStart && b.heartbeats >= FLOODED) return number;
        return false;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `a block with ${FLOODED} heartbeats` },
    ).catch((error) => {
      console.log('blocks so far:', [...blocks].map(([n, b]) => `#${n}: ${b.heartbeats}`).join(', '), 'pool answers:', flood.answers);
      throw error;
    });
    console.log(`block #${flooded} carried ${blocks.get(flooded).heartbeats} heartbeats; pool answers so far: ${JSON.stringify(flood.answers)}`);

    // 3. Bob's job for the first shipped model.
    const model = SHIPPED[0];
    const commitWindow = api.consts.computeMarket.commitWindow.toNumber();
    const revealWindow = api.consts.computeMarket.revealWindow.toNumber();
    const { bytes } = fixedPoint(model.sample_input);
    const submitted = await signAndWait(
      api,
      api.tx.computeMarket.submitJob(model.model_id, u8aToHex(bytes), UNIT / 10n, 1, 1),
      bob,
    ).catch((error) => {
      console.log('heartbeats per block so far:', [...blocks].map(([n, b]) => `#${n}: ${b.heartbeats} (${percent(b.normal)} %)`).join(', '));
      throw error;
    });
    const [jobEvent] = eventsOf(submitted.events, 'computeMarket', 'JobSubmitted');
    assert.ok(jobEvent, 'JobSubmitted');
    const id = jobEvent.data.job.toNumber();
    const submittedAt = (await api.rpc.chain.getHeader(submitted.blockHash)).number.toNumber();

    // 4. It ends: completed or failed, within both windows and some slack.
    let record;
    await waitFor(
      async () => {
        for (const error of [readerError, flood.error]) if (error) throw Object.assign(error, { fatal: true });
        record = (await api.call.computeApi.job(id)).unwrapOr(null);
        return record && (record.phase.isCompleted || record.phase.isFailed);
      },
      { timeoutMs: (commitWindow + revealWindow + 8) * 6_000 * 1.5, intervalMs: 2_000, what: `job ${id} to end` },
    ).catch((error) => {
      summarize(id, submittedAt, readUpTo(), floodStart);
      throw error;
    });
    const endedAt = record.phase.isCompleted ? record.phase.asCompleted.at.toNumber() : (await api.rpc.chain.getHeader()).number.toNumber();
    // Two more blocks read, so everything around the end is in `blocks`; then the flood stops.
    await waitFor(() => readUpTo() >= endedAt + 2, { timeoutMs: 60_000, intervalMs: 500, what: 'the reader to catch up' });
    await flood.stop();
    stopReader();
    if (readerError) throw readerError;
    if (flood.error) throw flood.error;

    const { jobEvents, overLimit } = summarize(id, submittedAt, endedAt + 2, floodStart);
    const at = (method) => jobEvents.find((e) => e.method === method)?.n;
    const assignedAt = at('JobAssigned');

    // The job.
    assert.equal(at('ProviderStruck'), undefined, 'no ProviderStruck for the job');
    assert.equal(at('JobFailed'), undefined, `job ${id} failed: ${record.phase.isFailed ? record.phase.asFailed.reason.toString() : ''}`);
    assert.ok(record.phase.isCompleted, `job ${id} phase ${record.phase.type}`);
    const completedAt = record.phase.asCompleted.at.toNumber();
    assert.ok(assignedAt !== undefined, 'JobAssigned');
    assert.ok(assignedAt - submittedAt <= 3, `assigned ${assignedAt - submittedAt} blocks after submission`);
    assert.ok(
      completedAt - assignedAt <= commitWindow + revealWindow + 3,
      `completed ${completedAt - assignedAt} blocks after assignment (windows: ${commitWindow} + ${revealWindow})`,
    );
    const expected = reference(model.file, fixedPoint(model.sample_input).exact, F);
    assert.deepEqual(record.result.unwrap().map((v) => v.toNumber()), expected, 'result equals Python onnxruntime');
    assert.equal(record.assignments[0].worker.toString(), alice.address);
    const paid = jobEvents.filter((e) => e.method === 'WorkerPaid').map((e) => e.event.data.worker.toString());
    assert.deepEqual(paid, [alice.address], 'WorkerPaid to Alice');

    // The flood was real while the job lived, and reports kept to their share.
    const during = [];
    for (let n = assignedAt; n <= completedAt; n += 1) during.push(blocks.get(n)?.heartbeats ?? 0);
    console.log(`heartbeats per block from assignment to completion: ${during.join(', ')}`);
    assert.ok(Math.max(...during) >= FLOODED, `the most heartbeats in a block while the job lived: ${Math.max(...during)}`);
    assert.deepEqual(overLimit, [], `blocks over ${ALLOWED_SHARE * 100} % of the normal limit plus their paying transactions`);
  }));
});
