/**
 * Load shedding as the reference's `LoadShedLayer → BufferLayer → ConcurrencyLimitLayer`
 * (gateway-api.md §2.3): at most `maxConcurrent` requests run, at most `maxBuffer` are admitted in
 * all (running + waiting); beyond that a request is refused at once with 429 — in the same JSON
 * error body as every other error, plus `Retry-After`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TooManyRequestsError } from '../errors/gateway-errors.ts';

export interface LoadShedderOptions {
  readonly maxConcurrent: number;
  readonly maxBuffer: number;
  /** Named in the 429 message, as the reference's wording. */
  readonly service?: 'aggregator' | 'publisher';
}

export class LoadShedder {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: LoadShedderOptions) {}

  /** Resolves with a release function once the request may run; throws 429 when full. */
  async acquire(): Promise<() => void> {
    if (this.running + this.waiting.length >= this.options.maxBuffer) throw new TooManyRequestsError(this.options.service);
    if (this.running >= this.options.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` stays the same.
      if (next) next();
      else this.running--;
    };
  }

  /** Waits for a slot for this request (or throws 429) and frees it when the response ends. */
  async admit(reply: FastifyReply): Promise<void> {
    const release = await this.acquire();
    // 'close' fires both when the response is done and when the client goes away first.
    reply.raw.once('close', release);
  }

  get inFlight(): number {
    return this.running + this.waiting.length;
  }
}

/** Applies the shedder to routes whose config says `{ shed: true }` (the read routes, as the reference). */
export function registerLoadShedding(app: FastifyInstance, shedder: LoadShedder): void {
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config as { shed?: boolean } | undefined;
    if (config?.shed) await shedder.admit(reply);
  });
}
