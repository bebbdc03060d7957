// The coverage map: every registered, located hotspot aggregated to its res-8 hex (the
// resolution Helium's explorers show), coloured by hotspot count or by the HIP-17 scale
// the chain computes (`CoverageApi::hex_scale`, the mean over the hex's hotspots); zoomed
// in past 13, each hotspot's own res-12 cell. Click a hex for its hotspots.
import { Deck, MapView, WebMercatorViewport, type PickingInfo } from '@deck.gl/core';
import { GeoJsonLayer } from '@deck.gl/layers';
import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { cellToBoundary, cellToLatLng, cellToParent } from 'h3-js';
import { mesh } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import land110 from 'world-atlas/land-110m.json';
import type { ApiPromise } from '@polkadot/api';
import { decodeEvents, loadPolkadot, type BlockInfo, type ChainEvent, type Polkadot } from '../chain';
import { DEFAULT_LAYOUT, readHotspots, sameLayout, type Layout, type Prefetched, type RawHotspot } from '../hotspots';
import { BasePage } from '../page';
import { deviceLink, accountLink, esc, fixedU128, h3Hex, pool, variant, scriptStartMs, MAP_FIRST_FRAME } from '../util';

/**
 * @polkadot/api's helpers once its chunk is loaded (the first frame does not wait for it):
 * SS58 addresses are made from the keys when first shown.
 */
let pd: Polkadot | null = null;
let ss58Format = 42;
/** Whether `ss58Format` is the connected chain's (else addresses are not kept). */
let ss58Known = false;
async function polkadot(): Promise<Polkadot> {
  return (pd ??= await loadPolkadot());
}

/** A located hotspot; its SS58 addresses are made when first shown (10,000 of them cost ~0.2 s). */
class Hotspot {
  private _id?: string;
  private _owner?: string;
  constructor(
    readonly key: string, // the device's public key, 0x hex
    readonly ownerKey: string,
    readonly status: string,
    readonly cell: string, // res-12, h3-js hex
    readonly hex8: string,
    public scale?: number,
  ) {}
  static fromRaw(h: RawHotspot): Hotspot {
    return new Hotspot(h.key, h.ownerKey, h.status, h.cell, parent8(h.cell));
  }
  get id(): string {
    if (!pd) return this.key;
    if (!ss58Known) return pd.encodeAddress(this.key, ss58Format);
    return (this._id ??= pd.encodeAddress(this.key, ss58Format));
  }
  get owner(): string {
    if (!pd) return this.ownerKey;
    if (!ss58Known) return pd.encodeAddress(this.ownerKey, ss58Format);
    return (this._owner ??= pd.encodeAddress(this.ownerKey, ss58Format));
  }
}

/**
 * A res-12 cell's res-8 parent by the H3 index's bits (resolution 8 in bits 52–55, the
 * digits of resolutions 9–15, bits 0–20, all 7): `cellToParent` costs ~5 µs a call, this
 * string edit ~0.1 µs. Other resolutions go to h3-js.
 */
export function parent8(cell: string): string {
  if (cell.length !== 15 || cell[1] !== 'c') return cellToParent(cell, 8);
  return `${cell[0]}8${cell.slice(2, 9)}${(parseInt(cell[9], 16) | 1).toString(16)}fffff`;
}

// The SCALE layout `readHotspots` decodes by hand, checked against the metadata.
const DEVICE_INFO_TYPE = '{"owner":"AccountId32","kind":"AssayWireDevicesDeviceKind","maker":"u32","location":"Option<AssayPrimitivesDevicesLocation>","status":"AssayPrimitivesDevicesDeviceStatus","registeredAt":"u32","deposit":"u128"}';
const LOCATION_TYPE = '{"cell":"u64","gainDbiX10":"i16","elevationM":"i16","assertedAt":"u32"}';

/** The layout of `DeviceRegistry::Devices` per the metadata; null when it is not the one `readHotspots` decodes. */
function layoutFromMetadata(api: ApiPromise): Layout | null {
  const q = api.query.deviceRegistry.devices;
  const meta = q.creator.meta.type;
  if (!meta.isMap || api.registry.lookup.getTypeDef(meta.asMap.value).type !== DEVICE_INFO_TYPE) return null;
  if (api.registry.createType('AssayPrimitivesDevicesLocation').toRawType() !== LOCATION_TYPE) return null;
  if (meta.asMap.hashers.length !== 1 || !meta.asMap.hashers[0].isBlake2128Concat) return null;
  return {
    prefix: q.keyPrefix(),
    hotspotKind: (api.registry.createType('AssayWireDevicesDeviceKind', 'Hotspot') as unknown as { index: number }).index,
    statusNames: (api.registry.createType('AssayPrimitivesDevicesDeviceStatus') as unknown as { defKeys: string[] }).defKeys,
  };
}

