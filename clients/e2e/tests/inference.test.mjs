// Validator inference end to end: a dev validator (Alice) started with the shipped models
// and the real ONNX Runtime serves jobs submitted from @polkadot/api through its off-chain
// worker (commit, then reveal, signed with its `infr` key); every result equals Python
// onnxruntime on the same model and input, quantized the same way. A second node started
// without the inference flags syncs and imports those blocks. Killed between commit and
// reveal, the validator reveals after its restart from its persistent off-chain record.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import {
  NODE_BIN,
  UNIT,
  connect,
  devAccount,
  eventsOf,
  freePort,
  rpc,
  runDirectory,
  signAndWait,
  startNode,
  stopAll,
  waitFor,
  waitForRpc,
  withNodeLogs,
} from '../lib/node.mjs';
import { fixedPoint as toFixedPoint, i32le } from '../lib/compute.mjs';
import { REPO, SHIPPED, inferenceArgs, reference } from '../lib/inference.mjs';

const F = 16;
const fixedPoint = (floats) => toFixedPoint(floats, F);

describe('validator inference on a dev chain', () => {
  let alice;
  let api;
  let bob;
  let validatorArgs;
  const basePath = join(runDirectory(), 'inference-validator');

  async function startValidator() {
    const node = await startNode({ name: 'inference-validator', args: validatorArgs });
    await waitForRpc(node, 120_000);
    return node;
  }

  before(
    withNodeLogs(async () => {
      mkdirSync(basePath, { recursive: true });
      validatorArgs = [
        '--chain', 'dev', '--alice', '--validator', '--force-authoring',
        '--base-path', basePath,
        '--port', String(await freePort()), '--rpc-port', String(await freePort()),
        '--prometheus-port', String(await freePort()),
        '--node-key', '0000000000000000000000000000000000000000000000000000000000000001',
        '--no-telemetry', '--no-mdns',
        ...inferenceArgs(),
      ];
      alice = await startValidator();
      api = await connect(alice.wsUrl);
      bob = await devAccount('Bob');
    }),
    { timeout: 180_000 },
  );

  after(async () => {
    await stopAll();
    rmSync(basePath, { recursive: true, force: true });
  }, { timeout: 60_000 });

  /** Submits a job for `model` on `floats` (n = k = 1); returns its id and submission block. */
  async function submit(model, floats) {
    const { bytes } = fixedPoint(floats);
    const done = await signAndWait(api, api.tx.computeMarket.submitJob(model.model_id, u8aToHex(bytes), UNIT / 10n, 1, 1), bob);
    const [event] = eventsOf(done.events, 'computeMarket', 'JobSubmitted');
    const at = (await api.rpc.chain.getHeader(done.blockHash)).number.toNumber();
    return { id: event.data.job.toNumber(), at };
  }

  async function job(id, client = api) {
    return (await client.call.computeApi.job(id)).unwrapOr(null);
  }

  async function waitForCompletion(id, client = api, timeoutMs = 90_000) {
    let record;
    await waitFor(
      async () => {
        record = await job(id, client);
        if (record?.phase.isFailed) throw new Error(`job ${id} failed: ${record.phase.asFailed.reason.toString()}`);
        return record?.phase.isCompleted;
      },
      { timeoutMs, what: `job ${id} to complete` },
    );
    return record;
  }

  /** The number of the block in [from, to] whose events include computeMarket.<method> for `id`. */
  async function blockOf(method, id, from, to) {
    for (let n = from; n <= to; n += 1) {
      const events = await (await api.at(await api.rpc.chain.getBlockHash(n))).query.system.events();
      if (events.some(({ event }) => event.section === 'computeMarket' && event.method === method && event.data.job.toNumber() === id)) return n;
    }
    return undefined;
  }

  test('every shipped model is served by the validator and equals Python onnxruntime', { timeout: 300_000 }, withNodeLogs(async () => {
    const jobs = [];
    for (const model of SHIPPED) jobs.push({ model, floats: model.sample_input, ...(await submit(model, model.sample_input)) });
    // A batch: one job carrying four rows of one model gets four output rows, one call to
    // the engine ([4, N] -> [4, M]), each row as Python computes it.
    const batched = SHIPPED.find((m) => m.name === 'solar-production-forecast') ?? SHIPPED[0];
    const rows = [1, 0.5, 0.75, 1.25].flatMap((k) => batched.sample_input.map((x) => Math.round(x * k * 256) / 256));
    jobs.push({ model: batched, floats: rows, ...(await submit(batched, rows)) });
    for (const { model, floats, id, at } of jobs) {
      const record = await waitForCompletion(id);
      const expected = reference(model.file, fixedPoint(floats).exact, F);
      assert.equal(expected.length, (floats.length / model.input_len) * model.output_len, `${model.name}: one output row per input row`);
      assert.deepEqual(record.result.unwrap().map((v) => v.toNumber()), expected, model.name);
      const completedAt = record.phase.asCompleted.at.toNumber();
      const assignedAt = await blockOf('JobAssigned', id, at, completedAt);
      assert.ok(assignedAt !== undefined, 'JobAssigned');
      assert.ok(completedAt - assignedAt <= 5, `${model.name}: completed ${completedAt - assignedAt} blocks after assignment`);
      assert.equal(record.assignments[0].worker.toString(), (await devAccount('Alice')).address);
      console.log(`${model.name}: job ${id} submitted #${at}, assigned #${assignedAt}, completed #${completedAt} (${completedAt - at} blocks from submission)`);
    }
    // The node's Prometheus endpoint counts the inferences and their latency.
    const port = validatorArgs[validatorArgs.indexOf('--prometheus-port') + 1];
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (name) => Number(metrics.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1]);
    assert.ok(value('assay_inference_runs_total') >= SHIPPED.length, 'runs counted');
    const count = value('assay_inference_latency_seconds_count');
    const sum = value('assay_inference_latency_seconds_sum');
    assert.ok(count >= SHIPPED.length);
    console.log(`inference latency in the off-chain worker: mean ${((sum / count) * 1e6).toFixed(1)} µs over ${count} runs`);
  }));

  test('a wrong-length input never reaches the engine: the chain refuses it', { timeout: 60_000 }, withNodeLogs(async () => {
    const model = SHIPPED[0];
    const tx = api.tx.computeMarket.submitJob(model.model_id, u8aToHex(i32le([1, 2, 3])), UNIT / 10n, 1, 1);
    await assert.rejects(signAndWait(api, tx, bob), (e) => e.error === 'computeMarket.InputTooShort');
  }));

  test('a node without the inference flags syncs and imports blocks with inference results', { timeout: 240_000 }, withNodeLogs(async () => {
    const model = SHIPPED[3];
    const { id } = await submit(model, model.sample_input);
    const record = await waitForCompletion(id);
    const completedAt = record.phase.asCompleted.at.toNumber();
    const peerId = await rpc(alice.wsUrl, 'system_localPeerId');
    const p2p = validatorArgs[validatorArgs.indexOf('--port') + 1];
    const follower = await startNode({
      name: 'inference-follower',
      args: ['--chain', 'dev', '--port', String(await freePort()), '--no-prometheus', '--no-telemetry', '--no-mdns',
        '--bootnodes', `/ip4/127.0.0.1/tcp/${p2p}/p2p/${peerId}`],
    });
    await waitForRpc(follower, 120_000);
    const followerApi = await connect(follower.wsUrl);
    await waitFor(async () => (await followerApi.rpc.chain.getHeader()).number.toNumber() > completedAt, {
      timeoutMs: 120_000,
      what: 'the follower to import the completed job',
    });
    const mirrored = await job(id, followerApi);
    assert.ok(mirrored.phase.isCompleted);
    assert.deepEqual(mirrored.result.unwrap().toJSON(), record.result.unwrap().toJSON());
    const hash = await api.rpc.chain.getBlockHash(completedAt);
    assert.equal((await followerApi.rpc.chain.getBlockHash(completedAt)).toHex(), hash.toHex(), 'same block');
    const health = await followerApi.rpc.system.health();
    assert.ok(health.peers.toNumber() >= 1);
  }));

  test('killed between commit and reveal, the validator reveals after restarting', { timeout: 300_000 }, withNodeLogs(async () => {
    const model = SHIPPED[1];
    const { id } = await submit(model, model.sample_input);
    // The worker logs the reveal as it hands it to the pool; kill the node at once, before
    // the next block can include it.
    await waitFor(() => readFileSync(alice.logFile, 'utf8').includes(`job ${id}: revealed as`), {
      timeoutMs: 90_000,
      intervalMs: 100,
      what: 'the worker to send its reveal',
    });
    alice.proc.kill('SIGKILL');
    await alice.exited;
    const log = readFileSync(alice.logFile, 'utf8');
    const lastImported = Math.max(...[...log.matchAll(/Imported #(\d+)/g)].map((m) => Number(m[1])));
    await api.disconnect();

    alice = await startValidator();
    api = await connect(alice.wsUrl);
    const stateAtKill = await (await api.at(await api.rpc.chain.getBlockHash(lastImported))).call.computeApi.job(id);
    assert.equal(stateAtKill.unwrap().phase.type, 'Revealing', 'committed and not revealed when the node died');
    const record = await waitForCompletion(id, api, 120_000);
    const revealedAt = await blockOf('ResultRevealed', id, lastImported + 1, record.phase.asCompleted.at.toNumber());
    assert.ok(revealedAt > lastImported, `revealed in #${revealedAt}, after the restart (last block before: #${lastImported})`);
    const expected = reference(model.file, fixedPoint(model.sample_input).exact, F);
    assert.deepEqual(record.result.unwrap().map((v) => v.toNumber()), expected);
  }));
});

describe('bad inference setups', () => {
  after(() => stopAll(), { timeout: 60_000 });

  test('a missing ONNX Runtime library stops the node with one clear line', { timeout: 60_000 }, () => {
    const run = spawnSync(NODE_BIN, ['--dev', '--tmp', '--no-prometheus', '--inference-models', join(REPO, 'models'), '--onnxruntime-lib', '/nonexistent/libonnxruntime.so.1.31.1'], { timeout: 50_000 });
    assert.equal(run.status, 1);
    const errors = run.stderr.toString().split('\n').filter((l) => l.startsWith('Error:'));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /cannot load ONNX Runtime from \/nonexistent/);
  });

  test('a model file whose hash is not its name is refused with a log line; the others load', { timeout: 120_000 }, withNodeLogs(async () => {
    const dir = join(runDirectory(), 'models-tampered');
    const args = inferenceArgs();
    const good = args[args.indexOf('--inference-models') + 1];
    mkdirSync(dir, { recursive: true });
    const [first, second] = SHIPPED;
    copyFileSync(join(good, `${first.model_id.slice(2)}.onnx`), join(dir, `${first.model_id.slice(2)}.onnx`));
    // The second model's name on the first model's bytes.
    copyFileSync(join(good, `${first.model_id.slice(2)}.onnx`), join(dir, `${second.model_id.slice(2)}.onnx`));
    const lib = args[args.indexOf('--onnxruntime-lib') + 1];
    const node = await startNode({
      name: 'inference-tampered',
      args: ['--dev', '--tmp', '--port', String(await freePort()), '--no-prometheus', '--inference-models', dir, '--onnxruntime-lib', lib],
    });
    await waitForRpc(node, 120_000);
    await waitFor(() => readFileSync(node.logFile, 'utf8').includes('1 model(s)'), { timeoutMs: 30_000, what: 'the engine to start' });
    const log = readFileSync(node.logFile, 'utf8');
    assert.match(log, new RegExp(`model file .*${second.model_id.slice(2)}\\.onnx refused: its blake2-256 hash is 0x${first.model_id.slice(2)}`));
    assert.match(log, new RegExp(`model 0x${first.model_id.slice(2)} loaded`));
  }));
});
