/**
 * The soak's clients: undici for well-formed HTTP, `node:net` for everything fetch would refuse to
 * send (broken framing, slow headers, clients that leave), a bounded parallel runner, and the PUT
 * and target-blob helpers every phase stores with.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';
import { randomBytes } from '../../test/fixtures/random.ts';
import { KIB, KNOBS } from './knobs.ts';

/** How long a well-formed exchange, and a PUT (encode, pay, upload, certify), may take by default. */
const REQUEST_TIMEOUT_MS = 60_000;
const PUT_TIMEOUT_MS = 120_000;
/** A raw exchange waits this long for an answer; once one came, this long of silence ends it. */
const RAW_TIMEOUT_MS = 8_000;
const RAW_IDLE_MS = 500;

export interface HttpSpec {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string;
}
export interface HttpResult {
  readonly status?: number;
  readonly error?: string;
  readonly body?: Buffer;
  readonly headers?: Record<string, string | string[] | undefined>;
  readonly ms: number;
}

export async function httpExchange(pool: Pool, spec: HttpSpec, timeoutMs = REQUEST_TIMEOUT_MS): Promise<HttpResult> {
  const start = performance.now();
  try {
    const response = await pool.request({ method: spec.method as 'GET', path: spec.path, headers: spec.headers, body: spec.body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const body = Buffer.from(await response.body.arrayBuffer());
    return { status: response.statusCode, body, headers: response.headers, ms: performance.now() - start };
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).name;
    return { error: code, ms: performance.now() - start };
  }
}

export interface RawPlan {
  readonly port: number;
  /** Written in order, `gapMs` apart. */
  readonly parts: readonly (string | Uint8Array)[];
  readonly gapMs?: number;
  /** After the last part: wait for the answer, half-close and wait, or leave after `leaveAfterMs`. */
  readonly then: 'wait' | 'end' | 'leave';
  readonly leaveAfterMs?: number;
  /** A body streamed after the parts, chunk by chunk, until the server answers or this much is sent. */
  readonly stream?: { readonly bytes: number; readonly chunk: number };
  readonly timeoutMs?: number;
}
type RawEnd = 'closed' | 'reset' | 'timeout' | 'left' | 'idle';
export interface RawResult {
  readonly statuses: number[];
  readonly end: RawEnd;
  readonly ms: number;
}

/** Status codes of every response in a byte stream (several when pipelined). */
function parseStatuses(bytes: Buffer): number[] {
  const text = bytes.toString('latin1');
  return [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1]));
}

/** One exchange on a bare socket; always ends, by the server, by the plan, or by a timeout. */
export function rawExchange(plan: RawPlan): Promise<RawResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    const socket = connect({ host: '127.0.0.1', port: plan.port });
    const chunks: Buffer[] = [];
    let settled = false;
    let failed = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (end: RawEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(idle);
      socket.destroy();
      resolve({ statuses: parseStatuses(Buffer.concat(chunks)), end, ms: performance.now() - start });
    };
    const deadline = setTimeout(() => finish('timeout'), plan.timeoutMs ?? RAW_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(idle);
      idle = setTimeout(() => finish('idle'), RAW_IDLE_MS);
    });
    socket.on('error', () => (failed = true));
    socket.on('close', () => finish(failed ? 'reset' : 'closed'));
    socket.once('connect', async () => {
      for (const [i, part] of plan.parts.entries()) {
        if (settled || socket.destroyed) return;
        if (i > 0 && plan.gapMs) await sleep(plan.gapMs);
        if (settled || socket.destroyed) return;
        socket.write(part);
      }
      if (plan.stream) {
        const chunk = Buffer.alloc(plan.stream.chunk, 0x61);
        let sent = 0;
        while (!settled && !socket.destroyed && chunks.length === 0 && sent < plan.stream.bytes) {
          sent += chunk.length;
          if (!socket.write(chunk)) await new Promise((done) => (socket.once('drain', done), socket.once('close', done)));
        }
      }
      if (settled || socket.destroyed) return;
      if (plan.then === 'end') socket.end();
      else if (plan.then === 'leave') setTimeout(() => finish('left'), plan.leaveAfterMs ?? 0);
    });
  });
}

/**
 * Request line and headers for a raw exchange. Unlike `requestHead` in `test/fixtures/raw-client.ts`
 * it adds no `connection: close`: pipelined and held requests need the connection kept open.
 */
export const head = (method: string, path: string, headers: Record<string, string | number> = {}) =>
  [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n') + '\r\n\r\n';

/** Runs `count` tasks with at most `parallel` at once, none started after `deadline` (performance.now()). */
export async function bounded(count: number, parallel: number, deadline: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count && performance.now() < deadline) await task(next++);
    }),
  );
  return next;
}

export async function putBlob(pool: Pool, blob: Uint8Array, timeoutMs = PUT_TIMEOUT_MS): Promise<{ result: HttpResult; blobId?: string; objectId?: string }> {
  const result = await httpExchange(pool, { method: 'PUT', path: '/v1/blobs', body: blob, headers: { 'content-type': 'application/octet-stream' } }, timeoutMs);
  if (result.status !== 200 || !result.body) return { result };
  const json = JSON.parse(result.body.toString('utf8')) as { newlyCreated?: { blobObject: { id: string; blobId: string } }; alreadyCertified?: { blobId: string } };
  return { result, blobId: json.newlyCreated?.blobObject.blobId ?? json.alreadyCertified?.blobId, objectId: json.newlyCreated?.blobObject.id };
}

export interface StoredBlob {
  readonly blobId: string;
  readonly objectId: string;
  readonly blob: Uint8Array;
}

/** A 64 KiB blob, stored and read once (so cached), that the hostile and abandoning clients aim at. */
export async function targetBlob(pool: Pool): Promise<StoredBlob> {
  const blob = randomBytes(64 * KIB, KNOBS.seed + 100);
  const stored = await putBlob(pool, blob);
  if (!stored.blobId || !stored.objectId) throw new Error(`setup PUT failed: ${stored.result.status ?? stored.result.error}`);
  await httpExchange(pool, { method: 'GET', path: `/v1/blobs/${stored.blobId}` });
  return { blobId: stored.blobId, objectId: stored.objectId, blob };
}

