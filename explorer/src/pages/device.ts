// A device: what the registry stores (kind, maker, owner, status, location, last
// heartbeat), and for a hotspot its recent beacons and witness reports with each verdict
// (`CoverageApi::beacon`), its HIP-17 scale, and its owner's coverage units and rewards per
// epoch. Also the list of all devices.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cellToLatLng, cellToParent } from 'h3-js';
import type { ApiPromise } from '@polkadot/api';
import type { BlockInfo } from '../chain';
import { BasePage } from '../page';
import { accountLink, asy, asyNumber, deviceLink, esc, fixedU128, h3Hex, pool, table, variant, variantValue, verdictText } from '../util';

/** How many of the latest beacon ids the device page scans. */
const BEACON_SCAN = 200;

interface BeaconJson {
  beacon: { beaconer: string; submittedAt: number; witnessUntil: number; frequencyHz: number; phase: unknown; payload: string | null; region: string };
  expired: boolean;
  witnesses: Array<{ witness: string; report: { rssiDbmX10: number; snrDbX10: number; receivedAt: number; verdict: unknown; frequencyHz: number } }>;
}

// Beacons that can no longer change (verified or expired), per connection.
const finalBeacons = new WeakMap<ApiPromise, Map<number, BeaconJson>>();

export async function recentBeacons(api: ApiPromise, hash: string, scan = BEACON_SCAN): Promise<Array<[number, BeaconJson]>> {
  const at = await api.at(hash);
  const next = (await at.query.proofOfCoverage.nextBeaconId()).toJSON() as number;
  let cache = finalBeacons.get(api);
  if (!cache) finalBeacons.set(api, (cache = new Map()));
  const ids: number[] = [];
  for (let id = next - 1; id >= 0 && id >= next - scan; id--) ids.push(id);
  const c = cache;
  const out = await pool(ids, 12, async (id): Promise<[number, BeaconJson | null]> => {
    const hit = c.get(id);
    if (hit) return [id, hit];
    const v = (await at.call.coverageApi.beacon(id)).toJSON() as BeaconJson | null;
    if (v && (v.expired || variant(v.beacon.phase) === 'Verified')) c.set(id, v);
    return [id, v];
  });
  return out.filter((x): x is [number, BeaconJson] => x[1] !== null);
}

function phaseText(p: unknown): string {
  const name = variant(p);
  const v = variantValue(p) as { valid?: number; selected?: number } | null;
  return name === 'Verified' && v ? `Verified (${v.valid} valid, ${v.selected} selected)` : name;
}

export class DevicePage extends BasePage {
  private id: string;
  private chart: uPlot | null = null;
  private chartKey = '';
  constructor(ctx: ConstructorParameters<typeof BasePage>[0]) {
    super(ctx);
    this.id = ctx.params[0] ?? '';
  }
  title() {
    return 'Device';
  }
  mount(el: HTMLElement) {
    super.mount(el);
    el.querySelector('h2')!.innerHTML = `Device <span class="mono small">${esc(this.id)}</span>`;
    this.body.innerHTML = `<div class="info"></div><div class="chart-box"><h3>Per reward epoch: this hotspot's beacons and Selected witness reports, its owner's coverage reward</h3><div class="chart" data-testid="epoch-chart"></div><div class="epoch-table"></div></div><div class="beacons"></div><div class="witnessed"></div>`;
  }
  unmount() {
    super.unmount();
    this.chart?.destroy();
  }

