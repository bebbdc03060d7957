// zombienet js-script: `alice: js-script ./scripts/validators.js return is equal to 4 within 60 seconds`
// Returns how many of the network's validator nodes (//Alice//stash, //Bob//stash, ...: zombienet
// writes session.keys for the stash accounts) are in BOTH session.validators and
// validatorSet.validators, or -1 when either set holds anything else.
// zombienet calls run(nodeName, networkInfo, args) once per matched node and compares the return value.
// Uses the project's own @polkadot/api (zombienet/node_modules) rather than zombienet's bundled copy.
const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

async function run(nodeName, networkInfo) {
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
  try {
    const keyring = new Keyring({ type: "sr25519", ss58Format: api.registry.chainSS58 ?? 42 });
    const expected = Object.keys(networkInfo.nodesByName).map(
      (name) => keyring.addFromUri(`//${capitalize(name)}//stash`).address,
    );
    const session = (await api.query.session.validators()).map((a) => a.toString());
    const pallet = (await api.query.validatorSet.validators()).map((a) => a.toString());
    console.log(`expected stash validators: ${expected.join(", ")}`);
    console.log(`session.validators:        ${session.join(", ")}`);
    console.log(`validatorSet.validators:   ${pallet.join(", ")}`);
    const unexpected = [...session, ...pallet].filter((a) => !expected.includes(a));
    if (unexpected.length > 0) return -1;
    return expected.filter((a) => session.includes(a) && pallet.includes(a)).length;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
