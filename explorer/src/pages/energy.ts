// Energy: per zone and delivery slot, the order book as supply and demand step curves with
// the clearing price and quantity marked (`EnergyApi::order_book`, `EnergyApi::clearing`),
// the fills, and after settlement each meter's position (`SettledPositions`).
// Settlement deletes a slot's orders, so a settled slot's book is read from the last block
// before its settlement (found by bisection over the node's retained state).
import type { ApiPromise } from '@polkadot/api';
import type { BlockInfo } from '../chain';
import { BasePage } from '../page';
import { accountLink, asy, deviceLink, esc, table, variant } from '../util';

interface OrderJson {
  id: number;
  order: { owner: string; meter: string; side: unknown; qtyWh: number; price: number; collateral: number | string };
  filledWh: number | null;
}
interface BookJson {
  bids: OrderJson[];
  asks: OrderJson[];
  gateClosed: boolean;
}
interface ClearingJson {
  price: number;
  volume: number;
  importPrice: number;
  exportPrice: number;
  gridAccount: string;
  settled: { participants: number; participantsNet: number | string; gridNet: number | string; debtRecorded: number | string } | null;
}

// (zone, slot) → the book read before settlement, per connection.
const micro = (v: number | string | bigint) => `${BigInt(v).toLocaleString('en-US')} µASY`;

const settledBooks = new WeakMap<ApiPromise, Map<string, { book: BookJson; at: number }>>();

async function bookBeforeSettlement(api: ApiPromise, zone: number, slot: number, best: number): Promise<{ book: BookJson; at: number } | null> {
  let cache = settledBooks.get(api);
  if (!cache) settledBooks.set(api, (cache = new Map()));
  const key = `${zone}/${slot}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // P(b) = book non-empty or not yet cleared: true up to the block before settlement, false after.
  const p = async (b: number) => {
    const hash = await api.rpc.chain.getBlockHash(b);
    const at = await api.at(hash);
    const [book, clearing] = await Promise.all([at.call.energyApi.orderBook(zone, slot), at.call.energyApi.clearing(zone, slot)]);
    const j = book.toJSON() as unknown as BookJson;
    return { ok: j.bids.length + j.asks.length > 0 || clearing.toJSON() === null, book: j };
  };
  let lo = Math.max(1, best - 240);
  let hi = best;
  let found: { book: BookJson; at: number } | null = null;
  try {
    const first = await p(lo);
    if (!first.ok) return null; // settled before the retained window
    if (first.book.bids.length + first.book.asks.length) found = { book: first.book, at: lo };
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const r = await p(mid);
      if (r.ok) {
        lo = mid;
        if (r.book.bids.length + r.book.asks.length) found = { book: r.book, at: mid };
      } else hi = mid;
    }
  } catch {
    return null; // state pruned
  }
  if (found && found.at === lo) cache.set(key, found);
  return found && found.at === lo ? found : null;
}

/** Demand (bids, price descending) and supply (asks, ascending) step curves with the clearing point, as SVG. */
function curves(book: BookJson, clearing: ClearingJson | null): string {
  const W = 640;
  const H = 300;
  const M = { l: 70, r: 20, t: 16, b: 40 };
  const bids = [...book.bids].sort((a, b) => b.order.price - a.order.price);
  const asks = [...book.asks].sort((a, b) => a.order.price - b.order.price);
  const qb = bids.reduce((s, o) => s + o.order.qtyWh, 0);
  const qa = asks.reduce((s, o) => s + o.order.qtyWh, 0);
  const maxQ = Math.max(qb, qa, clearing?.volume ?? 0, 1) * 1.05;
  const prices = [...bids, ...asks].map((o) => o.order.price).concat(clearing ? [clearing.price, clearing.importPrice, clearing.exportPrice] : []);
  const maxP = Math.max(...prices, 1) * 1.08;
  const x = (q: number) => M.l + (q / maxQ) * (W - M.l - M.r);
  const y = (p: number) => H - M.b - (p / maxP) * (H - M.t - M.b);
  const step = (orders: OrderJson[]) => {
    let q = 0;
    let d = '';
    for (const o of orders) {
      d += `${d ? 'L' : 'M'}${x(q).toFixed(1)},${y(o.order.price).toFixed(1)} L${x(q + o.order.qtyWh).toFixed(1)},${y(o.order.price).toFixed(1)} `;
      q += o.order.qtyWh;
    }
    return d;
  };
  const ticksP = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((maxP / 1.08) * f));
  const ticksQ = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((maxQ / 1.05) * f));
  let s = `<svg class="curves" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" data-testid="order-curves" role="img" aria-label="supply and demand">`;
  s += `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" class="axis"/><line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" class="axis"/>`;
  for (const p of ticksP) s += `<text x="${M.l - 6}" y="${y(p) + 4}" text-anchor="end" class="tick">${p.toLocaleString('en-US')}</text><line x1="${M.l}" x2="${W - M.r}" y1="${y(p)}" y2="${y(p)}" class="grid"/>`;
  for (const q of ticksQ) s += `<text x="${x(q)}" y="${H - M.b + 16}" text-anchor="middle" class="tick">${q.toLocaleString('en-US')}</text>`;
  s += `<text x="${(W + M.l) / 2}" y="${H - 4}" text-anchor="middle" class="label">Wh</text><text x="14" y="${(H - M.b) / 2}" class="label" transform="rotate(-90 14 ${(H - M.b) / 2})" text-anchor="middle">µASY/kWh</text>`;
  if (clearing) {
    s += `<line x1="${M.l}" x2="${W - M.r}" y1="${y(clearing.importPrice)}" y2="${y(clearing.importPrice)}" class="gridprice"/><text x="${W - M.r}" y="${y(clearing.importPrice) - 4}" text-anchor="end" class="tick">grid import ${clearing.importPrice.toLocaleString('en-US')}</text>`;
    s += `<line x1="${M.l}" x2="${W - M.r}" y1="${y(clearing.exportPrice)}" y2="${y(clearing.exportPrice)}" class="gridprice"/><text x="${W - M.r}" y="${y(clearing.exportPrice) - 4}" text-anchor="end" class="tick">grid export ${clearing.exportPrice.toLocaleString('en-US')}</text>`;
  }
  s += `<path d="${step(bids)}" class="demand"/><path d="${step(asks)}" class="supply"/>`;
  if (clearing) {
    const cx = x(clearing.volume);
    const cy = y(clearing.price);
    s += `<line x1="${M.l}" x2="${cx}" y1="${cy}" y2="${cy}" class="clear"/><line x1="${cx}" x2="${cx}" y1="${cy}" y2="${H - M.b}" class="clear"/><circle cx="${cx}" cy="${cy}" r="5" class="clearpt"/>`;
    s += `<text x="${cx + 8}" y="${cy - 8}" class="cleartext">p* ${clearing.price.toLocaleString('en-US')} · Q ${clearing.volume.toLocaleString('en-US')} Wh</text>`;
  }
  s += `<g class="key"><rect x="${W - 170}" y="${M.t}" width="10" height="3" class="demand-key"/><text x="${W - 155}" y="${M.t + 5}" class="tick">demand (bids)</text><rect x="${W - 170}" y="${M.t + 14}" width="10" height="3" class="supply-key"/><text x="${W - 155}" y="${M.t + 19}" class="tick">supply (asks)</text></g>`;
  return s + '</svg>';
}

