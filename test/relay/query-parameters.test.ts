/**
 * `POST /v1/blob-upload-relay` query parameters as the reference's extractor takes them
 * (`deny_unknown_fields`): unknown, repeated, missing or malformed ones are a 400 with our JSON
 * body, before anything is read from the body or sent to a node; the encodings the SDK writes
 * (base58 tx_id, unpadded base64url nonce, hex object IDs with or without 0x) are accepted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toBase58 } from '@mysten/sui/utils';
import { parseRelayQuery } from '../../src/relay/relay-query.ts';
import { InvalidRelayQueryError } from '../../src/relay/relay-errors.ts';
import { randomBytes } from '../fixtures/random.ts';
import { startRelay, type RelayFixture } from '../fixtures/upload-relay.ts';

const BLOB_ID = 'E7_nNXvFU_3qZVu3OH1yycRG7LZlyn1-UxEDCDDqGGU';
const TX_ID = 'EmcFpdozbobqH61w76T4UehhC4UGaAv32uZpv6c4CNyg';
const NONCE = 'rw8xIuqxwMpdOcF_3jOprsD9TtPWfXK97tT_lWr1teQ';

describe('relay query parameters', () => {
  test("the reference's examples parse; object IDs are normalised", () => {
    const params = parseRelayQuery({ blob_id: BLOB_ID, tx_id: TX_ID, nonce: NONCE, deletable_blob_object: '0x2A', encoding_type: 'RS2' });
    assert.equal(params.blobIdText, BLOB_ID);
    assert.equal(params.txId, TX_ID);
    assert.equal(Buffer.from(params.nonce ?? []).toString('base64url'), NONCE);
    assert.equal(params.deletableBlobObject, `0x${'0'.repeat(62)}2a`);
    assert.equal(parseRelayQuery({ blob_id: BLOB_ID, deletable_blob_object: 'ab'.repeat(32) }).deletableBlobObject, `0x${'ab'.repeat(32)}`);
    assert.equal(parseRelayQuery({ blob_id: BLOB_ID }).txId, undefined);
  });

  const bad: [string, Record<string, string | string[]>][] = [
    ['an unknown parameter', { blob_id: BLOB_ID, epochs: '1' }],
    ['a cache-buster', { blob_id: BLOB_ID, cb: '123' }],
    ['no blob_id', {}],
    ['a repeated blob_id', { blob_id: [BLOB_ID, BLOB_ID] }],
    ['a malformed blob_id', { blob_id: 'not-a-blob-id' }],
    ['a non-canonical blob_id', { blob_id: BLOB_ID.slice(0, 42) + 'V' }],
    ['a tx_id that is not base58', { blob_id: BLOB_ID, tx_id: '0OIl' + TX_ID.slice(4) }],
    ['a tx_id of 31 bytes', { blob_id: BLOB_ID, tx_id: toBase58(new Uint8Array(31).fill(9)) }],
    ['a padded nonce', { blob_id: BLOB_ID, nonce: NONCE + '=' }],
    ['a nonce of 31 bytes', { blob_id: BLOB_ID, nonce: Buffer.alloc(31, 1).toString('base64url') }],
    ['a standard-base64 nonce', { blob_id: BLOB_ID, nonce: NONCE.replace('_', '/') }],
    ['an object ID that is not hex', { blob_id: BLOB_ID, deletable_blob_object: '0xnothex' }],
    ['an object ID of 65 digits', { blob_id: BLOB_ID, deletable_blob_object: '0x' + '1'.repeat(65) }],
    ['another encoding type', { blob_id: BLOB_ID, encoding_type: 'RS' }],
  ];
  for (const [what, query] of bad) {
    test(`${what} is refused`, () => {
      assert.throws(() => parseRelayQuery(query), InvalidRelayQueryError);
    });
  }

  describe('over HTTP', () => {
    let relay: RelayFixture;
    before(async () => {
      relay = await startRelay();
    });
    after(() => relay.stop());

    test('refusals are 400 INVALID_QUERY in the relay domain, and no node hears of them', async () => {
      const body = randomBytes(100, 5);
      for (const [what, query] of bad) {
        const search = new URLSearchParams();
        for (const [name, value] of Object.entries(query)) for (const entry of [value].flat()) search.append(name, entry);
        const response = await fetch(`${relay.url}/v1/blob-upload-relay?${search.toString()}`, { method: 'POST', body });
        assert.equal(response.status, 400, what);
        const json = (await response.json()) as { error: { code: number; status: string; details: { reason: string; domain: string }[] } };
        assert.deepEqual([json.error.code, json.error.status, json.error.details[0].reason, json.error.details[0].domain], [400, 'INVALID_ARGUMENT', 'INVALID_QUERY', 'upload-relay.walrus.space'], what);
      }
      assert.equal(await relay.nodeWrites(), 0);
      assert.equal(await relay.metric('walrus_gateway_relay_node_requests_total'), 0);
    });

    test('other methods on the relay routes are 405 with Allow', async () => {
      const put = await fetch(`${relay.url}/v1/blob-upload-relay?blob_id=${BLOB_ID}`, { method: 'PUT', body: 'x' });
      assert.equal(put.status, 405);
      assert.equal(put.headers.get('allow'), 'POST');
      const post = await fetch(`${relay.url}/v1/tip-config`, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
    });
  });
});
