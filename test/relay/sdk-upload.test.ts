/**
 * A free relay driven by the official SDK's upload-relay client: blobs the test registered through
 * our chain client (permanent and deletable) go through the relay; the certificate it answers is
 * the one the SDK expects (message, signers, aggregate signature), certifies on the ledger, and the
 * blob reads back byte-exact through the aggregator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blsVerifyAggregate } from '../../src/crypto/bls.ts';
import { randomBytes } from '../fixtures/random.ts';
import { startRelay, type RelayFixture } from '../fixtures/upload-relay.ts';
import { sdkExpectedConfirmation } from '../fixtures/walrus-sdk.ts';

describe('upload relay without a tip, driven by the SDK', () => {
  let relay: RelayFixture;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.stop());

  test('GET /v1/tip-config answers "no_tip", which the SDK reads as no tip', async () => {
    const response = await fetch(`${relay.url}/v1/tip-config`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(await response.text(), '"no_tip"');
    assert.equal(await relay.sdk.tipConfig(), null);
  });

  test('a browser may post cross-origin: the preflight allows POST, the answer carries the CORS header', async () => {
    const preflight = await fetch(`${relay.url}/v1/blob-upload-relay?blob_id=x`, {
      method: 'OPTIONS',
      headers: { origin: 'https://dapp.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
    const tip = await fetch(`${relay.url}/v1/tip-config`, { headers: { origin: 'https://dapp.example' } });
    assert.equal(tip.headers.get('access-control-allow-origin'), '*');
  });

  for (const deletable of [false, true]) {
    test(`a ${deletable ? 'deletable' : 'permanent'} blob: relayed, certified by the client, read back byte-exact`, async () => {
      const blob = await relay.prepare(randomBytes(20_000, deletable ? 2 : 1));
      const object = await relay.register(blob, { deletable });
      const relayed = await relay.upload(blob, object);

      assert.equal(relayed.blobId, blob.blobId);
      const { committee } = await relay.chain.getSystemState();
      const expected = sdkExpectedConfirmation(blob.blobId, committee.epoch, deletable ? object.id : undefined);
      assert.equal(Buffer.from(relayed.certificate.serializedMessage).toString('base64'), expected);
      const signers = relayed.certificate.signers;
      assert.ok(signers.length > 0 && signers.every((index) => Number.isInteger(index) && index >= 0 && index < committee.members.length));
      const keys = signers.map((index) => committee.members[index].blsPublicKey);
      assert.ok(blsVerifyAggregate(relayed.certificate.signature, relayed.certificate.serializedMessage, keys), 'the aggregate signature verifies against the signers');

      const certified = await relay.certify(object, relayed);
      assert.equal(certified.blobObject.certifiedEpoch, committee.epoch);
      assert.deepEqual(await relay.read(blob.blobId), blob.bytes);
      assert.equal(await relay.metric('walrus_gateway_relay_requests_total', { outcome: 'relayed' }), deletable ? 2 : 1);
    });
  }

  test('the answer is the reference JSON: blob_id, and the certificate with signers, the message as bytes and the signature in base64', async () => {
    const blob = await relay.prepare(randomBytes(300, 3));
    const object = await relay.register(blob);
    const response = await fetch(`${relay.url}/v1/blob-upload-relay?blob_id=${blob.blobId}`, { method: 'POST', body: blob.bytes });
    assert.equal(response.status, 200);
    const json = (await response.json()) as { blob_id: string; confirmation_certificate: { signers: number[]; serialized_message: number[]; signature: string } };
    assert.deepEqual(Object.keys(json).sort(), ['blob_id', 'confirmation_certificate']);
    assert.deepEqual(Object.keys(json.confirmation_certificate).sort(), ['serialized_message', 'signature', 'signers']);
    assert.equal(json.blob_id, blob.blobId);
    assert.ok(json.confirmation_certificate.serialized_message.every((byte) => Number.isInteger(byte) && byte >= 0 && byte < 256));
    assert.equal(Buffer.from(json.confirmation_certificate.signature, 'base64').length, 96);
    assert.deepEqual([...json.confirmation_certificate.signers].sort((a, b) => a - b), json.confirmation_certificate.signers);
    assert.equal(object.certifiedEpoch, null);
  });
});
