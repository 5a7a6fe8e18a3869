/**
 * Phase 1, hostile clients: ≥ SOAK_HOSTILE_REQUESTS malformed requests (`hostile-requests.ts`) at
 * SOAK_HOSTILE_CONCURRENCY at once, plus a few slow-header clients → responses by status (goal: no
 * 5xx but 501/503, no 499 to a client still there, 408 for the slow headers, no error-log line).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { seededRandom } from '../../test/fixtures/random.ts';
import type { ChildReady, GatewayChild } from './gateway-child.ts';
import { hostileFamilies, type HostileTarget } from './hostile-requests.ts';
import { KNOBS, VERBOSE } from './knobs.ts';
import { CLIENT_GONE, isBad5xx, row, Tally } from './report.ts';
import { bounded, httpExchange, rawExchange, type RawPlan, type RawResult, type StoredBlob } from './wire.ts';

/** The metrics port gets a small share of the requests; a few connections are enough for it. */
const METRICS_CONNECTIONS = 4;
/** Bad 5xx quoted in the table (all are counted). */
const QUOTED_5XX = 10;
/** How long one hostile request may take before it counts as no response. */
const HOSTILE_TIMEOUT_MS = 30_000;

interface HostileReport {
  readonly statuses: Tally;
  readonly outcomes: Tally;
  readonly bad5xx: string[];
  /** 499 (client disconnected) read by a client that was still there, by request label. */
  readonly stray499: Tally;
  readonly sent: number;
  readonly seconds: number;
}

async function hostileClients(t: HostileTarget, gatewayUrl: string, metricsUrl: string): Promise<HostileReport> {
  const families = hostileFamilies(t);
  const totalWeight = families.reduce((sum, family) => sum + family.weight, 0);
  const gatewayPool = new Pool(gatewayUrl, { connections: KNOBS.hostileConcurrency });
  const metricsPool = new Pool(new URL(metricsUrl).origin, { connections: METRICS_CONNECTIONS });
  const statuses = new Tally();
  const outcomes = new Tally();
  const bad5xx: string[] = [];
  const stray499 = new Tally();
  const rng = seededRandom(KNOBS.seed);
  const start = performance.now();
  const byLabel = new Map<string, { n: number; ms: number; seen: Tally }>();
  const record = (label: string, statusList: number[], noResponse: string | undefined, halfClosed = false) => {
    for (const status of statusList) {
      statuses.add(status);
      if (isBad5xx(String(status)) && bad5xx.length < QUOTED_5XX) bad5xx.push(`${status} for ${label}`);
      // 499 says the client left; a client that reads it did not (unless it half-closed its side).
      if (status === CLIENT_GONE && !halfClosed) stray499.add(label.replace(/[A-Za-z0-9_-]{43}/g, '<id>').slice(0, 40));
    }
    if (statusList.length === 0 && noResponse) outcomes.add(noResponse);
  };
  const sent = await bounded(KNOBS.hostileRequests, KNOBS.hostileConcurrency, start + KNOBS.hostileMaxSeconds * 1000, async () => {
    let roll = rng() * totalWeight;
    const family = families.find((candidate) => (roll -= candidate.weight) < 0) ?? families[0];
    const hostile = family.make(rng);
    const began = performance.now();
    let seen: string;
    if ('http' in hostile) {
      const result = await httpExchange(hostile.metrics ? metricsPool : gatewayPool, hostile.http, HOSTILE_TIMEOUT_MS);
      record(hostile.label, result.status === undefined ? [] : [result.status], `no response (client saw ${result.error})`);
      seen = String(result.status ?? result.error);
    } else {
      const result = await rawExchange(hostile.raw);
      const left = result.end === 'left';
      record(hostile.label, result.statuses, left ? 'client left before an answer (expected)' : `no response (${result.end === 'closed' ? 'closed by server' : result.end})`, hostile.raw.then === 'end');
      seen = `${result.statuses.join('+') || '-'}/${result.end}`;
    }
    if (VERBOSE) {
      const key = hostile.label.replace(/[A-Za-z0-9_-]{43}/g, '<id>').slice(0, 60);
      const entry = byLabel.get(key) ?? { n: 0, ms: 0, seen: new Tally() };
      entry.n++;
      entry.ms += performance.now() - began;
      entry.seen.add(seen);
      byLabel.set(key, entry);
    }
  });
  if (VERBOSE) for (const [label, entry] of byLabel) console.log(`  ${label}: n=${entry.n}, mean ${(entry.ms / entry.n).toFixed(0)} ms; ${entry.seen}`);
  await Promise.all([gatewayPool.close(), metricsPool.close()]);
  return { statuses, outcomes, bad5xx, stray499, sent, seconds: (performance.now() - start) / 1000 };
}

