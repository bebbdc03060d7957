// Against the demo chain (scripts/demo.sh, after the device agent's run): what the page's
// DOM shows is compared with what the chain stores, read here with @polkadot/api.
import { test, expect } from '@playwright/test';
import { cellToParent } from 'h3-js';
import { RPC, connect, offMachine, shot } from './chain';

test.skip(!RPC, 'ASSAY_RPC (the demo chain) is not set; scripts/demo.sh sets it with EXPLORER_TEST=1');

// Untyped: no types are generated from the runtime metadata for the tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let api: any;
test.beforeAll(async () => {
  api = await connect(RPC);
});
test.afterAll(async () => {
  await api?.disconnect();
});
// Nothing is fetched from the internet at run time.
let remote: string[] = [];
test.beforeEach(({ page }) => {
  remote = offMachine(page);
});
test.afterEach(() => {
  expect(remote, 'requests beyond 127.0.0.1').toEqual([]);
});

const url = (hash: string) => `/?rpc=${encodeURIComponent(RPC)}#/${hash}`;

/** The block the page rendered from (its "as of" line). */
async function pageBlock(page: import('@playwright/test').Page) {
  const asof = page.getByTestId('page-block');
  await expect(asof).toHaveAttribute('data-hash', /^0x/);
  return { hash: (await asof.getAttribute('data-hash'))!, number: Number(await asof.getAttribute('data-number')) };
}

