// The one place for the suite's helpers: starting and stopping assay-node processes,
// connecting to them, waiting for chain conditions, and submitting extrinsics.
//
// Every node started here is registered; `stopAll()` stops them (the `after()` hooks
// call it), and exit/signal/uncaught-exception handlers SIGKILL whatever is still
// running, so no node outlives the test process. Node data lives under one run
// directory per test process; the chain databases are always removed, the logs are
// kept when the run fails (or ASSAY_E2E_KEEP_LOGS=1).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, randomAsU8a } from '@polkadot/util-crypto';

/** The node binary under test. */
export const NODE_BIN = process.env.ASSAY_NODE_BIN || '/var/tmp/assay-target/release/assay-node';

/** 1 ASY in plancks (12 decimals). */
export const UNIT = 1_000_000_000_000n;

const nodes = new Set();
const apis = new Set();
const handedOutPorts = new Set();
let runDir;

/** The per-process directory holding node logs and chain databases. */
export function runDirectory() {
  runDir ??= mkdtempSync(join(tmpdir(), 'assay-e2e-'));
  return runDir;
}

/** Throws a clear error when the node binary is missing. */
export function assertBinary() {
  if (!existsSync(NODE_BIN)) {
    throw new Error(`assay-node binary not found at ${NODE_BIN}; build it or set ASSAY_NODE_BIN`);
  }
}

/** A TCP port that is free on 127.0.0.1 now (never the same one twice per process). */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!handedOutPorts.has(port)) {
      handedOutPorts.add(port);
      return port;
    }
  }
}

function argValue(args, flag) {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Spawns the node binary with `args`. Adds `--rpc-port <free port>` when `args` has
 * none, and `--base-path <run dir>/<name>` unless `args` has `--tmp` or `--base-path`
 * (a database under the run directory is removed even if the node had to be SIGKILLed).
 * stdout and stderr go to `<run dir>/<name>.log`.
 */
export async function startNode({ name, args = [] }) {
  assertBinary();
  args = [...args];
  if (!args.includes('--rpc-port')) args.push('--rpc-port', String(await freePort()));
  let basePath;
  if (!args.includes('--tmp') && !args.includes('--base-path')) {
    basePath = join(runDirectory(), name);
    args.push('--base-path', basePath);
  }
  const rpcPort = Number(argValue(args, '--rpc-port'));
  const logFile = join(runDirectory(), `${name}.log`);
  // Where this run's lines start (a restarted node appends to its log).
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const fd = openSync(logFile, 'a');
  let proc;
  try {
    proc = spawn(NODE_BIN, args, { stdio: ['ignore', fd, fd], detached: false });
  } finally {
    closeSync(fd);
  }
  const node = { name, proc, args, logFile, logStart, basePath, rpcPort, wsUrl: `ws://127.0.0.1:${rpcPort}` };
  node.exited = new Promise((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', (error) => {
      node.spawnError = error;
      resolve({ code: null, signal: null, error });
    });
  });
  nodes.add(node);
  return node;
}

function isRunning(node) {
  return !node.spawnError && node.proc.exitCode === null && node.proc.signalCode === null;
}

/**
 * Starts a `--dev` node called `name` on free ports (no Prometheus, no telemetry), waits
 * for its RPC and connects: resolves with `{ node, api }`.
 */
export async function startDevNode(name, extraArgs = []) {
  const node = await startNode({
    name,
    args: ['--dev', '--port', String(await freePort()), '--rpc-port', String(await freePort()), '--no-prometheus', '--no-telemetry', ...extraArgs],
  });
  await waitForRpc(node, 120_000);
  const api = await connect(node.wsUrl);
  return { node, api };
}

/** Stops a node: SIGINT, then SIGKILL after 10 s; resolves when it has exited. */
export async function stopNode(node) {
  if (isRunning(node)) {
    node.proc.kill('SIGINT');
    const timer = setTimeout(() => isRunning(node) && node.proc.kill('SIGKILL'), 10_000);
    await node.exited;
    clearTimeout(timer);
  }
  nodes.delete(node);
  if (node.basePath) rmSync(node.basePath, { recursive: true, force: true });
}

