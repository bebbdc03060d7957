// Proof of coverage on a `--dev` chain. Seven hotspots of //Alice, attested by the dev
// maker and located at real resolution-12 H3 cells: A … G around Lisbon (1.8–4.5 km apart),
// D 34 m from A (too close) and E in Porto (275 km, too far). Beacons, witness reports and
// reveals are device-signed feeless general transactions (lib/coverage.mjs); the test plays
// the radio: it knows each beaconer's local entropy, so witnesses commit to the right
// payload and report an RSSI from the free-space model minus a margin.
//
// - Round 1: A beacons; B and C report plausibly, D (too close), E (too far), F (B's
//   commitment copied) and G (RSSI above free space) report too. After the reveal every
//   verdict is checked: B and C are NotReciprocal (nobody has been heard yet), the others
//   their own reasons; no witness is valid, but A was heard.
// - Round 2: B beacons; A (reciprocal now) is Selected, C NotReciprocal; B is heard.
// - Round 3: C beacons; A and B, whose reports a relay forwards in one batch
//   (`submitWitnesses`, signed by //Bob as the relay and free because both are recorded),
//   are both Selected.
// - The pool refuses a second beacon in the same beacon window, a reveal inside the
//   witness window, a second report of one witness about one beacon, and a late report.
// - After the epoch of round 2, //Alice, the owner of every hotspot, claims the whole
//   emission: RewardsClaimed, her free balance, and her Coverage earnings.
//
// The protocol parameters are read from `proofOfCoverage.params` (the dev preset: entropy
// every 2 blocks, witness window 2, reveal window 3, reward epoch 20).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { randomAsU8a } from '@polkadot/util-crypto';

import {
  bestNumber,
  devAccount,
  eventsOf,
  randomAccount,
  rpc,
  signAndWait,
  startDevNode,
  stopAll,
  waitFor,
  poolCatchUp,
  withNodeLogs,
} from '../lib/node.mjs';
import { makerAttestation, registration } from '../lib/devices.mjs';
import {
  MAX_DISTANCE_M,
  MIN_GRID_DISTANCE,
  beaconCommitment,
  beaconExtrinsic,
  beaconRadioPayload,
  cellAt,
  cellDistanceM,
  channelHz,
  gridSteps,
  maxRssiDbm,
  revealExtrinsic,
  witnessBatchCall,
  witnessCommitment,
  witnessExtrinsic,
} from '../lib/coverage.mjs';

/** Where the hotspots are, and their antenna gains (tenths of dBi). */
const SITES = {
  A: { lat: 38.7223, lng: -9.1393, gain: 50 }, // Baixa: beacons in round 1
  B: { lat: 38.738, lng: -9.132, gain: 30 }, // 1.8 km N of A: beacons in round 2
  C: { lat: 38.7075, lng: -9.165, gain: 80 }, // 2.8 km SW of A: beacons in round 3
  D: { lat: 38.7225, lng: -9.1391, gain: 40 }, // 34 m from A: too close
  E: { lat: 41.1579, lng: -8.6291, gain: 60 }, // Porto: too far
  F: { lat: 38.744, lng: -9.16, gain: 40 }, // 3 km from A: copies B's commitment
  G: { lat: 38.7, lng: -9.12, gain: 70 }, // 3 km from A: reports an impossible RSSI
};
const TX_POWER_DBM = 27;
/** How far below the free-space limit a plausible report is, dB. */
const MARGIN_DB = 15;
const SNR_DB_X10 = 55;

