/**
 * Phase 1's malformed requests, by family: bad IDs, ranges, queries, methods, bodies over HTTP, and
 * over a bare socket broken request lines, header floods, huge headers, bad framing, incomplete and
 * pipelined junk. Each family has a weight (its share of the run) and draws its variants from the rng.
 */
import { KIB, MIB } from './knobs.ts';
import { junk, pick, randomHex, randomId, type Rng } from './random-inputs.ts';
import { head, type HttpSpec, type RawPlan } from './wire.ts';

/** What the requests aim at: the gateway's and metrics' ports, a stored (cached) blob, the body limit. */
export interface HostileTarget {
  readonly port: number;
  readonly metricsPort: number;
  readonly blobId: string;
  readonly blobSize: number;
  readonly objectId: string;
  readonly maxBodySize: number;
}
/** One request: well-formed enough for undici (`http`), or bytes on a bare socket (`raw`). */
export type HostileCase = { readonly label: string } & ({ readonly http: HttpSpec; readonly metrics?: boolean } | { readonly raw: RawPlan });

/**
 * The malformed requests, by family, each with a weight (its share of the run). One function, long
 * on purpose: it is a table of families over one target, and split up it would only scatter it.
 */
export function hostileFamilies(t: HostileTarget): { weight: number; make: (rng: Rng) => HostileCase }[] {
  const id = t.blobId;
  const badIds = (rng: Rng) => ['x', 'A'.repeat(42), 'A'.repeat(44), '!!!!', '%00', '%ZZ', '..%2F..%2Fetc%2Fpasswd', `${id.slice(0, 40)}+/=`, '%E2%98%83'.repeat(12), 'A'.repeat(8000), `0x${randomHex(rng, 64)}`, `${id}=`, `${id}%20`, `${id.slice(1)}`, randomId(rng), `%2e%2e`];
  const get = (path: string, headers?: Record<string, string>, method = 'GET'): HostileCase => ({ label: `${method} ${path.slice(0, 80)}`, http: { method, path, headers } });
  const raw = (label: string, plan: Omit<RawPlan, 'port'>, port = t.port): HostileCase => ({ label, raw: { port, ...plan } });
  return [
    { weight: 12, make: (rng) => get(`/v1/blobs/${pick(rng, badIds(rng))}`, undefined, pick(rng, ['GET', 'HEAD'])) },
    {
      weight: 5,
      make: (rng) => get(`/v1/blobs/by-object-id/${pick(rng, ['xyz', '0x', '0xzz', `0x${'1'.repeat(65)}`, '1234', `0x${randomHex(rng, 64)}`, `0x${randomHex(rng, 8)}`, id, '%00'])}`, undefined, pick(rng, ['GET', 'HEAD'])),
    },
    {
      weight: 12,
      make: (rng) => {
        const queries = ['', 'start=0', 'length=1', 'start=-1&length=1', 'start=a&length=1', 'start=0&length=0', 'start=0&length=-5', 'start=1e3&length=1', 'start=9007199254740993&length=1', 'start=0&length=99999999999999999999', `start=${t.blobSize}&length=1`, `start=0&length=${t.blobSize + 1}`, 'start=0&start=1&length=1', 'start=0x10&length=1', 'start=%201&length=1', 'start=0&length=1&strict_consistency_check=maybe', 'start=10&length=100', `start=${t.blobSize - 1}&length=1`];
        return get(`/v1/blobs/${rng() < 0.85 ? id : pick(rng, badIds(rng))}/byte-range?${pick(rng, queries)}`);
      },
    },
    {
      weight: 12,
      make: (rng) => {
        const ranges = ['bytes=abc', 'bytes=5-1', 'bytes=-0', 'bytes=0-0,1-1', 'items=0-1', 'bytes=99999999999999999999-', 'bytes=--1', 'bytes=0-', `bytes=${t.blobSize}-`, 'bytes=-99999999', 'bytes= 1 - 2 ', 'bytes=1-2,'.repeat(500), '', 'bytes=0-1, 3-4', 'bytes=1-2', 'bytes=-1', 'bytes'];
        const headers: Record<string, string> = { range: pick(rng, ranges) };
        if (rng() < 0.3) headers['if-range'] = pick(rng, ['W/"x"', `"${id}"`, 'Tue, 01 Jan 1980 00:00:00 GMT', '"', '*']);
        if (rng() < 0.2) headers['if-none-match'] = pick(rng, ['*', '"', 'W/', ','.repeat(1000), `"${id}", W/"${id}"`]);
        return get(`/v1/blobs/${id}`, headers, rng() < 0.9 ? 'GET' : 'HEAD');
      },
    },
    {
      weight: 10,
      make: (rng) => {
        const queries = ['strict_consistency_check=maybe', 'strict_consistency_check=true&skip_consistency_check=true', 'download=2', 'download', 'filename=%0d%0aSet-Cookie:%20x=1', `filename=${'%E2%98%83'.repeat(50)}`, `filename=${'a'.repeat(5000)}`, 'a[b]=c', '__proto__=1&constructor=2', 'x=1&'.repeat(2000), '%', '&&&==&', `cb=${Math.floor(rng() * 1e9)}`, 'skip_consistency_check=true&skip_consistency_check=false', 'filename=%22%3B%20x=%22', 'download=true&filename=../../etc/passwd'];
        return get(`/v1/blobs/${rng() < 0.8 ? id : `by-object-id/${t.objectId}`}?${pick(rng, queries)}`);
      },
    },
    {
      weight: 10,
      make: (rng) => {
        const method = pick(rng, ['POST', 'DELETE', 'PATCH', 'OPTIONS', 'PUT', 'PROPFIND', 'GET', 'HEAD']);
        const path = pick(rng, [`/v1/blobs/${id}`, `/v1/blobs/${id}/byte-range?start=0&length=1`, `/v1/blobs/by-object-id/${t.objectId}`, '/status', '/v1/api', '/v1/blobs', '/v1/quilts']);
        const headers: Record<string, string> = {};
        if (method === 'OPTIONS' || rng() < 0.1) Object.assign(headers, { origin: pick(rng, ['https://evil.example', 'null', '*', '']), 'access-control-request-method': pick(rng, ['PUT', 'DELETE', 'X']), 'access-control-request-headers': pick(rng, ['x-a', 'content-type, authorization', ',,,', 'a'.repeat(2000)]) });
        // PUT /v1/blobs and /v1/quilts with a real body would store: those have their own family.
        if ((method === 'PUT' || method === 'POST') && path === '/v1/blobs') return get('/v1/blobs?epochs=0', headers, method);
        return get(path, headers, method);
      },
    },
    {
      weight: 8,
      make: (rng) => {
        const queries = ['epochs=0', 'epochs=-1', 'epochs=abc', 'epochs=99999999999', 'permanent=true&deletable=true', 'permanent=yes', 'unknown=1', 'send_object_to=0xzz', 'send_object_to=', 'epochs=1&epochs=2', 'encoding_type=RS3', 'share=maybe', 'force=1', 'epochs=1.5', 'deletable=%00', 'x=1&'.repeat(500)];
        const type = pick(rng, ['application/json', 'multipart/form-data; boundary=', 'text/plain; charset=utf-7', 'application/x-www-form-urlencoded', '']);
        const body = pick(rng, ['{"broken": ', '', junk(rng, Math.floor(rng() * 4096)).toString('latin1'), '--\r\n--']);
        return { label: 'PUT bad query', http: { method: 'PUT', path: `/v1/blobs?${pick(rng, queries)}`, headers: type ? { 'content-type': type } : ({} as Record<string, string>), body } };
      },
    },
    {
      weight: 6,
      make: (rng) =>
        get(pick(rng, ['/', '/v1', '/v1/blobs', '/v1/blobs/', `//v1//blobs//${id}`, `/v1/blobs/${id}/`, `/v1/blobs/${id}/byte-range/extra`, '/../../etc/passwd', '/v1/api/../status', '/%2e%2e/', '/metrics', '/v1/blobs/by-object-id/', '/favicon.ico', `/v1/blobs/${id}?%zz`, `/status?x=${'y'.repeat(10_000)}`, '/v1/quilts', '/V1/BLOBS/' + id])),
    },
    {
      weight: 5,
      make: (rng) => {
        const kind = Math.floor(rng() * 4);
        const headers: Record<string, string> =
          kind === 0 ? { cookie: 'a'.repeat(pick(rng, [8_000, 15_000, 20_000, 60_000])) }
          : kind === 1 ? Object.fromEntries(Array.from({ length: pick(rng, [100, 500, 1500]) }, (_, i) => [`x-h${i}`, 'v']))
          : kind === 2 ? { 'accept-encoding': 'gzip;q=bogus, br;q=-1', accept: '*/*;q=2', 'x-forwarded-for': '1.2.3.4, '.repeat(300) }
          : { authorization: `Bearer ${'a.b.'.repeat(200)}`, 'content-type': 'application/json', 'user-agent': 'x'.repeat(4000) };
        return get(pick(rng, [`/v1/blobs/${id}`, '/status', `/v1/blobs/${id}/byte-range?start=0&length=10`]), headers);
      },
    },
    { weight: 0.4, make: (rng) => (rng() < 0.7 ? raw('PUT oversized (Content-Length)', { parts: [head('PUT', '/v1/blobs', { 'content-length': t.maxBodySize + 1 })], stream: { bytes: t.maxBodySize + 1, chunk: 256 * KIB }, then: 'wait', timeoutMs: 30_000 }) : raw('PUT oversized (chunked)', { parts: [head('PUT', '/v1/blobs', { 'transfer-encoding': 'chunked' })], stream: { bytes: t.maxBodySize + MIB, chunk: 256 * KIB }, then: 'wait', timeoutMs: 30_000 })) },
    { weight: 0.3, make: (rng) => ({ label: 'PUT garbage body (stores)', http: { method: 'PUT', path: '/v1/blobs', headers: { 'content-type': pick(rng, ['application/json', 'text/html', 'image/png', 'application/octet-stream']) }, body: junk(rng, 1 + Math.floor(rng() * 2048)) } }) },
    {
      weight: 3,
      make: (rng) => (rng() < 0.6 ? { label: 'metrics port', metrics: true, http: { method: pick(rng, ['GET', 'POST', 'DELETE', 'HEAD']), path: pick(rng, ['/metrics', '/metrics?x=1', '/', '/metrics/../x', `/${'a'.repeat(3000)}`]) } } : raw('metrics port junk', { parts: [pick(rng, ['GARBAGE\r\n\r\n', junk(rng, 512), 'GET /metrics HTTP/1.1\r\n' + 'x: y\r\n'.repeat(3000) + '\r\n', 'GET /metrics HTTP/1.1\r\nHost: x\r\n'])], then: pick(rng, ['wait', 'end', 'leave'] as const), leaveAfterMs: 50 }, t.metricsPort)),
    },
    {
      weight: 5,
      make: (rng) => {
        const lines = ['GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', 'GET /status HTTP/1.1\r\n\r\n', 'get /status http/1.1\r\nHost: x\r\n\r\n', 'GET  /status  HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /status HTTP/1.1\nHost: x\n\n', 'GET http://evil.example/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n', 'TRACE / HTTP/1.1\r\nHost: x\r\n\r\n', `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, '\r\n\r\n\r\n', 'GET /status HTTP/1.0\r\n\r\n', `GET /v1/blobs/${id}\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`, 'GET /st atus HTTP/1.1\r\nHost: x\r\n\r\n'];
        const line = pick(rng, lines);
        return raw(`malformed request line ${JSON.stringify(line.slice(0, 24))}`, { parts: [line], then: 'wait' });
      },
    },
    { weight: 2, make: (rng) => raw('binary junk', { parts: [pick(rng, [junk(rng, 1 + Math.floor(rng() * 4096)), Buffer.from('16030100a5010000a103035b', 'hex')])], then: pick(rng, ['wait', 'end'] as const) }) },
    {
      weight: 2,
      make: (rng) =>
        rng() < 0.5
          ? raw('header flood', { parts: [`GET /v1/blobs/${id} HTTP/1.1\r\nHost: x\r\n` + Array.from({ length: pick(rng, [2_100, 5_000]) }, (_, i) => `x-${i}: y\r\n`).join('') + '\r\n'], then: 'wait' })
          : raw('huge header', { parts: [`GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(pick(rng, [17 * KIB, 64 * KIB, MIB]))}\r\n\r\n`], then: 'wait' }),
    },
    {
      weight: 3,
      make: (rng) => {
        const framing = [
          head('PUT', '/v1/blobs', { 'content-length': 'abc' }),
          head('PUT', '/v1/blobs', { 'content-length': '-1' }),
          'PUT /v1/blobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
          'PUT /v1/blobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
          'PUT /v1/blobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
          'PUT /v1/blobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
          'PUT /v1/blobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
          'GET /status HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n',
          'GET /status HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n  continued\r\n\r\n',
          'GET /status HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
          'GET /status HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n',
          `GET /status HTTP/1.1\r\nHost: x\r\n${'n'.repeat(20_000)}: v\r\n\r\n`,
          `GET /v1/blobs/${id} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n${'g'.repeat(100)}`,
          'GET /status HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
          'GET /status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
        ];
        const request = pick(rng, framing);
        return raw(`bad framing ${JSON.stringify(request.slice(0, 16) + '…' + request.slice(-48))}`, { parts: [request], then: 'wait' });
      },
    },
    {
      weight: 3,
      make: (rng) => {
        const full = pick(rng, [head('GET', `/v1/blobs/${id}`), head('PUT', '/v1/blobs', { 'content-length': 4096 }) + 'x'.repeat(100), head('GET', '/status')]);
        const cut = full.slice(0, 1 + Math.floor(rng() * (full.length - 2)));
        return raw('incomplete request', { parts: [cut], then: rng() < 0.5 ? 'end' : 'leave', leaveAfterMs: Math.floor(rng() * 200) });
      },
    },
    {
      weight: 3,
      make: (rng) => {
        const valid = [head('GET', '/status'), head('GET', `/v1/blobs/${pick(rng, badIds(rng))}`), head('HEAD', `/v1/blobs/${id}`), head('GET', `/v1/blobs/${id}/byte-range?start=0&length=1`)];
        const requests = Array.from({ length: 2 + Math.floor(rng() * 18) }, () => pick(rng, valid));
        const tail = pick(rng, ['JUNK\r\n\r\n', junk(rng, 64).toString('latin1'), head('GET', '/status', { connection: 'close' }), 'GET /status HTTP/1.1\r\nHost']);
        return raw('pipelined junk', { parts: [requests.join('') + tail], then: 'wait' });
      },
    },
    {
      weight: 1,
      make: (rng) => raw('PUT body short of Content-Length, half-closed', { parts: [head('PUT', '/v1/blobs', { 'content-length': 64 * KIB }), junk(rng, Math.floor(rng() * 32 * KIB))], then: 'end' }),
    },
  ];
}