test('the map shows one hex per res-8 cell of the located hotspots, and a hex lists its hotspots', async ({ page }, info) => {
  const devices = await api.query.deviceRegistry.devices.entries();
  const located = devices
    .map(([k, v]) => ({ id: k.args[0].toString(), d: v.unwrap() }))
    .filter(({ d }) => d.kind.toString() === 'Hotspot' && d.location.isSome);
  const hexes = new Map<string, string[]>();
  for (const { id, d } of located) {
    const hex = cellToParent(d.location.unwrap().cell.toBigInt().toString(16), 8);
    hexes.set(hex, [...(hexes.get(hex) ?? []), id]);
  }
  expect(hexes.size).toBeGreaterThan(0);

  await page.goto(url('map'));
  await expect(page.getByTestId('conn-state')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('hex-count')).toHaveText(String(hexes.size));
  await expect(page.getByTestId('hotspot-count')).toHaveText(String(located.length));
  // deck.gl drew every hex (the page marks its first full frame).
  await expect(page.getByTestId('map')).toHaveAttribute('data-rendered', 'true');
  const timing = await page.evaluate(() => (window as unknown as { assayMapRender: unknown }).assayMapRender);
  console.log(`map first full render: ${JSON.stringify(timing)}`);

  // The live feed follows blocks and finality.
  await expect(page.getByTestId('feed').locator('> li').first()).toBeVisible();
  await expect(page.getByTestId('finalized-height')).toHaveText(/^#\d+$/);

  // Select the busiest hex from the table: the panel lists exactly its hotspots.
  const [hex, ids] = [...hexes].sort((a, b) => b[1].length - a[1].length)[0];
  await page.locator('summary', { hasText: 'Hexes' }).click();
  await page.locator(`tr[data-hex="${hex}"]`).click();
  const listed = await page.getByTestId('hex-hotspots').locator('a[data-device]').evaluateAll((as) => as.map((a) => a.getAttribute('data-device')));
  expect(listed.sort()).toEqual([...ids].sort());
  await expect(page.getByTestId('map')).toHaveAttribute('data-coast', '10m');
  await page.waitForTimeout(500);
  await shot(page, info, 'map');

  // Colour by HIP-17 scale: the scales the chain computes, read per hotspot.
  await page.getByRole('button', { name: 'HIP-17 scale' }).click();
  await expect(page.locator(`tr[data-hex="${hex}"] td`).nth(2)).toHaveText(/^\d\.\d{3}$/);
  const scales = await Promise.all(ids.map(async (id) => Number((await api.call.coverageApi.hexScale(id)).unwrap().toBigInt()) / 1e18));
  const mean = scales.reduce((a, b) => a + b, 0) / scales.length;
  expect(Number(await page.locator(`tr[data-hex="${hex}"] td`).nth(2).textContent())).toBeCloseTo(mean, 2);
  await shot(page, info, 'map-scale');
});

test('a hotspot page lists a beacon with the verdicts the chain stored', async ({ page }, info) => {
  const next = (await api.query.proofOfCoverage.nextBeaconId()).toNumber();
  let chosen: { id: number; beaconer: string; verdicts: Map<string, string> } | null = null;
  for (let id = next - 1; id >= 0 && !chosen; id--) {
    const v = (await api.call.coverageApi.beacon(id)).unwrapOr(null);
    if (!v || !v.beacon.phase.isVerified) continue;
    const verdicts = new Map<string, string>();
    for (const w of v.witnesses) {
      const h = w.report.verdict.toHuman() as string | Record<string, string>;
      verdicts.set(w.witness.toString(), typeof h === 'string' ? h : Object.entries(h).map(([k, r]) => `${k}: ${r}`)[0]);
    }
    const kinds = new Set([...verdicts.values()].map((t) => t.split(':')[0]));
    // Prefer a beacon with both a selected and a rejected witness.
    if ((kinds.has('Selected') && kinds.has('Invalid')) || id < next - 40) chosen = { id, beaconer: v.beacon.beaconer.toString(), verdicts };
  }
  expect(chosen, 'a verified beacon').not.toBeNull();
  const { id, beaconer, verdicts } = chosen!;

  await page.goto(url(`device/${beaconer}`));
  await expect(page.getByTestId('device-kind')).toHaveText('Hotspot');
  const info0 = (await api.call.deviceRegistryApi.device(beaconer)).unwrap();
  await expect(page.getByTestId('device-owner').locator('a')).toHaveAttribute('title', info0.owner.toString());
  await expect(page.getByTestId('device-status')).toHaveText(info0.status.toString());
  const beacon = page.locator(`[data-testid=beacon][data-beacon="${id}"]`);
  await expect(beacon).toBeVisible();
  await expect(beacon.getByTestId('beacon-phase')).toHaveText(/^Verified/);
  const shown = await beacon.getByTestId('verdict').evaluateAll((els) => els.map((e) => [e.getAttribute('data-witness'), e.textContent]));
  expect(new Map(shown as [string, string][])).toEqual(verdicts);
  await expect(page.getByTestId('epochs')).toBeVisible();
  await shot(page, info, 'hotspot');
});

test('the energy page shows the clearing price and volume the chain stored', async ({ page }, info) => {
  const keys = await api.query.energyMarket.clearings.keys();
  expect(keys.length).toBeGreaterThan(0);
  const slots = keys.map((k) => k.args[0].toJSON() as [number, number]).sort((a, b) => b[1] - a[1]);
  // The latest settled slot (positions too), else the latest cleared one.
  let pick = slots[0];
  for (const s of slots) {
    if ((await api.call.energyApi.clearing(s[0], s[1])).unwrap().settled.isSome) {
      pick = s;
      break;
    }
  }
  const [zone, slot] = pick;
  await page.goto(url(`energy?zone=${zone}&slot=${slot}`));
  await expect(page.getByTestId('slot')).toHaveText(String(slot));
  const { hash } = await pageBlock(page);
  const clearing = (await (await api.at(hash)).call.energyApi.clearing(zone, slot)).unwrap();
  await expect(page.getByTestId('clearing-price')).toHaveText(clearing.price.toString());
  await expect(page.getByTestId('clearing-volume')).toHaveText(clearing.volume.toString());
  await expect(page.getByTestId('order-curves').locator('circle.clearpt')).toHaveCount(1);
  if (clearing.settled.isSome) {
    const positions = await (await api.at(hash)).query.energyMarket.settledPositions.entries([zone, slot]);
    await expect(page.getByTestId('positions').locator('tbody tr')).toHaveCount(positions.length);
  }
  await shot(page, info, 'energy');
});

test('a compute job shows its workers, their states and the agreed result', async ({ page }, info) => {
  const next = (await api.query.computeMarket.nextJobId()).toNumber();
  expect(next).toBeGreaterThan(0);
  let job = null;
  let id = next - 1;
  for (; id >= 0; id--) {
    job = (await api.call.computeApi.job(id)).unwrapOr(null);
    if (job && job.phase.isCompleted) break;
  }
  expect(job, 'a completed job').not.toBeNull();
  await page.goto(url('compute'));
  const el = page.locator(`[data-testid=job][data-job="${id}"]`);
  await expect(el.getByTestId('job-phase')).toHaveText('Completed');
  await expect(el.getByTestId('job-result')).toHaveText(`[${job!.result.unwrap().map((x) => x.toString()).join(', ')}]`);
  const workers = await el.getByTestId('job-worker').evaluateAll((els) => els.map((e) => e.getAttribute('data-worker')));
  expect(workers).toEqual(job!.assignments.map((a) => a.worker.toString()));
  const states = await el.getByTestId('work-state').allTextContents();
  expect(states.map((s) => s.split(' ')[0])).toEqual(job!.assignments.map((a) => a.work.type));
  // Who was paid: the WorkerPaid events of the block that completed the job.
  const at = job!.phase.asCompleted.at.toNumber();
  const events = await (await api.at(await api.rpc.chain.getBlockHash(at))).query.system.events();
  const paid = events.filter(({ event }) => event.section === 'computeMarket' && event.method === 'WorkerPaid' && event.data[0].toString() === String(id)).map(({ event }) => event.data[1].toString());
  const outcomes = await el.getByTestId('worker-outcome').allTextContents();
  workers.forEach((w, i) => expect(outcomes[i].startsWith('paid'), `worker ${w}`).toBe(paid.includes(w!)));
  await expect(page.getByTestId('models').locator('tbody tr')).toHaveCount((await api.call.computeApi.models()).length);
  await shot(page, info, 'compute');
});

test("an account's earnings match EarningsApi", async ({ page }, info) => {
  const entries = await api.query.earnings.earned.entries();
  const total = (r: { validation: { toBigInt(): bigint }; coverage: { toBigInt(): bigint }; compute: { toBigInt(): bigint }; energy: { toBigInt(): bigint } }) => r.validation.toBigInt() + r.coverage.toBigInt() + r.compute.toBigInt() + r.energy.toBigInt();
  // The owner earning from the most sources, then the most.
  const ranked = entries
    .map(([k, v]) => ({ who: k.args[0].toString(), r: v, n: ['validation', 'coverage', 'compute', 'energy'].filter((s) => (v as unknown as Record<string, { toBigInt(): bigint }>)[s].toBigInt() > 0n).length }))
    .sort((a, b) => b.n - a.n || (total(b.r) > total(a.r) ? 1 : -1));
  const who = ranked[0].who;
  await page.goto(url(`earnings/${who}`));
  const { hash } = await pageBlock(page);
  const rec = await (await api.at(hash)).call.earningsApi.earnings(who);
  for (const s of ['validation', 'coverage', 'compute', 'energy'] as const) {
    await expect(page.getByTestId(`earned-${s}`)).toHaveAttribute('data-plancks', rec[s].toBigInt().toString());
  }
  await expect(page.getByTestId('earned-total')).toHaveAttribute('data-plancks', total(rec).toString());
  await expect(page.getByTestId('earnings-chart').locator('canvas')).toBeVisible();
  await shot(page, info, 'earnings');
});
