import type { FastifyBaseLogger } from 'fastify';
import type { ChainView } from './chain-view.ts';
import type { DiskBlobStore } from './disk-blob-store.ts';

export interface GarbageCollectorOptions {
  readonly chain: ChainView;
  readonly store: DiskBlobStore;
  /** Removes one blob's data (and anything cached about it). */
  readonly deleteBlob: (blobIdText: string) => Promise<void>;
  readonly intervalMs: number;
  readonly logger: FastifyBaseLogger;
}

/**
 * Deletes the data of blobs that no longer have a live registration on the ledger (every Blob
 * object deleted or expired), as reference nodes do on the deletion and expiry events. Runs on a
 * timer and after every epoch change; a blob whose ledger state cannot be read is kept.
 */
export class GarbageCollector {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;
  private rerun = false;

  constructor(private readonly options: GarbageCollectorOptions) {
    options.chain.onEpochChange(() => this.sweepInBackground());
  }

  start(): void {
    this.timer = setInterval(() => this.sweepInBackground(), this.options.intervalMs);
    this.timer.unref();
  }

  private sweepInBackground(): void {
    this.sweep().catch((error: unknown) => this.options.logger.error({ err: error }, 'garbage collection failed'));
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.rerun = false;
    await this.running;
  }

  /**
   * Sweeps now and resolves with the blob IDs deleted. A call during a sweep waits for it and for
   * one more pass, so it never misses a change that happened just before the call.
   */
  sweep(): Promise<string[]> {
    if (this.running) {
      this.rerun = true;
      return this.running.then(() => this.running ?? this.sweep());
    }
    const pass = this.sweepOnce().finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.sweepInBackground();
      }
    });
    this.running = pass;
    return pass;
  }

  private async sweepOnce(): Promise<string[]> {
    const { chain, store, deleteBlob, logger } = this.options;
    const deleted: string[] = [];
    for (const blobId of await store.listBlobIds()) {
      try {
        const state = await chain.freshBlobState(blobId);
        if (state.registrations.length > 0) continue;
        await deleteBlob(blobId);
        deleted.push(blobId);
      } catch (error) {
        logger.warn({ err: error, blobId }, 'garbage collection skipped a blob');
      }
    }
    if (deleted.length > 0) logger.info({ deleted: deleted.length }, 'deleted data of unregistered blobs');
    return deleted;
  }
}
