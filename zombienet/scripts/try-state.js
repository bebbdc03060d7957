// zombienet js-script: `alice: js-script ./scripts/try-state.js return is equal to 1 within 120 seconds`
// On the node it runs for, at its finalized head (after the runtime upgrade, whose runtime
// is built with `try-runtime`): calls `TryRuntime_on_runtime_upgrade(All)` through
// `state_call`. That runs the migrations again with their pre- and post-checks (the
// storage versions included), every pallet's `try_state`, and a decode of the entire
// state; a failed check fails the call. Returns 1 when every check passed.
const { ApiPromise, WsProvider } = require("@polkadot/api");

async function run(nodeName, networkInfo) {
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
  try {
    const head = await api.rpc.chain.getFinalizedHead();
    const number = (await api.rpc.chain.getHeader(head)).number.toNumber();
    // UpgradeCheckSelect::All = 1 (None, All, PreAndPost, TryState).
    const out = await api.rpc.state.call("TryRuntime_on_runtime_upgrade", "0x01", head);
    const [used, max] = api.createType("(Weight, Weight)", out);
    console.log(
      `${nodeName}: try-runtime checks passed at finalized #${number} ` +
        `(migrations ${used.refTime.toString()} of ${max.refTime.toString()} ref time)`
    );
    return 1;
  } catch (e) {
    console.log(`${nodeName}: try-runtime checks failed: ${e.message || e}`);
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
