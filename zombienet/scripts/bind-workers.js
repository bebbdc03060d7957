// zombienet js-script: `alice: js-script ./scripts/bind-workers.js return is equal to 4 within 120 seconds`
// Zombienet makes the //Name//stash accounts the validators, while each node's inference
// worker signs with its //Name `infr` key (the `local` preset bound //Name to //Name). Each
// stash names its node's worker with computeMarket.bindWorker, as a validator operator
// does after setting session keys. Returns how many session validators have a worker that
// names them back.
const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");

const NAMES = ["Alice", "Bob", "Charlie", "Dave"];

async function run(nodeName, networkInfo) {
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
  try {
    const keyring = new Keyring({ type: "sr25519" });
    await Promise.all(
      NAMES.map((name) => {
        const stash = keyring.addFromUri(`//${name}//stash`);
        const worker = keyring.addFromUri(`//${name}`).address;
        return new Promise((resolve, reject) => {
          api.tx.computeMarket
            .bindWorker(worker)
            .signAndSend(stash, ({ status, dispatchError }) => {
              if (dispatchError) reject(new Error(`${name}: bindWorker failed: ${dispatchError.toString()}`));
              else if (status.isInBlock) resolve();
            })
            .catch(reject);
        });
      })
    );
    const validators = (await api.query.session.validators()).map((v) => v.toString());
    let bound = 0;
    for (const v of validators) {
      const worker = await api.query.computeMarket.workerOf(v);
      if (worker.isNone) continue;
      const back = await api.query.computeMarket.validatorOf(worker.unwrap());
      if (back.isSome && back.unwrap().toString() === v) bound += 1;
      console.log(`validator ${v}: worker ${worker.unwrap().toString()}`);
    }
    return bound;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
