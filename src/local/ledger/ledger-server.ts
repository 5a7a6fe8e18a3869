import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildLedgerApp } from './http-app.ts';
import { Ledger } from './ledger.ts';
import type { Genesis } from './model.ts';

export const DEFAULT_LEDGER_HOST = '127.0.0.1';

export interface LedgerServerOptions {
  readonly dataDir: string;
  /** Defaults to loopback: several gateway processes on one machine share the network. */
  readonly host?: string;
  /** 0 (the default) picks a free port; read it back from {@link LedgerServer.url}. */
  readonly port?: number;
  /** Required on the first start in an empty `dataDir`; later starts check it against the stored one. */
  readonly genesis?: Genesis;
  /** Overrides the genesis epoch duration for this run; 0 advances epochs only by hand. */
  readonly epochDurationMs?: number;
  readonly logger?: FastifyBaseLogger;
  /** Clock for epoch start times and transaction expiry (tests). */
  readonly now?: () => number;
}

/** The ledger served over HTTP: opens (or creates) the ledger in `dataDir`, listens, runs epochs. */
export class LedgerServer {
  private running: { ledger: Ledger; app: FastifyInstance; url: string } | null = null;

  constructor(private readonly options: LedgerServerOptions) {}

  /** Opens the ledger and listens; resolves with the base URL. */
  async start(): Promise<string> {
    if (this.running) return this.running.url;
    const { dataDir, genesis, epochDurationMs, logger, now } = this.options;
    const ledger = await Ledger.open({ dataDir, genesis, epochDurationMs, now, logger: logger?.child({ component: 'ledger' }) });
    let url = '';
    const app = buildLedgerApp({ ledger, ledgerUrl: () => url, logger });
    try {
      await app.listen({ host: this.options.host ?? DEFAULT_LEDGER_HOST, port: this.options.port ?? 0 });
    } catch (error) {
      await app.close();
      await ledger.close();
      throw error;
    }
    url = baseUrl(app.server.address() as AddressInfo);
    ledger.startEpochTimer();
    this.running = { ledger, app, url };
    return url;
  }

  /** Stops listening, waits for writes in flight and closes the log. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    await running.app.close();
    await running.ledger.close();
  }

  get url(): string {
    if (!this.running) throw new Error('the ledger server is not running');
    return this.running.url;
  }
}

function baseUrl({ address, family, port }: AddressInfo): string {
  const host = family === 'IPv6' ? `[${address}]` : address;
  return `http://${host}:${port}`;
}