interface Hex {
  hex: string;
  /** [lat, lng] of its centre, once asked for. */
  centre?: [number, number];
  hotspots: Hotspot[];
  count: number;
  scale: number | null;
}

let software: boolean | undefined;
/** Whether WebGL is drawn by a software rasterizer (SwiftShader, llvmpipe): a throwaway context's renderer, ~15 ms once. */
function softwareWebGL(): boolean {
  if (software === undefined) {
    software = false;
    try {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (gl) {
        const info = gl.getExtension('WEBGL_debug_renderer_info');
        software = /swiftshader|llvmpipe|softpipe|software/i.test(String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)));
        gl.getExtension('WEBGL_lose_context')?.loseContext();
      }
    } catch {
      // no WebGL: deck.gl reports it
    }
  }
  return software;
}

function centre(x: Hex): [number, number] {
  return (x.centre ??= cellToLatLng(x.hex));
}

type ColourBy = 'count' | 'scale';
const FINE_ZOOM = 13;
/**
 * Res-8 hexes are outlined once an edge (461 m) spans this many pixels: below that an
 * outline only smudges a hex a few pixels wide, and in software WebGL (SwiftShader) the
 * 8,000 outlines of a city-wide network cost three quarters of every frame (~1 s of ~1.4 s).
 */
const OUTLINE_EDGE_PX = 5;
function hexEdgePx(zoom: number, latitude: number): number {
  return 461.35 / ((156543.03 * Math.cos((latitude * Math.PI) / 180)) / 2 ** zoom);
}
const DEVICE_EVENTS = new Set(['DeviceRegistered', 'LocationAsserted', 'DeviceDeregistered', 'DeviceTransferred', 'DeviceStatusChanged']);

// The basemap is the Natural Earth coastline (world-atlas) drawn as lines, no tiles and
// no fill (filling continents means triangulating them, slow in software WebGL): 1:110m
// in this chunk for the world while no hotspot is known, 1:50m from a chunk of its own
// (540 kB, fetched alongside this one: index.html preloads it) for the first frame near
// the network, then 1:10m from another (3 MB) for city zooms once that frame is drawn;
// 50m and 10m are clipped to the network's surroundings. All of them are files of the app.
type Lines = GeoJSON.Feature<GeoJSON.LineString>[];
let land50: unknown = null;
const land50Ready = import('world-atlas/land-50m.json')
  .then((m) => {
    land50 = m.default;
  })
  .catch(() => {});
let coast50: Lines | null = null;
let coast110: Lines | null = null;
let coast10All: Lines | null = null;
let coast10Loading: Promise<void> | null = null;
function coastLines(t: unknown): Lines {
  const topo = t as Topology;
  const m = mesh(topo, topo.objects.land as GeometryObject) as GeoJSON.MultiLineString;
  // Split where a ring crosses the antimeridian (else a line is drawn across the world).
  const out: Lines = [];
  for (const line of m.coordinates) {
    let run: number[][] = [line[0]];
    for (let i = 1; i < line.length; i++) {
      if (Math.abs(line[i][0] - line[i - 1][0]) > 180) {
        if (run.length > 1) out.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: run } });
        run = [];
      }
      run.push(line[i]);
    }
    if (run.length > 1) out.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: run } });
  }
  return out;
}
function loadFineCoast(): Promise<void> {
  coast10Loading ??= import('world-atlas/land-10m.json').then((m) => {
    coast10All = coastLines(m.default);
  });
  return coast10Loading;
}
/**
 * The parts of `lines` inside [w, s, e, n]: runs of consecutive points in the box (one
 * point beyond it at each end). A coastline ring can span a continent; drawing all of it
 * costs seconds per frame in software WebGL.
 */
function clip(lines: Lines, b: [number, number, number, number]): Lines {
  const out: Lines = [];
  const inside = ([x, y]: number[]) => x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
  for (const f of lines) {
    const c = f.geometry.coordinates;
    let run: number[][] = [];
    for (let i = 0; i < c.length; i++) {
      if (inside(c[i])) {
        if (!run.length && i > 0) run.push(c[i - 1]);
        run.push(c[i]);
      } else if (run.length) {
        run.push(c[i]);
        out.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: run } });
        run = [];
      }
    }
    if (run.length > 1) out.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: run } });
  }
  return out;
}

