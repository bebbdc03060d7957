// Starts the reconnection test's own dev node at the very beginning, so its start-up
// (genesis built from the runtime's wasm, some seconds of CPU) overlaps the other tests.
import { DevNode, freePort } from './chain';

export default async function globalSetup() {
  const node = new DevNode(await freePort());
  await node.spawn();
  process.env.RECONNECT_NODE = JSON.stringify({ rpcPort: node.rpcPort, base: node.base, pid: node.pid });
  return async () => {
    await node.remove();
  };
}
