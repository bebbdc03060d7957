// zombienet js-script: `alice: js-script ./scripts/runtime-upgrade.js return is equal to 1 within 300 seconds`
// Sets the runtime built by runtime/upgrade-test (the same runtime, spec_version one higher;
// its path in ZOMBIE_UPGRADE_WASM) with sudo.sudoUncheckedWeight(system.setCode) signed by
// //Alice (the local preset's sudo), waits until the block that applied it is finalized, checks
// that block runs the new version and its parent the old one (and System.CodeUpdated where
// the events decode), and returns the finalized spec_version minus the genesis spec_version.
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
    // The block that applies the code runs the new version, its parent the old one: that is
    // what `System.CodeUpdated` says, read from the chain itself. (The API decodes that
    // block's events with the new runtime's metadata, and that sometimes fails with
    // "Unable to decode storage system.events"; then the events come back empty, so they
    // are only checked when they decoded.)
    let included;
    const finalized = await new Promise((resolve, reject) => {
      call
        .signAndSend(alice, ({ status, events, dispatchError }) => {
          if (dispatchError) reject(new Error(`setCode failed: ${dispatchError.toString()}`));
          if (status.isInBlock) {
            included = status.asInBlock;
            const sudid = events.find(({ event }) => api.events.sudo.Sudid.is(event));
            if (sudid && sudid.event.data[0].isErr) reject(new Error(`sudo: ${sudid.event.data[0].toString()}`));
            const updated = events.some(({ event }) => api.events.system.CodeUpdated.is(event));
            console.log(`in block ${included.toHex()}: ${events.length} events decoded, CodeUpdated ${updated}`);
            if (events.length > 0 && !updated) reject(new Error("no System.CodeUpdated event"));
          }
          if (status.isFinalized) resolve(status.asFinalized);
          if (status.isInvalid || status.isDropped || status.isUsurped) reject(new Error(`transaction ${status.type}`));
        })
        .catch(reject);
    });
    const version = async (hash) => (await api.rpc.state.getRuntimeVersion(hash)).specVersion.toNumber();
    const parent = (await api.rpc.chain.getHeader(included)).parentHash;
    const [inParent, inBlock] = [await version(parent), await version(included)];
    console.log(`the including block runs spec_version ${inBlock}, its parent ${inParent}`);
    if (inParent !== before || inBlock !== before + 1) throw new Error("the including block did not apply the new code");
    const after = await version(finalized);
    console.log(`finalized ${finalized.toHex()} with spec_version ${after}`);
    return after - before;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