export interface MapRenderTiming {
  hotspots: number;
  hexes: number;
  /**
   * performance.now() (ms since navigation start) when the first full frame was on screen:
   * the animation frame after the one deck.gl drew it in. (With software compositing the
   * browser reads the WebGL canvas back after deck.gl's draw calls, and that waits for
   * SwiftShader to rasterize them: hundreds of ms for 8,000 hexes.)
   */
  sinceNavigationMs: number;
  /** When deck.gl had issued that frame's draw calls (`onAfterRender`, every layer loaded). */
  drawnMs: number;
  /**
   * When the same frame, drawn with Canvas 2D while deck.gl set up, was on screen (null when
   * there was none: deck.gl was set up before the hotspots arrived).
   */
  previewMs: number | null;
  /** From the page's mount to the frame on screen. */
  sinceMountMs: number;
  /** From the hotspots' arrival (decoded) to the frame on screen: deck.gl's and the rasterizer's share. */
  sinceDataMs: number;
  /** Reading the hotspots from the node (keys, values, decoding). */
  loadMs: number;
  /** performance.now() when the page's script started (the entry chunk loaded and parsed). */
  scriptStartMs: number;
  /** Whether the hotspots came from the page-start read (before @polkadot/api was up). */
  early: boolean;
  /** performance.now() when @polkadot/api was connected, if it was before the frame. */
  apiReadyMs: number | null;
}

export class MapPage extends BasePage {
  private deck: Deck<MapView> | null = null;
  private hotspots = new Map<string, Hotspot>();
  private hexes: Hex[] = [];
  private colourBy: ColourBy;
  private zoom = 11;
  private latitude = 0;
  private touched = new Set<string>();
  private loadedApi: unknown = null;
  /** The page-start read, until the first connection has taken it over (or not). */
  private early: Promise<Prefetched | null> | null;
  private shownEarly: Prefetched | null = null;
  /** Whether the hotspots drawn are the page-start read's (for the timing). */
  private fromEarly = false;
  private unsubBlock: (() => void) | null = null;
  private mountedAt = performance.now();
  private dataAt = 0;
  private loadMs = 0;
  private rendered = false;
  private scaleFetchedAt = 0;
  private scalesLoading = false;
  private selected: string | null = null;
  private fitted = false;
  private coastFine: Lines | null = null;
  private coarse: Lines | null = null;
  private coarseKey = '';
  private preview: HTMLCanvasElement | null = null;
  private previewed = false;
  private previewMs: number | null = null;

  constructor(ctx: ConstructorParameters<typeof BasePage>[0]) {
    super(ctx);
    this.colourBy = ctx.query.get('colour') === 'scale' ? 'scale' : 'count';
    this.early = ctx.prefetch ?? null;
  }
  title() {
    return 'Coverage map';
  }

  mount(el: HTMLElement): void {
    performance.mark('map:mount');
    super.mount(el);
    this.mountedAt = performance.now();
    this.body.innerHTML = `
      <div class="map-bar">
        <span><b data-testid="hex-count">–</b> res-8 hexes · <b data-testid="hotspot-count">–</b> located hotspots</span>
        <span class="toggle" role="group" aria-label="colour by">
          colour by
          <button data-colour="count">hotspot count</button>
          <button data-colour="scale">HIP-17 scale</button>
        </span>
        <span class="dim" data-testid="map-resolution">res 8</span>
        <span class="legend"></span>
      </div>
      <div class="map-wrap"><div class="map" data-testid="map"></div><div class="hex-panel" data-testid="hex-panel"><p class="dim">Click a hex for its hotspots.</p></div></div>
      <details><summary>Hexes (table)</summary><div class="hex-table"></div></details>`;
    for (const b of this.body.querySelectorAll<HTMLButtonElement>('[data-colour]')) {
      b.onclick = () => {
        this.colourBy = b.dataset.colour as ColourBy;
        this.paintToggle();
        this.render();
        if (this.colourBy === 'scale') void this.loadScales(true);
      };
    }
    this.paintToggle();
    this.body.querySelector<HTMLElement>('.hex-table')!.onclick = (ev) => {
      const row = (ev.target as HTMLElement).closest<HTMLElement>('tr[data-hex]');
      const x = row && this.hexes.find((h) => h.hex === row.dataset.hex);
      if (x) void this.select(x);
    };
    // Opened from another page (no page-start read): deck.gl, its WebGL context and the
    // layers' shaders are set up while the node is read. Opened on the map, the hotspots
    // mostly arrive before this chunk has run: their first frame is drawn in Canvas 2D at
    // once, and deck.gl is set up after it (see `render`).
    if (!this.early) requestAnimationFrame(() => this.alive && !this.deck && this.render());
    this.unsubBlock = this.ctx.chain.onBlock((b) => this.note(b.events));
    // The hotspots as read at page start: drawn as soon as they are here, whether or not
    // @polkadot/api is up yet; the first refresh checks them and catches up.
    // The coastline's lines do not depend on the chain: made while the node is read.
    void land50Ready.then(() =>
      setTimeout(() => {
        if (!this.alive || !land50) return;
        coast50 ??= coastLines(land50);
        // A frame drawn near the network with the 1:110m stand-in: redrawn with 1:50m.
        if (!this.coastFine && this.coarseKey.startsWith('110:')) this.render();
      }, 0),
    );
    void this.early?.then((p) => {
      if (p && this.alive && this.loadedApi === null && !this.dataAt) {
        performance.mark('map:data');
        this.showEarly(p);
        this.asOf(p);
        this.dataAt = performance.now();
        this.render();
      }
    });
  }

