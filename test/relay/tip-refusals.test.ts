/**
 * Every way a tip can fail, on a relay charging a constant tip, with the reference's status and
 * our JSON error body — and not one metadata or sliver PUT sent to a storage node: missing
 * parameters (400), an unknown, stale or future transaction (400), no tip or a tip elsewhere (402),
 * and a transaction that does not authenticate this upload — wrong nonce, no or malformed auth
 * payload, another body (401).
 */
import assert from 'node:assert/strict';
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { toBase58 } from '@mysten/sui/utils';
import { randomBytes } from '../fixtures/random.ts';
import { rawRequest, requestHead } from '../fixtures/raw-client.ts';
import { startRelay, TIP_ADDRESS, type PreparedBlob, type RelayFixture } from '../fixtures/upload-relay.ts';

const TIP = 500n;
const HOUR_MS = 3_600_000;
/** Past the default 30 s a transaction may be ahead of the relay's clock. */
const AHEAD_MS = 60_000;

interface SdkError {
  readonly status?: number;
  readonly error?: { readonly error: { readonly code: number; readonly status: string; readonly details: { readonly reason: string; readonly domain: string }[] } };
}

describe('upload relay tip refusals', () => {
  let relay: RelayFixture;
  let seed = 100;
  before(async () => {
    relay = await startRelay({ args: ['--tip-address', TIP_ADDRESS, '--tip-const', String(TIP)] });
  });
  after(() => relay.stop());

  /** A registered blob of `size` bytes, prepared as the SDK would. */
  async function registered(size = 1_500): Promise<{ blob: PreparedBlob; object: Awaited<ReturnType<RelayFixture['register']>> }> {
    const blob = await relay.prepare(randomBytes(size, seed++));
    return { blob, object: await relay.register(blob) };
  }

  /** The SDK's upload is refused with this status and reason, and no node received anything. */
  async function refused(upload: Promise<unknown>, status: number, reason: string, bodyStatus: string): Promise<void> {
    await assert.rejects(upload, (error: SdkError) => {
      assert.equal(error.status, status, JSON.stringify(error.error));
      const body = error.error?.error;
      assert.equal(body?.details[0].reason, reason);
      assert.equal(body?.details[0].domain, 'upload-relay.walrus.space');
      assert.equal(body?.status, bodyStatus);
      return true;
    });
    assert.equal(await relay.nodeWrites(), 0);
  }

  test('without tx_id and nonce: 400 MISSING_TX_ID_OR_NONCE, answered before the body is read', async () => {
    const { blob, object } = await registered();
    await refused(relay.upload(blob, object), 400, 'MISSING_TX_ID_OR_NONCE', 'INVALID_ARGUMENT');
    const txOnly = await relay.post({ blob_id: blob.blobId, tx_id: toBase58(cryptoRandomBytes(32)) }, blob.bytes);
    assert.equal(txOnly.status, 400);
    assert.equal(txOnly.json.error.details[0].reason, 'MISSING_TX_ID_OR_NONCE');
    // Headers announcing a body that never comes: the answer does not wait for it.
    const exchange = rawRequest(relay.url, requestHead('POST', `/v1/blob-upload-relay?blob_id=${blob.blobId}`, { 'content-length': '1000000' }));
    const early = await exchange.response;
    assert.equal(early?.status, 400);
    assert.equal((JSON.parse(early.body) as { error: { details: { reason: string }[] } }).error.details[0].reason, 'MISSING_TX_ID_OR_NONCE');
    assert.equal(await relay.metric('walrus_gateway_relay_requests_total', { outcome: 'MISSING_TX_ID_OR_NONCE' }), 3);
  });

  test('a transaction the chain does not know: 400 TIP_TRANSACTION_NOT_FOUND', async () => {
    const { blob, object } = await registered();
    await refused(relay.upload(blob, object, toBase58(cryptoRandomBytes(32))), 400, 'TIP_TRANSACTION_NOT_FOUND', 'INVALID_ARGUMENT');
  });

  test('a tip older than the freshness window: 400 TX_TOO_OLD', async () => {
    const { blob, object } = await registered();
    const txDigest = await relay.payTip(blob, TIP);
    relay.clockOffsetMs = 2 * HOUR_MS;
    try {
      await refused(relay.upload(blob, object, txDigest), 400, 'TX_TOO_OLD', 'INVALID_ARGUMENT');
    } finally {
      relay.clockOffsetMs = 0;
    }
  });

  test('a tip executed further in the future than the allowed skew: 400', async () => {
    const { blob, object } = await registered();
    const txDigest = await relay.payTip(blob, TIP);
    relay.clockOffsetMs = -AHEAD_MS;
    try {
      await refused(relay.upload(blob, object, txDigest), 400, 'UNEXPECTED_RESPONSE', 'INVALID_ARGUMENT');
    } finally {
      relay.clockOffsetMs = 0;
    }
  });

  test('a transaction that tips someone else: 402 NO_TIP_SENT', async () => {
    const { blob, object } = await registered();
    const txDigest = await relay.payTip(blob, TIP * 10n, { recipient: `0x${'5e'.repeat(32)}` });
    await refused(relay.upload(blob, object, txDigest), 402, 'NO_TIP_SENT', 'FAILED_PRECONDITION');
  });

  test('a nonce that is not the preimage of the digest in the transaction: 401 INVALID_NONCE_HASH', async () => {
    const { blob, object } = await registered();
    const txDigest = await relay.payTip(blob, TIP);
    await refused(relay.upload({ ...blob, nonce: cryptoRandomBytes(32) }, object, txDigest), 401, 'INVALID_NONCE_HASH', 'UNAUTHENTICATED');
  });

  test('a tip transaction without an auth payload as its first input: 401 MISSING_AUTH_PACKAGE', async () => {
    const { blob, object } = await registered();
    const txDigest = await relay.payTip(blob, TIP, { authPayload: null });
    await refused(relay.upload(blob, object, txDigest), 401, 'MISSING_AUTH_PACKAGE', 'UNAUTHENTICATED');
  });

  test('an auth payload that is not 72 bytes: 401 INVALID_AUTH_PACKAGE', async () => {
    const { blob, object } = await registered();
    const txDigest = await relay.payTip(blob, TIP, { authPayload: new Uint8Array(71) });
    await refused(relay.upload(blob, object, txDigest), 401, 'INVALID_AUTH_PACKAGE', 'UNAUTHENTICATED');
  });

  test('a tip paid for another body: 401 BLOB_LENGTH_MISMATCH, or BLOB_DIGEST_MISMATCH at the same length', async () => {
    const paidFor = await registered(1_500);
    const txDigest = await relay.payTip(paidFor.blob, TIP);
    const sameLength = await registered(1_500);
    await refused(relay.upload({ ...sameLength.blob, nonce: paidFor.blob.nonce }, sameLength.object, txDigest), 401, 'BLOB_DIGEST_MISMATCH', 'UNAUTHENTICATED');
    const otherLength = await registered(1_600);
    await refused(relay.upload({ ...otherLength.blob, nonce: paidFor.blob.nonce }, otherLength.object, txDigest), 401, 'BLOB_LENGTH_MISMATCH', 'UNAUTHENTICATED');
  });

  test('after all that, the same kind of upload with a proper tip is relayed', async () => {
    const { blob, object } = await registered();
    const relayed = await relay.upload(blob, object, await relay.payTip(blob, TIP));
    await relay.certify(object, relayed);
    assert.deepEqual(await relay.read(blob.blobId), blob.bytes);
    assert.ok((await relay.nodeWrites()) > 0);
  });
});
