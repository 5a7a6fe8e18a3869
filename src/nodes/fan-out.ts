/**
 * The one fan-out over storage nodes, shared by every flow that asks a committee something
 * (metadata, slivers, blob status, uploads): requests launched under the flow's policy, each
 * resolving to the node's typed {@link NodeOutcome}; the flow's judgement runs on every outcome and
 * may settle the whole; timers for hedging and grace; cancellation of what is still in flight.
 *
 * Its guarantees, so no flow has to re-earn them:
 * - nothing a node does reaches the caller as an exception: a call that throws or rejects anyway
 *   counts as a `transport` fault;
 * - a node that was faulty once is distrusted for the rest of this fan-out;
 * - it settles exactly once; a flow whose judgement throws (a bug) rejects it instead of leaving
 *   an unhandled rejection behind;
 * - the caller leaving rejects it with the caller's reason and cancels every request, unless it
 *   had already settled with a `background` signal, which then alone decides when stragglers stop.
 */
import { setMaxListeners } from 'node:events';
import { ClientDisconnectedError } from '../errors/gateway-errors.ts';
import type { NodeOutcome } from './node-outcome.ts';

export interface FanOutOptions {
  /** The caller's: aborting it before the fan-out settles rejects the result with its reason. */
  readonly signal: AbortSignal;
  /** When set, requests still in flight at settlement go on until they end or this aborts. */
  readonly background?: AbortSignal;
  /** How long stragglers may go on after settlement, at most: a node must not hold them for ever. */
  readonly backgroundLimitMs?: number;
}

/** A committee member as far as the fan-out cares: an index to distrust by. */
export interface FanOutNode {
  readonly index: number;
}

export class FanOut<R> {
  readonly result: Promise<R>;
  /** Called whenever nothing is in flight after an outcome and nothing settled: the flow launches more or decides. */
  onIdle: () => void = () => this.fail(new Error('a fan-out went idle without a decision'));
  private resolveResult!: (value: R) => void;
  private rejectResult!: (error: Error) => void;
  private settled = false;
  private running = 0;
  private readonly controller = new AbortController();
  /** Cancellers of pending timers, by name. */
  private readonly timers = new Map<string, () => void>();
  private readonly distrusted = new Set<number>();
  private stragglerTimer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.fail(abortReason(this.options.signal));
  private readonly onBackgroundAbort = () => this.controller.abort(this.options.background?.reason);

  constructor(private readonly options: FanOutOptions) {
    // undici adds one abort listener per request in flight; past ten Node warns of a leak that is not one.
    setMaxListeners(0, this.controller.signal);
    this.result = new Promise<R>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    if (options.signal.aborted) this.onCallerAbort();
    else options.signal.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** The signal every node request of this fan-out runs under. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get inFlight(): number {
    return this.running;
  }

  get isSettled(): boolean {
    return this.settled;
  }

  trusts(node: FanOutNode): boolean {
    return !this.distrusted.has(node.index);
  }

  /** For answers that arrived well-formed but failed verification: the node is byzantine. */
  distrust(node: FanOutNode): void {
    this.distrusted.add(node.index);
  }

  /** Starts one request to `node`; `judge` sees its outcome while the fan-out is unsettled. */
  launch<T>(node: FanOutNode, call: (signal: AbortSignal) => Promise<NodeOutcome<T>>, judge: (outcome: NodeOutcome<T>) => void): void {
    this.running++;
    let pending: Promise<NodeOutcome<T>>;
    try {
      pending = call(this.controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending
      .catch((error: unknown): NodeOutcome<T> => ({ kind: 'faulty', fault: 'transport', detail: error instanceof Error ? error.message : String(error) }))
      .then((outcome) => {
        this.running--;
        if (outcome.kind === 'faulty') this.distrusted.add(node.index);
        if (this.settled) return this.releaseWhenDone();
        try {
          judge(outcome);
          if (!this.settled && this.running === 0) this.onIdle();
        } catch (error) {
          this.fail(error instanceof Error ? error : new Error(String(error)));
        }
      });
  }

  /**
   * Runs `action` after `delayMs` (0: after this turn of the event loop, so that answers already
   * on their way join it) unless the fan-out settles first; a timer of the same name is replaced.
   */
  schedule(name: string, delayMs: number, action: () => void): void {
    this.cancel(name);
    if (this.settled) return;
    const run = () => {
      this.timers.delete(name);
      if (this.settled) return;
      try {
        action();
        if (!this.settled && this.running === 0) this.onIdle();
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    };
    if (delayMs === 0) {
      const immediate = setImmediate(run);
      this.timers.set(name, () => clearImmediate(immediate));
    } else {
      const timer = setTimeout(run, delayMs);
      timer.unref();
      this.timers.set(name, () => clearTimeout(timer));
    }
  }

  cancel(name: string): void {
    this.timers.get(name)?.();
    this.timers.delete(name);
  }

  /** Settles with `value`; requests still in flight are cancelled, or left to the background signal. */
  finish(value: R): void {
    if (!this.settle()) return;
    const background = this.options.background;
    if (background === undefined || background.aborted) this.controller.abort(new Error('the fan-out has settled'));
    else if (this.running > 0) {
      background.addEventListener('abort', this.onBackgroundAbort, { once: true });
      const limit = this.options.backgroundLimitMs;
      if (limit !== undefined) this.stragglerTimer = setTimeout(() => this.controller.abort(new Error('stragglers ran out of time')), limit).unref();
    }
    this.resolveResult(value);
  }

  /** Settles with `error` and cancels every request still in flight. */
  fail(error: Error): void {
    if (!this.settle()) return;
    this.controller.abort(error);
    this.rejectResult(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.options.signal.removeEventListener('abort', this.onCallerAbort);
    return true;
  }

  private releaseWhenDone(): void {
    if (this.running > 0) return;
    this.options.background?.removeEventListener('abort', this.onBackgroundAbort);
    clearTimeout(this.stragglerTimer);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new ClientDisconnectedError();
}

/** Shuffles so that load spreads and no fixed node is always asked first. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