/** Disconnects every API client, then stops every node this process started. */
export async function stopAll() {
  await Promise.allSettled([...apis].map((api) => api.disconnect()));
  apis.clear();
  await Promise.allSettled([...nodes].map(stopNode));
}

function killAllSync() {
  for (const node of nodes) {
    if (isRunning(node)) {
      try {
        node.proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

process.on('exit', (code) => {
  killAllSync();
  if (!runDir) return;
  if (code === 0 && process.env.ASSAY_E2E_KEEP_LOGS !== '1') {
    rmSync(runDir, { recursive: true, force: true });
    return;
  }
  for (const node of nodes) if (node.basePath) rmSync(node.basePath, { recursive: true, force: true });
  process.stderr.write(`assay-e2e: node logs kept in ${runDir}\n`);
});
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]]) {
  process.on(signal, () => {
    killAllSync();
    process.exit(128 + number);
  });
}
process.on('uncaughtException', (error) => {
  process.stderr.write(`assay-e2e: uncaught exception, stopping all nodes\n${error?.stack ?? error}\n`);
  killAllSync();
  process.exit(1);
});

/** Prints the last `lines` lines of a node's log to stderr. */
export function printLogTail(node, lines = 50) {
  let text;
  try {
    text = readFileSync(node.logFile, 'utf8');
  } catch (error) {
    text = `(cannot read ${node.logFile}: ${error.message})`;
  }
  const tail = text.split('\n').slice(-lines - 1).join('\n');
  process.stderr.write(`\n----- last ${lines} lines of ${node.name} (${node.logFile}) -----\n${tail}\n-----\n`);
}

/** Wraps a test or hook body: on failure, prints the log tail of every running node. */
export function withNodeLogs(fn, lines = 50) {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (error) {
      for (const node of nodes) printLogTail(node, lines);
      throw error;
    }
  };
}

