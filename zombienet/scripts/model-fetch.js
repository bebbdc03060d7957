// zombienet js-script: `alice: js-script ./scripts/model-fetch.js return is equal to 43 within 400 seconds`
// Model supply on the running network (DESIGN §11). The script serves a model over HTTP on
// loopback (a shipped model's file with an unknown protobuf field appended: the same model,
// another file, so another id), registers it as Bob with that address and its size, waits
// until the workers of all four validators report it served (`ModelServed`: each node's
// fetcher downloaded and loaded it), then submits an n = 3, k = 2 job on it. It returns
// 10 × (workers serving the model) + (workers paid), or a negative number: -1 the job
// failed, -2 its result differs from Python onnxruntime's on the file.
// ZOMBIE_REPO (set by run-tests.sh) is the repository root.
const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");
const { blake2AsHex } = require("@polkadot/util-crypto");
const { execFileSync } = require("child_process");
const fs = require("fs");
const http = require("http");
const os = require("os");
const path = require("path");

const F = 16;

function i32le(values) {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeInt32LE(v, i * 4));
  return `0x${bytes.toString("hex")}`;
}

function sendAndWait(tx, signer, method) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) reject(new Error(`${method}: ${dispatchError.toString()}`));
      if (!status.isInBlock) return;
      const found = events.find(({ event }) => event.section === "computeMarket" && event.method === method);
      if (found) resolve({ data: found.event.data, blockHash: status.asInBlock });
    }).catch(reject);
  });
}

async function run(nodeName, networkInfo) {
  const repo = process.env.ZOMBIE_REPO || path.resolve(__dirname, "../..");
  const models = JSON.parse(fs.readFileSync(path.join(repo, "models/models.json"), "utf8"));
  const model = models.find((m) => m.name === "energy-demand-forecast") || models[0];
  const bytes = Buffer.concat([fs.readFileSync(path.join(repo, "models", model.file)), Buffer.from([0x98, 0x06, 42])]);
  const id = blake2AsHex(bytes, 256);
  const file = path.join(os.tmpdir(), `zn-fetched-${process.pid}.onnx`);
  fs.writeFileSync(file, bytes);
  const server = http.createServer((req, res) => {
    if (req.url !== "/model.onnx") return res.writeHead(404).end();
    res.writeHead(200, { "content-length": bytes.length }).end(bytes);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const uri = `http://127.0.0.1:${server.address().port}/model.onnx`;
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
  try {
    const bob = new Keyring({ type: "sr25519" }).addFromUri("//Bob");
    const registeredAt = Date.now();
    const meta = {
      name: "fetched-demand", inputLen: model.input_len, outputLen: model.output_len, fractionBits: F,
      classifier: model.classifier, absoluteTolerance: null, relativeTolerancePpm: null, uri, size: bytes.length,
    };
    await sendAndWait(api.tx.computeMarket.registerModel(id, meta), bob, "ModelRegistered");
    console.log(`model ${id} registered at ${uri} (${bytes.length} bytes)`);

    // Every provider serving it: ModelServed from each of the four workers.
    const serving = new Set();
    const unsubscribe = await api.query.system.events((events) => {
      for (const { event } of events) {
        if (event.section === "computeMarket" && event.method === "ModelServed" && event.data.model.toHex() === id) {
          serving.add(event.data.provider.toString());
        }
      }
    });
    const providers = (await api.query.computeMarket.providers.keys()).length;
    while (serving.size < providers) await new Promise((r) => setTimeout(r, 2000));
    unsubscribe();
    console.log(`served by ${serving.size} of ${providers} workers ${((Date.now() - registeredAt) / 1000).toFixed(1)} s after the registration was sent`);

    const q = model.sample_input.map((x) => Math.round(x * 2 ** F));
    const { data } = await sendAndWait(api.tx.computeMarket.submitJob(id, i32le(q), 1_000_000_000_000n, 3, 2), bob, "JobSubmitted");
    const job = data.job.toNumber();
    for (;;) {
      const record = (await api.call.computeApi.job(job)).unwrap();
      if (record.phase.isFailed) {
        console.log(`job ${job} failed: ${record.phase.asFailed.reason.toString()}`);
        return -1;
      }
      if (record.phase.isCompleted) {
        const result = record.result.unwrap().map((v) => v.toNumber());
        const out = execFileSync(path.join(repo, ".venv/bin/python"), [path.join(repo, "models/reference.py"), file, q.map((v) => v / 2 ** F).join(","), String(F)]);
        const expected = JSON.parse(out.toString()).quantized;
        console.log(`job ${job} on the fetched model completed at #${record.phase.asCompleted.at}: ${JSON.stringify(result)} (python: ${JSON.stringify(expected)}), ${((Date.now() - registeredAt) / 1000).toFixed(1)} s after the registration was sent`);
        if (JSON.stringify(result) !== JSON.stringify(expected)) return -2;
        const at = await api.rpc.chain.getBlockHash(record.phase.asCompleted.at);
        const events = await (await api.at(at)).query.system.events();
        const paid = events.filter(({ event }) => event.section === "computeMarket" && event.method === "WorkerPaid" && event.data.job.toNumber() === job).length;
        return 10 * serving.size + paid;
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
  } finally {
    await api.disconnect();
    server.close();
    fs.rmSync(file, { force: true });
  }
}

module.exports = { run };