/** Clients that send a header line a second and never finish: the header timeout should answer 408 and close. */
async function slowHeaderClients(port: number, headerTimeoutMs: number): Promise<RawResult[]> {
  const lines = Math.ceil((2 * headerTimeoutMs) / 1000) + 10;
  const plan: RawPlan = { port, parts: ['GET /status HTTP/1.1\r\nHost: x\r\n', ...Array.from({ length: lines }, (_, i) => `X-Drip-${i}: y\r\n`)], gapMs: 1000, then: 'wait', timeoutMs: 2 * headerTimeoutMs + 10_000 };
  return Promise.all(Array.from({ length: KNOBS.slowHeaderClients }, () => rawExchange(plan)));
}

export async function phaseHostileClients(child: GatewayChild, ready: ChildReady, pool: Pool, stored: StoredBlob): Promise<void> {
  const port = Number(new URL(ready.url).port);
  const target: HostileTarget = { port, metricsPort: Number(new URL(ready.metricsUrl).port), blobId: stored.blobId, blobSize: stored.blob.length, objectId: stored.objectId, maxBodySize: ready.maxBodySize };
  const errorsBefore = child.errorLogs;
  const slow = KNOBS.slowHeaderClients > 0 ? slowHeaderClients(port, ready.headerTimeoutMs) : Promise.resolve([]);
  const report = await hostileClients(target, ready.url, ready.metricsUrl);
  const slowResults = await slow;
  const alive = child.alive ? await httpExchange(pool, { method: 'GET', path: '/status' }) : undefined;
  const bad = report.statuses.count(isBad5xx);
  row('1 hostile clients', 'malformed requests sent', `${report.sent} in ${report.seconds.toFixed(0)} s (${KNOBS.hostileConcurrency} at once)`, `≥ ${KNOBS.hostileRequests}`, report.sent >= KNOBS.hostileRequests);
  row('1 hostile clients', 'responses by status', report.statuses.toString());
  row('1 hostile clients', 'connection-level outcomes (no response)', report.outcomes.toString());
  row('1 hostile clients', '499 answered to a client still connected', `${report.stray499.total}${report.stray499.total ? ` (${report.stray499})` : ''}`, '0', report.stray499.total === 0);
  row('1 hostile clients', '5xx other than 501/503', `${bad}${report.bad5xx.length ? ` (${report.bad5xx.join('; ')})` : ''}`, '0', bad === 0);
  if (slowResults.length > 0) {
    const cut = slowResults.filter((result) => result.statuses.includes(408));
    const times = slowResults.map((result) => result.ms / 1000);
    row('1 hostile clients', 'slow-header clients answered 408 and closed', `${cut.length}/${slowResults.length} after ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)} s (header timeout ${ready.headerTimeoutMs / 1000} s)`, 'all, within 2× the timeout', cut.length === slowResults.length);
  }
  row('1 hostile clients', 'gateway still answers GET /status', alive?.status === 200 ? 'yes' : `no (${alive?.status ?? alive?.error ?? 'child exited'})`, 'yes', alive?.status === 200);
  row('1 hostile clients', 'gateway error-log lines during the phase', String(child.errorLogs - errorsBefore), '0', child.errorLogs === errorsBefore);
}
