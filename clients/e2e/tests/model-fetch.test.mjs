// Model supply end to end (DESIGN §11): a model served by a local HTTP server is
// registered from @polkadot/api with its address and size; the dev validator's model
// fetcher downloads it, checks it and loads it into the running engine, its off-chain
// worker reports it (`ModelServed`), and a job on it completes with Python onnxruntime's
// result. A file with the wrong hash, a file larger than registered and an address nobody
// answers are each refused with one log line and a `ModelRefused` event, and the node
// keeps producing blocks.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { blake2AsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

import {
  UNIT,
  connect,
  devAccount,
  eventsOf,
  freePort,
  runDirectory,
  signAndWait,
  startNode,
  stopAll,
  waitFor,
  waitForRpc,
  withNodeLogs,
} from '../lib/node.mjs';
import { fixedPoint } from '../lib/compute.mjs';
import { REPO, SHIPPED, inferenceArgs, reference } from '../lib/inference.mjs';

const F = 16;

/** A shipped model's bytes with an unknown protobuf field (99, varint `n`) appended: the
 * same model to ONNX Runtime, another file, so another id. */
function variant(model, n) {
  const bytes = readFileSync(join(REPO, 'models', model.file));
  return Buffer.concat([bytes, Buffer.from([0x98, 0x06, n])]);
}

