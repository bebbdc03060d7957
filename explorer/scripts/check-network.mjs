// Opens every page of the built explorer against a running node in headless Debian
// Chromium and checks it works there: connected, the live feed filled, best and finalized
// heights advancing, each page rendered at a block with no error line, no uncaught error
// or console error, and no request leaving 127.0.0.1 (nothing fetched from the internet).
//
//   npm run build
//   node scripts/check-network.mjs --rpc ws://127.0.0.1:9971 [--rpc ws://127.0.0.1:9972 …] [--wait 90]
//
// Prints one line per check and exits non-zero if any failed.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const rpcs = process.argv.flatMap((a, i) => (a === '--rpc' ? [process.argv[i + 1]] : []));
if (!rpcs.length) rpcs.push('ws://127.0.0.1:9944');
const waitIdx = process.argv.indexOf('--wait');
const waitS = waitIdx >= 0 ? Number(process.argv[waitIdx + 1]) : 90;

const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const root = fileURLToPath(new URL('..', import.meta.url));
const server = spawn('./node_modules/.bin/vite', ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: root, stdio: 'ignore' });
process.on('exit', () => server.kill());
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
  } catch {
    await new Promise((r) => setTimeout(r, 200));
  }
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed++;
};
const height = async (page, id) => Number(((await page.getByTestId(id).textContent()) ?? '').replace(/^#/, '')) || 0;

for (const rpc of rpcs) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  const remote = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('request', (r) => !/^(https?|wss?):\/\/127\.0\.0\.1[:/]|^data:/.test(r.url()) && remote.push(r.url()));
  page.on('websocket', (ws) => !/^wss?:\/\/127\.0\.0\.1[:/]/.test(ws.url()) && remote.push(ws.url()));
  const base = `http://127.0.0.1:${port}/?rpc=${encodeURIComponent(rpc)}`;

  await page.goto(`${base}#/map`);
  await page.getByTestId('conn-state').and(page.locator('[data-state=connected]')).waitFor({ timeout: 60_000 }).catch(() => {});
  check((await page.getByTestId('conn-state').getAttribute('data-state')) === 'connected', `${rpc}: connected (${await page.getByTestId('conn-state').textContent()})`);
  // The first full frame is marked once there is a hex to draw; an empty chain's map shows the world.
  await page.getByTestId('hotspot-count').filter({ hasText: /^\d+$/ }).waitFor({ timeout: 60_000 }).catch(() => {});
  const located = await page.getByTestId('hotspot-count').textContent();
  if (located !== '0') await page.getByTestId('map').and(page.locator('[data-rendered=true]')).waitFor({ timeout: 60_000 }).catch(() => {});
  const drawn = located === '0' ? (await page.locator('[data-testid=map] canvas').count()) > 0 : (await page.getByTestId('map').getAttribute('data-rendered')) === 'true';
  check(/^\d+$/.test(located ?? '') && drawn, `${rpc}: map drawn (${await page.getByTestId('hex-count').textContent()} hexes, ${located} located hotspots) as of block #${await page.getByTestId('page-block').getAttribute('data-number')}`);

  if (located !== '0') {
    const t = await page.evaluate(() => window.assayMapRender);
    await page.getByTestId('map').and(page.locator('[data-early]')).waitFor({ timeout: 30_000 }).catch(() => {});
    console.log(`     first full frame on screen ${t.previewMs ?? t.sinceNavigationMs} ms after navigation (deck.gl's ${t.sinceNavigationMs} ms), from the ${t.early ? 'page-start read (before @polkadot/api was up)' : 'connection'}; that read ${await page.getByTestId('map').getAttribute('data-early')} by the connection`);
  }
  const best0 = await height(page, 'best-height');
  const fin0 = await height(page, 'finalized-height');
  const deadline = Date.now() + waitS * 1000;
  while (Date.now() < deadline && !((await height(page, 'finalized-height')) > fin0 && (await height(page, 'best-height')) > best0)) await page.waitForTimeout(1000);
  const best1 = await height(page, 'best-height');
  const fin1 = await height(page, 'finalized-height');
  check(best1 > best0, `${rpc}: best height advances (#${best0} → #${best1})`);
  check(fin1 > fin0, `${rpc}: finalized height advances (#${fin0} → #${fin1})`);
  const feed = await page.getByTestId('feed').locator('> li').count();
  const ticked = await page.getByTestId('feed').locator('> li.final').count();
  check(feed >= 5 && ticked >= 1, `${rpc}: live feed has ${feed} blocks, ${ticked} ticked finalized`);

  const titles = { devices: 'Devices', energy: 'Energy market', compute: 'Compute market', earnings: 'Earnings' };
  for (const [route, title] of Object.entries(titles)) {
    await page.goto(`${base}#/${route}`);
    await page.locator('#page h2', { hasText: title }).waitFor({ timeout: 30_000 }).catch(() => {});
    const asof = page.getByTestId('page-block');
    await asof.and(page.locator('[data-number]')).waitFor({ timeout: 60_000 }).catch(() => {});
    const n = await asof.getAttribute('data-number');
    const err = await page.locator('#page .error:not([hidden])').count();
    check(n !== null && err === 0, `${rpc}: #/${route} rendered as of block #${n}${err ? ' WITH AN ERROR LINE' : ''}`);
  }
  // A device's page, the first one the devices list links to.
  await page.goto(`${base}#/devices`);
  await page.locator('#page h2', { hasText: 'Devices' }).waitFor({ timeout: 30_000 }).catch(() => {});
  const device = await page.locator('#page a[data-device]').first().getAttribute('data-device', { timeout: 30_000 }).catch(() => null);
  if (device) {
    await page.goto(`${base}#/device/${device}`);
    await page.getByTestId('device-kind').waitFor({ timeout: 30_000 }).catch(() => {});
    check((await page.getByTestId('device-kind').count()) > 0, `${rpc}: #/device/${device.slice(0, 8)}… shows a ${await page.getByTestId('device-kind').textContent().catch(() => '?')}`);
  }
  check(errors.length === 0, `${rpc}: no page or console errors${errors.length ? `: ${errors.slice(0, 5).join(' | ')}` : ''}`);
  check(remote.length === 0, `${rpc}: nothing requested beyond 127.0.0.1${remote.length ? `: ${remote.slice(0, 5).join(' ')}` : ''}`);
  await page.close();
}
await browser.close();
server.kill();
console.log(failed ? `${failed} check(s) failed` : 'all checks passed');
process.exit(failed ? 1 : 0);
