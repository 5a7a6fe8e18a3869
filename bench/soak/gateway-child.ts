/**
 * The gateway under test, in a child process so that its RSS is its own: `gatewayChild()` is the
 * child's side (the daemon alone, JSON lines on stdout: ready, RSS every few seconds, the shedders'
 * slots on request); `GatewayChild` is the parent's handle (spawn, samples, error-log count, stop).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { LocalChainClient } from '../../src/chain/local-chain-client.ts';
import { openCodec } from '../../src/codec/codec-workers.ts';
import { kernelSelection } from '../../src/codec/kernel/select-kernel.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { GatewayMetrics, startMetricsServer } from '../../src/http/metrics.ts';
import { openPublisher } from '../../src/publisher/publisher-setup.ts';
import { KNOBS, VERBOSE } from './knobs.ts';

/** The publisher's wallets get enough to pay for every store of the run without a refill wait. */
const WALLET_ARGS = ['--wal-refill-amount', '20000000000', '--sub-wallets-min-balance', '5000000000'];
/** How long `waitSlots` polls by default before it settles for the last reading. */
const SLOTS_WAIT_MS = 15_000;
/** A child that has not exited this long after `stop` is killed. */
const STOP_GRACE_MS = 15_000;
/** The reading once the child is gone: -1 everywhere, so it never passes for idle or full. */
const NO_SLOTS: Slots = { read: { inFlight: -1, queued: -1 }, publish: { inFlight: -1, queued: -1 } };
/** The flag that makes the entry script run `gatewayChild()`; its arguments follow it. */
export const GATEWAY_CHILD_FLAG = '--gateway-child';
/**
 * The child is the soak's own entry script in child mode, so it runs under the same loader (tsx)
 * and reads the same SOAK_* knobs; the dispatch on `GATEWAY_CHILD_FLAG` lives in `bench/soak.ts`.
 */
const ENTRY_SCRIPT = fileURLToPath(new URL('../soak.ts', import.meta.url));

export interface ChildReady {
  readonly url: string;
  readonly metricsUrl: string;
  readonly readConcurrent: number;
  readonly readBuffer: number;
  readonly publishConcurrent: number;
  readonly publishBuffer: number;
  readonly maxBodySize: number;
  readonly headerTimeoutMs: number;
}
export interface Slots {
  readonly read: { readonly inFlight: number; readonly queued: number };
  readonly publish: { readonly inFlight: number; readonly queued: number };
}
type ChildMessage = { ready: ChildReady } | { rss: number } | { liveBytes: number } | { slots: Slots };

/** Child mode: the daemon alone; JSON lines out (ready, RSS every few seconds, slots on request). */
export async function gatewayChild(): Promise<void> {
  const [ledgerUrl, ...extra] = process.argv.slice(process.argv.indexOf(GATEWAY_CHILD_FLAG) + 1);
  const dataDir = await mkdtemp(join(tmpdir(), 'walrus-soak-gateway-'));
  const chain = new LocalChainClient({ ledgerUrl });
  const config = loadConfig('daemon', ['--bind-address', '127.0.0.1:0', '--data-dir', dataDir, ...WALLET_ARGS, ...extra], {});
  const selection = kernelSelection();
  const metrics = new GatewayMetrics({ kernelDescription: selection.description, kernelName: selection.kernel.name, mode: config.mode });
  // Errors only, on stderr: the parent counts them; stdout carries the protocol.
  const log = pino({ level: 'error' }, process.stderr);
  // The codec where the daemon runs it by default: on worker threads.
  const codec = openCodec(config.codecWorkers, selection.kernel, log);
  const publisher = await openPublisher({ config, chain, codec, registry: metrics.registry, log, faucet: (a, amount) => chain.requestFaucet(a, amount * 10n) });
  const gateway = buildApp({ config, chain, kernel: selection.kernel, codec, metrics, publisher, logger: { level: 'error', stream: process.stderr } });
  const metricsServer = await startMetricsServer(metrics.registry, '127.0.0.1', 0);
  const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const send = (message: ChildMessage) => process.stdout.write(JSON.stringify(message) + '\n');
  send({
    ready: {
      url,
      metricsUrl: metricsServer.url,
      readConcurrent: config.maxConcurrentRequests,
      readBuffer: config.maxBufferSize,
      publishConcurrent: config.publisher.maxConcurrentRequests,
      publishBuffer: config.publisher.maxBufferSize,
      maxBodySize: config.publisher.maxBodySize,
      headerTimeoutMs: config.requestHeaderTimeoutMs,
    },
  });
  const sample = () => send({ rss: process.memoryUsage().rss });
  sample();
  const timer = setInterval(sample, KNOBS.rssIntervalMs);
  const publish = gateway.publisherShedder;
  // The loop ends on `stop` or when the parent goes away (stdin closes).
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stop') break;
    if (line === 'live') {
      // RSS follows the collector's moods; what is alive after a full collection, less the blob cache
      // (meant to fill up to --cache-size), is what grows if something leaks. Asked for rarely: a
      // full collection pauses every request.
      globalThis.gc?.();
      const { heapUsed, external } = process.memoryUsage();
      send({ liveBytes: heapUsed + external - gateway.blobCache.bytes });
    }
    if (line === 'slots') {
      send({ slots: { read: { inFlight: gateway.shedder.inFlight, queued: gateway.shedder.queued }, publish: { inFlight: publish?.inFlight ?? -1, queued: publish?.queued ?? -1 } } });
    }
  }
  clearInterval(timer);
  await gateway.app.close();
  await new Promise<void>((done) => metricsServer.server.close(() => done()));
  await codec.close();
  await chain.close();
  await rm(dataDir, { recursive: true, force: true });
  // Whatever still holds the loop (wallet refills, idle sockets), the child is done.
  process.exit(0);
}

