// A local network of four validators (alice, bob, charlie, dave) from
// chain-specs/local-raw.json: peering, block production and finality on every node, and
// a governance removal of Dave taking effect at the session rotation after next.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import {
  bestNumber,
  connect,
  devAccount,
  eventsOf,
  finalizedNumber,
  freePort,
  rpc,
  signAndWait,
  startNode,
  stopAll,
  waitFor,
  waitForRpc,
  withNodeLogs,
} from '../lib/node.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const specPath = resolve(repoRoot, 'chain-specs/local-raw.json');
const skip = existsSync(specPath)
  ? false
  : `${specPath} is missing (create it with \`make chain-specs\`)`;
if (skip) console.log(`network tests skipped: ${skip}`);

const NAMES = ['alice', 'bob', 'charlie', 'dave'];

// The tests themselves carry `skip` (so runners count them as skipped); the hooks do
// nothing then.
describe('local network of four validators', () => {
  /** name -> { node, api } */
  const validators = {};
  const each = () => NAMES.map((name) => ({ name, ...validators[name] }));

  async function startValidator(name, index, bootnode) {
    const p2pPort = await freePort();
    const node = await startNode({
      name,
      args: [
        '--chain', specPath,
        `--${name}`,
        '--validator',
        '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
        '--rpc-port', String(await freePort()),
        // A fixed network key per node (validators need one; any 32 bytes will do).
        '--node-key', (index + 1).toString(16).padStart(64, '0'),
        '--no-mdns',
        '--allow-private-ip',
        '--discover-local',
        '--no-prometheus',
        '--no-telemetry',
        ...(bootnode ? ['--bootnodes', bootnode] : []),
      ],
    });
    validators[name] = { node, p2pPort };
    await waitForRpc(node, 180_000);
    validators[name].api = await connect(node.wsUrl);
  }

  before(
    withNodeLogs(async () => {
      if (skip) return;
      await startValidator('alice', 0);
      const { node, p2pPort } = validators.alice;
      const peerId = await rpc(node.wsUrl, 'system_localPeerId');
      const bootnode = `/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${peerId}`;
      await Promise.all(NAMES.slice(1).map((name, i) => startValidator(name, i + 1, bootnode)));
    }),
    { timeout: 420_000 },
  );

  after(() => stopAll(), { timeout: 90_000 }); // a no-op when nothing was started

  test('the validators peer, produce and finalize blocks', { skip, timeout: 360_000 }, withNodeLogs(async () => {
    await Promise.all(each().map(({ name, api }) => waitFor(
      async () => (await api.rpc.system.health()).peers.toNumber() >= 3,
      { timeoutMs: 120_000, intervalMs: 2000, what: `${name} to see 3 peers` },
    )));

    const start = await Promise.all(each().map(async ({ api }) => ({
      best: await bestNumber(api),
      finalized: await finalizedNumber(api),
    })));
    await Promise.all(each().map(({ name, api }, i) => waitFor(
      async () => {
        const [best, finalized] = [await bestNumber(api), await finalizedNumber(api)];
        return best > start[i].best && finalized > 0 && finalized > start[i].finalized;
      },
      { timeoutMs: 180_000, intervalMs: 2000, what: `${name}'s best and finalized heads to advance` },
    )));
  }));

  test('removing Dave takes effect at the session after next', { skip, timeout: 600_000 }, withNodeLogs(async () => {
    const { api } = validators.alice;
    const alice = await devAccount('Alice');
    const dave = (await devAccount('Dave')).address;
    const current = async (hash) => {
      const at = await api.at(hash);
      const [list, index] = await Promise.all([at.query.session.validators(), at.query.session.currentIndex()]);
      return { validators: list.map(String), session: index.toNumber() };
    };

    const initial = await current(await api.rpc.chain.getBlockHash());
    assert.equal(initial.validators.length, 4, `session.validators: ${initial.validators}`);
    assert.ok(initial.validators.includes(dave));

    const { events, blockHash } = await signAndWait(
      api,
      api.tx.sudo.sudo(api.tx.validatorSet.removeValidator(dave)),
      alice,
      { finalized: true, timeoutMs: 180_000 },
    );
    const [sudid] = eventsOf(events, 'sudo', 'Sudid');
    assert.ok(sudid?.data.sudoResult.isOk, `Sudo.Sudid ok: ${sudid?.data.sudoResult}`);
    const [removed] = eventsOf(events, 'validatorSet', 'ValidatorRemoved');
    assert.ok(removed, 'ValidatorSet.ValidatorRemoved event');
    assert.equal(removed.data.who.toString(), dave);
    const removal = await current(blockHash);
    const removalNumber = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    assert.ok(removal.validators.includes(dave), 'Dave is still active in the session of his removal');

    const changed = await waitFor(async () => {
      const hash = await api.rpc.chain.getBlockHash();
      const now = await current(hash);
      if (now.validators.includes(dave) || now.validators.length !== 3) return false;
      return { ...now, number: (await api.rpc.chain.getHeader(hash)).number.toNumber() };
    }, { timeoutMs: 240_000, intervalMs: 3000, what: 'Dave to leave session.validators' });
    assert.ok(
      changed.session > removal.session && changed.session <= removal.session + 2,
      `removed in session ${removal.session}, gone in session ${changed.session}`,
    );

    // The hand-over to pallet-session: one ValidatorSetQueued{session: s + 2, count: 3}.
    const queued = [];
    for (let n = removalNumber; n <= changed.number; n++) {
      const at = await api.at(await api.rpc.chain.getBlockHash(n));
      for (const { event } of await at.query.system.events()) {
        if (event.section === 'validatorSet' && event.method === 'ValidatorSetQueued') {
          queued.push({ session: event.data.session.toNumber(), count: event.data.count.toNumber() });
        }
      }
    }
    assert.deepEqual(queued, [{ session: removal.session + 2, count: 3 }]);

    // Alice, Bob and Charlie keep finalizing; Dave (still running) follows.
    await Promise.all(each().map(({ name, api: nodeApi }) => waitFor(
      async () => (await finalizedNumber(nodeApi)) >= changed.number + 2,
      { timeoutMs: 180_000, intervalMs: 2000, what: `${name} to finalize #${changed.number + 2}` },
    )));
  }));
});