describe('proof of coverage on a dev chain', () => {
  let node;
  let api;
  let genesis;
  let alice;
  let params;
  /** name → { pair, cell: { hex, id }, gain } */
  const hs = {};
  /** address → name */
  const nameOf = new Map();
  /** The beacons of the three rounds. */
  const rounds = {};
  /** The refusals checked so far (some need the right moment; each round tries). */
  const refused = new Set();

  before(
    withNodeLogs(async () => {
      ({ node, api } = await startDevNode('coverage'));
      genesis = api.genesisHash.toU8a();
      alice = await devAccount('Alice');
      const p = (await api.query.proofOfCoverage.params()).unwrap();
      params = {
        entropyPeriod: p.entropyPeriod.toNumber(),
        beaconWindow: p.beaconWindow.toNumber(),
        witnessWindow: p.witnessWindow.toNumber(),
        revealWindow: p.revealWindow.toNumber(),
        reciprocityWindow: p.reciprocityWindow.toNumber(),
        rewardEpoch: p.rewardEpoch.toNumber(),
        coverageEmission: p.coverageEmission.toBigInt(),
      };
      console.log(`proof-of-coverage params: ${JSON.stringify(params, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    }),
    { timeout: 180_000 },
  );

  after(() => stopAll(), { timeout: 60_000 });

  // Raw JSON-RPC: the client library would re-encode the v5 general extrinsic.
  const submit = (xt) => rpc(node.wsUrl, 'author_submitExtrinsic', [xt]);
  const nextNonce = async (device) => (await api.call.deviceRegistryApi.nextReportNonce(device.address)).toNumber();
  const beaconView = async (id) => (await api.call.coverageApi.beacon(id)).unwrapOr(null);
  const lastHeard = async (name) => {
    const heard = await api.query.proofOfCoverage.lastHeard(hs[name].pair.address);
    return heard.isSome ? heard.unwrap().toNumber() : null;
  };
  const epochOf = (block) => Math.floor(block / params.rewardEpoch);

  /** A pool refusal carrying `InvalidTransaction::Custom(64 + index of the pallet error)`. */
  function refusal(error) {
    const code = 64 + api.errors.proofOfCoverage[error].meta.index.toNumber();
    return new RegExp(`1010.*Custom error: ${code}\\b`);
  }

  function verdictText(verdict) {
    return verdict.isInvalid ? `Invalid(${verdict.asInvalid.type})` : verdict.type;
  }

  /** Each witness's verdict by hotspot name. */
  function verdicts(view) {
    return Object.fromEntries(view.witnesses.map(({ witness, report }) => [nameOf.get(witness.toString()), verdictText(report.verdict)]));
  }

  async function waitUntilBlock(number, what = `block #${number}`, timeoutMs = 60_000) {
    await waitFor(async () => (await bestNumber(api)) >= number, { timeoutMs, intervalMs: 250, what });
    await poolCatchUp();
  }

  /** The first `section.method` event matching `pred` in blocks `from` … best. */
  async function findEvent(from, section, method, pred = () => true) {
    const head = await bestNumber(api);
    for (let n = from; n <= head; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      for (const { event } of await (await api.at(hash)).query.system.events()) {
        if (event.section === section && event.method === method && pred(event)) return { event, block: n };
      }
    }
    return undefined;
  }

  async function latestEntropy() {
    const latest = await api.call.coverageApi.latestEntropy();
    assert.ok(latest.isSome, 'an entropy value has been drawn');
    const [index, value] = latest.unwrap();
    return [index.toNumber(), value.toU8a()];
  }

  /** The free-space RSSI limit (dBm) of `witness` hearing `beacon`. */
  function rssiLimit(beacon, witness) {
    const b = hs[beacon.name];
    const w = hs[witness];
    return maxRssiDbm(beacon.txPowerDbm, b.gain, w.gain, cellDistanceM(b.cell.hex, w.cell.hex), beacon.frequencyHz);
  }

  /** A plausible RSSI (tenths of dBm): `MARGIN_DB` below the free-space limit. */
  const plausibleRssi = (beacon, witness) => Math.floor((rssiLimit(beacon, witness) - MARGIN_DB) * 10);

  /** `witness`'s report of `beacon`: the right commitment, a plausible RSSI, the beacon's channel. */
  function witnessXt(beacon, witness, overrides = {}) {
    const { pair } = hs[witness];
    return witnessExtrinsic(api, genesis, pair, {
      beacon: beacon.id,
      commitment: witnessCommitment(beacon.payload, pair.publicKey),
      rssiDbmX10: plausibleRssi(beacon, witness),
      snrDbX10: SNR_DB_X10,
      frequencyHz: beacon.frequencyHz,
      region: 'Eu868',
      ...overrides,
    });
  }

  /** `name` beacons on the latest entropy; resolves once the beacon is in a block. */
  async function openBeacon(name) {
    const device = hs[name].pair;
    const [entropyIndex, entropy] = await latestEntropy();
    const localEntropy = randomAsU8a(32);
    const payload = beaconRadioPayload(entropy, localEntropy);
    const frequencyHz = channelHz(payload, 'Eu868');
    const commitment = beaconCommitment(localEntropy);
    const nonce = await nextNonce(device);
    const id = (await api.query.proofOfCoverage.nextBeaconId()).toNumber();
    await submit(beaconExtrinsic(api, genesis, device, { nonce, entropyIndex, commitment, txPowerDbm: TX_POWER_DBM, frequencyHz }));
    const view = await waitFor(beaconView.bind(null, id), { timeoutMs: 60_000, intervalMs: 200, what: `beacon ${id} of ${name} to be included` });
    assert.equal(view.beacon.beaconer.toString(), device.address);
    assert.equal(view.beacon.entropyIndex.toNumber(), entropyIndex);
    assert.equal(view.beacon.frequencyHz.toNumber(), frequencyHz);
    assert.equal(view.beacon.phase.type, 'Open');
    await poolCatchUp();
    return { id, name, device, entropyIndex, entropy, localEntropy, payload, frequencyHz, commitment, txPowerDbm: TX_POWER_DBM, submittedAt: view.beacon.submittedAt.toNumber() };
  }

  /** Waits until the reports of `names` about `beacon` are stored; the view. */
  async function waitForWitnesses(beacon, names) {
    const wanted = names.map((n) => hs[n].pair.address);
    const view = await waitFor(
      async () => {
        const view = await beaconView(beacon.id);
        const have = new Set(view.witnesses.map(({ witness }) => witness.toString()));
        return wanted.every((a) => have.has(a)) && view;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `the reports of ${names.join(', ')} about beacon ${beacon.id}` },
    );
    await poolCatchUp();
    return view;
  }

  /** After the witness window the beaconer reveals; resolves with the verified view and its BeaconVerified event. */
  async function revealAndVerify(beacon) {
    const windowEnd = beacon.submittedAt + params.witnessWindow;
    await waitUntilBlock(windowEnd, `the witness window of beacon ${beacon.id} to close`); // the pool checks the next block
    const nonce = await nextNonce(beacon.device);
    await submit(revealExtrinsic(api, genesis, beacon.device, { nonce, beacon: beacon.id, localEntropy: beacon.localEntropy }));
    const view = await waitFor(
      async () => {
        const v = await beaconView(beacon.id);
        return v.beacon.phase.isVerified && v;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `beacon ${beacon.id} to be verified` },
    );
    assert.equal(view.expired.isTrue, false);
    assert.equal(u8aToHex(view.beacon.payload.unwrap().toU8a()), u8aToHex(beacon.payload), 'the runtime derived the same payload');
    const found = await findEvent(windowEnd + 1, 'proofOfCoverage', 'BeaconVerified', (e) => e.data.beacon.toNumber() === beacon.id);
    assert.ok(found, `BeaconVerified for beacon ${beacon.id}`);
    const { event, block } = found;
    assert.equal(event.data.valid.toNumber(), view.beacon.phase.asVerified.valid.toNumber());
    assert.equal(event.data.selected.toNumber(), view.beacon.phase.asVerified.selected.toNumber());
    assert.equal(event.data.epoch.toNumber(), epochOf(block));
    console.log(`beacon ${beacon.id} of ${beacon.name}: in #${beacon.submittedAt} on ${beacon.frequencyHz} Hz, verified in #${block}: ${JSON.stringify(verdicts(view))}`);
    return { view, valid: event.data.valid.toNumber(), selected: event.data.selected.toNumber(), epoch: event.data.epoch.toNumber(), block };
  }

  // --- Refusals that need the right moment: tried in every round until each has run. ---

  /** A second beacon of the beaconer in the same beacon-window bucket. */
  async function tryRefuseSecondBeacon(beacon) {
    if (refused.has('AlreadyBeaconed')) return;
    const [entropyIndex, entropy] = await latestEntropy();
    const localEntropy = randomAsU8a(32);
    const xt = beaconExtrinsic(api, genesis, beacon.device, {
      nonce: await nextNonce(beacon.device),
      entropyIndex,
      commitment: beaconCommitment(localEntropy),
      txPowerDbm: TX_POWER_DBM,
      frequencyHz: channelHz(beaconRadioPayload(entropy, localEntropy)),
    });
    // The pool checks the next block; a block of margin, since an accepted beacon would stay.
    const best = await bestNumber(api);
    if (Math.floor((best + 2) / params.beaconWindow) !== Math.floor(beacon.submittedAt / params.beaconWindow)) return;
    await assert.rejects(submit(xt), refusal('AlreadyBeaconed'));
    refused.add('AlreadyBeaconed');
  }

  /** A reveal while the witness window is still open. */
  async function tryRefuseEarlyReveal(beacon) {
    if (refused.has('RevealTooEarly')) return;
    const xt = revealExtrinsic(api, genesis, beacon.device, {
      nonce: await nextNonce(beacon.device),
      beacon: beacon.id,
      localEntropy: beacon.localEntropy,
    });
    // A block of margin: an accepted reveal would be a real one.
    const best = await bestNumber(api);
    if (best + 2 > beacon.submittedAt + params.witnessWindow) return;
    await assert.rejects(submit(xt), refusal('RevealTooEarly'));
    refused.add('RevealTooEarly');
  }

  /** A second report (another RSSI) of `witness`, whose first report is in a block. */
  async function tryRefuseDuplicate(beacon, witness) {
    if (refused.has('DuplicateWitness')) return;
    const xt = witnessXt(beacon, witness, { rssiDbmX10: plausibleRssi(beacon, witness) - 7 });
    const best = await bestNumber(api);
    if (best + 1 > beacon.submittedAt + params.witnessWindow) return;
    const error = await submit(xt).then(() => null, (e) => e);
    assert.ok(error, `a second report of ${witness} about beacon ${beacon.id} was accepted`);
    // A block that came in meanwhile may have closed the window: inconclusive, not wrong.
    if (refusal('WitnessWindowClosed').test(error.message) && (await bestNumber(api)) > best) return;
    assert.match(error.message, refusal('DuplicateWitness'));
    refused.add('DuplicateWitness');
  }

  test('seven hotspots of //Alice are registered and located', { timeout: 120_000 }, withNodeLogs(async () => {
    const maker = await devAccount('DevMaker'); // the development maker of the dev preset
    const calls = [];
    for (const [name, site] of Object.entries(SITES)) {
      const pair = await randomAccount();
      const cell = cellAt(site.lat, site.lng);
      hs[name] = { pair, cell, gain: site.gain };
      nameOf.set(pair.address, name);
      calls.push(
        api.tx.deviceRegistry.registerDevice(
          { Sr25519: pair.publicKey },
          'Hotspot',
          0,
          { Sr25519: maker.sign(makerAttestation(pair.publicKey, 'Hotspot')) },
          { Sr25519: pair.sign(registration(genesis, alice.publicKey, 'Hotspot')) },
        ),
        api.tx.deviceRegistry.assertLocation(pair.address, cell.id, site.gain, 15),
      );
    }

    // The geometry the rounds rely on.
    const steps = (a, b) => gridSteps(hs[a].cell.hex, hs[b].cell.hex);
    const metres = (a, b) => cellDistanceM(hs[a].cell.hex, hs[b].cell.hex);
    for (const [a, b] of [['A', 'B'], ['A', 'C'], ['A', 'F'], ['A', 'G'], ['B', 'C'], ['B', 'G']]) {
      assert.ok(steps(a, b) >= MIN_GRID_DISTANCE, `${a}–${b}: ${steps(a, b)} grid steps`);
      assert.ok(metres(a, b) >= 1_500 && metres(a, b) <= 5_000, `${a}–${b}: ${metres(a, b)} m`);
    }
    assert.ok(steps('A', 'D') < MIN_GRID_DISTANCE, `A–D: ${steps('A', 'D')} grid steps`);
    assert.ok(metres('A', 'E') > MAX_DISTANCE_M, `A–E: ${metres('A', 'E')} m`);

    const { events } = await signAndWait(api, api.tx.utility.batchAll(calls), alice);
    assert.equal(eventsOf(events, 'deviceRegistry', 'DeviceRegistered').length, 7);
    assert.equal(eventsOf(events, 'deviceRegistry', 'LocationAsserted').length, 7);
    for (const { pair, cell } of Object.values(hs)) {
      const info = (await api.call.deviceRegistryApi.device(pair.address)).unwrap();
      assert.equal(info.owner.toString(), alice.address);
      assert.equal(info.location.unwrap().cell.toBigInt(), cell.id);
      const scale = (await api.call.coverageApi.hexScale(pair.address)).unwrap().toBigInt();
      assert.ok(scale > 0n && scale <= 10n ** 18n, `hex scale ${scale} in (0, 1]`);
    }
  }));

  test('round 1: A beacons; a report from beyond reach is refused on arrival, every other witness fails for its own reason', { timeout: 240_000 }, withNodeLogs(async () => {
    // Entropy is drawn; start early in a beacon window so the second beacon lands in the same one.
    const W = params.beaconWindow;
    await waitFor(
      async () => {
        const best = await bestNumber(api);
        return (await api.call.coverageApi.latestEntropy()).isSome && (best + 1) % W <= Math.max(0, W - 4);
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'entropy and the start of a beacon window' },
    );
    const beacon = (rounds[1] = await openBeacon('A'));
    const submitted = await findEvent(beacon.submittedAt, 'proofOfCoverage', 'BeaconSubmitted', (e) => e.data.beacon.toNumber() === beacon.id);
    assert.ok(submitted, 'BeaconSubmitted');
    assert.equal(submitted.event.data.beaconer.toString(), hs.A.pair.address);

    // Everyone reports at once, inside the witness window.
    const reports = {
      B: witnessXt(beacon, 'B'),
      C: witnessXt(beacon, 'C'),
      D: witnessXt(beacon, 'D'),
      F: witnessXt(beacon, 'F', { commitment: witnessCommitment(beacon.payload, hs.B.pair.publicKey) }),
      G: witnessXt(beacon, 'G', { rssiDbmX10: Math.ceil((rssiLimit(beacon, 'G') + 10) * 10) }),
    };
    for (const xt of Object.values(reports)) await submit(xt);
    // Porto is beyond any signal's reach: the pool refuses the report before its signature.
    await assert.rejects(submit(witnessXt(beacon, 'E')), refusal('TooFar'));
    await tryRefuseEarlyReveal(beacon);
    await tryRefuseSecondBeacon(beacon);
    await waitForWitnesses(beacon, ['B']);
    await tryRefuseDuplicate(beacon, 'B');

    const pending = await waitForWitnesses(beacon, Object.keys(reports));
    assert.equal(pending.witnesses.length, 5);
    assert.ok(Object.values(verdicts(pending)).every((v) => v === 'Pending'), 'nothing is judged before the reveal');

    const { view, valid, selected } = await revealAndVerify(beacon);
    assert.deepEqual(verdicts(view), {
      B: 'Invalid(NotReciprocal)',
      C: 'Invalid(NotReciprocal)',
      D: 'Invalid(TooClose)',
      F: 'Invalid(PayloadMismatch)',
      G: 'Invalid(RssiTooHigh)',
    });
    assert.deepEqual([valid, selected], [0, 0]);
    // B and C passed every check but reciprocity: A was heard, so A is reciprocal from now on.
    assert.equal(await lastHeard('A'), beacon.submittedAt);
    assert.equal(await lastHeard('B'), null);
    assert.equal((await api.call.coverageApi.pendingRewards(alice.address)).length, 0, 'nothing selected, nothing earned');
  }));

  test('round 2: B beacons; A, reciprocal now, is selected; a late report is refused', { timeout: 240_000 }, withNodeLogs(async () => {
    const beacon = (rounds[2] = await openBeacon('B'));
    await submit(witnessXt(beacon, 'A'));
    await submit(witnessXt(beacon, 'C'));
    await tryRefuseEarlyReveal(beacon);
    await tryRefuseSecondBeacon(beacon);
    await waitForWitnesses(beacon, ['A']);
    await tryRefuseDuplicate(beacon, 'A');
    await waitForWitnesses(beacon, ['A', 'C']);

    // Past the witness window, G's otherwise good report is refused.
    await waitUntilBlock(beacon.submittedAt + params.witnessWindow);
    await assert.rejects(submit(witnessXt(beacon, 'G')), refusal('WitnessWindowClosed'));

    const result = (rounds[2].result = await revealAndVerify(beacon));
    assert.deepEqual(verdicts(result.view), { A: 'Selected', C: 'Invalid(NotReciprocal)' });
    assert.equal(result.view.witnesses.length, 2, 'the late report never entered a block');
    assert.deepEqual([result.valid, result.selected], [1, 1]);
    assert.equal(await lastHeard('B'), beacon.submittedAt);

    // B earned beaconer units and A witness units for //Alice in this epoch.
    const header = await api.rpc.chain.getHeader();
    const pending = await (await api.at(header.hash)).call.coverageApi.pendingRewards(alice.address);
    const entry = pending.find((p) => p.epoch.toNumber() === result.epoch);
    assert.ok(entry, `pending rewards of epoch ${result.epoch}`);
    assert.ok(entry.amount.toBigInt() > 0n);
    assert.equal(entry.claimable.isTrue, result.epoch < epochOf(header.number.toNumber()));
  }));

  test('round 3: C beacons; A and B, relayed in one batch, are both selected', { timeout: 240_000 }, withNodeLogs(async () => {
    const beacon = (rounds[3] = await openBeacon('C'));
    // A relay (//Bob) forwards both hotspots' signed reports in one transaction it signs;
    // its fee is waived because every report is recorded.
    const bob = await devAccount('Bob');
    const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const relayed = signAndWait(
      api,
      witnessBatchCall(
        api,
        genesis,
        ['A', 'B'].map((name) => ({
          device: hs[name].pair,
          beacon: beacon.id,
          commitment: witnessCommitment(beacon.payload, hs[name].pair.publicKey),
          rssiDbmX10: plausibleRssi(beacon, name),
          snrDbX10: SNR_DB_X10,
          frequencyHz: beacon.frequencyHz,
        })),
      ),
      bob,
    );
    await tryRefuseEarlyReveal(beacon);
    await tryRefuseSecondBeacon(beacon);
    const { events, blockHash } = await relayed;
    assert.deepEqual(eventsOf(events, 'proofOfCoverage', 'RelayedWitnessRefused'), [], 'no report refused');
    const bobAfter = (await (await api.at(blockHash)).query.system.account(bob.address)).data.free.toBigInt();
    assert.equal(bobAfter, bobBefore, 'a relay pays nothing for a batch whose reports are all recorded');
    await waitForWitnesses(beacon, ['A']);
    await tryRefuseDuplicate(beacon, 'A');
    await waitForWitnesses(beacon, ['A', 'B']);

    const { view, valid, selected } = await revealAndVerify(beacon);
    assert.deepEqual(verdicts(view), { A: 'Selected', B: 'Selected' });
    assert.deepEqual([valid, selected], [2, 2]);
    assert.equal(await lastHeard('C'), beacon.submittedAt);

    // The fraud features the chain stored for each passing witness (CoverageApi v2), in
    // their documented units: the margin below free space in tenths of dB, the distance in
    // tens of metres, the peer history before this report (A passed once before, as B's
    // witness in round 2; B's round-1 report was not reciprocal, so it has none), one owner.
    const features = new Map(
      (await api.call.coverageApi.witnessFeatures(beacon.id)).map(([w, f]) => [nameOf.get(w.toString()), f.map((v) => v.toNumber())]),
    );
    assert.deepEqual([...features.keys()].sort(), ['A', 'B']);
    for (const [name, f] of features) {
      assert.equal(f.length, 13, `${name}: 13 features`);
      const margin = Math.floor((rssiLimit(beacon, name) * 1000 - plausibleRssi(beacon, name) * 100) / 100);
      assert.ok(Math.abs(f[0] - margin) <= 1, `${name}: margin ${f[0]}, expected ${margin}`);
      assert.equal(f[1], SNR_DB_X10);
      const dam = Math.round(cellDistanceM(hs.C.cell.hex, hs[name].cell.hex) / 10);
      assert.ok(Math.abs(f[3] - dam) <= 1, `${name}: ${f[3]} dam, expected ${dam}`);
      assert.equal(f[7], 1, `${name}: one owner`);
    }
    assert.deepEqual(features.get('A').slice(4, 7), [1, 1, 0], 'A: heard B once; nobody passed witnessing A');
    assert.deepEqual(features.get('B').slice(4, 7), [0, 0, 0], 'B: no passing report before');

    assert.deepEqual(
      [...refused].sort(),
      ['AlreadyBeaconed', 'DuplicateWitness', 'RevealTooEarly'],
      'each timed refusal was checked in some round',
    );
  }));

  test('after the epoch //Alice claims its rewards: the whole emission, recorded as Coverage earnings', { timeout: 360_000 }, withNodeLogs(async (t) => {
    const { epoch } = rounds[2].result;
    const epochEnd = (epoch + 1) * params.rewardEpoch;

    // Before the epoch is over a claim fails (tried only with a couple of blocks to spare).
    if ((await bestNumber(api)) + 3 < epochEnd) {
      await assert.rejects(
        signAndWait(api, api.tx.proofOfCoverage.claimRewards(epoch), alice),
        (e) => e.error === 'proofOfCoverage.EpochNotOver',
      );
    } else {
      t.diagnostic(`epoch ${epoch} ends at #${epochEnd}: too close to try an early claim`);
    }

    await waitUntilBlock(epochEnd, `the end of epoch ${epoch}`, 300_000);
    const header = await api.rpc.chain.getHeader();
    const current = epochOf(header.number.toNumber());
    const pending = await (await api.at(header.hash)).call.coverageApi.pendingRewards(alice.address);
    for (const p of pending) assert.equal(p.claimable.isTrue, p.epoch.toNumber() < current, `epoch ${p.epoch} claimable`);
    const entry = pending.find((p) => p.epoch.toNumber() === epoch);
    assert.ok(entry?.claimable.isTrue, `epoch ${epoch} is claimable`);
    const amount = entry.amount.toBigInt();
    // //Alice owns every hotspot that earned in the epoch: both pots are hers.
    assert.equal(amount, params.coverageEmission);

    const claimed = await signAndWait(api, api.tx.proofOfCoverage.claimRewards(epoch), alice);
    const [event] = eventsOf(claimed.events, 'proofOfCoverage', 'RewardsClaimed');
    assert.ok(event, 'RewardsClaimed');
    assert.equal(event.data.owner.toString(), alice.address);
    assert.equal(event.data.epoch.toNumber(), epoch);
    assert.equal(event.data.amount.toBigInt(), amount);

    // Free balance: + amount − fee + what //Alice earned as the block's author (fees of the block).
    const fee = eventsOf(claimed.events, 'transactionPayment', 'TransactionFeePaid')[0].data.actualFee.toBigInt();
    const parent = (await api.rpc.chain.getHeader(claimed.blockHash)).parentHash;
    const [before, after] = await Promise.all(
      [parent, claimed.blockHash].map(async (hash) => {
        const at = await api.at(hash);
        const earnings = await at.call.earningsApi.earnings(alice.address);
        return {
          free: (await at.query.system.account(alice.address)).data.free.toBigInt(),
          coverage: earnings.coverage.toBigInt(),
          validation: earnings.validation.toBigInt(),
        };
      }),
    );
    assert.equal(after.coverage - before.coverage, amount, 'Coverage earnings grew by the amount');
    assert.equal(after.free - before.free, amount - fee + (after.validation - before.validation));

    // Claimed once.
    const left = await api.call.coverageApi.pendingRewards(alice.address);
    assert.ok(!left.some((p) => p.epoch.toNumber() === epoch), `epoch ${epoch} is no longer pending`);
    await assert.rejects(
      signAndWait(api, api.tx.proofOfCoverage.claimRewards(epoch), alice),
      (e) => e.error === 'proofOfCoverage.NothingToClaim',
    );
    console.log(`epoch ${epoch}: //Alice claimed ${amount} (fee ${fee})`);
  }));
});
