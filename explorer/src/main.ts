// The shell: the connection banner, the heights, the live feed, and a hash router whose
// pages are refreshed on every new block (one refresh at a time; blocks that arrive
// during a refresh fold into the next one).
import './style.css';
import { Chain, decodeEvents, endpointFromLocation, ASSAY_SECTIONS, type BlockInfo, type ConnState } from './chain';
import { esc, MAP_FIRST_FRAME } from './util';
import { prefetchHotspots, type Prefetched } from './hotspots';
import type { Page, PageCtx } from './page';

const endpoint = endpointFromLocation();
/** The route's name and arguments from the location's hash. */
function parseHash() {
  const [path, qs] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] ?? 'map', params: parts.slice(1), query: new URLSearchParams(qs ?? '') };
}
// A page opened on the map reads the hotspots right away over a socket of its own, while
// the map's code and @polkadot/api load (each in a chunk of its own).
let prefetch: Promise<Prefetched | null> | undefined = isMap(parseHash().name) ? prefetchHotspots(endpoint) : undefined;
function isMap(name: string) {
  return !['device', 'devices', 'energy', 'compute', 'earnings'].includes(name);
}

const chain = new Chain(endpoint);
(window as unknown as { assayChain: Chain }).assayChain = chain;

// ---- connection banner -------------------------------------------------------------
const conn = document.getElementById('conn')!;
let retryTimer: number | undefined;
function showState(s: ConnState) {
  conn.dataset.state = s.kind;
  document.body.dataset.conn = s.kind;
  clearInterval(retryTimer);
  if (s.kind === 'connected') {
    conn.textContent = `Connected to ${s.url} · ${s.chain} · spec ${s.specVersion}`;
  } else if (s.kind === 'connecting') {
    conn.textContent = `Connecting to ${s.url}…${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}`;
  } else {
    const paint = () => {
      const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
      conn.textContent = `Disconnected from ${s.url} (${s.reason}), retrying${secs > 0 ? ` in ${secs} s` : '…'} — the data below is from before the disconnection`;
    };
    paint();
    retryTimer = window.setInterval(paint, 500);
  }
}
chain.onState(showState);

// ---- heights and feed --------------------------------------------------------------
const bestEl = document.querySelector<HTMLElement>('[data-testid=best-height]')!;
const finEl = document.querySelector<HTMLElement>('[data-testid=finalized-height]')!;
const feed = document.querySelector<HTMLOListElement>('[data-testid=feed]')!;
const FEED_MAX = 30;
chain.onFinalized((n) => {
  finEl.textContent = `#${n}`;
  for (const li of feed.querySelectorAll<HTMLElement>('li[data-number]')) {
    li.classList.toggle('final', Number(li.dataset.number) <= n);
  }
});
function feedItem(b: BlockInfo): HTMLLIElement {
  const ours = b.events.filter((e) => ASSAY_SECTIONS.has(e.section));
  const li = document.createElement('li');
  li.dataset.number = String(b.number);
  li.className = b.number <= chain.finalized ? 'final' : '';
  const counts = new Map<string, number>();
  for (const e of ours) counts.set(`${e.section}.${e.method}`, (counts.get(`${e.section}.${e.method}`) ?? 0) + 1);
  li.innerHTML = `<div><b>#${b.number}</b> <span class="mono dim">${esc(b.hash.slice(0, 10))}…</span> <span class="dim">${b.extrinsics} ext</span></div>${
    counts.size
      ? `<ul>${[...counts].map(([k, n]) => `<li title="${esc(ours.filter((e) => `${e.section}.${e.method}` === k).map((e) => e.human).join('\n').slice(0, 2000))}">${esc(k)}${n > 1 ? ` ×${n}` : ''}</li>`).join('')}</ul>`
      : ''
  }`;
  return li;
}

/** Places a block's entry in number order (live blocks and the backfill may interleave). */
function addToFeed(b: BlockInfo) {
  const existing = feed.querySelector<HTMLElement>(`li[data-number="${b.number}"]`);
  const li = feedItem(b);
  if (existing) existing.replaceWith(li);
  else {
    const after = [...feed.children].find((c) => Number((c as HTMLElement).dataset.number) < b.number);
    feed.insertBefore(li, after ?? null);
  }
  while (feed.children.length > FEED_MAX) feed.lastElementChild!.remove();
}

