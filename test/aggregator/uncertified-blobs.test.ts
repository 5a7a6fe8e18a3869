/**
 * A blob the nodes hold but the chain never certified is not served (the reference reads it
 * anyway): its availability is not guaranteed, and a failed PUT must not look like a stored blob.
 * Once certified, the same blob reads normally.
 */
import assert from 'node:assert/strict';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { after, before, describe, test } from 'node:test';
import { signersToBitmap } from '../../src/codec/confirmation.ts';
import { blsAggregateSignatures } from '../../src/crypto/bls.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { storeBlob } from '../fixtures/local-store.ts';
import { randomBytes } from '../fixtures/random.ts';

const WAL = 1_000_000_000n;

describe('uncertified blobs', () => {
  let gw: GatewayFixture;
  const wallet = new Ed25519Keypair();
  before(async () => {
    gw = await startGateway({ args: ['--cache-size', '0'] });
    await gw.chain.requestFaucet(wallet.toSuiAddress(), 100n * WAL);
  });
  after(() => gw.stop());

  test('registered and uploaded but not certified: 404 BLOB_NOT_FOUND saying why, for GET, HEAD, ranges and by object ID', async () => {
    const blob = randomBytes(3000, 71);
    const object = await storeBlob(gw.chain, wallet, blob, 1, { certify: false });
    for (const [method, path] of [
      ['GET', `/v1/blobs/${object.blobId}`],
      ['HEAD', `/v1/blobs/${object.blobId}`],
      ['GET', `/v1/blobs/${object.blobId}/byte-range?start=0&length=10`],
      ['GET', `/v1/blobs/by-object-id/${object.id}`],
    ]) {
      const response = await fetch(`${gw.url}${path}`, { method });
      assert.equal(response.status, 404, `${method} ${path}`);
      if (method === 'GET') {
        const json = (await response.json()) as { error: { message: string; details: { reason: string }[] } };
        assert.equal(json.error.details[0].reason, 'BLOB_NOT_FOUND');
        assert.match(json.error.message, /registered .*not certified/);
      }
    }
  });

  test('a certified blob is served, even when asked right after the certification', async () => {
    const blob = randomBytes(2000, 72);
    const object = await storeBlob(gw.chain, wallet, blob);
    const response = await fetch(`${gw.url}/v1/blobs/${object.blobId}`);
    assert.equal(response.status, 200);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), blob);
  });

  test('refused while uncertified, served once certified (the refusal is not cached)', async () => {
    const blob = randomBytes(2500, 73);
    const { committee } = await gw.chain.getSystemState();
    const object = await storeBlob(gw.chain, wallet, blob, 1, { certify: false });
    assert.equal((await fetch(`${gw.url}/v1/blobs/${object.blobId}`)).status, 404);
    // Certify it now from the nodes' confirmations.
    const signatures = await Promise.all(
      committee.members.map(async (member) => {
        const json = (await (await fetch(`${member.url}/v1/blobs/${object.blobId}/confirmation/permanent`)).json()) as { success: { data: { signed: { serializedMessage: string; signature: string } } } };
        return json.success.data.signed;
      }),
    );
    await gw.chain.certifyBlob(wallet, {
      blobObjectId: object.id,
      certificate: {
        signersBitmap: signersToBitmap(committee.members.map((member) => member.index), committee.members.length),
        signature: blsAggregateSignatures(signatures.map((signed) => Buffer.from(signed.signature, 'base64'))),
        message: Buffer.from(signatures[0].serializedMessage, 'base64'),
      },
    });
    const served = await fetch(`${gw.url}/v1/blobs/${object.blobId}`);
    assert.equal(served.status, 200);
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), blob);
  });
});