  async refresh(block: BlockInfo) {
    const api = this.ctx.chain.api!;
    const at = await api.at(block.hash);
    const info = (await at.call.deviceRegistryApi.device(this.id)).toJSON() as {
      owner: string;
      kind: unknown;
      maker: number;
      location: { cell: string; gainDbiX10: number; elevationM: number; assertedAt: number } | null;
      status: unknown;
      registeredAt: number;
      deposit: number | string;
    } | null;
    if (!this.alive) return;
    const infoEl = this.body.querySelector<HTMLElement>('.info')!;
    if (!info) {
      this.asOf(block);
      infoEl.innerHTML = `<p data-testid="device-missing">No device ${esc(this.id)} is registered.</p>`;
      return;
    }
    const kind = variant(info.kind);
    const [maker, reports, heard, scale, meter, lastReading] = await Promise.all([
      at.query.deviceRegistry.makers(info.maker),
      at.query.deviceRegistry.reports(this.id),
      kind === 'Hotspot' ? at.query.proofOfCoverage.lastHeard(this.id) : null,
      kind === 'Hotspot' ? at.call.coverageApi.hexScale(this.id) : null,
      kind === 'EnergyMeter' ? at.query.energyMarket.meters(this.id) : null,
      kind === 'EnergyMeter' ? at.query.energyMarket.lastReading(this.id) : null,
    ]);
    const makerJ = maker.toHuman() as { name: string } | null;
    const rep = reports.toJSON() as { nextNonce: number; lastSeen: number | null };
    const rows: Array<[string, string]> = [
      ['Kind', `<span data-testid="device-kind">${esc(kind)}</span>`],
      ['Maker', `${info.maker}${makerJ ? ` · ${esc(makerJ.name)}` : ''}`],
      ['Owner', `<span data-testid="device-owner">${accountLink(info.owner)}</span>`],
      ['Status', `<span data-testid="device-status">${esc(variant(info.status))}</span>`],
      ['Registered', `block #${info.registeredAt} · deposit ${asy(info.deposit)}`],
    ];
    if (info.location) {
      const cell = h3Hex(info.location.cell);
      const [lat, lng] = cellToLatLng(cell);
      rows.push([
        'Location',
        `<span class="mono" data-testid="device-cell">${cell}</span> (res 12; res-8 hex <span class="mono">${cellToParent(cell, 8)}</span>) · ${lat.toFixed(5)}, ${lng.toFixed(5)} · gain ${(info.location.gainDbiX10 / 10).toFixed(1)} dBi · elevation ${info.location.elevationM} m · asserted at #${info.location.assertedAt}`,
      ]);
    } else rows.push(['Location', 'not asserted']);
    rows.push(['Last heartbeat', rep.lastSeen === null ? 'never' : `<span data-testid="last-heartbeat">block #${rep.lastSeen}</span> (${block.number - rep.lastSeen} blocks ago) · next report nonce ${rep.nextNonce}`]);
    if (heard && !heard.isEmpty) rows.push(['Last heard (as a beaconer)', `block #${heard.toJSON()}`]);
    if (scale) {
      const s = scale.toJSON();
      rows.push(['HIP-17 scale', s === null ? '–' : `<span data-testid="hex-scale">${fixedU128(s).toFixed(4)}</span>`]);
    }
    if (meter) {
      const m = meter.toJSON() as { zone: number; capacityWh: number } | null;
      rows.push(['Energy meter', m ? `zone ${m.zone} · capacity ${m.capacityWh} Wh` : 'not bound']);
      const lr = lastReading?.toJSON() as [number, number, number] | null;
      if (lr) rows.push(['Last reading', `slot boundary ${lr[0]} · import register ${lr[1]} Wh · export register ${lr[2]} Wh`]);
    }
    infoEl.innerHTML = `<table class="kv">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;

    if (kind === 'Hotspot') {
      await this.coverage(api, block, info.owner);
    }
    this.asOf(block);
  }

  private async coverage(api: ApiPromise, block: BlockInfo, owner: string) {
    const beacons = await recentBeacons(api, block.hash);
    if (!this.alive) return;
    const mine = beacons.filter(([, b]) => b.beacon.beaconer === this.id);
    const heard = beacons.flatMap(([id, b]) => b.witnesses.filter((w) => w.witness === this.id).map((w) => ({ id, b, w })));
    const beaconsEl = this.body.querySelector<HTMLElement>('.beacons')!;
    beaconsEl.innerHTML =
      `<h3>Beacons (latest ${BEACON_SCAN} beacon ids scanned): ${mine.length}</h3>` +
      (mine.length
        ? mine
            .slice(0, 20)
            .map(
              ([id, b]) => `<div class="beacon" data-testid="beacon" data-beacon="${id}">
        <div><b>Beacon ${id}</b> · submitted #${b.beacon.submittedAt} · ${(b.beacon.frequencyHz / 1e6).toFixed(1)} MHz ${esc(b.beacon.region)} · <span data-testid="beacon-phase">${esc(phaseText(b.beacon.phase))}</span>${b.expired ? ' · expired' : ''}</div>
        ${table(
          ['Witness', 'RSSI dBm', 'SNR dB', 'received', 'verdict'],
          b.witnesses.map((w) => [
            deviceLink(w.witness),
            (w.report.rssiDbmX10 / 10).toFixed(1),
            (w.report.snrDbX10 / 10).toFixed(1),
            `#${w.report.receivedAt}`,
            `<span class="verdict v-${esc(variant(w.report.verdict))}" data-testid="verdict" data-witness="${esc(w.witness)}">${esc(verdictText(w.report.verdict))}</span>`,
          ]),
        )}</div>`,
            )
            .join('')
        : '<p class="dim">No beacon from this hotspot among the latest beacons.</p>');
    const witEl = this.body.querySelector<HTMLElement>('.witnessed')!;
    witEl.innerHTML =
      `<h3>Witness reports: ${heard.length}</h3>` +
      (heard.length
        ? table(
            ['Beacon', 'Beaconer', 'RSSI dBm', 'SNR dB', 'received', 'verdict'],
            heard.slice(0, 50).map(({ id, b, w }) => [
              String(id),
              deviceLink(b.beacon.beaconer),
              (w.report.rssiDbmX10 / 10).toFixed(1),
              (w.report.snrDbX10 / 10).toFixed(1),
              `#${w.report.receivedAt}`,
              `<span class="verdict v-${esc(variant(w.report.verdict))}" data-testid="witness-verdict" data-beacon="${id}">${esc(verdictText(w.report.verdict))}</span>`,
            ]),
            'data-testid="witness-reports"',
          )
        : '<p class="dim">This hotspot witnessed none of the latest beacons.</p>');

    // Per reward epoch: this hotspot's verified beacons and Selected witness reports (the
    // epoch from each beacon's BeaconVerified event), and what its owner earned from
    // coverage: claims (RewardsClaimed), pending rewards, and units not yet claimable.
    const at = await api.at(block.hash);
    const [units, pending, events] = await Promise.all([at.query.proofOfCoverage.ownerUnits.entries(owner), at.call.coverageApi.pendingRewards(owner), this.ctx.chain.recentEvents()]);
    const epochOfBeacon = new Map<number, number>();
    const claimed = new Map<number, bigint>();
    for (const evs of events.values()) {
      for (const e of evs) {
        if (e.section !== 'proofOfCoverage') continue;
        if (e.method === 'BeaconVerified') epochOfBeacon.set(Number(e.data.beacon), Number(e.data.epoch));
        if (e.method === 'RewardsClaimed' && e.data.owner === owner) claimed.set(Number(e.data.epoch), (claimed.get(Number(e.data.epoch)) ?? 0n) + BigInt(e.data.amount as string));
      }
    }
    const pend = new Map((pending.toJSON() as Array<{ epoch: number; amount: number | string; claimable: boolean }>).map((p) => [p.epoch, p]));
    const unitsBy = new Map(units.map(([k, v]) => [k.args[1].toJSON() as number, v.toJSON() as { beaconer: string | number; witness: string | number }]));
    const unitEpochs = [...unitsBy.keys()];
    const epochInfo = await at.query.proofOfCoverage.epochs.multi(unitEpochs);
    const estimate = new Map<number, bigint>();
    unitEpochs.forEach((e, i) => {
      const u = unitsBy.get(e)!;
      const ep = epochInfo[i].toJSON() as { emission: number | string; units: { beaconer: number | string; witness: number | string } } | null;
      if (!ep) return;
      const em = BigInt(ep.emission);
      const tb = BigInt(ep.units.beaconer);
      const tw = BigInt(ep.units.witness);
      let r = 0n;
      if (tb > 0n) r += (em * 2n * BigInt(u.beaconer)) / (10n * tb);
      if (tw > 0n) r += (em * 8n * BigInt(u.witness)) / (10n * tw);
      estimate.set(e, r);
    });
    const beaconsBy = new Map<number, number>();
    const selectedBy = new Map<number, number>();
    for (const [id] of mine) {
      const e = epochOfBeacon.get(id);
      if (e !== undefined) beaconsBy.set(e, (beaconsBy.get(e) ?? 0) + 1);
    }
    for (const { id, w } of heard) {
      const e = epochOfBeacon.get(id);
      if (e !== undefined && variant(w.report.verdict) === 'Selected') selectedBy.set(e, (selectedBy.get(e) ?? 0) + 1);
    }
    const epochs = [...new Set([...beaconsBy.keys(), ...selectedBy.keys(), ...claimed.keys(), ...pend.keys(), ...unitEpochs])].sort((a, b) => a - b);
    const rowsE = epochs.map((e) => {
      const reward = claimed.get(e) ?? (pend.has(e) ? BigInt(pend.get(e)!.amount) : (estimate.get(e) ?? 0n));
      const how = claimed.has(e) ? 'claimed' : pend.has(e) ? (pend.get(e)!.claimable ? 'claimable' : 'pending') : estimate.has(e) ? 'estimated' : '–';
      return { e, beacons: beaconsBy.get(e) ?? 0, selected: selectedBy.get(e) ?? 0, reward, how };
    });
    if (!this.alive) return;
    this.body.querySelector<HTMLElement>('.epoch-table')!.innerHTML = rowsE.length
      ? table(
          ['Epoch', 'verified beacons', 'Selected witness reports', "owner's coverage reward", ''],
          rowsE.map((r) => [String(r.e), String(r.beacons), String(r.selected), asy(r.reward), r.how]),
          'data-testid="epochs"',
        ) + `<p class="dim small">From the beacons above and the events of the node's retained blocks; a reward is the owner's (units accrue to owners), 20 % of an epoch's emission pro rata to beaconer units and 80 % to witness units.</p>`
      : '<p class="dim">No coverage activity in the retained blocks.</p>';
    const key = JSON.stringify(rowsE.map((r) => [r.e, r.beacons, r.selected, String(r.reward)]));
    if (key === this.chartKey || !rowsE.length) return;
    this.chartKey = key;
    const el = this.body.querySelector<HTMLElement>('[data-testid=epoch-chart]')!;
    this.chart?.destroy();
    el.innerHTML = '';
    this.chart = new uPlot(
      {
        width: Math.min(760, el.clientWidth || 760),
        height: 220,
        scales: { x: { time: false }, n: {}, asy: {} },
        axes: [{ label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100] }, { scale: 'n', label: 'count', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] }, { scale: 'asy', side: 1, label: 'ASY', grid: { show: false } }],
        series: [
          { label: 'epoch' },
          { label: 'verified beacons', scale: 'n', stroke: '#c77d1a', width: 2, paths: uPlot.paths.bars!({ size: [0.3, 40], align: -1 }), fill: 'rgba(199,125,26,0.5)' },
          { label: 'Selected witness reports', scale: 'n', stroke: '#2a6fb0', width: 2, paths: uPlot.paths.bars!({ size: [0.3, 40], align: 1 }), fill: 'rgba(42,111,176,0.5)' },
          { label: "owner's reward ASY", scale: 'asy', stroke: '#1a8a4a', width: 2, points: { show: true } },
        ],
      },
      [rowsE.map((r) => r.e), rowsE.map((r) => r.beacons), rowsE.map((r) => r.selected), rowsE.map((r) => asyNumber(r.reward))],
      el,
    );
  }
}

