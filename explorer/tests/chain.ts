// The tests' own view of the chain: @polkadot/api from Node, to compare with what the page shows.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page, TestInfo } from '@playwright/test';

/** The demo chain's endpoint (scripts/demo.sh sets it after the agent's run). */
export const RPC = process.env.ASSAY_RPC ?? '';
export const NODE_BIN = process.env.ASSAY_NODE_BIN ?? '/var/tmp/assay-target/release/assay-node';

export async function connect(url: string): Promise<ApiPromise> {
  const provider = new WsProvider(url, false);
  const api = new ApiPromise({ provider, noInitWarn: true, throwOnConnect: true });
  await provider.connect();
  await api.isReadyOrError;
  return api;
}

/**
 * A screenshot into explorer/screenshots/ (the README's pictures) when EXPLORER_SCREENSHOTS=1;
 * otherwise none (software rendering makes them cost seconds each inside `make test`).
 */
export async function shot(page: Page, _info: TestInfo, name: string) {
  if (process.env.EXPLORER_SCREENSHOTS !== '1') return;
  const path = fileURLToPath(new URL(`../screenshots/${name}.png`, import.meta.url));
  await page.screenshot({ path, fullPage: !name.startsWith('map') });
}

/**
 * Collects every request the page makes beyond 127.0.0.1 (the app's files and the node's
 * WebSocket are local; fonts, the coastline and the code are bundled): the tests expect none.
 */
export function offMachine(page: Page): string[] {
  const out: string[] = [];
  const local = /^(https?|wss?):\/\/127\.0\.0\.1[:/]|^data:|^blob:/;
  page.on('request', (r) => {
    if (!local.test(r.url())) out.push(r.url());
  });
  page.on('websocket', (ws) => {
    if (!local.test(ws.url())) out.push(ws.url());
  });
  return out;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A `--dev` node on a kept base path (so a restart continues the same chain). */
export class DevNode {
  proc: ChildProcess | null = null;
  /** A node started by another process (the global setup), known by its pid. */
  pid: number | null = null;
  readonly base: string;
  constructor(
    readonly rpcPort: number,
    base?: string,
  ) {
    this.base = base ?? mkdtempSync(join(tmpdir(), 'assay-explorer-'));
  }
  get url() {
    return `ws://127.0.0.1:${this.rpcPort}`;
  }
  /** Spawns the node; `ready()` waits for its RPC. */
  async spawn() {
    const log = openSync(join(this.base, 'node.log'), 'a');
    this.proc = spawn(NODE_BIN, ['--dev', '--base-path', join(this.base, 'db'), '--rpc-port', String(this.rpcPort), '--port', String(await freePort()), '--no-prometheus', '--no-telemetry', '--rpc-cors', 'all'], { stdio: ['ignore', log, log] });
    this.pid = this.proc.pid ?? null;
  }
  async ready() {
    for (let i = 0; i < 240; i++) {
      if (this.proc && this.proc.exitCode !== null) throw new Error(`the dev node exited (${this.base}/node.log)`);
      try {
        const r = await fetch(`http://127.0.0.1:${this.rpcPort}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' });
        if (r.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('the dev node did not come up');
  }
  async start() {
    await this.spawn();
    await this.ready();
  }
  /** SIGINT; SIGKILL after 10 s; resolves when the process is gone. */
  async stop() {
    const pid = this.pid;
    if (pid === null || !alive(pid)) return;
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 10_000;
    while (alive(pid)) {
      if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async remove() {
    await this.stop();
    rmSync(this.base, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