chain.onBlock((b: BlockInfo) => {
  bestEl.textContent = `#${b.number}`;
  addToFeed(b);
  schedule();
});

// On each connection, the blocks before the first new head (so the feed is never empty).
const BACKFILL = 10;
chain.onState(async (s) => {
  if (s.kind !== 'connected') return;
  const api = chain.api;
  if (!api) return;
  try {
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let n = head - 1; n >= Math.max(0, head - BACKFILL); n--) {
      if (chain.api !== api || feed.querySelector(`li[data-number="${n}"]`)) continue;
      const hash = await api.rpc.chain.getBlockHash(n);
      const [apiAt, block] = await Promise.all([api.at(hash), api.rpc.chain.getBlock(hash)]);
      const events = decodeEvents(await apiAt.query.system.events());
      if (chain.api !== api) return;
      addToFeed({ number: n, hash: hash.toHex(), extrinsics: block.block.extrinsics.length, events });
    }
  } catch {
    // disconnected meanwhile; the next connection tries again
  }
});

// ---- router ------------------------------------------------------------------------
const pageEl = document.getElementById('page')!;
let current: Page | null = null;
let running = false;
let pending = false;

type PageClass = new (ctx: PageCtx) => Page;
function pageClass(name: string): Promise<PageClass> {
  switch (name) {
    case 'device':
      return import('./pages/device').then((m) => m.DevicePage);
    case 'devices':
      return import('./pages/device').then((m) => m.DevicesPage);
    case 'energy':
      return import('./pages/energy').then((m) => m.EnergyPage);
    case 'compute':
      return import('./pages/compute').then((m) => m.ComputePage);
    case 'earnings':
      return import('./pages/earnings').then((m) => m.EarningsPage);
    default:
      return import('./pages/map').then((m) => m.MapPage);
  }
}

let navigation = 0;
async function navigate() {
  const mine = ++navigation;
  const { name, params, query } = parseHash();
  for (const a of document.querySelectorAll<HTMLElement>('nav a')) a.classList.toggle('active', a.dataset.nav === (name === 'device' ? 'devices' : isMap(name) ? 'map' : name));
  let Page: PageClass;
  try {
    Page = await pageClass(name);
  } catch (e) {
    if (mine !== navigation) return;
    pageEl.innerHTML = `<p class="error">Could not load this page's code: ${esc(e instanceof Error ? e.message : String(e))}</p>`;
    return;
  }
  if (mine !== navigation) return;
  const ctx: PageCtx = { chain, params, query };
  if (isMap(name) && prefetch) {
    ctx.prefetch = prefetch;
    prefetch = undefined;
  }
  current?.unmount();
  pageEl.innerHTML = '';
  current = new Page(ctx);
  current.mount(pageEl);
  schedule();
}

async function schedule() {
  if (running) {
    pending = true;
    return;
  }
  const page = current;
  if (!page || !chain.api || !chain.best) {
    if (page && !chain.best) page.waiting?.();
    return;
  }
  running = true;
  try {
    await page.refresh(chain.best);
    page.setError?.(null);
  } catch (e) {
    if (chain.state.kind === 'connected') {
      console.error(e);
      page.setError?.(e instanceof Error ? e.message : String(e));
    }
  } finally {
    running = false;
  }
  if (pending) {
    pending = false;
    schedule();
  }
}

window.addEventListener('hashchange', () => {
  if (!isMap(parseHash().name)) startChain();
  void navigate();
});
void navigate();

// The connection (@polkadot/api: its chunk's parse, the metadata's decoding, the first
// block; seconds of this page's one thread in a software-rendered browser) starts at once,
// except on a page opened on the map: there it waits for the map's first frame drawn from
// the page-start read, so that the read's replies and the frame do not queue behind it.
// It waits no longer than that read failing, leaving the map, or 5 s.
let chainStarted = false;
function startChain() {
  if (chainStarted) return;
  chainStarted = true;
  void chain.run();
}
if (!prefetch) startChain();
else {
  window.addEventListener(MAP_FIRST_FRAME, startChain, { once: true });
  void prefetch.then((p) => p || startChain());
  setTimeout(startChain, 5_000);
}