export class DevicesPage extends BasePage {
  title() {
    return 'Devices';
  }
  async refresh(block: BlockInfo) {
    const api = this.ctx.chain.api!;
    const at = await api.at(block.hash);
    const entries = await at.query.deviceRegistry.devices.entries();
    if (!this.alive) return;
    const list = entries.map(([k, v]) => ({ id: k.args[0].toString(), d: v.toJSON() as { owner: string; kind: unknown; status: unknown; location: { cell: string } | null; registeredAt: number } }));
    list.sort((a, b) => variant(a.d.kind).localeCompare(variant(b.d.kind)) || a.d.registeredAt - b.d.registeredAt || a.id.localeCompare(b.id));
    const byKind = new Map<string, number>();
    for (const x of list) byKind.set(variant(x.d.kind), (byKind.get(variant(x.d.kind)) ?? 0) + 1);
    this.body.innerHTML =
      `<p data-testid="device-count">${list.length} devices: ${[...byKind].map(([k, n]) => `${n} ${esc(k)}`).join(', ')}</p>` +
      table(
        ['Device', 'Kind', 'Owner', 'Status', 'Cell (res 12)', 'Registered'],
        list.slice(0, 500).map((x) => [deviceLink(x.id), esc(variant(x.d.kind)), accountLink(x.d.owner), esc(variant(x.d.status)), x.d.location ? `<span class="mono">${h3Hex(x.d.location.cell)}</span>` : '–', `#${x.d.registeredAt}`]),
        'data-testid="devices"',
      ) +
      (list.length > 500 ? `<p class="dim">${list.length - 500} more not shown</p>` : '');
    this.asOf(block);
  }
}