/** The parent's view of a gateway child: its answers, RSS samples, error log lines and exit. */
export class GatewayChild {
  readonly rss: { at: number; bytes: number }[] = [];
  /** Error-level log lines (pino JSON at level ≥ 50) and any other stderr text (crash traces, warnings). */
  errorLogs = 0;
  otherStderr = 0;
  readonly logSamples: string[] = [];
  exit: string | undefined;
  private readonly slotWaiters: ((slots: Slots) => void)[] = [];
  private readonly liveWaiters: ((bytes: number) => void)[] = [];
  readonly ready: Promise<ChildReady>;

  private constructor(private readonly child: ChildProcess) {
    let resolveReady: (ready: ChildReady) => void = () => {};
    let rejectReady: (error: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => ((resolveReady = resolve), (rejectReady = reject)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: Partial<{ ready: ChildReady; rss: number; liveBytes: number; slots: Slots }>;
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return this.note(`stdout: ${line}`, false);
      }
      if (message.ready) resolveReady(message.ready);
      if (message.rss !== undefined) this.rss.push({ at: performance.now(), bytes: message.rss });
      if (message.liveBytes !== undefined) this.liveWaiters.shift()?.(message.liveBytes);
      if (message.slots) this.slotWaiters.shift()?.(message.slots);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (VERBOSE) console.error(`  [gateway] ${line}`);
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string }; reason?: string; url?: string };
        if ((entry.level ?? 0) >= 50) this.note(`${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`.slice(0, 300), true);
      } catch {
        this.note(line.slice(0, 300), false);
      }
    });
    child.once('exit', (code, signal) => {
      this.exit = signal ?? `code ${code}`;
      rejectReady(new Error(`the gateway child exited (${this.exit}) before it was up`));
      for (const waiter of this.slotWaiters.splice(0)) waiter(NO_SLOTS);
      for (const waiter of this.liveWaiters.splice(0)) waiter(NaN);
    });
  }

  private note(text: string, isErrorLog: boolean): void {
    if (isErrorLog) this.errorLogs++;
    else this.otherStderr++;
    if (this.logSamples.length < 12 && !this.logSamples.includes(text)) this.logSamples.push(text);
  }

  static async start(ledgerUrl: string, extraArgs: string[] = []): Promise<{ child: GatewayChild; ready: ChildReady }> {
    const process_ = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', ENTRY_SCRIPT, GATEWAY_CHILD_FLAG, ledgerUrl, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    const child = new GatewayChild(process_);
    return { child, ready: await child.ready };
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** The child's process ID, for measurements from outside (bench:read reads its /proc status). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The child's live memory after a full collection, less its blob cache; NaN once it has exited. */
  liveBytes(): Promise<number> {
    if (!this.alive) return Promise.resolve(NaN);
    const answer = new Promise<number>((resolve) => this.liveWaiters.push(resolve));
    this.child.stdin!.write('live\n');
    return answer;
  }

  /** The shedders' counters, straight from the child. */
  slots(): Promise<Slots> {
    if (!this.alive) return Promise.resolve(NO_SLOTS);
    const answer = new Promise<Slots>((resolve) => this.slotWaiters.push(resolve));
    this.child.stdin!.write('slots\n');
    return answer;
  }

  /** Polls the slots until `condition` holds or `timeoutMs` passes; returns the last reading. */
  async waitSlots(condition: (slots: Slots) => boolean, timeoutMs = SLOTS_WAIT_MS): Promise<Slots> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const slots = await this.slots();
      if (condition(slots) || performance.now() > deadline || !this.alive) return slots;
      await sleep(50);
    }
  }

  rssBetween(from: number, to: number): number[] {
    return this.rss.filter((sample) => sample.at >= from && sample.at <= to).map((sample) => sample.bytes);
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.stdin!.end('stop\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** No slot held: every request the gateway admitted has let go of its slot. */
export const idle = (slots: Slots) => slots.read.inFlight === 0 && slots.publish.inFlight === 0;
export const slotText = (slots: Slots) => `read ${slots.read.inFlight} held (${slots.read.queued} queued), publish ${slots.publish.inFlight} held (${slots.publish.queued} queued)`;
