import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { certificateP256Key, createPinnedAgent, PinnedKeyMismatchError } from '../../src/chain/node-tls-pinning.ts';
import { nodeTlsIdentity, pemToDer } from '../fixtures/self-signed-certificate.ts';

/** Pinning against a real HTTPS server on loopback with a self-signed secp256r1 certificate. */
const nodeKey = nodeTlsIdentity();
const otherKey = nodeTlsIdentity();
/** Read back from the certificate, not taken from the identity: that is what is under test. */
const keyOf = (identity: typeof nodeKey) => certificateP256Key(pemToDer(identity.certificatePem))!;

describe('storage-node TLS pinned to the on-chain network public key', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer({ key: nodeKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: nodeKey.certificatePem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/health`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('extracts the compressed key from a certificate', () => {
    const key = keyOf(nodeKey);
    assert.equal(key.length, 33);
    const jwk = nodeKey.publicKey.export({ format: 'jwk' });
    assert.deepEqual(Buffer.from(key.subarray(1)), Buffer.from(jwk.x!, 'base64url'));
  });

  it('accepts the self-signed certificate whose key is the pinned key', async () => {
    const agent = createPinnedAgent({ networkPublicKey: keyOf(nodeKey) });
    try {
      const response = await request(url, { dispatcher: agent });
      assert.equal(response.statusCode, 200);
      assert.equal(await response.body.text(), 'ok');
    } finally {
      await agent.close();
    }
  });

  it('refuses a certificate with any other key', async () => {
    const agent = createPinnedAgent({ networkPublicKey: keyOf(otherKey) });
    try {
      await assert.rejects(request(url, { dispatcher: agent }), PinnedKeyMismatchError);
    } finally {
      await agent.close();
    }
  });

  it('web PKI alone refuses the same self-signed certificate (why pinning is needed)', async () => {
    await assert.rejects(request(url), /self[- ]signed/i);
  });
});