  /** Remembers the devices that `events` changed (re-read on the next refresh). */
  private note(events: ChainEvent[]) {
    for (const e of events) {
      if (e.section === 'deviceRegistry' && DEVICE_EVENTS.has(e.method) && typeof e.data.device === 'string') this.touched.add(e.data.device);
    }
  }

  private showEarly(p: Prefetched) {
    this.shownEarly = p;
    this.fromEarly = true;
    this.hotspots.clear();
    for (const h of p.hotspots) this.hotspots.set(h.key, Hotspot.fromRaw(h));
    this.loadMs = p.endMs - p.startMs;
    this.aggregate();
  }

  /**
   * Takes over the page-start read on the first connection: the same chain, the layout the
   * metadata describes, a block on the best chain at most 50 blocks back; the devices
   * changed since (per the events of the blocks in between) are re-read. False: read anew.
   */
  private async adopt(p: Prefetched, api: ApiPromise, block: BlockInfo): Promise<boolean> {
    const layout = layoutFromMetadata(api);
    if (!layout || !sameLayout(layout, DEFAULT_LAYOUT)) return false;
    if (api.genesisHash.toHex() !== p.genesis) return false;
    if (block.number < p.number || block.number - p.number > 50) return false;
    if (block.number === p.number ? block.hash !== p.hash : (await api.rpc.chain.getBlockHash(p.number)).toHex() !== p.hash) return false;
    for (let n = p.number + 1; n < block.number; n++) {
      const at = await api.at(await api.rpc.chain.getBlockHash(n));
      this.note(decodeEvents(await at.query.system.events()));
    }
    if (this.shownEarly !== p) this.showEarly(p);
    return true;
  }

  private async select(x: Hex) {
    await polkadot();
    if (!this.alive) return;
    this.selected = x.hex;
    this.showHex(this.body.querySelector<HTMLElement>('[data-testid=hex-panel]')!, x);
    this.render();
  }

  private paintToggle() {
    for (const b of this.body.querySelectorAll<HTMLButtonElement>('[data-colour]')) b.classList.toggle('on', b.dataset.colour === this.colourBy);
  }

  unmount(): void {
    super.unmount();
    this.unsubBlock?.();
    this.deck?.finalize();
    this.deck = null;
  }

  async refresh(block: BlockInfo): Promise<void> {
    const api = this.ctx.chain.api!;
    await polkadot();
    const at = await api.at(block.hash);
    let changed = false;
    const newApi = this.loadedApi !== api;
    if (newApi) {
      ss58Format = api.registry.chainSS58 ?? 42;
      ss58Known = true;
      const early = this.early;
      this.early = null;
      this.ctx.prefetch = undefined;
      const p = early ? await early : null;
      const adopted = p !== null && (await this.adopt(p, api, block).catch(() => false));
      // The page-start read's fate, for tests and measurements: taken over or read anew.
      if (p) this.body.querySelector<HTMLElement>('.map')!.dataset.early = adopted ? 'adopted' : 'replaced';
      if (!adopted) {
        // First load (or a new connection): every device.
        changed = true;
        const t0 = performance.now();
        const layout = layoutFromMetadata(api);
        const provider = this.ctx.chain.provider!;
        this.fromEarly = false;
        const raw = layout && (await readHotspots((m, ps) => provider.send(m, ps), block.hash, layout).catch(() => null));
        this.hotspots.clear();
        if (raw) {
          for (const h of raw) this.hotspots.set(h.key, Hotspot.fromRaw(h));
        } else {
          const entries = await at.query.deviceRegistry.devices.entries();
          for (const [key, value] of entries) this.put(key.args[0].toString(), value.toJSON());
        }
        this.loadMs = performance.now() - t0;
        this.touched.clear();
      }
      this.loadedApi = api;
      this.shownEarly = null; // taken over or replaced: its 10,000 records can go
      if (!this.dataAt) changed = true;
    }
    if (this.touched.size) {
      const ids = [...this.touched];
      this.touched.clear();
      changed = true;
      const values = await at.query.deviceRegistry.devices.multi(ids);
      ids.forEach((id, i) => this.put(id, values[i].toJSON()));
    }
    if (!this.alive) return;
    this.asOf(block);
    // Nothing to redraw unless a device changed (deck.gl redraws cost a frame each).
    if (!changed && this.dataAt) {
      if (newApi && this.colourBy === 'scale') void this.loadScales(false);
      return;
    }
    this.aggregate();
    if (!this.dataAt) this.dataAt = performance.now();
    this.render();
    if (this.colourBy === 'scale') void this.loadScales(false);
  }

