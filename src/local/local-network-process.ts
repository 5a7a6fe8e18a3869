import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LocalNetworkDescription } from './local-network.ts';

/**
 * A local network in its own process (`walrus-gateway local-network`), so the storage nodes'
 * work — verifying slivers, signing confirmations — runs beside the gateway's instead of taking
 * turns with it on one event loop, as it would on real, separate machines. The child reports
 * readiness over an IPC channel and stops when that channel closes, so it never outlives its parent.
 */
export interface LocalNetworkProcessOptions {
  readonly dataDir: string;
  /** Used only when the data directory holds no network yet. */
  readonly nodes?: number;
  readonly shards?: number;
  /** Nodes serve TLS pinned to their on-chain network keys (`--tls`). */
  readonly tls?: boolean;
  /** Where the child's log lines go. */
  readonly out?: (line: string) => void;
}

/** What the child sends once its network is up. */
export interface LocalNetworkReady {
  readonly ready: LocalNetworkDescription;
}

/** Asks the child for its CPU time so far (benchmarks report the network's CPU beside the gateway's). */
export interface CpuUsageRequest {
  readonly cpuUsageRequest: number;
}

/** The child's answer: `process.cpuUsage()` (µs, every thread of the process). */
export interface CpuUsageAnswer {
  readonly cpuUsageAnswer: number;
  readonly usage: NodeJS.CpuUsage;
}

const STOP_TIMEOUT_MS = 10_000;
const CPU_USAGE_TIMEOUT_MS = 5_000;

export class LocalNetworkProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly description: LocalNetworkDescription,
  ) {}

  static start(options: LocalNetworkProcessOptions): Promise<LocalNetworkProcess> {
    const here = import.meta.url;
    // Run the same build as this module: the TypeScript sources under tsx, or the compiled ones.
    const fromSources = here.endsWith('.ts');
    const main = fileURLToPath(new URL(fromSources ? '../main.ts' : '../main.js', here));
    const args = ['local-network', '--data-dir', options.dataDir];
    if (options.nodes !== undefined) args.push('--nodes', String(options.nodes));
    if (options.shards !== undefined) args.push('--shards', String(options.shards));
    if (options.tls) args.push('--tls');
    const child = spawn(process.execPath, [...(fromSources ? ['--import', 'tsx'] : []), main, ...args], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const lines = output.split('\n');
      output = lines.pop() ?? '';
      for (const line of lines) options.out?.(line);
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`the local network process exited (${signal ?? `code ${code}`}) before it was up`)));
      child.on('message', (message: LocalNetworkReady) => {
        if (message?.ready === undefined) return;
        child.removeAllListeners('exit');
        resolve(new LocalNetworkProcess(child, message.ready));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private cpuUsageRequests = 0;

  /** The network process's CPU time so far, as its own `process.cpuUsage()` reports it. */
  cpuUsage(): Promise<NodeJS.CpuUsage> {
    const id = ++this.cpuUsageRequests;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        reject(new Error('the local network process did not report its CPU usage'));
      }, CPU_USAGE_TIMEOUT_MS);
      const onMessage = (message: Partial<CpuUsageAnswer>) => {
        if (message?.cpuUsageAnswer !== id || message.usage === undefined) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(message.usage);
      };
      this.child.on('message', onMessage);
      this.child.send({ cpuUsageRequest: id } satisfies CpuUsageRequest);
    });
  }

  /** Stops the network (SIGTERM; SIGKILL if it does not stop in time). Its data stays. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
