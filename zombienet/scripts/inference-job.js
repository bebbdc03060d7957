// zombienet js-script: `alice: js-script ./scripts/inference-job.js return is equal to 3 within 400 seconds`
// Bob submits a job (n = 3, k = 2) for the first shipped model on its sample input. The
// three validators chosen by BABE randomness serve it through their off-chain workers; the
// script waits for the job to finish and returns the number of workers paid, or a negative
// number: -1 the job failed, -2 the result differs from Python onnxruntime's.
// ZOMBIE_REPO (set by run-tests.sh) is the repository root.
const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const F = 16;

function i32le(values) {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeInt32LE(v, i * 4));
  return `0x${bytes.toString("hex")}`;
}

async function run(nodeName, networkInfo) {
  const repo = process.env.ZOMBIE_REPO || path.resolve(__dirname, "../..");
  const models = JSON.parse(fs.readFileSync(path.join(repo, "models/models.json"), "utf8"));
  const model = models[0];
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
  try {
    const bob = new Keyring({ type: "sr25519" }).addFromUri("//Bob");
    const q = model.sample_input.map((x) => Math.round(x * 2 ** F));
    const id = await new Promise((resolve, reject) => {
      api.tx.computeMarket
        .submitJob(model.model_id, i32le(q), 1_000_000_000_000n, 3, 2)
        .signAndSend(bob, ({ status, events, dispatchError }) => {
          if (dispatchError) reject(new Error(`submitJob failed: ${dispatchError.toString()}`));
          if (!status.isInBlock) return;
          const submitted = events.find(({ event }) => event.section === "computeMarket" && event.method === "JobSubmitted");
          if (submitted) resolve(submitted.event.data.job.toNumber());
        })
        .catch(reject);
    });
    console.log(`job ${id} submitted`);
    for (;;) {
      const job = (await api.call.computeApi.job(id)).unwrap();
      if (job.phase.isFailed) {
        console.log(`job ${id} failed: ${job.phase.asFailed.reason.toString()}`);
        return -1;
      }
      if (job.phase.isCompleted) {
        const result = job.result.unwrap().map((v) => v.toNumber());
        const out = execFileSync(path.join(repo, ".venv/bin/python"), [
          path.join(repo, "models/reference.py"),
          path.join(repo, "models", model.file),
          q.map((v) => v / 2 ** F).join(","),
          String(F),
        ]);
        const expected = JSON.parse(out.toString()).quantized;
        const workers = job.assignments.map((a) => `${a.worker.toString()}: ${a.work.type}`);
        console.log(`job ${id} completed at #${job.phase.asCompleted.at}: ${JSON.stringify(result)} (python: ${JSON.stringify(expected)}); ${workers.join(", ")}`);
        if (JSON.stringify(result) !== JSON.stringify(expected)) return -2;
        const at = await api.rpc.chain.getBlockHash(job.phase.asCompleted.at);
        const events = await (await api.at(at)).query.system.events();
        return events.filter(({ event }) => event.section === "computeMarket" && event.method === "WorkerPaid" && event.data.job.toNumber() === id).length;
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
