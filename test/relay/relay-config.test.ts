/**
 * The relay's configuration, validated once: `upload-relay` listens on the reference's port 57391
 * and needs no wallet; `daemon --upload-relay` mounts it; tips are constant or linear, paid to an
 * address, in SUI on Sui networks and WAL on the local one; every inconsistent or misplaced option
 * fails at start-up naming the flag. The CLI knows the command.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, RELAY_DEFAULT_PORT } from '../../src/config.ts';
import { runCli as run } from '../fixtures/cli.ts';

const ADDRESS = `0x${'ab'.repeat(32)}`;

describe('relay configuration', () => {
  test('upload-relay: the reference port, the reference metrics port, no tip, our limits; no wallet needed on Sui', () => {
    const config = loadConfig('upload-relay', [], {});
    assert.deepEqual([config.bindHost, config.bindPort, config.metricsPort], ['127.0.0.1', RELAY_DEFAULT_PORT, 9184]);
    assert.equal(RELAY_DEFAULT_PORT, 57391);
    assert.equal(config.relay.enabled, true);
    assert.equal(config.relay.tip, null);
    assert.deepEqual([config.relay.txFreshnessMs, config.relay.txMaxFutureMs], [3_600_000, 30_000]);
    assert.deepEqual([config.relay.maxBodySize, config.relay.maxConcurrentRequests, config.relay.maxBufferSize], [100 * 1024 * 1024, 8, 16]);
    assert.equal(loadConfig('upload-relay', ['--bind-address', '0.0.0.0:3000'], {}).bindPort, 3000);
    assert.equal(loadConfig('upload-relay', ['--network', 'testnet'], {}).relay.enabled, true);
    assert.throws(() => loadConfig('daemon', ['--network', 'testnet', '--upload-relay'], {}), /wallet/);
  });

  test('daemon mounts the relay only with --upload-relay (or its variable)', () => {
    assert.equal(loadConfig('daemon', [], {}).relay.enabled, false);
    assert.equal(loadConfig('daemon', ['--upload-relay'], {}).relay.enabled, true);
    assert.equal(loadConfig('daemon', [], { WALRUS_GATEWAY_UPLOAD_RELAY: 'true' }).relay.enabled, true);
    assert.equal(loadConfig('daemon', ['--upload-relay'], {}).bindPort, 31415);
  });

  test('tips: constant or linear, the address normalised, the coin by network', () => {
    const constant = loadConfig('upload-relay', ['--tip-address', '0xAB', '--tip-const', '105'], {}).relay.tip;
    assert.deepEqual(constant, { address: `0x${'0'.repeat(62)}ab`, kind: { kind: 'const', amount: 105n }, coin: 'WAL' });
    const linear = loadConfig('upload-relay', ['--network', 'testnet', '--tip-address', ADDRESS, '--tip-per-encoded-kib', '42'], { WALRUS_GATEWAY_TIP_BASE: '101' }).relay.tip;
    assert.deepEqual(linear, { address: ADDRESS, kind: { kind: 'linear', base: 101n, perEncodedKib: 42n }, coin: 'SUI' });
    const relay = loadConfig('daemon', ['--upload-relay', '--tip-tx-freshness', '10h', '--tip-tx-max-future', '5s', '--relay-max-body-size', '1MiB'], {}).relay;
    assert.deepEqual([relay.txFreshnessMs, relay.txMaxFutureMs, relay.maxBodySize], [36_000_000, 5_000, 1024 * 1024]);
  });

  test('inconsistent or misplaced relay options fail naming the flag', () => {
    const fails = (mode: Parameters<typeof loadConfig>[0], args: string[], pattern: RegExp) =>
      assert.throws(() => loadConfig(mode, args, {}), (error: Error) => error instanceof ConfigError && pattern.test(error.message), `${mode} ${args.join(' ')}`);
    fails('upload-relay', ['--tip-const', '5'], /--tip-address/);
    fails('upload-relay', ['--tip-address', ADDRESS], /--tip-address needs a tip/);
    fails('upload-relay', ['--tip-address', ADDRESS, '--tip-const', '5', '--tip-base', '1'], /--tip-const cannot be combined/);
    fails('upload-relay', ['--tip-address', 'alice', '--tip-const', '5'], /--tip-address must be a Sui address.*, got "alice"/);
    fails('upload-relay', ['--tip-address', ADDRESS, '--tip-const=-5'], /--tip-const must be a whole number of FROST/);
    fails('upload-relay', ['--network', 'testnet', '--tip-address', ADDRESS, '--tip-const', '1.5'], /--tip-const must be a whole number of MIST/);
    fails('upload-relay', ['--tip-address', ADDRESS, '--tip-const', '9007199254740992'], /--tip-const must be at most 9007199254740991/);
    fails('upload-relay', ['--tip-tx-freshness', 'forever'], /--tip-tx-freshness must be a duration/);
    fails('upload-relay', ['--relay-max-concurrent-requests', '0'], /--relay-max-concurrent-requests/);
    fails('daemon', ['--tip-address', ADDRESS, '--tip-const', '5'], /applies only where the upload relay runs/);
    fails('aggregator', ['--relay-max-body-size', '1'], /--relay-max-body-size applies only where the upload relay runs/);
    fails('publisher', ['--upload-relay'], /--upload-relay applies only to daemon/);
  });

  test('the CLI lists upload-relay, shows its usage, and refuses a bad configuration with exit code 2', async () => {
    const help = await run(['--help']);
    const usage = await run(['upload-relay', '--help']);
    const bad = await run(['upload-relay', '--tip-const', '5']);
    assert.match(help.stdout, /walrus-gateway upload-relay \[options\]/);
    assert.match(usage.stdout, /57391/);
    assert.match(usage.stdout, /--tip-address/);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--tip-address/);
  });
});