  private put(id: string, info: unknown) {
    const { u8aToHex, decodeAddress } = pd!;
    const key = u8aToHex(decodeAddress(id));
    const d = info as { owner: string; kind: string; status: string; location: { cell: string | number } | null } | null;
    if (!d || variant(d.kind) !== 'Hotspot' || !d.location) {
      this.hotspots.delete(key);
      return;
    }
    const cell = h3Hex(d.location.cell);
    const prev = this.hotspots.get(key);
    this.hotspots.set(key, new Hotspot(key, u8aToHex(decodeAddress(String(d.owner))), variant(d.status), cell, parent8(cell), prev?.cell === cell ? prev.scale : undefined));
  }

  private aggregate() {
    const by = new Map<string, Hex>();
    for (const h of this.hotspots.values()) {
      let x = by.get(h.hex8);
      if (!x) by.set(h.hex8, (x = { hex: h.hex8, hotspots: [], count: 0, scale: null }));
      x.hotspots.push(h);
      x.count++;
    }
    for (const x of by.values()) {
      const scales = x.hotspots.map((h) => h.scale).filter((s): s is number => s !== undefined);
      x.scale = scales.length ? scales.reduce((a, b) => a + b, 0) / scales.length : null;
    }
    this.hexes = [...by.values()].sort((a, b) => b.count - a.count);
    this.body.querySelector('[data-testid=hex-count]')!.textContent = String(this.hexes.length);
    this.body.querySelector('[data-testid=hotspot-count]')!.textContent = String(this.hotspots.size);
    const panel = this.body.querySelector<HTMLElement>('[data-testid=hex-panel]')!;
    if (!this.hexes.length) panel.innerHTML = '<p class="dim">No located hotspot on the chain yet.</p>';
    else if (!panel.dataset.hex) panel.innerHTML = '<p class="dim">Click a hex for its hotspots.</p>';
    const tbl = this.body.querySelector('.hex-table')!;
    const shown = this.hexes.slice(0, 200);
    tbl.innerHTML = `<table data-testid="hex-table"><thead><tr><th>res-8 hex</th><th>hotspots</th><th>HIP-17 scale</th></tr></thead><tbody>${shown
      .map((x) => `<tr data-hex="${x.hex}"><td class="mono">${x.hex}</td><td>${x.count}</td><td>${x.scale === null ? '–' : x.scale.toFixed(3)}</td></tr>`)
      .join('')}</tbody></table>${this.hexes.length > shown.length ? `<p class="dim">${this.hexes.length - shown.length} more</p>` : ''}`;
  }

  /** The chain's HIP-17 scale of every hotspot (a runtime call each); at most every 20 s unless forced. */
  private async loadScales(force: boolean) {
    const api = this.ctx.chain.api;
    if (!api || this.scalesLoading) return;
    if (!force && performance.now() - this.scaleFetchedAt < 20_000) return;
    this.scalesLoading = true;
    try {
      const list = [...this.hotspots.values()];
      await pool(list, 16, async (h) => {
        const s = await api.call.coverageApi.hexScale(h.key);
        const j = s.toJSON();
        h.scale = j === null ? undefined : fixedU128(j);
      });
      this.scaleFetchedAt = performance.now();
      if (!this.alive) return;
      this.aggregate();
      this.render();
    } catch {
      // disconnected; the next refresh retries
    } finally {
      this.scalesLoading = false;
    }
  }

  private colour(x: { count: number; scale: number | null }, max: number): [number, number, number, number] {
    if (this.colourBy === 'scale') {
      if (x.scale === null) return [150, 150, 150, 160];
      const s = Math.max(0, Math.min(1, x.scale));
      return [Math.round(220 * (1 - s) + 30 * s), Math.round(60 * (1 - s) + 170 * s), Math.round(60 * (1 - s) + 90 * s), 200];
    }
    const t = max <= 1 ? 1 : Math.log(x.count) / Math.log(max);
    return [Math.round(255 - 200 * t), Math.round(200 - 120 * t), Math.round(60 + 150 * t), 210];
  }

  private legend(max: number) {
    const el = this.body.querySelector('.legend')!;
    el.innerHTML =
      this.colourBy === 'scale'
        ? `<i style="background:rgb(220,60,60)"></i>0 <i style="background:rgb(125,115,75)"></i> <i style="background:rgb(30,170,90)"></i>1 (grey: not yet read)`
        : `<i style="background:rgb(255,200,60)"></i>1 <i style="background:rgb(55,80,210)"></i>${max} hotspots`;
  }