/** One JSON-RPC call over HTTP to the node's RPC port (`ws://` or `http://` URL). */
export async function rpc(url, method, params = []) {
  const response = await fetch(url.replace(/^ws/, 'http'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/**
 * Waits until the node answers RPC. `target` is a node from `startNode` (then a node
 * that exits early fails at once) or a ws URL.
 */
export async function waitForRpc(target, timeoutMs = 60_000) {
  const node = typeof target === 'string' ? undefined : target;
  const url = node ? node.wsUrl : target;
  return waitFor(
    async () => {
      if (node && !isRunning(node)) {
        const error = new Error(`${node.name} exited before its RPC came up (log: ${node.logFile})`);
        throw Object.assign(error, { fatal: true });
      }
      if (node) adoptLoggedRpcPort(node);
      return (await rpc(node ? node.wsUrl : url, 'system_chain')) ?? false;
    },
    { timeoutMs, intervalMs: 500, what: `RPC at ${url}` },
  );
}

/**
 * The port the node's RPC server really listens on, from its log. A node whose
 * `--rpc-port` was taken in the meantime (free ports are probed, then bound by another
 * process first: several nodes start at once) falls back to a random port and says so in
 * `Running JSON-RPC server: addr=127.0.0.1:<port>`; follow it.
 */
function adoptLoggedRpcPort(node) {
  let log;
  try {
    log = readFileSync(node.logFile).subarray(node.logStart ?? 0).toString('utf8');
  } catch {
    return;
  }
  const ports = [...log.matchAll(/Running JSON-RPC server: addr=127\.0\.0\.1:(\d+)/g)];
  if (ports.length === 0) return;
  const port = Number(ports[ports.length - 1][1]);
  if (port !== node.rpcPort) {
    node.rpcPort = port;
    node.wsUrl = `ws://127.0.0.1:${port}`;
  }
}

/**
 * Polls `predicate` until it returns a truthy value, which is returned. Errors thrown
 * by the predicate count as "not yet" (unless marked `fatal`); the last one is reported
 * on timeout.
 */
/**
 * The pool's view of a new best block follows its import by a moment: after seeing a block
 * over RPC, wait for this before submitting what that block makes valid or invalid.
 */
export async function poolCatchUp() {
  await sleep(1_000);
}

export async function waitFor(predicate, { timeoutMs = 60_000, intervalMs = 1000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      if (error.fatal) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** An ApiPromise connected to `wsUrl`; `stopAll()` disconnects it. */
export async function connect(wsUrl, timeoutMs = 60_000) {
  const provider = new WsProvider(wsUrl, 1000);
  const create = ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`could not connect to ${wsUrl} in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const api = await Promise.race([create, timeout]);
    apis.add(api);
    return api;
  } catch (error) {
    create.then((api) => api.disconnect()).catch(() => {});
    await provider.disconnect().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The number of the node's finalized head. */
export async function finalizedNumber(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

/** The number of the node's best block. */
export async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

let keyring;

/** An sr25519 keyring with generic Substrate addresses (ss58 42). */
export async function getKeyring() {
  if (!keyring) {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  }
  return keyring;
}

/** A development account: `devAccount('Alice')` is //Alice. */
export async function devAccount(name) {
  return (await getKeyring()).addFromUri(`//${name}`);
}

/** A fresh account from a random seed. */
export async function randomAccount() {
  return (await getKeyring()).addFromSeed(randomAsU8a(32));
}

/** A DispatchError as text: `section.Name` for module errors, else e.g. `BadOrigin`. */
export function describeDispatchError(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  const inner = dispatchError.value;
  return inner?.type ? `${dispatchError.type}.${inner.type}` : dispatchError.type;
}

/** The rejection of `signAndWait` when the extrinsic was included but failed. */
export class ExtrinsicFailed extends Error {
  constructor(error, { events, blockHash }) {
    super(`extrinsic failed: ${error}`);
    this.name = 'ExtrinsicFailed';
    this.error = error;
    this.events = events;
    this.blockHash = blockHash;
  }
}

/**
 * Signs and submits `tx`, and resolves with `{ events, blockHash }` once it is in a
 * block (or finalized, with `{ finalized: true }`). Rejects with `ExtrinsicFailed`
 * (`error` is e.g. "sudo.RequireSudo") when the extrinsic failed, and with an Error when
 * it was invalid, dropped, usurped, or not included within `timeoutMs`. `nonce` (default:
 * the next one the pool knows) lets a caller send several transactions of one signer at once.
 */
export function signAndWait(api, tx, signer, { finalized = false, timeoutMs = 120_000, nonce = -1 } = {}) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      fn(value);
    };
    const what = `${tx.method.section}.${tx.method.method}`;
    const timer = setTimeout(
      () => settle(reject, new Error(`${what} not ${finalized ? 'finalized' : 'included'} in ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    tx.signAndSend(signer, { nonce }, (result) => {
      const { status, events, dispatchError } = result;
      if (result.isError) {
        settle(reject, new Error(`${what}: transaction ${status.type}`));
        return;
      }
      const done = finalized ? status.isFinalized : status.isInBlock;
      if (!done) return;
      const blockHash = finalized ? status.asFinalized : status.asInBlock;
      if (dispatchError) {
        settle(reject, new ExtrinsicFailed(describeDispatchError(api, dispatchError), { events, blockHash }));
      } else {
        settle(resolve, { events, blockHash });
      }
    })
      .then((unsub) => {
        if (settled) unsub();
        else unsubscribe = unsub;
      })
      .catch((error) => settle(reject, error));
  });
}

/** The events of `events` (from `signAndWait`) that are `section.method`. */
export function eventsOf(events, section, method) {
  return events.map(({ event }) => event).filter((e) => e.section === section && e.method === method);
}
