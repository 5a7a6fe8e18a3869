/** CORS: open by default like the reference, configurable origins, and the headers readers need exposed. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';

describe('CORS, default (any origin)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.stop());

  test('allows any origin and exposes ETag, Content-Range, Content-Length and X- headers', async () => {
    const response = await fetch(`${gw.url}/status`, { headers: { origin: 'https://app.example' } });
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const exposed = response.headers.get('access-control-expose-headers') ?? '';
    for (const name of ['ETag', 'Content-Range', 'Content-Length', 'X-Cache', 'X-Walrus-Certified-Epoch']) assert.ok(exposed.includes(name), name);
  });

  test('answers preflights', async () => {
    const response = await fetch(`${gw.url}/v1/blobs/${'A'.repeat(43)}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-headers'), 'range');
    assert.equal(response.headers.get('access-control-max-age'), '86400');
  });
});

describe('CORS with configured origins', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({ args: ['--cors-origins', 'https://good.example'] });
  });
  after(() => gw.stop());

  test('echoes a listed origin only', async () => {
    const good = await fetch(`${gw.url}/status`, { headers: { origin: 'https://good.example' } });
    assert.equal(good.headers.get('access-control-allow-origin'), 'https://good.example');
    assert.equal(good.headers.get('vary'), 'Origin');
    const bad = await fetch(`${gw.url}/status`, { headers: { origin: 'https://evil.example' } });
    assert.equal(bad.headers.get('access-control-allow-origin'), null);
  });
});