  private render() {
    const container = this.body.querySelector<HTMLElement>('.map');
    if (!container || !this.alive) return;
    const max = this.hexes.reduce((m, x) => Math.max(m, x.count), 1);
    this.legend(max);
    // The view this frame shows: the world until there are hexes, then fitted to them once.
    const { clientWidth: w, clientHeight: h } = container;
    const fitView = !this.deck || (!this.fitted && this.hexes.length) ? this.initialView(w || 800, h || 500) : null;
    if (fitView) {
      this.zoom = fitView.zoom;
      this.latitude = fitView.latitude;
    }
    const fine = this.zoom >= FINE_ZOOM;
    const outlined = hexEdgePx(this.zoom, this.latitude) >= OUTLINE_EDGE_PX;
    const selected = !fine && this.selected ? this.hexes.find((x) => x.hex === this.selected) : undefined;
    this.body.querySelector('[data-testid=map-resolution]')!.textContent = fine ? 'res 12 cells' : 'res 8 hexes';
    const colourKey = `${this.colourBy}-${this.scaleFetchedAt}-${this.hexes.length}-${this.hotspots.size}`;
    const coastData = this.coastFine ?? this.coarseCoast();
    const layers = [
      new GeoJsonLayer({ id: this.coastFine ? 'coast10' : 'coast50', data: coastData, stroked: true, filled: false, getLineColor: [70, 90, 110], lineWidthUnits: 'pixels', getLineWidth: 1.5 }),
      fine
        ? new H3HexagonLayer<Hotspot>({
            id: 'cells12',
            data: [...this.hotspots.values()],
            getHexagon: (h) => h.cell,
            getFillColor: (h) => this.colour({ count: 1, scale: h.scale ?? null }, 1),
            extruded: false,
            pickable: true,
            stroked: true,
            getLineColor: [40, 40, 40],
            lineWidthMinPixels: 1,
            updateTriggers: { getFillColor: colourKey },
          })
        : new H3HexagonLayer<Hex>({
            id: 'hexes8',
            data: this.hexes,
            getHexagon: (x) => x.hex,
            getFillColor: (x) => this.colour(x, max),
            extruded: false,
            pickable: true,
            stroked: outlined,
            getLineColor: [60, 60, 60, 160],
            getLineWidth: 1,
            lineWidthUnits: 'pixels',
            updateTriggers: { getFillColor: colourKey },
          }),
      // The selected hex, outlined at any zoom.
      new H3HexagonLayer<Hex>({
        id: 'selected8',
        data: selected ? [selected] : [],
        getHexagon: (x) => x.hex,
        extruded: false,
        filled: false,
        stroked: true,
        getLineColor: [0, 0, 0, 255],
        getLineWidth: 3,
        lineWidthUnits: 'pixels',
      }),
    ];
    if (!this.deck && this.hexes.length && !fine && !this.previewed) {
      this.previewed = true;
      // The first frame with hexes, in Canvas 2D (tens of ms); deck.gl (its WebGL context,
      // shaders and first frame: a second or more in software WebGL) once that is on screen.
      // (Res-12 cells, at city zooms, go to deck.gl directly.)
      this.drawPreview(container, fitView!, coastData, max, outlined);
      requestAnimationFrame(() =>
        setTimeout(() => {
          if (!this.alive) return;
          // This frame's commit (the preview on screen) came before this task.
          this.previewMs = performance.now();
          this.body.querySelector<HTMLElement>('.map')!.dataset.preview = 'true';
          window.dispatchEvent(new Event(MAP_FIRST_FRAME));
          if (!this.deck) this.render();
        }, 0),
      );
      return;
    }
    if (!this.deck) {
      performance.mark('map:deck');
      this.deck = new Deck<MapView>({
        parent: container as HTMLDivElement,
        // Multisampling doubles a software rasterizer's work per frame; a GPU's is kept.
        deviceProps: { webgl: { antialias: !softwareWebGL() } },
        views: new MapView({ repeat: false }),
        initialViewState: fitView!,
        controller: true,
        layers,
        onViewStateChange: ({ viewState }) => {
          const { zoom: z, latitude: lat } = viewState as { zoom: number; latitude: number };
          const crossed =
            z >= FINE_ZOOM !== this.zoom >= FINE_ZOOM ||
            hexEdgePx(z, lat) >= OUTLINE_EDGE_PX !== hexEdgePx(this.zoom, this.latitude) >= OUTLINE_EDGE_PX;
          this.zoom = z;
          this.latitude = lat;
          this.removePreview();
          if (crossed) this.render();
          return viewState;
        },
        getTooltip: (info: PickingInfo) => this.tooltip(info),
        onClick: (info: PickingInfo) => this.pick(info),
        onAfterRender: () => this.afterRender(),
      });
      (window as unknown as { assayDeck: unknown }).assayDeck = this.deck;
    } else {
      if (fitView) this.deck.setProps({ initialViewState: fitView });
      this.deck.setProps({ layers });
    }
    if (this.hexes.length) this.fitted = true;
  }

