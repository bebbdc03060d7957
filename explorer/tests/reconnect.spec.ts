// A node that stops shows "disconnected, retrying" (never a blank page) and the page
// recovers by itself when the node is back: a small dev node of the test's own.
import { test, expect } from '@playwright/test';
import { DevNode, freePort, offMachine, shot } from './chain';

test('stopping and restarting the node shows disconnected, then recovers', async ({ page }, info) => {
  const remote = offMachine(page);
  // The node the global setup started (or one of our own when run without it).
  const given = process.env.RECONNECT_NODE ? (JSON.parse(process.env.RECONNECT_NODE) as { rpcPort: number; base: string; pid: number }) : null;
  const node = given ? Object.assign(new DevNode(given.rpcPort, given.base), { pid: given.pid }) : new DevNode(await freePort());
  try {
    if (given) await node.ready();
    else await node.start();
    await page.goto(`/?rpc=${encodeURIComponent(node.url)}#/map`);
    const conn = page.getByTestId('conn-state');
    await expect(conn).toHaveAttribute('data-state', 'connected');
    await expect(page.getByTestId('best-height')).toHaveText(/^#[1-9]\d*$/);
    const before = Number((await page.getByTestId('best-height').textContent())!.slice(1));

    // The page notices while the node is still shutting down.
    const stopped = node.stop();
    await expect(conn).toHaveAttribute('data-state', 'disconnected', { timeout: 15_000 });
    await expect(conn).toContainText('retrying');
    // Not blank: the page and its last data are still there.
    await expect(page.getByTestId('best-height')).toHaveText(`#${before}`);
    await expect(page.locator('#page h2')).toHaveText('Coverage map');
    await shot(page, info, 'disconnected');
    await stopped;

    await node.start();
    await expect(conn).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
    await expect
      .poll(async () => Number((await page.getByTestId('best-height').textContent())!.slice(1)), { timeout: 60_000 })
      .toBeGreaterThan(before);
    expect(remote, 'requests beyond 127.0.0.1').toEqual([]);
  } finally {
    // The restarted process is ours; the global teardown removes the base path.
    await (given ? node.stop() : node.remove());
  }
});
