// Earnings: an account's earnings by source (`EarningsApi::earnings`: validation, coverage,
// compute, energy) now and over time. The chain keeps cumulative totals only, so the
// history is the API read at earlier blocks (as far back as the node keeps state) and
// then at every new block.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ApiPromise } from '@polkadot/api';
import type { BlockInfo } from '../chain';
import { BasePage } from '../page';
import { accountLink, asy, asyNumber, deviceLink, esc, pool, table } from '../util';

const SOURCES = ['validation', 'coverage', 'compute', 'energy'] as const;
type Rec = Record<(typeof SOURCES)[number], bigint>;
const COLOURS = { validation: '#7a4fb0', coverage: '#2a6fb0', compute: '#c77d1a', energy: '#1a8a4a' };
const HISTORY_BACK = 240;
const HISTORY_SAMPLES = 40;
const MAX_POINTS = 600;

function rec(j: unknown): Rec {
  const o = j as Record<string, number | string>;
  return { validation: BigInt(o.validation), coverage: BigInt(o.coverage), compute: BigInt(o.compute), energy: BigInt(o.energy) };
}

export class EarningsPage extends BasePage {
  private who: string | null;
  private points: Array<{ n: number; r: Rec }> = [];
  private historyApi: ApiPromise | null = null;
  private chart: uPlot | null = null;
  constructor(ctx: ConstructorParameters<typeof BasePage>[0]) {
    super(ctx);
    this.who = ctx.params[0] ?? null;
  }
  title() {
    return 'Earnings';
  }
  mount(el: HTMLElement) {
    super.mount(el);
    const form = document.createElement('form');
    form.className = 'account-form';
    form.innerHTML = `<input name="who" size="52" placeholder="account (SS58)" value="${esc(this.who ?? '')}" data-testid="account-input"/> <button>Show</button>`;
    form.onsubmit = (e) => {
      e.preventDefault();
      const v = (form.elements.namedItem('who') as HTMLInputElement).value.trim();
      location.hash = v ? `#/earnings/${v}` : '#/earnings';
    };
    el.insertBefore(form, this.body);
    this.body.innerHTML = `<div class="now"></div><div class="chart" data-testid="earnings-chart"></div><div class="more"></div>`;
  }
  unmount() {
    super.unmount();
    this.chart?.destroy();
  }

  async refresh(block: BlockInfo) {
    const api = this.ctx.chain.api!;
    const at = await api.at(block.hash);
    if (!this.who) return this.overview(at, block);
    const who = this.who;
    const [now, pending, devices] = await Promise.all([at.call.earningsApi.earnings(who), at.call.coverageApi.pendingRewards(who), at.call.deviceRegistryApi.devicesOf(who)]);
    const r = rec(now.toJSON());
    if (this.historyApi !== api) {
      this.historyApi = api;
      this.points = [];
      const from = Math.max(1, block.number - HISTORY_BACK);
      const step = Math.max(1, Math.floor((block.number - from) / HISTORY_SAMPLES));
      const ns: number[] = [];
      for (let n = from; n < block.number; n += step) ns.push(n);
      const got = await pool(ns, 6, async (n) => {
        try {
          const h = await api.rpc.chain.getBlockHash(n);
          return { n, r: rec((await (await api.at(h)).call.earningsApi.earnings(who)).toJSON()) };
        } catch {
          return null; // pruned
        }
      });
      this.points = got.filter((x): x is { n: number; r: Rec } => x !== null);
    }
    if (!this.points.length || this.points[this.points.length - 1].n < block.number) this.points.push({ n: block.number, r });
    if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
    if (!this.alive) return;

    const total = SOURCES.reduce((s, k) => s + r[k], 0n);
    this.body.querySelector('.now')!.innerHTML =
      `<p>Account ${accountLink(who)} <span class="mono small">${esc(who)}</span></p>` +
      table(
        ['Source', 'earned'],
        [
          ...SOURCES.map((k) => [`<i class="sw" style="background:${COLOURS[k]}"></i>${k}`, `<span data-testid="earned-${k}" data-plancks="${r[k]}">${asy(r[k])}</span>`]),
          ['<b>total</b>', `<b data-testid="earned-total" data-plancks="${total}">${asy(total)}</b>`],
        ],
        'data-testid="earnings" class="narrow"',
      );
    const pend = pending.toJSON() as Array<{ epoch: number; amount: number | string; claimable: boolean }>;
    const devs = devices.toJSON() as string[];
    this.body.querySelector('.more')!.innerHTML =
      `<h3>Coverage rewards not yet claimed</h3>` +
      (pend.length ? table(['epoch', 'amount', ''], pend.map((p) => [String(p.epoch), asy(p.amount), p.claimable ? 'claimable' : 'epoch not over'])) : '<p class="dim">none</p>') +
      `<h3>Devices owned: ${devs.length}</h3><p>${devs.slice(0, 200).map(deviceLink).join(' ')}</p>`;
    this.plot();
    this.asOf(block);
  }

  private plot() {
    const el = this.body.querySelector<HTMLElement>('[data-testid=earnings-chart]')!;
    const xs = this.points.map((p) => p.n);
    const data: uPlot.AlignedData = [xs, ...SOURCES.map((k) => this.points.map((p) => asyNumber(p.r[k])))];
    if (this.chart) {
      this.chart.setData(data);
      return;
    }
    el.innerHTML = '';
    this.chart = new uPlot(
      {
        width: Math.min(760, el.clientWidth || 760),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: 'block' }, { label: 'ASY earned (cumulative)' }],
        series: [{ label: 'block' }, ...SOURCES.map((k) => ({ label: k, stroke: COLOURS[k], width: 2, paths: uPlot.paths.stepped!({ align: 1 }) }))],
      },
      data,
      el,
    );
  }

  private async overview(at: Awaited<ReturnType<ApiPromise['at']>>, block: BlockInfo) {
    const [total, entries] = await Promise.all([at.call.earningsApi.totalEarnings(), at.query.earnings.earned.entries()]);
    if (!this.alive) return;
    const t = rec(total.toJSON());
    const rows = entries
      .map(([k, v]) => ({ who: k.args[0].toString(), r: rec(v.toJSON()) }))
      .map((x) => ({ ...x, sum: SOURCES.reduce((s, k) => s + x.r[k], 0n) }))
      .sort((a, b) => (b.sum > a.sum ? 1 : b.sum < a.sum ? -1 : 0));
    this.body.querySelector('.now')!.innerHTML =
      `<p>All accounts: ${SOURCES.map((k) => `${k} <b data-testid="total-${k}">${asy(t[k])}</b>`).join(' · ')}</p>` +
      table(
        ['Account', ...SOURCES, 'total'],
        rows.slice(0, 200).map((x) => [accountLink(x.who), ...SOURCES.map((k) => asy(x.r[k])), asy(x.sum)]),
        'data-testid="earners"',
      );
    this.asOf(block);
  }
}