  /** The hexes' bounding box widened by `margin` degrees, [w, s, e, n]. */
  private dataBox(margin: number): [number, number, number, number] {
    let [w, so, e, n] = [180, 90, -180, -90];
    for (const x of this.hexes) {
      const [lat, lng] = centre(x);
      w = Math.min(w, lng);
      e = Math.max(e, lng);
      so = Math.min(so, lat);
      n = Math.max(n, lat);
    }
    if (w > e) return [-180, -90, 180, 90];
    return [w - margin, Math.max(-90, so - margin), e + margin, Math.min(90, n + margin)];
  }

  /** The 1:50m coastline near the network (1:110m until it is loaded; the world at 1:110m before any hotspot is known). */
  private coarseCoast(): Lines {
    coast110 ??= coastLines(land110);
    if (!this.hexes.length) return coast110;
    if (land50) coast50 ??= coastLines(land50);
    const box = this.dataBox(8);
    const key = `${coast50 ? 50 : 110}:${box.map((v) => Math.round(v)).join(',')}`;
    if (key !== this.coarseKey) {
      this.coarseKey = key;
      this.coarse = clip(coast50 ?? coast110, box);
    }
    return this.coarse!;
  }

  private initialView(w: number, h: number) {
    const pts = this.hexes.map(centre);
    if (!pts.length) return { longitude: 0, latitude: 25, zoom: 0.8, pitch: 0, bearing: 0 };
    // The bulk of the network: the 10th to 90th percentiles (a far-away outlier, such as a
    // spoofer asserting another city, does not shrink everyone else to dots).
    const trim = pts.length >= 8 ? Math.floor(pts.length * 0.1) : 0;
    const lats = pts.map((p) => p[0]).sort((a, b) => a - b);
    const lngs = pts.map((p) => p[1]).sort((a, b) => a - b);
    const [minLat, maxLat] = [lats[trim], lats[lats.length - 1 - trim]];
    const [minLng, maxLng] = [lngs[trim], lngs[lngs.length - 1 - trim]];
    const pad = 0.02;
    const vp = new WebMercatorViewport({ width: w, height: h }).fitBounds(
      [
        [minLng - pad, minLat - pad],
        [maxLng + pad, maxLat + pad],
      ],
      { padding: 20 },
    );
    return { longitude: vp.longitude, latitude: vp.latitude, zoom: Math.min(vp.zoom, 14), pitch: 0, bearing: 0 };
  }

  private afterRender() {
    if (this.rendered || !this.deck || !this.dataAt) return;
    if (!this.deck.isInitialized) return;
    if (!this.hexes.length) {
      // An empty chain's map (the world): nothing to time, but the frame is drawn.
      window.dispatchEvent(new Event(MAP_FIRST_FRAME));
      return;
    }
    const layers = this.deck.props.layers as Array<{ id: string; isLoaded: boolean }>;
    if (!layers.every((l) => l.isLoaded)) return;
    this.rendered = true;
    const drawn = performance.now();
    // The next animation frame comes once this one is composited (on screen).
    requestAnimationFrame(() => this.onScreen(drawn));
  }

  private onScreen(drawn: number) {
    if (!this.alive) return;
    const now = performance.now();
    this.removePreview();
    const timing: MapRenderTiming = {
      hotspots: this.hotspots.size,
      hexes: this.hexes.length,
      sinceNavigationMs: Math.round(now),
      drawnMs: Math.round(drawn),
      previewMs: this.previewMs === null ? null : Math.round(this.previewMs),
      sinceMountMs: Math.round(now - this.mountedAt),
      sinceDataMs: Math.round(now - this.dataAt),
      loadMs: Math.round(this.loadMs),
      scriptStartMs: Math.round(scriptStartMs),
      early: this.fromEarly,
      apiReadyMs: this.ctx.chain.connectedAtMs === null ? null : Math.round(this.ctx.chain.connectedAtMs),
    };
    (window as unknown as { assayMapRender: MapRenderTiming }).assayMapRender = timing;
    const m = this.body.querySelector<HTMLElement>('.map')!;
    m.dataset.rendered = 'true';
    window.dispatchEvent(new Event(MAP_FIRST_FRAME));
    m.dataset.renderMs = String(timing.sinceDataMs);
    // The finer coastline after the first full frame (it is not needed to see the hexes).
    void loadFineCoast().then(() => {
      if (!this.alive) return;
      this.coastFine = clip(coast10All ?? [], this.dataBox(2));
      this.body.querySelector<HTMLElement>('.map')!.dataset.coast = '10m';
      this.render();
    });
  }

