// A `--dev` chain (Alice alone produces and finalizes blocks): finality, chain
// properties, a transfer and its fee going to the author's earnings, Prometheus, sudo
// and validator-set errors; and the binary's answer to a bad `--chain`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  NODE_BIN,
  UNIT,
  assertBinary,
  bestNumber,
  connect,
  describeDispatchError,
  devAccount,
  eventsOf,
  ExtrinsicFailed,
  finalizedNumber,
  freePort,
  randomAccount,
  rpc,
  runDirectory,
  signAndWait,
  startNode,
  stopAll,
  waitFor,
  waitForRpc,
  withNodeLogs,
} from '../lib/node.mjs';

describe('dev chain', () => {
  let node;
  let api;
  let prometheusPort;
  let alice;
  let bob;

  before(
    withNodeLogs(async () => {
      prometheusPort = await freePort();
      node = await startNode({
        name: 'dev',
        args: [
          '--dev',
          '--port', String(await freePort()),
          '--rpc-port', String(await freePort()),
          '--prometheus-port', String(prometheusPort),
          '--no-telemetry',
        ],
      });
      await waitForRpc(node, 120_000);
      api = await connect(node.wsUrl);
      alice = await devAccount('Alice');
      bob = await devAccount('Bob');
    }),
    { timeout: 180_000 },
  );

  after(() => stopAll(), { timeout: 60_000 });

  test('blocks are produced and finalized', { timeout: 180_000 }, withNodeLogs(async () => {
    const first = await waitFor(async () => (await finalizedNumber(api)) || false, {
      timeoutMs: 90_000,
      what: 'a finalized block > 0',
    });
    const second = await waitFor(async () => {
      const n = await finalizedNumber(api);
      return n > first && n;
    }, { timeoutMs: 60_000, what: `finalized head past #${first}` });
    assert.ok(second > first);
    assert.ok((await bestNumber(api)) >= second, 'best block is at or past the finalized one');
  }));

  test('chain properties and runtime version', withNodeLogs(async () => {
    const raw = await rpc(node.wsUrl, 'system_properties');
    const symbol = Array.isArray(raw.tokenSymbol) ? raw.tokenSymbol[0] : raw.tokenSymbol;
    const decimals = Array.isArray(raw.tokenDecimals) ? raw.tokenDecimals[0] : raw.tokenDecimals;
    assert.equal(symbol, 'ASY');
    assert.equal(decimals, 12);
    assert.equal(raw.ss58Format, 42);

    assert.deepEqual(api.registry.chainTokens, ['ASY']);
    assert.deepEqual(api.registry.chainDecimals, [12]);
    assert.equal(api.registry.chainSS58, 42);
    assert.equal(api.runtimeVersion.specName.toString(), 'assay');
  }));

  test('a transfer arrives and its fee is earned by the block author', { timeout: 180_000 }, withNodeLogs(async () => {
    const recipient = await randomAccount();
    const amount = UNIT;
    const { events, blockHash } = await signAndWait(
      api,
      api.tx.balances.transferKeepAlive(recipient.address, amount),
      alice,
    );

    const [transfer] = eventsOf(events, 'balances', 'Transfer');
    assert.ok(transfer, 'Balances.Transfer event');
    assert.equal(transfer.data.from.toString(), alice.address);
    assert.equal(transfer.data.to.toString(), recipient.address);
    assert.equal(transfer.data.amount.toBigInt(), amount);

    const atBlock = await api.at(blockHash);
    const account = await atBlock.query.system.account(recipient.address);
    assert.equal(account.data.free.toBigInt(), amount);

    // The author: Alice is the only validator of the dev chain.
    const header = await api.derive.chain.getHeader(blockHash);
    const author = header.author?.toString();
    assert.equal(author, alice.address, 'the dev chain block author is Alice');

    const blockEvents = (await atBlock.query.system.events()).map(({ event }) => event);
    const earned = blockEvents.filter(
      (e) => e.section === 'earnings' && e.method === 'Earned' && e.data.who.toString() === author,
    );
    assert.ok(earned.length > 0, 'an earnings.Earned event for the author in the same block');
    for (const e of earned) {
      assert.equal(e.data.source.type, 'Validation');
      assert.ok(e.data.amount.toBigInt() > 0n);
    }

    // 80% of the transfer's fee (plus its tip, here none) goes to the author.
    const [feePaid] = eventsOf(events, 'transactionPayment', 'TransactionFeePaid');
    assert.ok(feePaid, 'TransactionPayment.TransactionFeePaid event');
    const fee = feePaid.data.actualFee.toBigInt() - feePaid.data.tip.toBigInt();
    const expected = (fee * 80n) / 100n + feePaid.data.tip.toBigInt();
    const [ownEarned] = eventsOf(events, 'earnings', 'Earned');
    assert.ok(ownEarned, 'the transfer extrinsic itself emits earnings.Earned');
    const got = ownEarned.data.amount.toBigInt();
    assert.ok(got >= expected - 1n && got <= expected + 1n, `author earned ${got}, expected ~${expected} (80% of ${fee})`);

    // The ledger grew by exactly what the block's events say.
    const atParent = await api.at(header.parentHash);
    const earnedBefore = (await atParent.query.earnings.earned(author)).validation.toBigInt();
    const earnedAfter = (await atBlock.query.earnings.earned(author)).validation.toBigInt();
    const sum = earned.reduce((total, e) => total + e.data.amount.toBigInt(), 0n);
    assert.ok(earnedAfter > earnedBefore, 'earnings.earned(author).validation increased');
    assert.equal(earnedAfter - earnedBefore, sum, 'the ledger grew by the block\'s Earned events');
  }));

  test('Prometheus serves block height metrics', withNodeLogs(async () => {
    const response = await fetch(`http://127.0.0.1:${prometheusPort}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /substrate_block_height/);
  }));

  test('sudo and validator-set errors', { timeout: 300_000 }, withNodeLogs(async () => {
    // Bob is not the sudo key.
    await assert.rejects(
      signAndWait(api, api.tx.sudo.sudo(api.tx.validatorSet.removeValidator(alice.address)), bob),
      (error) => {
        assert.ok(error instanceof ExtrinsicFailed, `expected ExtrinsicFailed, got ${error}`);
        assert.equal(error.error, 'sudo.RequireSudo');
        return true;
      },
    );

    // As root: the dispatch succeeds, the inner call's error is in Sudid's sudo_result.
    const sudoError = async (call) => {
      const { events } = await signAndWait(api, api.tx.sudo.sudo(call), alice);
      const [sudid] = eventsOf(events, 'sudo', 'Sudid');
      assert.ok(sudid, 'Sudo.Sudid event');
      const result = sudid.data.sudoResult;
      assert.ok(result.isErr, `the inner call was expected to fail: ${result.toString()}`);
      return describeDispatchError(api, result.asErr);
    };
    // Alice is the only validator and the minimum is 1.
    assert.equal(await sudoError(api.tx.validatorSet.removeValidator(alice.address)), 'validatorSet.TooFewValidators');
    assert.equal(await sudoError(api.tx.validatorSet.addValidator(alice.address)), 'validatorSet.AlreadyValidator');

    const validators = (await api.query.validatorSet.validators()).map((v) => v.toString());
    assert.deepEqual(validators, [alice.address], 'the validator set is unchanged');
  }));
});

describe('command line', () => {
  const runBadChain = (chain) => {
    assertBinary();
    const result = spawnSync(
      NODE_BIN,
      ['--chain', chain, '--base-path', join(runDirectory(), 'cli'), '--no-telemetry'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    const context = `--chain ${chain}: status ${result.status}, signal ${result.signal}\nstderr:\n${result.stderr}`;
    assert.equal(result.error, undefined, `${context}\n${result.error}`);
    assert.notEqual(result.status, null, `did not exit within 30 s; ${context}`);
    assert.notEqual(result.status, 0, context);
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    assert.equal(lines.length, 1, `exactly one non-empty stderr line; ${context}`);
    assert.match(lines[0], /^Error:/, context);
    assert.doesNotMatch(result.stderr + result.stdout, /panicked/, context);
  };

  test('a chain-spec path that does not exist', { timeout: 60_000 }, () => {
    runBadChain('/nonexistent/spec.json');
  });

  test('an unknown chain id', { timeout: 60_000 }, () => {
    runBadChain('nosuchchain');
  });

  test('a malformed chain-spec file', { timeout: 60_000 }, () => {
    const path = join(runDirectory(), 'malformed-spec.json');
    writeFileSync(path, '{ "name": "broken", "id": ');
    runBadChain(path);
  });
});
