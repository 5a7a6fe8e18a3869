/**
 * Load shedding as the reference's `LoadShedLayer → BufferLayer → ConcurrencyLimitLayer`
 * (docs/http-api.md §2.3): at most `maxConcurrent` requests run, at most `maxBuffer` are admitted in
 * all (running + waiting); beyond that a request is refused at once with 429 — in the same JSON
 * error body as every other error, plus `Retry-After`.
 *
 * A place is held by an {@link Admission} that is given back exactly once, whatever ends the
 * request: the response finishing (after success or any error, before or in the handler) or the
 * client leaving — also while still queued, when it leaves the queue without ever taking a slot.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClientDisconnectedError, TooManyRequestsError } from '../errors/gateway-errors.ts';
import { clientAbortSignal } from './client-abort.ts';

export interface LoadShedderOptions {
  readonly maxConcurrent: number;
  readonly maxBuffer: number;
  /** Named in the 429 message, as the reference's wording. */
  readonly service?: 'aggregator' | 'publisher' | 'upload relay';
}

/** One request's place in the shedder. */
export interface Admission {
  /** Resolves when the request may run; rejects with the withdrawal's reason if it leaves the queue first. */
  readonly ready: Promise<void>;
  /** Gives the running slot back, or leaves the queue; only the first call counts. */
  release(reason?: unknown): void;
}

export class LoadShedder {
  private running = 0;
  /** Queued places, each called with the slot it is handed. */
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: LoadShedderOptions) {}

  /** Takes a place at once (running or queued) or throws 429 when running + queued are full. */
  enter(): Admission {
    if (this.running + this.waiting.length >= this.options.maxBuffer) throw new TooManyRequestsError(this.options.service);
    let state: 'waiting' | 'running' | 'done' = 'running';
    let grant = () => {};
    let withdraw = (_reason: unknown) => {};
    const ready = new Promise<void>((resolve, reject) => {
      grant = resolve;
      withdraw = reject;
    });
    const waiter = () => {
      state = 'running';
      grant();
    };
    if (this.running < this.options.maxConcurrent) {
      this.running++;
      grant();
    } else {
      state = 'waiting';
      this.waiting.push(waiter);
    }
    // A withdrawn place may have no one awaiting `ready`; that is not an unhandled rejection.
    ready.catch(() => {});
    return {
      ready,
      release: (reason?: unknown) => {
        if (state === 'done') return;
        const was = state;
        state = 'done';
        if (was === 'waiting') {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          withdraw(reason ?? new ClientDisconnectedError());
          return;
        }
        const next = this.waiting.shift();
        // The slot passes straight to the next waiter, so `running` stays the same.
        if (next) next();
        else this.running--;
      },
    };
  }

  /**
   * Waits for a slot for this request (or throws 429). The place is tied to the response before
   * any waiting, so it is given back on every end of the request, including a client that leaves
   * while queued; a client already gone is refused without taking a place.
   */
  async admit(reply: FastifyReply): Promise<void> {
    const signal = clientAbortSignal(reply);
    signal.throwIfAborted();
    const admission = this.enter();
    // 'close' follows both a finished response and a client that went away first; the signal also
    // hears of a pipelined request whose socket closed before its response had one.
    const release = () => admission.release(signal.reason);
    reply.raw.once('close', release);
    signal.addEventListener('abort', release, { once: true });
    await admission.ready;
  }

  /**
   * {@link admit} as a route's `onRequest` hook: admission before anything else can wait or fail,
   * so every end of the request gives the slot back.
   */
  readonly onRequest = async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await this.admit(reply);
  };

  /** Requests holding a place: running plus queued. */
  get inFlight(): number {
    return this.running + this.waiting.length;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whether the route goes through the aggregator's load shedding. */
    shed?: boolean;
  }
}

/** Applies the shedder to routes whose config says `{ shed: true }` (the read routes, as the reference). */
export function registerLoadShedding(app: FastifyInstance, shedder: LoadShedder): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.shed) await shedder.admit(reply);
  });
}
