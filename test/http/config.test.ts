/** The configuration: defaults as the reference, flags over environment variables, failing fast naming the variable. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, DEFAULT_ALLOWED_HEADERS, DEFAULT_CACHE_CONTROL, loadConfig } from '../../src/config.ts';

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
    assert.throws(() => loadConfig('daemon', ['--network', 'mainnet'], {}), /--network.*"mainnet"/);
    assert.throws(() => loadConfig('daemon', ['--cache-max-entry-fraction', '2'], {}), /fraction/);
    assert.throws(() => loadConfig('daemon', ['--bogus'], {}), ConfigError);
  });
});
