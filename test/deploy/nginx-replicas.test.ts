/**
 * Two gateway replicas on one local network behind real nginx running the repository's
 * deploy/nginx/nginx.conf (README "Scaling out"): reads are cached by the URI and served by nginx
 * without a replica, ranges and 304s pass through without poisoning the cache, a PUT is never
 * cached, and with one replica killed reads and writes go through the other.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startReplicasBehindNginx, type ReplicasBehindNginx } from '../fixtures/replicas-behind-nginx.ts';

const REQUEST_TIMEOUT_MS = 15_000;
const BLOB_BYTES = 64 * 1024;
/** deploy/nginx/nginx.conf's client_max_body_size, the gateway's default --max-body-size. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const READ_ROUTE = '/v1/blobs/:blobId';
const STORE_ROUTE = '/v1/blobs';

describe('replicas behind nginx', { timeout: 90_000 }, () => {
  let stack: ReplicasBehindNginx;

  const request = (path: string, init: RequestInit = {}) => fetch(`${stack.url}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

  /** Requests the replicas answered, over all of them that still run. */
  const replicaRequests = async (method: string, route = READ_ROUTE) => {
    const counts = await Promise.all(stack.replicas.filter((replica) => replica.child.running).map((replica) => stack.replicaRequests(replica, method, route)));
    return counts.reduce((sum, count) => sum + count, 0);
  };

  /** Stores through nginx; returns the blob ID and which JSON variant answered. */
  const store = async (blob: Uint8Array, query = 'epochs=1') => {
    const response = await request(`/v1/blobs?${query}`, { method: 'PUT', body: blob });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const json = JSON.parse(text) as { newlyCreated?: { blobObject: { blobId: string } }; alreadyCertified?: { blobId: string } };
    const blobId = json.newlyCreated?.blobObject.blobId ?? json.alreadyCertified?.blobId;
    assert.ok(blobId, text);
    return { blobId, outcome: json.newlyCreated ? 'newlyCreated' : 'alreadyCertified', response };
  };

  const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

  before(async () => {
    stack = await startReplicasBehindNginx();
  });
  after(async () => {
    await stack?.stop();
  });

  it('serves the second GET of a blob from its cache, without asking a replica', async () => {
    const blob = randomBytes(BLOB_BYTES);
    const { blobId } = await store(blob);
    const first = await request(`/v1/blobs/${blobId}`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-cache-status'), 'MISS');
    assert.equal(first.headers.get('etag'), `"${blobId}"`);
    assert.equal(first.headers.get('cache-control'), 'public, max-age=86400, stale-while-revalidate=3600');
    assert.deepEqual(await bytesOf(first), new Uint8Array(blob));

    const readsBefore = await replicaRequests('GET');
    const second = await request(`/v1/blobs/${blobId}`, { headers: { accept: 'text/html' } });
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('x-cache-status'), 'HIT', 'the key is the URI: another Accept is the same entry');
    assert.equal(second.headers.get('etag'), `"${blobId}"`);
    assert.deepEqual(await bytesOf(second), new Uint8Array(blob));
    assert.equal(await replicaRequests('GET'), readsBefore, 'no replica answered the cached read');
  });

  it('never caches a PUT: the same blob stored twice reaches a publisher twice', async () => {
    const blob = randomBytes(BLOB_BYTES);
    const storesBefore = await replicaRequests('PUT', STORE_ROUTE);
    // Permanent: a deletable blob is "already certified" only for the replica whose wallet owns it.
    const first = await store(blob, 'epochs=1&permanent=true');
    const second = await store(blob, 'epochs=1&permanent=true');
    assert.equal(first.outcome, 'newlyCreated');
    assert.equal(second.outcome, 'alreadyCertified', 'the second PUT was answered by a publisher, not by a cache');
    assert.equal(second.blobId, first.blobId);
    assert.notEqual(second.response.headers.get('x-cache-status'), 'HIT');
    assert.equal(await replicaRequests('PUT', STORE_ROUTE), storesBefore + 2);
  });

  it('passes a Range request that misses to a replica without storing the 206, then cuts ranges from the cached blob', async () => {
    const blob = randomBytes(BLOB_BYTES);
    const { blobId } = await store(blob);
    const path = `/v1/blobs/${blobId}`;

    let readsBefore = await replicaRequests('GET');
    const passed = await request(path, { headers: { range: 'bytes=100-199' } });
    assert.equal(passed.status, 206);
    assert.equal(passed.headers.get('x-cache-status'), 'MISS');
    assert.equal(passed.headers.get('content-range'), `bytes 100-199/${BLOB_BYTES}`);
    assert.deepEqual(await bytesOf(passed), new Uint8Array(blob.subarray(100, 200)));
    assert.equal(await replicaRequests('GET'), readsBefore + 1, 'the range went to a replica');

    const full = await request(path);
    assert.equal(full.status, 200, 'the 206 was not stored as the blob');
    assert.equal(full.headers.get('x-cache-status'), 'MISS');
    assert.deepEqual(await bytesOf(full), new Uint8Array(blob));

    readsBefore = await replicaRequests('GET');
    const cut = await request(path, { headers: { range: 'bytes=100-199' } });
    assert.equal(cut.status, 206);
    assert.equal(cut.headers.get('x-cache-status'), 'HIT');
    assert.equal(cut.headers.get('content-range'), `bytes 100-199/${BLOB_BYTES}`);
    assert.deepEqual(await bytesOf(cut), new Uint8Array(blob.subarray(100, 200)));
    const suffix = await request(path, { headers: { range: 'bytes=-10' } });
    assert.equal(suffix.status, 206);
    assert.deepEqual(await bytesOf(suffix), new Uint8Array(blob.subarray(BLOB_BYTES - 10)));
    const staleIfRange = await request(path, { headers: { range: 'bytes=0-9', 'if-range': '"another-etag"' } });
    assert.equal(staleIfRange.status, 200, 'If-Range that does not match: the whole blob');
    assert.deepEqual(await bytesOf(staleIfRange), new Uint8Array(blob));
    assert.equal(await replicaRequests('GET'), readsBefore, 'every range above came from the cache');
  });

  it('answers If-None-Match with 304: from the cache, and from a replica for a range that misses', async () => {
    const blob = randomBytes(BLOB_BYTES);
    const { blobId } = await store(blob);
    const etag = `"${blobId}"`;

    const missed = await request(`/v1/blobs/${blobId}?cb=conditional`, { headers: { 'if-none-match': etag } });
    assert.equal(missed.status, 304, 'nginx fetched the blob, cached it, and answered the condition itself');
    assert.equal(missed.headers.get('etag'), etag);
    assert.equal((await bytesOf(missed)).length, 0);

    const readsBefore = await replicaRequests('GET');
    const cached = await request(`/v1/blobs/${blobId}?cb=conditional`, { headers: { 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    assert.equal(cached.headers.get('x-cache-status'), 'HIT');
    const full = await request(`/v1/blobs/${blobId}?cb=conditional`);
    assert.equal(full.status, 200, 'the entry holds the blob, not the 304');
    assert.deepEqual(await bytesOf(full), new Uint8Array(blob));
    assert.equal(await replicaRequests('GET'), readsBefore);

    const rangeMiss = await request(`/v1/blobs/${blobId}?cb=conditional-range`, { headers: { 'if-none-match': etag, range: 'bytes=0-9' } });
    assert.equal(rangeMiss.status, 304, 'the replica evaluated If-None-Match before Range');
    assert.equal(rangeMiss.headers.get('x-cache-status'), 'MISS');
    assert.equal(await replicaRequests('GET'), readsBefore + 1);
  });

  it('caches HEAD apart from GET, so a HEAD never answers a GET with an empty body', async () => {
    const blob = randomBytes(BLOB_BYTES);
    const { blobId } = await store(blob);
    const head = await request(`/v1/blobs/${blobId}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(BLOB_BYTES));
    assert.equal((await request(`/v1/blobs/${blobId}`, { method: 'HEAD' })).headers.get('x-cache-status'), 'HIT');
    const get = await request(`/v1/blobs/${blobId}`);
    assert.equal(get.headers.get('x-cache-status'), 'MISS');
    assert.deepEqual(await bytesOf(get), new Uint8Array(blob));
  });

  it('refuses a body over client_max_body_size itself, with the gateway JSON error body', async () => {
    const storesBefore = await replicaRequests('PUT', STORE_ROUTE);
    const response = await request('/v1/blobs', { method: 'PUT', body: new Uint8Array(MAX_BODY_BYTES + 1) });
    assert.equal(response.status, 413);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as { error: { status: string; details: { reason: string }[] } };
    assert.equal(body.error.status, 'SIZE_EXCEEDED');
    assert.equal(body.error.details[0].reason, 'PAYLOAD_TOO_LARGE');
    assert.equal(await replicaRequests('PUT', STORE_ROUTE), storesBefore, 'no replica saw the body');
  });

  it('keeps reading and storing through the other replica when one is killed', async () => {
    const blob = randomBytes(BLOB_BYTES);
    const { blobId } = await store(blob);
    const [dead, live] = stack.replicas;
    await dead.child.stop('SIGKILL');
    const logged = (await stack.accessLog()).length;

    // Uncached URLs (the query is part of the key), so that each read goes to a replica: round
    // robin sends one of the first two to the dead replica, and nginx retries it on the other.
    for (const cb of ['failover-1', 'failover-2', 'failover-3']) {
      const response = await request(`/v1/blobs/${blobId}?cb=${cb}`);
      assert.equal(response.status, 200, `read ${cb}`);
      assert.equal(response.headers.get('x-cache-status'), 'MISS');
      assert.deepEqual(await bytesOf(response), new Uint8Array(blob));
    }
    for (let i = 0; i < 2; i++) {
      const stored = await store(randomBytes(BLOB_BYTES));
      assert.equal(stored.outcome, 'newlyCreated');
      const read = await request(`/v1/blobs/${stored.blobId}`);
      assert.equal(read.status, 200);
    }
    const log = (await stack.accessLog()).slice(logged);
    const retried = log.filter((line) => line.includes(`upstream=${dead.address}, ${live.address}`));
    assert.ok(retried.length >= 1, `a request was tried on the dead replica, then answered by the live one; access log:\n${log.join('\n')}`);
  });
});
