/**
 * Request coalescing: concurrent misses for the same key share one piece of work. The shared work
 * gets its own AbortSignal, aborted only when every caller waiting on it has gone away, so one
 * client hanging up never cancels a read others still want — and the last one does.
 */
interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

export class Coalescer<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Runs `work` for `key` unless it is already running; `joined` says which happened. */
  run(key: string, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>, joined?: () => void): Promise<T> {
    let flight = this.flights.get(key);
    if (flight) joined?.();
    else {
      const controller = new AbortController();
      const promise = work(controller.signal).finally(() => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
      flight = { promise, controller, waiters: 0 };
      this.flights.set(key, flight);
    }
    return this.wait(key, flight, signal);
  }

  private wait(key: string, flight: Flight<T>, signal: AbortSignal): Promise<T> {
    flight.waiters++;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const leave = () => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        flight.waiters--;
      };
      const onAbort = () => {
        leave();
        if (flight.waiters === 0) {
          flight.controller.abort(signal.reason);
          // A later caller must not join work that is being cancelled.
          if (this.flights.get(key) === flight) this.flights.delete(key);
        }
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  }

  get size(): number {
    return this.flights.size;
  }
}
