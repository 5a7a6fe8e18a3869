/** The configuration: defaults as the reference, flags over environment variables, failing fast naming the variable. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { SUI_NETWORK_PRESETS } from '../../src/chain/sui-network-presets.ts';
import { ConfigError, DEFAULT_ALLOWED_HEADERS, DEFAULT_CACHE_CONTROL, loadConfig, OPTIONS } from '../../src/config.ts';

describe('loadConfig', () => {
  test('defaults', () => {
    const config = loadConfig('daemon', [], {});
    assert.deepEqual([config.bindHost, config.bindPort, config.metricsHost, config.metricsPort], ['127.0.0.1', 31415, '127.0.0.1', 27182]);
    assert.equal(config.network, 'local');
    assert.equal(config.cacheSizeBytes, 256 * 1024 * 1024);
    assert.equal(config.cacheControl, DEFAULT_CACHE_CONTROL);
    assert.deepEqual(config.allowedHeaders, DEFAULT_ALLOWED_HEADERS);
    assert.deepEqual([config.maxConcurrentRequests, config.maxBufferSize], [256, 320]);
    assert.equal(config.corsOrigins, '*');
    assert.equal(config.maxBlobSize, undefined);
  });
  test('flags win over environment variables; sizes take units', () => {
    const config = loadConfig('aggregator', ['--cache-size', '64MiB'], { WALRUS_GATEWAY_CACHE_SIZE: '1', WALRUS_GATEWAY_MAX_BLOB_SIZE: '2k', WALRUS_GATEWAY_CORS_ORIGINS: 'https://a.example,https://b.example' });
    assert.equal(config.cacheSizeBytes, 64 * 1024 * 1024);
    assert.equal(config.maxBlobSize, 2048);
    assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
  });
  test('bad values fail naming the flag or variable and the value', () => {
    assert.throws(() => loadConfig('daemon', [], { WALRUS_GATEWAY_BIND_ADDRESS: 'nowhere' }), (error: Error) => error instanceof ConfigError && /WALRUS_GATEWAY_BIND_ADDRESS.*"nowhere"/.test(error.message));
    assert.throws(() => loadConfig('daemon', ['--cache-size', 'lots'], {}), /--cache-size.*"lots"/);
    assert.throws(() => loadConfig('daemon', ['--network', 'devnet'], {}), /--network must be one of local, testnet, mainnet, custom, got "devnet"/);
    assert.throws(() => loadConfig('daemon', ['--cache-max-entry-fraction', '2'], {}), /fraction/);
    assert.throws(() => loadConfig('daemon', ['--bogus'], {}), ConfigError);
  });
});

describe('loadConfig: --network and the Sui network options', () => {
  const id = (hex: string) => '0x' + hex.padStart(64, '0');
  const fails = (mode: 'aggregator' | 'publisher' | 'daemon', args: string[], env: NodeJS.ProcessEnv, pattern: RegExp) =>
    assert.throws(() => loadConfig(mode, args, env), (error: Error) => error instanceof ConfigError && pattern.test(error.message), `expected ${pattern}`);

  test('local is the default and has no Sui settings', () => {
    const config = loadConfig('daemon', [], {});
    assert.equal(config.network, 'local');
    assert.equal(config.sui, undefined);
  });

  test('testnet and mainnet use their presets', () => {
    for (const network of ['testnet', 'mainnet'] as const) {
      const config = loadConfig('aggregator', ['--network', network], {});
      assert.equal(config.network, network);
      // URL normalisation drops the default port 443.
      assert.deepEqual(config.sui, { network, ...SUI_NETWORK_PRESETS[network], rpcUrl: new URL(SUI_NETWORK_PRESETS[network].rpcUrl).origin });
    }
  });

  test('each preset value can be overridden by flag or environment variable; flags win', () => {
    const config = loadConfig('aggregator', ['--network', 'mainnet', '--rpc-url', 'https://rpc.example.org:443/'], {
      WALRUS_GATEWAY_RPC_URL: 'https://ignored.example',
      WALRUS_GATEWAY_SYSTEM_OBJECT: '0x5e',
    });
    assert.equal(config.sui?.rpcUrl, 'https://rpc.example.org');
    assert.equal(config.sui?.systemObjectId, id('5e'));
    assert.equal(config.sui?.stakingObjectId, SUI_NETWORK_PRESETS.mainnet.stakingObjectId);
    assert.equal(loadConfig('aggregator', [], { WALRUS_GATEWAY_NETWORK: 'testnet' }).sui?.systemObjectId, SUI_NETWORK_PRESETS.testnet.systemObjectId);
  });

  test('custom has no presets: all three values or a message naming the missing ones', () => {
    fails('aggregator', ['--network', 'custom', '--rpc-url', 'http://127.0.0.1:9000'], {}, /--network custom .*needs --system-object, --staking-object \(or WALRUS_GATEWAY_SYSTEM_OBJECT, WALRUS_GATEWAY_STAKING_OBJECT\)/);
    const config = loadConfig('aggregator', ['--network', 'custom', '--rpc-url', 'http://127.0.0.1:9000', '--system-object', '0xa', '--staking-object', '0xb'], {});
    assert.deepEqual(config.sui, { network: 'custom', rpcUrl: 'http://127.0.0.1:9000', systemObjectId: id('a'), stakingObjectId: id('b') });
  });

  test('bad values fail naming the flag or variable and the value', () => {
    fails('aggregator', ['--network', 'testnet', '--rpc-url', 'ftp://rpc.example'], {}, /--rpc-url must be an http\(s\) URL, got "ftp:\/\/rpc.example"/);
    fails('aggregator', ['--network', 'testnet', '--rpc-url', 'not a url'], {}, /--rpc-url .*"not a url"/);
    fails('aggregator', ['--network', 'testnet', '--system-object', 'system'], {}, /--system-object must be a Sui object ID.*"system"/);
    fails('aggregator', ['--network', 'testnet'], { WALRUS_GATEWAY_STAKING_OBJECT: '0x' + 'f'.repeat(65) }, /WALRUS_GATEWAY_STAKING_OBJECT must be a Sui object ID/);
  });

  test('local refuses the Sui-only options rather than ignore them; Sui networks refuse --local-network-dir', () => {
    fails('aggregator', ['--rpc-url', 'https://fullnode.testnet.sui.io:443'], {}, /--rpc-url applies only to --network testnet, mainnet, custom, not local/);
    fails('aggregator', [], { WALRUS_GATEWAY_SYSTEM_OBJECT: '0x5' }, /WALRUS_GATEWAY_SYSTEM_OBJECT applies only to --network/);
    fails('aggregator', ['--network', 'testnet', '--local-network-dir', '/tmp/x'], {}, /--local-network-dir applies only to --network local, not testnet/);
  });

  test('on a Sui network the publisher and the daemon need a wallet key: there is no faucet', () => {
    for (const mode of ['publisher', 'daemon'] as const) {
      fails(mode, ['--network', 'testnet'], {}, new RegExp(`--network testnet: the ${mode} pays .*--wallet-key-file FILE .*WALRUS_GATEWAY_WALLET_KEY .*no faucet on testnet`));
    }
    assert.equal(loadConfig('daemon', ['--network', 'mainnet', '--wallet-key-file', '/keys/main.key'], {}).publisher.walletKeyFile, '/keys/main.key');
    assert.equal(loadConfig('publisher', ['--network', 'testnet'], { WALRUS_GATEWAY_WALLET_KEY: 'suiprivkey1xyz' }).publisher.walletKey, 'suiprivkey1xyz');
    assert.equal(loadConfig('aggregator', ['--network', 'testnet'], {}).publisher.walletKeyFile, undefined, 'reading needs no wallet');
    assert.equal(loadConfig('daemon', [], {}).publisher.walletKeyFile, undefined, 'local: a fresh wallet from the faucet');
  });

  test('--gas-refill-amount: MIST per sub-wallet refill, 0.5 SUI by default', () => {
    assert.equal(loadConfig('daemon', [], {}).publisher.gasRefillAmount, 500_000_000n);
    assert.equal(loadConfig('daemon', ['--gas-refill-amount', '7'], {}).publisher.gasRefillAmount, 7n);
    fails('daemon', [], { WALRUS_GATEWAY_GAS_REFILL_AMOUNT: '0.5' }, /WALRUS_GATEWAY_GAS_REFILL_AMOUNT must be a whole number of MIST, got "0.5"/);
  });
});

test('--codec-workers: auto leaves a core to the event loop (at least one worker, at most four); 0 runs the codec inline', () => {
  assert.equal(loadConfig('daemon', [], {}).codecWorkers, Math.min(4, Math.max(1, availableParallelism() - 1)));
  assert.equal(loadConfig('daemon', ['--codec-workers', '0'], {}).codecWorkers, 0);
  assert.equal(loadConfig('aggregator', [], { WALRUS_GATEWAY_CODEC_WORKERS: '3' }).codecWorkers, 3);
  assert.throws(() => loadConfig('daemon', ['--codec-workers', 'many'], {}), (error: Error) => error instanceof ConfigError && /--codec-workers must be auto or a whole number from 0 to 64, got "many"/.test(error.message));
  assert.throws(() => loadConfig('daemon', [], { WALRUS_GATEWAY_CODEC_WORKERS: '65' }), /WALRUS_GATEWAY_CODEC_WORKERS must be auto or a whole number from 0 to 64, got "65"/);
});

test('the README configuration table has a row for every option, with its flag and variable', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'));
  const rows = table.split('\n').filter((line) => line.startsWith('|'));
  for (const [name, spec] of Object.entries(OPTIONS)) {
    assert.ok(
      rows.some((row) => new RegExp(`[\`\\s]--${name}[\\s\`]`).test(row) && row.includes(`\`${spec.env}\``)),
      `--${name} / ${spec.env} is missing from the README configuration table`,
    );
  }
});
