// The connection to the node: one ApiPromise at a time, rebuilt from scratch after every
// disconnection (so a restarted node, even one with a new genesis, is picked up), new and
// finalized heads, and each new block's events fetched once for every consumer.
import type { ApiPromise, WsProvider } from '@polkadot/api';
import type { ApiDecoration } from '@polkadot/api/types';

export type Polkadot = typeof import('./polkadot');
let polkadot: Promise<Polkadot> | null = null;
/** @polkadot/api and its helpers, loaded on first use (a chunk of their own). */
export function loadPolkadot(): Promise<Polkadot> {
  return (polkadot ??= import('./polkadot').catch((e) => {
    polkadot = null; // a failed load is tried again on the next connection
    throw e;
  }));
}

export type ConnState =
  | { kind: 'connecting'; url: string; attempt: number }
  | { kind: 'connected'; url: string; chain: string; specVersion: number }
  | { kind: 'disconnected'; url: string; attempt: number; retryAt: number; reason: string };

export interface ChainEvent {
  section: string;
  method: string;
  data: Record<string, unknown>;
  /** Human-readable arguments, for the feed. */
  human: string;
}

export interface BlockInfo {
  number: number;
  hash: string;
  extrinsics: number;
  events: ChainEvent[];
}

/** Pallets whose events are Assay's own (shown in the feed, handed to pages). */
export const ASSAY_SECTIONS = new Set(['deviceRegistry', 'proofOfCoverage', 'energyMarket', 'computeMarket', 'earnings', 'validatorSet']);

type Listener<T> = (value: T) => void;

const RETRY_MS = 2000;
/** How many blocks back the event index reads (the node's default state pruning keeps 256). */
const EVENT_BLOCKS = 240;

export function decodeEvents(raw: unknown): ChainEvent[] {
  const records = raw as Array<{ event: { section: string; method: string; data: { toHuman(): unknown } & Iterable<{ toJSON(): unknown }>; meta: { fields: Array<{ name: { toString(): string } }> } } }>;
  const events: ChainEvent[] = [];
  for (const { event } of records) {
    const names = event.meta.fields.map((f) => f.name.toString());
    const values = [...event.data];
    const data: Record<string, unknown> = {};
    names.forEach((n, i) => (data[n] = values[i]?.toJSON()));
    events.push({ section: event.section, method: event.method, data, human: JSON.stringify(event.data.toHuman()) });
  }
  return events;
}
const READY_TIMEOUT_MS = 20_000;

export class Chain {
  readonly url: string;
  api: ApiPromise | null = null;
  /** The current connection's provider (raw RPC for bulk reads). */
  provider: WsProvider | null = null;
  state: ConnState;
  best: BlockInfo | null = null;
  finalized = 0;
  /** performance.now() when the first connection was up. */
  connectedAtMs: number | null = null;
  private stateListeners = new Set<Listener<ConnState>>();
  private blockListeners = new Set<Listener<BlockInfo>>();
  private finalizedListeners = new Set<Listener<number>>();
  private generation = 0;
  private eventIndex: Map<number, ChainEvent[]> | null = null;
  private eventIndexApi: ApiPromise | null = null;
  private backfill: Promise<Map<number, ChainEvent[]>> | null = null;

  constructor(url: string) {
    this.url = url;
    this.state = { kind: 'connecting', url, attempt: 1 };
  }

  onState(fn: Listener<ConnState>): () => void {
    this.stateListeners.add(fn);
    fn(this.state);
    return () => this.stateListeners.delete(fn);
  }
  onBlock(fn: Listener<BlockInfo>): () => void {
    this.blockListeners.add(fn);
    return () => this.blockListeners.delete(fn);
  }
  onFinalized(fn: Listener<number>): () => void {
    this.finalizedListeners.add(fn);
    return () => this.finalizedListeners.delete(fn);
  }

