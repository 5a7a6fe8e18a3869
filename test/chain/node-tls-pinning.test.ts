import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { certificateP256Key, createPinnedAgent, PinnedKeyMismatchError } from '../../src/chain/node-tls-pinning.ts';

/**
 * Pinning against a real HTTPS server on loopback whose self-signed secp256r1 certificate is
 * built here in pure Node (node:crypto has no X.509 writer, so the DER is assembled by hand).
 */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...parts: Buffer[]) => der(0x30, ...parts);
const oid = (bytes: number[]) => der(0x06, Buffer.from(bytes));
const ECDSA_WITH_SHA256 = oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
const COMMON_NAME = oid([0x55, 0x04, 0x03]);

/** A minimal v3 self-signed certificate for `key`, signed with ECDSA-SHA256. */
function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject): string {
  const name = seq(der(0x31, seq(COMMON_NAME, der(0x0c, Buffer.from('walrus-node')))));
  const time = (date: Date) => der(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, 0x23])),
    seq(ECDSA_WITH_SHA256),
    name,
    seq(time(new Date(Date.now() - 3_600_000)), time(new Date(Date.now() + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('SHA256').update(tbs).sign(privateKey);
  const certificate = seq(tbs, seq(ECDSA_WITH_SHA256), der(0x03, Buffer.from([0]), signature));
  return `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

const nodeKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const certificatePem = selfSignedCertificate(nodeKey.publicKey, nodeKey.privateKey);
const pemToDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
const keyOf = (pair: { publicKey: KeyObject; privateKey: KeyObject }) => certificateP256Key(pemToDer(selfSignedCertificate(pair.publicKey, pair.privateKey)))!;

describe('storage-node TLS pinned to the on-chain network public key', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer({ key: nodeKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: certificatePem }, (_req, res) => res.end('ok'));
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
