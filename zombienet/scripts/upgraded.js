// zombienet js-script: `bob: js-script ./scripts/upgraded.js with "3" return is equal to 1 within 180 seconds`
// On the node it runs for: waits until the finalized head is at least N blocks (the
// argument) past the finalized head it started from, then returns the spec_version of the
// new finalized head minus the genesis spec_version (1 once the upgrade is in).
const { ApiPromise, WsProvider } = require("@polkadot/api");

async function run(nodeName, networkInfo, args) {
  const blocks = Number((args && args[0]) || 3);
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
  try {
    const genesis = await api.rpc.chain.getBlockHash(0);
    const base = (await api.rpc.state.getRuntimeVersion(genesis)).specVersion.toNumber();
    const number = async () => (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    const start = await number();
    while ((await number()) < start + blocks) await new Promise((r) => setTimeout(r, 2000));
    const head = await api.rpc.chain.getFinalizedHead();
    const spec = (await api.rpc.state.getRuntimeVersion(head)).specVersion.toNumber();
    console.log(`${nodeName}: finalized #${await number()} (from #${start}) runs spec_version ${spec}`);
    return spec - base;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