  /**
   * Every hex and the coastline as deck.gl will draw them at `view`, into a canvas under
   * deck.gl's: no interaction (deck.gl's canvas above takes the events), removed when
   * deck.gl's first frame is on screen or the view moves.
   */
  private drawPreview(container: HTMLElement, view: { longitude: number; latitude: number; zoom: number }, coast: Lines, max: number, outlined: boolean) {
    const w = container.clientWidth || 800;
    const h = container.clientHeight || 500;
    const dpr = window.devicePixelRatio || 1;
    const canvas = document.createElement('canvas');
    canvas.className = 'map-preview';
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    // Web Mercator as deck.gl's MapView projects it (512-pixel world at zoom 0).
    const P = 256 / Math.PI;
    const D = Math.PI / 180;
    const k = 2 ** view.zoom;
    const wy = (lat: number) => P * (Math.PI + Math.log(Math.tan(Math.PI / 4 + (lat * D) / 2)));
    const x0 = w / 2 - P * (view.longitude * D + Math.PI) * k;
    const y0 = h / 2 + wy(view.latitude) * k;
    const px = (lng: number) => x0 + P * (lng * D + Math.PI) * k;
    const py = (lat: number) => y0 - wy(lat) * k;
    ctx.beginPath();
    for (const f of coast) {
      f.geometry.coordinates.forEach(([lng, lat], i) => {
        if (i) ctx.lineTo(px(lng), py(lat));
        else ctx.moveTo(px(lng), py(lat));
      });
    }
    ctx.strokeStyle = 'rgb(70, 90, 110)';
    ctx.lineWidth = 1.5;
    ctx.stroke();
    // Every hex is the hex nearest the view's centre moved to its own centre, as deck.gl's
    // H3HexagonLayer draws them (one shared hexagon, instanced).
    let ref = this.hexes[0];
    let best = Infinity;
    for (const x of this.hexes) {
      const [lat, lng] = centre(x);
      const d = (lat - view.latitude) ** 2 + (lng - view.longitude) ** 2;
      if (d < best) [best, ref] = [d, x];
    }
    const [rlat, rlng] = centre(ref);
    const shape = cellToBoundary(ref.hex).map(([lat, lng]) => [px(lng) - px(rlng), py(lat) - py(rlat)]);
    // By colour, 32 hexes a path: a canvas path of thousands of subpaths costs time
    // quadratic in them (0.6 s for 8,000), one path per hex a fill call each.
    const byStyle = new Map<string, Hex[]>();
    for (const x of this.hexes) {
      const [r, g, b, a] = this.colour(x, max);
      const style = `rgba(${r}, ${g}, ${b}, ${a / 255})`;
      const list = byStyle.get(style);
      if (list) list.push(x);
      else byStyle.set(style, [x]);
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(60, 60, 60, 0.63)';
    for (const [style, list] of byStyle) {
      ctx.fillStyle = style;
      for (let j = 0; j < list.length; j += 32) {
        ctx.beginPath();
        for (const x of list.slice(j, j + 32)) {
          const [lat, lng] = centre(x);
          const cx = px(lng);
          const cy = py(lat);
          ctx.moveTo(cx + shape[0][0], cy + shape[0][1]);
          for (let i = 1; i < shape.length; i++) ctx.lineTo(cx + shape[i][0], cy + shape[i][1]);
          ctx.closePath();
        }
        ctx.fill();
        if (outlined) ctx.stroke();
      }
    }
    container.prepend(canvas);
    this.preview = canvas;
  }

  private removePreview() {
    this.preview?.remove();
  }

  private tooltip(info: PickingInfo): string | null {
    const o = info.object as Hex | Hotspot | undefined;
    if (!o) return null;
    if ('hotspots' in o) return `${o.hex}\n${o.count} hotspot${o.count === 1 ? '' : 's'}${o.scale === null ? '' : `\nHIP-17 scale ${o.scale.toFixed(3)}`}`;
    return `${o.id}\ncell ${o.cell}${o.scale === undefined ? '' : `\nHIP-17 scale ${o.scale.toFixed(3)}`}`;
  }

  private pick(info: PickingInfo) {
    const o = info.object as Hex | Hotspot | undefined;
    if (!o) return;
    if (!('hotspots' in o)) {
      void polkadot().then(() => (location.hash = `#/device/${o.id}`));
      return;
    }
    void this.select(o);
  }

  /** The panel of one res-8 hex (also used by the tests through `selectHex`). */
  showHex(panel: HTMLElement, x: Hex) {
    panel.dataset.hex = x.hex;
    panel.innerHTML = `<h4>Hex <span class="mono">${esc(x.hex)}</span></h4><p>${x.count} hotspot${x.count === 1 ? '' : 's'}${
      x.scale === null ? '' : ` · HIP-17 scale ${x.scale.toFixed(3)}`
    }</p><ul data-testid="hex-hotspots">${x.hotspots
      .map((h) => `<li>${deviceLink(h.id)} <span class="dim">${esc(h.status)}</span> owner ${accountLink(h.owner)}${h.scale === undefined ? '' : ` scale ${h.scale.toFixed(3)}`}</li>`)
      .join('')}</ul>`;
  }
}