  private setState(s: ConnState) {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  /** The state at the best block seen (consistent reads for one render). */
  async at(): Promise<{ api: ApiDecoration<'promise'>; number: number; hash: string }> {
    const api = this.api;
    const best = this.best;
    if (!api || !best) throw new Error('not connected');
    return { api: await api.at(best.hash), number: best.number, hash: best.hash };
  }

  /**
   * The events of the latest blocks the node still has state for (up to EVENT_BLOCKS back),
   * read once per connection and then kept up to date from new heads. The chain keeps
   * totals; this is where per-epoch claims and per-block history come from.
   */
  recentEvents(): Promise<Map<number, ChainEvent[]>> {
    const api = this.api;
    const best = this.best;
    if (!api || !best) return Promise.reject(new Error('not connected'));
    if (this.eventIndexApi === api && this.backfill) return this.backfill;
    this.eventIndexApi = api;
    this.eventIndex = new Map();
    const index = this.eventIndex;
    this.backfill = (async () => {
      const from = Math.max(1, best.number - EVENT_BLOCKS);
      const numbers: number[] = [];
      for (let n = best.number; n >= from; n--) numbers.push(n);
      let next = 0;
      const worker = async () => {
        for (;;) {
          const n = numbers[next++];
          if (n === undefined) return;
          if (index.has(n)) continue;
          try {
            const hash = await api.rpc.chain.getBlockHash(n);
            index.set(n, decodeEvents(await (await api.at(hash)).query.system.events()));
          } catch {
            return; // pruned (older blocks are too) or disconnected
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      return index;
    })();
    return this.backfill;
  }

  private trimIndex() {
    if (!this.eventIndex || this.eventIndex.size <= EVENT_BLOCKS * 4) return;
    const keep = [...this.eventIndex.keys()].sort((a, b) => b - a).slice(0, EVENT_BLOCKS * 4);
    const min = keep[keep.length - 1];
    for (const k of this.eventIndex.keys()) if (k < min) this.eventIndex.delete(k);
  }

  /** Runs forever: connect, follow heads until the socket drops, wait, reconnect. */
  async run(): Promise<never> {
    let attempt = 1;
    for (;;) {
      const gen = ++this.generation;
      this.setState({ kind: 'connecting', url: this.url, attempt });
      let reason = 'connection failed';
      try {
        await this.session(gen, () => {
          attempt = 1;
        });
        reason = 'connection lost';
      } catch (e) {
        reason = e instanceof Error ? e.message : String(e);
      }
      const api = this.api;
      this.api = null;
      if (api) api.disconnect().catch(() => {});
      attempt += 1;
      const retryAt = Date.now() + RETRY_MS;
      this.setState({ kind: 'disconnected', url: this.url, attempt, retryAt, reason });
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }

  /** One connection; resolves when it drops, rejects when it never came up. */
  private async session(gen: number, onUp: () => void): Promise<void> {
    performance.mark('chain:start');
    const { ApiPromise, WsProvider } = await loadPolkadot();
    performance.mark('chain:code');
    const provider = new WsProvider(this.url, false);
    const api = new ApiPromise({ provider, noInitWarn: true, throwOnConnect: true });
    let dropped!: () => void;
    const closed = new Promise<void>((r) => (dropped = r));
    provider.on('disconnected', () => dropped());
    provider.on('error', () => dropped());
    try {
      await provider.connect();
      await Promise.race([
        api.isReadyOrError,
        closed.then(() => Promise.reject(new Error('socket closed before the API was ready'))),
        new Promise((_, rej) => setTimeout(() => rej(new Error('timed out waiting for the node')), READY_TIMEOUT_MS)),
      ]);
    } catch (e) {
      api.disconnect().catch(() => {});
      throw e;
    }
    performance.mark('chain:ready');
    if (gen !== this.generation) return;
    this.api = api;
    this.provider = provider;
    const chain = (await api.rpc.system.chain()).toString();
    onUp();
    this.connectedAtMs ??= performance.now();
    performance.mark('chain:connected');
    this.setState({ kind: 'connected', url: this.url, chain, specVersion: api.runtimeVersion.specVersion.toNumber() });

    let lastHandled = 0;
    const unsubNew = await api.rpc.chain.subscribeNewHeads(async (header) => {
      const number = header.number.toNumber();
      const hash = header.hash.toHex();
      if (number <= lastHandled && this.best && this.best.number >= number && this.best.hash === hash) return;
      lastHandled = number;
      try {
        const [apiAt, block] = await Promise.all([api.at(hash), api.rpc.chain.getBlock(hash)]);
        const events = decodeEvents(await apiAt.query.system.events());
        const info: BlockInfo = { number, hash, extrinsics: block.block.extrinsics.length, events };
        if (gen !== this.generation) return;
        if (!this.best || number >= this.best.number || this.best.hash !== hash) this.best = info;
        if (this.eventIndex && this.eventIndexApi === api) this.eventIndex.set(number, events), this.trimIndex();
        for (const fn of this.blockListeners) fn(info);
      } catch {
        // The connection dropped mid-fetch; the session ends through `closed`.
      }
    });
    const unsubFin = await api.rpc.chain.subscribeFinalizedHeads((header) => {
      this.finalized = header.number.toNumber();
      for (const fn of this.finalizedListeners) fn(this.finalized);
    });
    await closed;
    try {
      unsubNew();
      unsubFin();
    } catch {
      // already gone
    }
  }
}

/** The endpoint: `?rpc=ws://…`, default ws://127.0.0.1:9944. */
export function endpointFromLocation(): string {
  const q = new URLSearchParams(location.search).get('rpc');
  return q && /^wss?:\/\//.test(q) ? q : 'ws://127.0.0.1:9944';
}
