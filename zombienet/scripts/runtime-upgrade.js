// zombienet js-script: `alice: js-script ./scripts/runtime-upgrade.js return is equal to 1 within 300 seconds`
// Sets the runtime built by runtime/upgrade-test (the same runtime, spec_version one higher;
// its path in ZOMBIE_UPGRADE_WASM) with sudo.sudoUncheckedWeight(system.setCode) signed by
// //Alice (the local preset's sudo), waits until the block that applied it is finalized with
// System.CodeUpdated, and returns the finalized spec_version minus the genesis spec_version.
const fs = require("fs");
const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");

async function run(nodeName, networkInfo) {
  const path = process.env.ZOMBIE_UPGRADE_WASM;
  if (!path || !fs.existsSync(path)) throw new Error(`no upgrade runtime at ${path} (cargo build --release -p assay-runtime-upgrade-test)`);
  const code = `0x${fs.readFileSync(path).toString("hex")}`;
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
  try {
    const genesis = await api.rpc.chain.getBlockHash(0);
    const before = (await api.rpc.state.getRuntimeVersion(genesis)).specVersion.toNumber();
    const alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
    const call = api.tx.sudo.sudoUncheckedWeight(api.tx.system.setCode(code), { refTime: 0, proofSize: 0 });
    console.log(`setting a ${fs.statSync(path).size}-byte runtime (spec_version ${before} now)`);
    const finalized = await new Promise((resolve, reject) => {
      call
        .signAndSend(alice, ({ status, events, dispatchError }) => {
          if (dispatchError) reject(new Error(`setCode failed: ${dispatchError.toString()}`));
          if (status.isInBlock) {
            const sudid = events.find(({ event }) => api.events.sudo.Sudid.is(event));
            if (sudid && sudid.event.data[0].isErr) reject(new Error(`sudo: ${sudid.event.data[0].toString()}`));
            const updated = events.some(({ event }) => api.events.system.CodeUpdated.is(event));
            console.log(`in block ${status.asInBlock.toHex()}: CodeUpdated ${updated}`);
            if (!updated) reject(new Error("no System.CodeUpdated event"));
          }
          if (status.isFinalized) resolve(status.asFinalized);
          if (status.isInvalid || status.isDropped || status.isUsurped) reject(new Error(`transaction ${status.type}`));
        })
        .catch(reject);
    });
    const after = (await api.rpc.state.getRuntimeVersion(finalized)).specVersion.toNumber();
    console.log(`finalized ${finalized.toHex()} with spec_version ${after}`);
    return after - before;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
