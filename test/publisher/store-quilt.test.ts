/**
 * `PUT /v1/quilts` end to end on the local network: a multipart form becomes one QuiltV1 blob whose
 * ID is the one the official SDK's `encodeQuilt` bytes get from the wasm encoder, with the patch IDs
 * the SDK's index gives, marked as a quilt on chain, and every patch reads back through the three
 * quilt routes. Every malformed form is refused with 400/413 before anything is paid.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeQuilt } from '@mysten/walrus';
import { blobIdToString, parseBlobId } from '../../src/codec/blob-id.ts';
import { encodeQuiltPatchId } from '../../src/codec/quilt.ts';
import { oracleEncodeOnce } from '../fixtures/oracle.ts';
import { startPublisher, type PublisherFixture } from '../fixtures/publisher.ts';
import { randomBytes } from '../fixtures/random.ts';
import { eventually, rawRequest, requestHead } from '../fixtures/raw-client.ts';

const SHARDS = 10;

interface FormFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly type?: string;
}

function form(files: readonly FormFile[], metadata?: string): FormData {
  const data = new FormData();
  for (const file of files) data.append(file.name, new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }), 'file');
  if (metadata !== undefined) data.append('_metadata', metadata);
  return data;
}

describe('PUT /v1/quilts', () => {
  let fixture: PublisherFixture;

  before(async () => {
    fixture = await startPublisher({ nodes: 4, shards: SHARDS, args: ['--max-quilt-body-size', '128KiB', '--body-idle-timeout', '500ms'] });
  });
  after(async () => {
    await fixture?.stop();
  });

  const putQuilt = async (body: FormData | Uint8Array, query = '', headers: Record<string, string> = {}) => {
    const response = await fetch(`${fixture.url}/v1/quilts${query ? `?${query}` : ''}`, { method: 'PUT', body, headers });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };

  const files: FormFile[] = [
    { name: 'notes/readme.txt', bytes: new TextEncoder().encode('hello quilt') },
    { name: 'logo.png', bytes: randomBytes(3000, 1) },
    { name: 'empty', bytes: new Uint8Array(0) },
    { name: 'zeta', bytes: randomBytes(700, 2) },
  ];
  const tags = { 'logo.png': { 'content-type': 'image/png', creator: 'walrus' }, zeta: { version: 2 } };
  const metadata = JSON.stringify(Object.entries(tags).map(([identifier, entry]) => ({ identifier, tags: entry })));

  it('stores the SDK’s quilt bytes under its blob ID, names every patch as the SDK does, and reads each back', async () => {
    const { status, json } = await putQuilt(form(files, metadata), 'epochs=2');
    assert.equal(status, 200, JSON.stringify(json));

    // The oracle: the SDK lays the same files out, the wasm encoder names the bytes.
    const sdk = encodeQuilt({
      blobs: files.map((file) => ({ identifier: file.name, contents: file.bytes, tags: file.name in tags ? stringTags(tags[file.name as keyof typeof tags]) : undefined })),
      numShards: SHARDS,
    });
    const expectedId = blobIdToString(oracleEncodeOnce(sdk.quilt, SHARDS).blobId);
    const blobObject = json.blobStoreResult.newlyCreated.blobObject;
    assert.equal(blobObject.blobId, expectedId);
    assert.equal(blobObject.size, sdk.quilt.length);
    assert.deepEqual(
      json.storedQuiltBlobs,
      sdk.index.patches.map((patch) => ({ identifier: patch.identifier, quiltPatchId: encodeQuiltPatchId(parseBlobId(expectedId), patch.startIndex, patch.endIndex) })),
    );
    assert.deepEqual((await fixture.chain.getBlobObject(blobObject.id))?.attributes, { _walrusBlobType: 'quilt' });

    const patches = (await (await fetch(`${fixture.url}/v1/quilts/${expectedId}/patches`)).json()) as { identifier: string; patch_id: string; tags: Record<string, string> }[];
    assert.deepEqual(
      patches,
      json.storedQuiltBlobs.map((stored: { identifier: string; quiltPatchId: string }) => ({
        identifier: stored.identifier,
        patch_id: stored.quiltPatchId,
        tags: stored.identifier in tags ? stringTags(tags[stored.identifier as keyof typeof tags]) : {},
      })),
    );
    for (const file of files) {
      const { quiltPatchId } = json.storedQuiltBlobs.find((stored: { identifier: string }) => stored.identifier === file.name)!;
      const byId = await fetch(`${fixture.url}/v1/blobs/by-quilt-patch-id/${quiltPatchId}`);
      assert.equal(byId.status, 200);
      assert.deepEqual(new Uint8Array(await byId.arrayBuffer()), file.bytes, file.name);
      assert.equal(byId.headers.get('x-quilt-patch-identifier'), file.name);
      const byName = await fetch(`${fixture.url}/v1/blobs/by-quilt-id/${expectedId}/${encodeURIComponent(file.name)}`);
      assert.equal(byName.status, 200);
      assert.deepEqual(new Uint8Array(await byName.arrayBuffer()), file.bytes, file.name);
      assert.equal(byName.headers.get('etag'), byId.headers.get('etag'));
    }
  });

  it('stores a second PUT of the same files as alreadyCertified, with the same patch IDs, paying nothing', async () => {
    const first = await putQuilt(form(files.slice(0, 2)), 'permanent=true');
    assert.equal(first.status, 200, JSON.stringify(first.json));
    const balance = await fixture.walletsBalance();
    const second = await putQuilt(form(files.slice(0, 2)), 'permanent=true');
    assert.equal(second.status, 200, JSON.stringify(second.json));
    assert.ok('alreadyCertified' in second.json.blobStoreResult);
    assert.deepEqual(second.json.storedQuiltBlobs, first.json.storedQuiltBlobs);
    assert.equal(await fixture.walletsBalance(), balance);
  });

  /** The head of a multipart PUT and the start of one part, the rest never sent. */
  const halfForm = () => {
    const boundary = 'quilt-boundary';
    const start = `--${boundary}\r\ncontent-disposition: form-data; name="a"; filename="a"\r\ncontent-type: application/octet-stream\r\n\r\nsome bytes`;
    return rawRequest(fixture.url, requestHead('PUT', '/v1/quilts', { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': '100000' }), new TextEncoder().encode(start));
  };

  it('answers a form that stops arriving with 408, and frees its admission slot', async () => {
    const balance = await fixture.walletsBalance();
    const exchange = halfForm();
    const response = await exchange.response;
    assert.equal(response?.status, 408);
    assert.equal(fixture.gateway.publisherShedder?.inFlight, 0);
    assert.equal(await fixture.walletsBalance(), balance);
  });

  it('frees everything when the client leaves mid-form, and pays nothing', async () => {
    const balance = await fixture.walletsBalance();
    const exchange = halfForm();
    assert.ok(await eventually(() => fixture.gateway.publisherShedder?.inFlight === 1, 5_000), 'the form was admitted');
    exchange.socket.destroy();
    assert.ok(await eventually(() => fixture.gateway.publisherShedder?.inFlight === 0, 5_000), 'the slot came back');
    assert.equal(await fixture.walletsBalance(), balance);
  });

  describe('refuses a bad form with the reference’s status and pays nothing', () => {
    const refusals: [string, () => FormData | Uint8Array, string, number, string, Record<string, string>?][] = [
      ['no files', () => form([]), '', 400, 'no files provided'],
      ['_metadata that is not JSON', () => form(files.slice(0, 1), '[{"identifier":'), '', 400, 'not valid JSON'],
      ['_metadata that is not an array', () => form(files.slice(0, 1), '{"identifier":"zeta"}'), '', 400, 'JSON array'],
      ['_metadata naming a file the form lacks', () => form(files.slice(0, 1), '[{"identifier":"nope","tags":{}}]'), '', 400, 'no file in the form has'],
      ['_metadata naming an identifier twice', () => form(files.slice(0, 1), '[{"identifier":"empty"},{"identifier":"empty"}]'), '', 400, 'duplicate identifiers'],
      ['two files with one identifier', () => form([files[0], { ...files[3], name: files[0].name }]), '', 400, 'failed to construct quilt'],
      ['an identifier longer than the format allows', () => form([{ name: 'x'.repeat(65_532), bytes: new Uint8Array(1) }]), '', 400, 'identifier'],
      ['an unknown quilt_version', () => form(files.slice(0, 1)), 'quilt_version=V2', 400, 'quilt_version'],
      ['deletable and permanent together', () => form(files.slice(0, 1)), 'deletable=true&permanent=true', 400, 'deletable and permanent'],
      ['a body that is not multipart', () => new TextEncoder().encode('plain'), '', 415, 'multipart/form-data', { 'content-type': 'text/plain' }],
      ['a form past --max-quilt-body-size', () => form([{ name: 'big', bytes: randomBytes(130 * 1024, 3) }]), '', 413, 'limit'],
    ];
    for (const [what, body, query, status, words, headers] of refusals) {
      it(what, async () => {
        const balance = await fixture.walletsBalance();
        const stores = await fixture.metric('walrus_gateway_stores_total');
        const response = await putQuilt(body(), query, headers);
        assert.equal(response.status, status, JSON.stringify(response.json));
        assert.match(response.json.error.message, new RegExp(words, 'i'));
        // The body's code is its AIP-193 status's, which the Rust SDK parses: SIZE_EXCEEDED is 403.
        assert.equal(response.json.error.code, status === 413 ? 403 : 400);
        assert.equal(await fixture.walletsBalance(), balance);
        assert.equal(await fixture.metric('walrus_gateway_stores_total'), stores);
      });
    }
  });
});

/** Tags as the reference keeps them: strings as they are, anything else as its JSON text. */
function stringTags(tags: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}