export class EnergyPage extends BasePage {
  title() {
    return 'Energy market';
  }
  async refresh(block: BlockInfo) {
    const api = this.ctx.chain.api!;
    const at = await api.at(block.hash);
    const [zonesE, clearingsK, booksK, params] = await Promise.all([
      at.query.energyMarket.zones.entries(),
      at.query.energyMarket.clearings.keys(),
      at.query.energyMarket.books.keys(),
      at.query.energyMarket.params(),
    ]);
    const zones = zonesE.map(([k, v]) => ({ id: k.args[0].toJSON() as number, z: v.toJSON() as { importPrice: number; exportPrice: number; gridAccount: string } })).sort((a, b) => a.id - b.id);
    const slotsOf = new Map<number, Set<number>>();
    const add = (z: number, s: number) => {
      if (!slotsOf.has(z)) slotsOf.set(z, new Set());
      slotsOf.get(z)!.add(s);
    };
    const cleared = new Set<string>();
    for (const k of clearingsK) {
      const [z, s] = k.args[0].toJSON() as [number, number];
      add(z, s);
      cleared.add(`${z}/${s}`);
    }
    for (const k of booksK) {
      const [z, s] = k.args[0].toJSON() as [number, number, string];
      add(z, s);
    }
    const qZone = this.ctx.query.get('zone');
    const zone = qZone !== null ? Number(qZone) : (zones[0]?.id ?? 0);
    const slots = [...(slotsOf.get(zone) ?? [])].sort((a, b) => b - a);
    const qSlot = this.ctx.query.get('slot');
    const slot = qSlot !== null ? Number(qSlot) : (slots.find((s) => cleared.has(`${zone}/${s}`)) ?? slots[0]);
    const p = params.toJSON() as { slotLength: number };
    const nowSlot = Math.floor(block.number / (p.slotLength || 1));

    let html = `<p>Zones: ${zones
      .map((z) => `<a href="#/energy?zone=${z.id}" class="${z.id === zone ? 'on' : ''}">zone ${z.id}</a> (grid import ${z.z.importPrice.toLocaleString('en-US')}, export ${z.z.exportPrice.toLocaleString('en-US')} µASY/kWh)`)
      .join(' · ') || 'none'}</p>`;
    html += `<p>Slots of zone ${zone} (slot length ${p.slotLength} blocks; the current slot is ${nowSlot}): ${slots
      .map((s) => `<a href="#/energy?zone=${zone}&slot=${s}" class="${s === slot ? 'on' : ''}" data-slot="${s}">${s}${cleared.has(`${zone}/${s}`) ? '' : ' (open)'}</a>`)
      .join(' ')}</p>`;
    if (slot === undefined) {
      this.body.innerHTML = html + '<p class="dim">No orders or clearings yet.</p>';
      this.asOf(block);
      return;
    }
    const [bookC, clearingC, positionsE] = await Promise.all([at.call.energyApi.orderBook(zone, slot), at.call.energyApi.clearing(zone, slot), at.query.energyMarket.settledPositions.entries([zone, slot])]);
    let book = bookC.toJSON() as unknown as BookJson;
    const clearing = clearingC.toJSON() as unknown as ClearingJson | null;
    let bookNote = `the book as of block #${block.number}${book.gateClosed ? ' (gate closed)' : ''}`;
    if (clearing && !book.bids.length && !book.asks.length) {
      const before = await bookBeforeSettlement(api, zone, slot, block.number);
      if (before) {
        book = before.book;
        bookNote = `settlement deleted the orders; the book as of block #${before.at}, the last block before settlement`;
      } else bookNote = 'settlement deleted the orders, and the node no longer has the state from before it';
    }
    if (!this.alive) return;
    html += `<h3>Zone ${zone}, slot <span data-testid="slot">${slot}</span></h3>`;
    html += clearing
      ? `<p class="clearing">Cleared at <b data-testid="clearing-price">${clearing.price}</b> µASY/kWh, volume <b data-testid="clearing-volume">${clearing.volume}</b> Wh (grid import ${clearing.importPrice}, export ${clearing.exportPrice}) · ${
          clearing.settled
            ? `<span data-testid="settled">settled</span>: ${clearing.settled.participants} participants, participants' net ${micro(clearing.settled.participantsNet)}, grid net ${micro(clearing.settled.gridNet)}, debt recorded ${asy(clearing.settled.debtRecorded)}`
            : 'not yet settled'
        }</p>`
      : `<p class="clearing" data-testid="not-cleared">Not cleared yet (clears at gate closure).</p>`;
    html += `<div class="curves-box">${curves(book, clearing)}<p class="dim small">${esc(bookNote)}</p></div>`;
    const orderRows = (orders: OrderJson[]) =>
      orders.map((o) => [String(o.id), esc(variant(o.order.side)), accountLink(o.order.owner), deviceLink(o.order.meter), String(o.order.qtyWh), o.order.price.toLocaleString('en-US'), o.filledWh === null ? '–' : `<b>${o.filledWh}</b>`]);
    html += `<h3>Orders and fills</h3>` + table(['Order', 'Side', 'Owner', 'Meter', 'Wh', 'limit µASY/kWh', 'filled Wh'], [...orderRows([...book.bids].sort((a, b) => b.order.price - a.order.price)), ...orderRows([...book.asks].sort((a, b) => a.order.price - b.order.price))], 'data-testid="orders"');
    const positions = positionsE.map(([k, v]) => ({ meter: k.args[1].toString(), p: v.toJSON() as { owner: string; boughtWh: number; soldWh: number; meteredExportWh: number | string; metered: boolean; trade: number | string; deviation: number | string; debt: number | string } }));
    html += `<h3>Settled positions: ${positions.length}</h3>`;
    html += positions.length
      ? table(
          ['Meter', 'Owner', 'bought Wh', 'sold Wh', 'metered export Wh', 'imbalance Wh', 'trade', 'deviation', 'net', 'debt'],
          positions.map(({ meter, p }) => {
            const committed = p.soldWh - p.boughtWh;
            const imbalance = Number(p.meteredExportWh) - committed;
            const net = BigInt(p.trade) + BigInt(p.deviation);
            return [deviceLink(meter), accountLink(p.owner), String(p.boughtWh), String(p.soldWh), `${p.meteredExportWh}${p.metered ? '' : ' (missing reading)'}`, String(imbalance), micro(p.trade), micro(p.deviation), `<span data-testid="position-net">${micro(net)}</span>`, asy(p.debt)];
          }),
          'data-testid="positions"',
        ) + '<p class="dim small">trade = at the clearing price; deviation = the imbalance at grid prices (µASY); net = trade + deviation.</p>'
      : '<p class="dim">Not settled yet.</p>';
    this.body.innerHTML = html;
    this.asOf(block);
  }
}