describe('models registered on chain are fetched, checked and served', () => {
  let node;
  let api;
  let bob;
  let alice;
  let server;
  let baseUrl;
  const files = new Map();
  const dir = join(runDirectory(), 'fetched-models');

  before(
    withNodeLogs(async () => {
      mkdirSync(dir, { recursive: true });
      server = createServer((request, response) => {
        const body = files.get(request.url);
        if (!body) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${server.address().port}`;
      node = await startNode({
        name: 'fetch-validator',
        args: [
          '--chain', 'dev', '--alice', '--validator', '--force-authoring',
          '--port', String(await freePort()), '--rpc-port', String(await freePort()),
          '--node-key', '0000000000000000000000000000000000000000000000000000000000000002',
          '--no-prometheus', '--no-telemetry', '--no-mdns',
          ...inferenceArgs(join(dir, 'cache')),
        ],
      });
      await waitForRpc(node, 120_000);
      api = await connect(node.wsUrl);
      bob = await devAccount('Bob');
      alice = await devAccount('Alice');
    }),
    { timeout: 180_000 },
  );

  after(async () => {
    await stopAll();
    server?.close();
  }, { timeout: 60_000 });

  /** Registers `bytes`-shaped model `id` as Bob, at `uri` with `size`; the inclusion block's number. */
  async function register(id, model, uri, size, name) {
    const meta = {
      name, inputLen: model.input_len, outputLen: model.output_len, fractionBits: F, classifier: model.classifier,
      absoluteTolerance: null, relativeTolerancePpm: null, uri, size,
    };
    const done = await signAndWait(api, api.tx.computeMarket.registerModel(id, meta), bob);
    assert.equal(eventsOf(done.events, 'computeMarket', 'ModelRegistered').length, 1);
    return (await api.rpc.chain.getHeader(done.blockHash)).number.toNumber();
  }

  /** Every computeMarket `method` event from block `from` on, as `[blockNumber, data]`. */
  async function marketEvents(method, from) {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const found = [];
    for (let n = from; n <= best; n += 1) {
      const events = await (await api.at(await api.rpc.chain.getBlockHash(n))).query.system.events();
      for (const { event } of events) {
        if (event.section === 'computeMarket' && event.method === method) found.push([n, event.data]);
      }
    }
    return found;
  }

  test('a model at an http address is fetched, reported and serves a job; bad ones are refused', { timeout: 300_000 }, withNodeLogs(async () => {
    const base = SHIPPED.find((m) => m.name === 'energy-demand-forecast') ?? SHIPPED[0];
    const good = variant(base, 1);
    const goodId = blake2AsHex(good, 256);
    files.set('/good.onnx', good);
    const goodPath = join(dir, 'good.onnx');
    writeFileSync(goodPath, good);
    // Served bytes that are not the registered id's.
    const wrongId = blake2AsHex(variant(base, 2), 256);
    files.set('/wrong.onnx', variant(base, 3));
    // Larger than registered.
    const big = variant(base, 4);
    const bigId = blake2AsHex(big, 256);
    files.set('/big.onnx', big);
    // Nobody listens there.
    const silentId = blake2AsHex(variant(base, 5), 256);
    const closedPort = await freePort();

    const startedAt = Date.now();
    const registeredAt = await register(goodId, base, `${baseUrl}/good.onnx`, good.length, 'fetched-demand');
    await register(wrongId, base, `${baseUrl}/wrong.onnx`, good.length, 'wrong-hash');
    await register(bigId, base, `${baseUrl}/big.onnx`, big.length - 100, 'too-large');
    await register(silentId, base, `http://127.0.0.1:${closedPort}/none.onnx`, good.length, 'unreachable');

    // Served: Alice's worker reports it, and it is on her list.
    let served;
    await waitFor(async () => {
      served = (await marketEvents('ModelServed', registeredAt)).find(([, d]) => d.model.toHex() === goodId);
      return served !== undefined;
    }, { timeoutMs: 120_000, what: 'ModelServed for the fetched model' });
    assert.equal(served[1].provider.toString(), alice.address);
    const provider = (await api.call.computeApi.provider(alice.address)).unwrap();
    assert.ok(provider.models.some((m) => m.toHex() === goodId), 'Alice serves the fetched model');

    // A job on it completes with Python onnxruntime's result.
    const { bytes, exact } = fixedPoint(base.sample_input, F);
    const submitted = await signAndWait(api, api.tx.computeMarket.submitJob(goodId, u8aToHex(bytes), UNIT / 10n, 1, 1), bob);
    const id = eventsOf(submitted.events, 'computeMarket', 'JobSubmitted')[0].data.job.toNumber();
    let record;
    await waitFor(async () => {
      record = (await api.call.computeApi.job(id)).unwrapOr(null);
      if (record?.phase.isFailed) throw new Error(`job ${id} failed: ${record.phase.asFailed.reason}`);
      return record?.phase.isCompleted;
    }, { timeoutMs: 90_000, what: `job ${id} to complete` });
    assert.deepEqual(record.result.unwrap().map((v) => v.toNumber()), reference(goodPath, exact, F));
    const completedAt = record.phase.asCompleted.at.toNumber();
    console.log(`register_model in #${registeredAt} -> ModelServed in #${served[0]} -> first job completed in #${completedAt}; ${((Date.now() - startedAt) / 1000).toFixed(1)} s from the registration's submission to the result`);

    // The three bad ones: one ModelRefused each, with its reason.
    const want = new Map([[wrongId, 'WrongHash'], [bigId, 'TooLarge'], [silentId, 'Unreachable']]);
    let refused = [];
    await waitFor(async () => {
      refused = (await marketEvents('ModelRefused', registeredAt)).map(([, d]) => [d.model.toHex(), d.reason.toString()]);
      return [...want.keys()].every((model) => refused.some(([m]) => m === model));
    }, { timeoutMs: 120_000, what: 'ModelRefused for the three bad models' });
    for (const [model, reason] of want) {
      assert.deepEqual(refused.filter(([m]) => m === model).map(([, r]) => r), [reason], `${model}: one refusal, ${reason}`);
    }
    // One log line per refused model, naming its reason.
    const log = readFileSync(node.logFile, 'utf8');
    for (const [model, reason] of want) {
      const lines = log.split('\n').filter((l) => l.includes(`model ${model} refused (${reason})`));
      assert.equal(lines.length, 1, `${model}: ${lines.length} log lines`);
    }
    // Still producing blocks.
    const before = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() >= before + 2, { timeoutMs: 30_000, what: 'two more blocks' });
  }));
});
