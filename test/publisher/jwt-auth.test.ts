/** JWT auth as the reference (docs/http-api.md §2.5), except: expired → 401, and nothing malformed is a 500. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { encodeQuilt } from '@mysten/walrus';
import { SignJWT, type JWTPayload } from 'jose';
import { JwtAuthenticator } from '../../src/publisher/jwt-auth.ts';
import type { JwtAuthConfig } from '../../src/publisher/jwt-config.ts';
import { AuthError } from '../../src/publisher/publisher-errors.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';

const SECRET = 'a shared secret for tests';
const HOUR = 3600;
let nextJti = 0;
const now = () => Math.floor(Date.now() / 1000);

function sign(claims: JWTPayload, secret = SECRET, alg = 'HS256'): Promise<string> {
  return new SignJWT({ exp: now() + HOUR, jti: `t${nextJti++}`, ...claims }).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

describe('JWT auth over HTTP (--jwt-decode-secret, --jwt-verify-upload)', () => {
  let pub: PublisherFixture;
  before(async () => {
    pub = await startPublisher({ nodes: 4, shards: 10, args: ['--jwt-verify-upload'], env: { WALRUS_GATEWAY_JWT_DECODE_SECRET: SECRET } });
  });
  after(() => pub.stop());

  async function putWith(token: string | undefined, query = '', body = randomBytes(100, nextJti)) {
    return pub.put(body, query, token === undefined ? {} : { authorization: `Bearer ${token}` });
  }
  function reasonOf(result: { json: { error: { details: { reason: string; domain: string }[] } } }) {
    assert.equal(result.json.error.details[0].domain, 'auth.publisher.walrus.space');
    return result.json.error.details[0].reason;
  }

  test('a valid token stores; replaying it is 429 TOKEN_ALREADY_USED', async () => {
    const token = await sign({});
    assert.equal((await putWith(token)).status, 200);
    const replay = await putWith(token);
    assert.equal(replay.status, 429);
    assert.equal(reasonOf(replay), 'TOKEN_ALREADY_USED');
    // The token can never succeed: Retry-After sends a retrying client away until it has expired (≤ 1 h here).
    const retryAfter = Number(replay.headers.get('retry-after'));
    assert.ok(retryAfter > HOUR - 60 && retryAfter <= HOUR, `Retry-After ${replay.headers.get('retry-after')}`);
  });

  test('missing, malformed, wrongly signed and expired tokens', async () => {
    const cases: [string | undefined, number, string][] = [
      [undefined, 400, 'MISSING_TOKEN'],
      ['not-a-jwt', 400, 'INVALID_TOKEN'],
      ['a.b.c', 400, 'INVALID_TOKEN'],
      [await sign({}, 'another secret'), 401, 'INVALID_SIGNATURE'],
      [await sign({}, SECRET, 'HS384'), 401, 'INVALID_SIGNATURE'],
      [await sign({ exp: now() - 10 }), 401, 'EXPIRED_SIGNATURE'],
      [await sign({ jti: undefined }), 400, 'INVALID_TOKEN'],
      [await sign({ exp: 'soon' } as unknown as JWTPayload), 400, 'INVALID_TOKEN'],
      [await sign({ epochs: 'two' }), 400, 'INVALID_TOKEN'],
      [await sign({ epochs: 1, max_epochs: 2 }), 400, 'INCONSISTENT_TOKEN'],
      [await sign({ size: 1, max_size: 2 }), 400, 'INCONSISTENT_TOKEN'],
    ];
    for (const [token, status, reason] of cases) {
      const result = await putWith(token);
      assert.equal(result.status, status, `${reason}: ${JSON.stringify(result.json)}`);
      assert.equal(reasonOf(result), reason);
    }
  });

  test('claims bound the upload: epochs, max_epochs, size, max_size, send_object_to', async () => {
    const address = '0x' + '12'.repeat(32);
    const cases: [JWTPayload, string, Uint8Array, string][] = [
      [{ epochs: 2 }, 'epochs=1', randomBytes(10, 1), 'INVALID_EPOCHS'],
      [{ max_epochs: 2 }, 'epochs=3', randomBytes(10, 2), 'INVALID_EPOCHS'],
      [{ size: 11 }, '', randomBytes(10, 3), 'INVALID_SIZE'],
      [{ max_size: 9 }, '', randomBytes(10, 4), 'INVALID_SIZE'],
      [{ send_object_to: address }, '', randomBytes(10, 5), 'INVALID_SEND_OBJECT_TO'],
    ];
    for (const [claims, query, body, reason] of cases) {
      const result = await putWith(await sign(claims), query, body);
      assert.equal(result.status, 400, reason);
      assert.equal(reasonOf(result), reason);
    }
    const ok = await putWith(await sign({ epochs: 2, max_size: 10, send_object_to: address }), `epochs=2&send_object_to=${address}`, randomBytes(10, 6));
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
  });

  test('on PUT /v1/quilts, size and max_size speak of the quilt blob, not of the form', async () => {
    const contents = randomBytes(300, 99);
    const quiltSize = encodeQuilt({ blobs: [{ identifier: 'a', contents }], numShards: 10 }).quilt.length;
    const put = async (token: string) => {
      const form = new FormData();
      form.append('a', new Blob([contents]), 'a');
      return fetch(`${pub.url}/v1/quilts`, { method: 'PUT', body: form, headers: { authorization: `Bearer ${token}` } });
    };
    assert.equal((await put(await sign({ size: quiltSize }))).status, 200);
    const tooSmall = await put(await sign({ max_size: quiltSize - 1 }));
    assert.equal(tooSmall.status, 400);
  });

  test('a token refused by a later check is not spent', async () => {
    const token = await sign({ epochs: 2 });
    assert.equal((await putWith(token, 'epochs=1')).status, 400);
    assert.equal((await putWith(token, 'epochs=2')).status, 200);
  });
});

describe('JwtAuthenticator', () => {
  const base: JwtAuthConfig = { decodeSecret: SECRET, algorithm: 'HS256', expiringSec: 0, verifyUpload: false, cacheSize: 2, cacheRefreshMs: 60_000 };
  const facts = { contentLength: 10, epochs: 1, sendObjectTo: null } as const;
  const rejects = (promise: Promise<unknown>, reason: string) => assert.rejects(promise, (error: unknown) => error instanceof AuthError && error.code === reason);

  test('--jwt-expiring-sec: iat is required and exp − iat must equal it', async () => {
    const auth = new JwtAuthenticator({ ...base, expiringSec: 60 });
    try {
      const iat = now();
      await rejects(auth.authenticate(`Bearer ${await sign({ exp: iat + 60 })}`, facts), 'INVALID_TIMESTAMP');
      await rejects(auth.authenticate(`Bearer ${await sign({ iat, exp: iat + 61 })}`, facts), 'INVALID_EXPIRATION');
      await auth.authenticate(`Bearer ${await sign({ iat, exp: iat + 60 })}`, facts);
    } finally {
      auth.close();
    }
  });

  test('without a secret the claims are checked but not the signature; without verify-upload claims do not bound the query', async () => {
    const auth = new JwtAuthenticator({ ...base, decodeSecret: undefined, expiringSec: 1 });
    try {
      const iat = now();
      await auth.authenticate(`Bearer ${await sign({ iat, exp: iat + 1, epochs: 5 }, 'whatever')}`, facts);
      await rejects(auth.authenticate(`Bearer ${await sign({ iat: iat - 20, exp: iat - 19 }, 'whatever')}`, facts), 'EXPIRED_SIGNATURE');
    } finally {
      auth.close();
    }
  });

  test('EdDSA with a DER (SPKI) public key in 0x hex', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const auth = new JwtAuthenticator({ ...base, algorithm: 'EdDSA', decodeSecret: '0x' + der.toString('hex') });
    try {
      const token = await new SignJWT({ exp: now() + HOUR, jti: 'ed' }).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey);
      await auth.authenticate(`Bearer ${token}`, facts);
      await rejects(auth.authenticate(`Bearer ${await sign({})}`, facts), 'INVALID_SIGNATURE');
    } finally {
      auth.close();
    }
  });

  test('the body size is always checked against size / max_size', async () => {
    const auth = new JwtAuthenticator(base);
    try {
      const token = await auth.authenticate(`Bearer ${await sign({ max_size: 5 })}`, facts);
      assert.throws(() => auth.checkBodySize(token, 6), (error: unknown) => error instanceof AuthError && error.code === 'INVALID_SIZE');
    } finally {
      auth.close();
    }
  });
});
