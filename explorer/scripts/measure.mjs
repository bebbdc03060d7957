// The explorer's two figures, in headless Debian Chromium against a running chain:
//  1. the map's first full render over N fresh pages (a new browser context each, so
//     nothing cached), timed in the page with performance.now() (see MapRenderTiming in
//     src/pages/map.ts): when every hex was first on screen (the Canvas 2D frame drawn
//     while deck.gl sets up, else deck.gl's), and when deck.gl's own first full frame was,
//     each from navigation and from the start of the app's code;
//  2. the JS heap of the live map page (CDP Runtime.getHeapUsage after a forced GC) sampled
//     every minute for M minutes of new blocks.
// The load average is printed before and after: the machine should be quiet.
//
//   npm run build
//   node scripts/measure.mjs --rpc ws://127.0.0.1:9944 [--runs 5] [--minutes 30] [--out measure.json] [--shot map.png] [--chromium-args "--flag …"]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const rpc = arg('rpc', 'ws://127.0.0.1:9944');
const runs = Number(arg('runs', '5'));
const minutes = Number(arg('minutes', '30'));
const out = arg('out', '');
const shot = arg('shot', '');
const extraArgs = arg('chromium-args', '').split(' ').filter(Boolean);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`load average (1, 5, 15 min) at the start: ${load()}`);

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

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', ...extraArgs] });
const url = `http://127.0.0.1:${port}/?rpc=${encodeURIComponent(rpc)}#/map`;
const result = { rpc, chromium: browser.version(), chromiumArgs: extraArgs, loadAtStart: load(), renders: [], heap: [] };

for (let i = 0; i < runs; i++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('[data-testid=map][data-rendered=true]', { timeout: 180_000 });
  const t = await page.evaluate(() => window.assayMapRender);
  t.firstMs = t.previewMs ?? t.sinceNavigationMs;
  t.firstFromScriptMs = t.firstMs - t.scriptStartMs;
  t.deckFromScriptMs = t.sinceNavigationMs - t.scriptStartMs;
  // When @polkadot/api was connected (the live feed, heights and other pages need it).
  await page.waitForSelector('[data-testid=conn-state][data-state=connected]', { timeout: 180_000 });
  t.connectedMs = Math.round(await page.evaluate(() => window.assayChain.connectedAtMs));
  console.log(`render ${i + 1}/${runs}: ${JSON.stringify(t)}`);
  result.renders.push(t);
  if (shot && i === runs - 1) {
    await page.waitForSelector('[data-testid=map][data-coast="10m"]', { timeout: 60_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: shot });
  }
  await page.close();
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (runs) {
  const m = (k) => med(result.renders.map((r) => r[k]));
  result.median = {
    firstOnScreenFromNavigationMs: m('firstMs'),
    firstOnScreenFromScriptMs: m('firstFromScriptMs'),
    deckOnScreenFromNavigationMs: m('sinceNavigationMs'),
    deckOnScreenFromScriptMs: m('deckFromScriptMs'),
    deckDrawnFromNavigationMs: m('drawnMs'),
    connectedFromNavigationMs: m('connectedMs'),
    scriptStartMs: m('scriptStartMs'),
    loadMs: m('loadMs'),
  };
  result.loadAfterRenders = load();
  console.log(`median: ${JSON.stringify(result.median)} (hotspots ${result.renders[0].hotspots}, hexes ${result.renders[0].hexes})`);
  console.log(`load average after the renders: ${result.loadAfterRenders}`);
}

if (minutes > 0) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await page.goto(url);
  await page.waitForSelector('[data-testid=map][data-rendered=true]', { timeout: 180_000 });
  const t0 = Date.now();
  for (let m = 0; m <= minutes; m++) {
    if (m > 0) await new Promise((r) => setTimeout(r, Math.max(0, t0 + m * 60_000 - Date.now())));
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize, totalSize } = await cdp.send('Runtime.getHeapUsage');
    const best = await page.getByTestId('best-height').textContent();
    const sample = { minute: m, best, usedMB: +(usedSize / 2 ** 20).toFixed(1), totalMB: +(totalSize / 2 ** 20).toFixed(1), conn: await page.getByTestId('conn-state').getAttribute('data-state') };
    console.log(`heap: ${JSON.stringify(sample)}`);
    result.heap.push(sample);
    if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  }
}
if (out) writeFileSync(out, JSON.stringify(result, null, 2));
await browser.close();
server.kill();
process.exit(0);
