/**
 * The storage-node client against a node that answers anything at all: every misbehaviour becomes
 * one typed outcome (never an exception, never an unhandled 'error' event), bodies are cut off at
 * the route's cap, redirects are not followed.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { NodeOutcome } from '../../src/nodes/node-outcome.ts';
import { StorageNodeClient } from '../../src/nodes/storage-node-client.ts';

const BLOB_ID = new Uint8Array(32).fill(7);
const TIMEOUT_MS = 1_000;
const SLIVER_CAP = 1_000;

type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

function json(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const envelope = (data: unknown) => JSON.stringify({ success: { code: 200, data } });

describe('a storage node that answers with anything: one typed outcome per request', () => {
  let server: Server;
  let behaviour: Behaviour = (_request, response) => response.end();
  let redirectsFollowed = 0;
  const sockets = new Set<Socket>();
  let client: StorageNodeClient;
  const counted: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/elsewhere') redirectsFollowed++;
      behaviour(request, response);
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new StorageNodeClient({ name: 'hostile', url, timeoutMs: TIMEOUT_MS }, (kind, outcome) => counted.push(`${kind}:${outcome}`));
  });
  after(async () => {
    await client.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function expectFault<T>(call: Promise<NodeOutcome<T>>, fault: string): Promise<void> {
    const outcome = await call;
    assert.equal(outcome.kind, 'faulty', JSON.stringify(outcome));
    assert.equal(outcome.kind === 'faulty' && outcome.fault, fault, JSON.stringify(outcome));
  }
  const status = () => client.getBlobStatus(BLOB_ID, AbortSignal.timeout(10_000));
  const confirmation = () => client.getConfirmation(BLOB_ID, null, AbortSignal.timeout(10_000));
  const sliver = () => client.getSliver(BLOB_ID, 0, 'primary', SLIVER_CAP, AbortSignal.timeout(10_000));

  test('malformed JSON, null, wrong field types, garbage in a valid envelope: malformed', async () => {
    const bodies = [
      '{"success":',
      'null',
      '<html><body>Bad gateway</body></html>',
      envelope(null),
      envelope({ permanent: { endEpoch: 'soon', isCertified: true, statusEvent: { txDigest: 'x', eventSeq: '1' } } }),
      envelope({ permanent: { endEpoch: -1, isCertified: true } }),
      envelope({ deletable: { initialCertifiedEpoch: 1.5 } }),
      envelope({ permanent: {}, deletable: {} }),
      envelope({ exploded: {} }),
      envelope([1, 2, 3]),
    ];
    for (const body of bodies) {
      behaviour = (_request, response) => json(response, 200, body);
      await expectFault(status(), 'malformed');
    }
    for (const body of ['null', envelope({ signed: null }), envelope({ signed: { serializedMessage: 42, signature: 'AA==' } }), envelope({ signed: { serializedMessage: '!!not base64!!', signature: 'AA==' } })]) {
      behaviour = (_request, response) => json(response, 200, body);
      await expectFault(confirmation(), 'malformed');
    }
  });

  test('a well-formed status and confirmation still decode', async () => {
    behaviour = (_request, response) => json(response, 200, envelope({ deletable: { initialCertifiedEpoch: 3, deletableCounts: { count_deletable_total: 1, count_deletable_certified: 1 } } }));
    assert.deepEqual(await status(), { kind: 'ok', value: { kind: 'deletable', certifiedEpoch: 3, endEpoch: null } });
    behaviour = (_request, response) => json(response, 200, envelope({ signed: { serializedMessage: 'AQID', signature: 'BAUG' } }));
    assert.deepEqual(await confirmation(), { kind: 'ok', value: { serializedMessage: new Uint8Array([1, 2, 3]), signature: new Uint8Array([4, 5, 6]) } });
  });

  test('4xx answers are refusals with their AIP-193 reason; 5xx, 1xx-less oddities and 204 are faults', async () => {
    behaviour = (_request, response) => json(response, 404, JSON.stringify({ error: { code: 404, status: 'NOT_FOUND', message: 'no', details: [{ reason: 'BLOB_NOT_FOUND' }] } }));
    const notFound = await sliver();
    assert.equal(notFound.kind, 'refused');
    assert.equal(notFound.kind === 'refused' && notFound.reason, 'BLOB_NOT_FOUND');
    behaviour = (_request, response) => json(response, 418, 'I am a teapot');
    assert.equal((await sliver()).kind, 'refused');
    behaviour = (_request, response) => json(response, 500, '<html>oops</html>');
    await expectFault(sliver(), 'status');
    behaviour = (_request, response) => {
      response.writeHead(204);
      response.end();
    };
    await expectFault(sliver(), 'status');
    await expectFault(status(), 'status');
  });

  test('redirects are faults and are not followed', async () => {
    for (const code of [301, 302, 307, 308]) {
      behaviour = (request, response) => {
        if (request.url === '/elsewhere') return json(response, 200, envelope('nonexistent'));
        response.writeHead(code, { location: '/elsewhere' });
        response.end();
      };
      await expectFault(status(), 'redirect');
    }
    assert.equal(redirectsFollowed, 0);
  });

  test('oversized bodies are cut off at the cap, declared or not', async () => {
    behaviour = (_request, response) => {
      response.writeHead(200, { 'content-length': String(4 * 1024 ** 3) });
      response.write(Buffer.alloc(1024));
    };
    await expectFault(sliver(), 'oversized');
    behaviour = (_request, response) => {
      // Chunked, no length: junk until the client hangs up.
      response.writeHead(200);
      const pump = () => {
        if (response.destroyed) return;
        if (response.write(Buffer.alloc(64 * 1024))) setImmediate(pump);
        else response.once('drain', pump);
      };
      pump();
    };
    await expectFault(sliver(), 'oversized');
    behaviour = (_request, response) => json(response, 200, envelope('x'.repeat(200 * 1024)));
    await expectFault(status(), 'oversized');
  });

  test('resets, truncated bodies and stalls are transport faults and timeouts', async () => {
    behaviour = (request) => request.socket.destroy();
    await expectFault(sliver(), 'transport');
    behaviour = (request, response) => {
      response.writeHead(200, { 'content-length': '500' });
      response.write(Buffer.alloc(100), () => request.socket.destroy());
    };
    await expectFault(sliver(), 'transport');
    // The three stalls are asked for at once, each sliver index meeting its own (the client keeps
    // several connections per node), so the test waits for the longest one only.
    const stalls: Behaviour[] = [
      // Silence.
      () => undefined,
      (_request, response) => {
        // A slow drip: a byte now and then, slower than the body timeout.
        response.writeHead(200, { 'content-length': '100' });
        response.write('x');
        const drip = setInterval(() => (response.destroyed ? clearInterval(drip) : response.write('x')), TIMEOUT_MS * 2);
        response.on('close', () => clearInterval(drip));
      },
      (_request, response) => {
        // A drip fast enough for the idle timeout, far too slow for any real node: cut off after the grace period.
        response.writeHead(200, { 'content-length': '900' });
        const drip = setInterval(() => (response.destroyed ? clearInterval(drip) : response.write('x')), TIMEOUT_MS / 4);
        response.on('close', () => clearInterval(drip));
      },
    ];
    behaviour = (request, response) => {
      const index = Number(/\/slivers\/(\d+)\//.exec(request.url ?? '')?.[1]);
      stalls[index](request, response);
    };
    const stalled = (index: number) => client.getSliver(BLOB_ID, index, 'primary', SLIVER_CAP, AbortSignal.timeout(10_000));
    const started = performance.now();
    const [, , fastDripMs] = await Promise.all([
      expectFault(stalled(0), 'timeout'),
      expectFault(stalled(1), 'timeout'),
      expectFault(stalled(2), 'timeout').then(() => performance.now() - started),
    ]);
    // The drip would last 225 s; a bound far above the 5 s grace tells the two apart on any machine.
    assert.ok(fastDripMs < 60_000, 'cut off after the grace period, not when the drip ends');
  });

  test('an aborted request is aborted, not faulty; every outcome was counted', async () => {
    behaviour = () => undefined;
    const controller = new AbortController();
    const pending = client.getMetadata(BLOB_ID, 100, controller.signal);
    setTimeout(() => controller.abort(new Error('bye')), 50);
    assert.deepEqual(await pending, { kind: 'aborted' });
    assert.ok(counted.includes('metadata:aborted'));
    assert.ok(counted.includes('status:malformed'));
    assert.ok(counted.includes('sliver:oversized'));
    assert.ok(counted.includes('sliver:notFound'));
    assert.ok(counted.includes('status:redirect'));
  });
});
