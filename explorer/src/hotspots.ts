// The located hotspots, read with the raw storage RPCs (`state_getKeysPaged`, then
// `state_queryStorageAt` per page) and decoded by hand: @polkadot/api's typed `entries()`
// spends ~2 s decoding 10,000 devices, this ~0.1 s. It needs no metadata, so the map can
// run it at page start, before @polkadot/api is loaded; the layout it assumes is checked
// against the metadata once that is there (see `layoutFromMetadata` in pages/map.ts), and
// a value of any other length makes the read give up (null) rather than guess.
import { RawRpc, type Send } from './rpc';

/** What the decoder needs to know about `DeviceRegistry::Devices`. */
export interface Layout {
  /** twox128("DeviceRegistry") ++ twox128("Devices"), 0x hex. */
  prefix: string;
  /** The index of `DeviceKind::Hotspot`. */
  hotspotKind: number;
  /** `DeviceStatus`'s variants, in index order. */
  statusNames: string[];
}

/** The layout of this runtime (spec 100), used before the metadata is known. */
export const DEFAULT_LAYOUT: Layout = {
  prefix: '0x980a58bfaec1707e6f81ed7b60e7144fa763f06b9a1b7313c2acb6362df916e4',
  hotspotKind: 0,
  statusNames: ['Active', 'Suspended', 'Denied'],
};

export function sameLayout(a: Layout, b: Layout): boolean {
  return a.prefix === b.prefix && a.hotspotKind === b.hotspotKind && a.statusNames.join() === b.statusNames.join();
}

export interface RawHotspot {
  /** The device's public key, 0x hex. */
  key: string;
  ownerKey: string;
  /** The res-12 cell, h3-js hex. */
  cell: string;
  status: string;
}

const PAGE = 1000;
/**
 * The keys are listed in this many ranges at once, split by the first byte of the key's
 * blake2_128 hash (uniform): one round trip for up to ~16,000 devices where a single list
 * takes one per 1,000 (each waiting for a turn of the page's only thread, which deck.gl's
 * shader compilation holds for a second or more).
 */
const RANGES = 16;

/**
 * Every located hotspot at block `hash`; null when a stored value is not the layout this
 * decodes. One `state_getPairs` where the node allows it (an "unsafe" method: a node
 * serving RPC on localhost only does, by default), else the keys listed in ranges and their
 * values read page by page.
 */
export async function readHotspots(send: Send, hash: string, layout: Layout): Promise<RawHotspot[] | null> {
  let pairs: Array<[string, string | null]> | null = null;
  try {
    pairs = (await send('state_getPairs', [layout.prefix, hash])) as Array<[string, string | null]>;
  } catch {
    // not allowed here: the public methods
  }
  return decodeHotspots(pairs ?? (await readPairs(send, hash, layout.prefix)), layout);
}

/** The map's pairs with the public RPCs: `state_getKeysPaged` in ranges, `state_queryStorageAt` per page. */
async function readPairs(send: Send, hash: string, prefix: string): Promise<Array<[string, string | null]>> {
  const firstByte = (key: string) => parseInt(key.slice(prefix.length, prefix.length + 2), 16);
  const range = async (i: number) => {
    const end = ((i + 1) * 256) / RANGES; // first hash byte of the next range
    const reads: Promise<unknown>[] = [];
    // Keys after prefix ++ [first byte]: every key of this range, then the next range's.
    let start: string | null = i === 0 ? null : prefix + ((i * 256) / RANGES).toString(16).padStart(2, '0');
    for (;;) {
      const page = (await send('state_getKeysPaged', [prefix, PAGE, start, hash])) as string[];
      const mine = page.filter((k) => firstByte(k) < end);
      // Each page's values are read while the next page is listed.
      if (mine.length) reads.push(send('state_queryStorageAt', [mine, hash]));
      if (page.length < PAGE || mine.length < page.length) break;
      start = page[page.length - 1];
    }
    return Promise.all(reads);
  };
  const sets = (await Promise.all(Array.from({ length: RANGES }, (_, i) => range(i)))).flat() as Array<Array<{ changes: Array<[string, string | null]> }>>;
  return sets.flatMap((set) => set[0]?.changes ?? []);
}

function decodeHotspots(pairs: Array<[string, string | null]>, layout: Layout): RawHotspot[] | null {
  performance.mark('hotspots:values');
  const out: RawHotspot[] = [];
  const keyHexStart = layout.prefix.length + 32; // after 0x, the prefix (32 bytes) and the blake2_128 hash
  for (const [key, value] of pairs) {
    if (!value) continue;
    const v = value.slice(2);
    // DeviceInfo: owner 32 · kind 1 · maker 4 · location option 1 (+ cell 8, gain 2,
    // elevation 2, asserted 4) · status 1 · registered_at 4 · deposit 16.
    const located = v.slice(74, 76);
    if (key.length !== keyHexStart + 64 || !(located === '00' ? v.length === 118 : located === '01' && v.length === 150)) return null;
    if (parseInt(v.slice(64, 66), 16) !== layout.hotspotKind || located !== '01') continue;
    const le = v.slice(76, 92);
    let be = '';
    for (let i = 14; i >= 0; i -= 2) be += le.slice(i, i + 2);
    const status = layout.statusNames[parseInt(v.slice(108, 110), 16)] ?? '?';
    out.push({ key: '0x' + key.slice(keyHexStart), ownerKey: '0x' + v.slice(0, 64), cell: be.replace(/^0+/, ''), status });
  }
  return out;
}

/** The located hotspots at the best block, read before @polkadot/api is up. */
export interface Prefetched {
  genesis: string;
  hash: string;
  number: number;
  hotspots: RawHotspot[];
  /** performance.now() when the read started and when it ended. */
  startMs: number;
  endMs: number;
}

const PREFETCH_TIMEOUT_MS = 20_000;

/** Reads the located hotspots over a socket of its own (closed after); null on any failure. */
export async function prefetchHotspots(url: string): Promise<Prefetched | null> {
  const startMs = performance.now();
  const rpc = new RawRpc(url);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const read = (async () => {
      const [genesis, hash] = (await Promise.all([rpc.send('chain_getBlockHash', [0]), rpc.send('chain_getBlockHash', [])])) as [string, string];
      performance.mark('hotspots:head');
      const [header, hotspots] = await Promise.all([rpc.send('chain_getHeader', [hash]) as Promise<{ number: string }>, readHotspots(rpc.send, hash, DEFAULT_LAYOUT)]);
      if (!hotspots) return null;
      return { genesis, hash, number: parseInt(header.number, 16), hotspots, startMs, endMs: performance.now() };
    })();
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), PREFETCH_TIMEOUT_MS)));
    return await Promise.race([read, timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    rpc.close();
  }
}
