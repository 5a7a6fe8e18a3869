/**
 * What keeps an upload's memory bounded, whatever the blob's size and the committee's: sliver
 * bytes in flight under one budget for the whole write fan-out, and the encoding's repair-row
 * chunks held one at a time, every node going through them in lockstep.
 */
import type { EncodedSlivers } from '../codec/encoder.ts';

/**
 * Sliver bytes an upload has in flight at once, over all nodes. Slivers are made (copied, or read
 * from a spool file) only when sent, so this bounds what an upload holds: at n = 1000 a 1 GiB
 * blob's primary slivers are 3.2 MB each, and eight in flight to each of a hundred nodes would be
 * 2.5 GB. The Rust SDK allows 12.5 MB (docs/protocol.md §6.3); on loopback more keeps the nodes busy.
 */
export const DEFAULT_UPLOAD_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

/** A first-come, first-served budget of bytes. */
export class ByteBudget {
  private available: number;
  private readonly queue: { bytes: number; grant: () => void }[] = [];

  constructor(private readonly capacity: number) {
    this.available = capacity;
  }

  /**
   * Resolves with the function that gives `bytes` back once they fit (a request larger than the
   * whole budget waits for all of it), or with `undefined` when `signal` aborts first.
   */
  acquire(bytes: number, signal: AbortSignal): Promise<(() => void) | undefined> {
    const wanted = Math.min(bytes, this.capacity);
    if (signal.aborted) return Promise.resolve(undefined);
    if (this.queue.length === 0 && wanted <= this.available) {
      this.available -= wanted;
      return Promise.resolve(this.releaser(wanted));
    }
    return new Promise((resolve) => {
      const entry = {
        bytes: wanted,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.releaser(wanted));
        },
      };
      const onAbort = () => {
        this.queue.splice(this.queue.indexOf(entry), 1);
        resolve(undefined);
        this.grantWaiting();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  private releaser(bytes: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += bytes;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    while (this.queue.length > 0 && this.queue[0].bytes <= this.available) {
      const next = this.queue.shift()!;
      this.available -= next.bytes;
      next.grant();
    }
  }
}

/**
 * The encoding's repair-row chunks, one held at a time: every node sends its slivers from chunk k
 * before any moves on to chunk k+1, and the last chunk is dropped once every node is through (or
 * has failed). With one chunk — every blob that fits the publisher's budget, and every encoding
 * from a file — nobody ever waits. It also holds the encoding ({@link EncodedSlivers.hold}) until
 * no node will ask for a sliver again, so a spool file outlives the answer while stragglers upload.
 */
export class RepairRowBarrier {
  private chunk = 0;
  /** Chunks each node still uploading has finished. */
  private readonly finished = new Map<number, number>();
  private waiters: (() => void)[] = [];
  private readonly release: () => void;
  /**
   * The current chunk's load: its rows are made on a codec worker when the encode ran there. A
   * failed load (the worker died) is thrown by {@link reach} to every node that needs the chunk.
   */
  private loading: Promise<void>;

  constructor(
    private readonly encoded: EncodedSlivers,
    nodes: readonly number[],
  ) {
    for (const node of nodes) this.finished.set(node, 0);
    this.release = encoded.hold();
    this.loading = this.load(0);
    if (nodes.length === 0) this.advance();
  }

  get chunks(): number {
    return this.encoded.repairRowChunks.length;
  }

  async reach(chunk: number): Promise<void> {
    while (this.chunk < chunk) await new Promise<void>((resolve) => this.waiters.push(resolve));
    await this.loading;
  }

  finish(node: number, chunk: number): void {
    this.finished.set(node, chunk + 1);
    this.advance();
  }

  leave(node: number): void {
    if (this.finished.delete(node)) this.advance();
  }

  private advance(): void {
    const everyone = (chunk: number) => [...this.finished.values()].every((done) => done > chunk);
    // Through the last chunk, or nobody left to upload (all failed or aborted): nothing more to make or read.
    if ((this.chunk === this.chunks - 1 && everyone(this.chunk)) || this.finished.size === 0) {
      this.encoded.releaseRepairRows();
      this.release();
      return;
    }
    if (this.chunk >= this.chunks - 1 || !everyone(this.chunk)) return;
    this.chunk++;
    this.loading = this.load(this.chunk);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private load(chunk: number): Promise<void> {
    const loading = this.encoded.loadRepairRows(chunk);
    // Handled here only so that a load nobody waits for (every node left) is not an unhandled
    // rejection; those that wait get the error from reach().
    loading.catch(() => undefined);
    return loading;
  }
}
