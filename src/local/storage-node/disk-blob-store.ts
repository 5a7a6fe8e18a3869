import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SliverType } from '../../codec/sliver.ts';
import { SliverLog } from './sliver-log.ts';
import { syncDirectory } from '../sync-directory.ts';

/**
 * A node's blobs on disk, one directory per blob:
 *
 *   blobs/<blobId>/metadata.bcs   BCS `BlobMetadata`, as verified on PUT
 *   blobs/<blobId>/slivers.log    BCS `SliverData` records, as verified on PUT (see SliverLog)
 *   trash/                        blob directories being deleted
 *
 * Metadata is written to a temporary name in its final directory, fsynced, then renamed, and the
 * directory fsynced: after a crash it is either absent or complete. Slivers are appended to the
 * blob's log and made durable by `syncSlivers` (before the node signs a confirmation), not one
 * fsync each: a blob's slivers arrive by the hundred. Leftover temporaries and trash are removed by
 * `open()`; a log's torn tail, when the log is next opened.
 */

const BLOBS_DIR = 'blobs';
const TRASH_DIR = 'trash';
const TEMP_PREFIX = '.tmp-';
const METADATA_FILE = 'metadata.bcs';
const SLIVER_LOG_FILE = 'slivers.log';
/** Logs unused this long are closed (their file stays): a node may hold thousands of blobs. */
const LOG_IDLE_CLOSE_MS = 5_000;

export class DiskBlobStore {
  private readonly blobsDir: string;
  private readonly trashDir: string;
  /** Open sliver logs by blob ID (a promise while one is being opened, so it opens once). */
  private readonly logs = new Map<string, Promise<SliverLog | undefined>>();
  /**
   * Blobs whose metadata file is known to exist (written or seen since open): every confirmation
   * asks, and a `stat` through libuv's thread pool costs the node's event loop more than the check.
   */
  private readonly metadataPresent = new Set<string>();
  /** Deletions so far: a `stat` that a deletion overtook is not remembered. */
  private deletions = 0;
  private idleSweep: NodeJS.Timeout | undefined;

  constructor(dataDir: string) {
    this.blobsDir = join(dataDir, BLOBS_DIR);
    this.trashDir = join(dataDir, TRASH_DIR);
  }

  /** Creates the layout and clears what an interrupted write or delete left behind. */
  async open(): Promise<void> {
    this.forgetAllMetadata();
    await mkdir(this.blobsDir, { recursive: true });
    await rm(this.trashDir, { recursive: true, force: true });
    await mkdir(this.trashDir, { recursive: true });
    for (const blobId of await this.listBlobIds()) {
      for (const name of await readdir(join(this.blobsDir, blobId))) {
        if (name.startsWith(TEMP_PREFIX)) await rm(join(this.blobsDir, blobId, name), { force: true });
      }
    }
    this.idleSweep = setInterval(() => void this.closeIdleLogs(LOG_IDLE_CLOSE_MS), LOG_IDLE_CLOSE_MS);
    this.idleSweep.unref();
  }

  /** Closes every sliver log; the store can be opened again. */
  async close(): Promise<void> {
    clearInterval(this.idleSweep);
    // What is on disk may change while the store is closed.
    this.forgetAllMetadata();
    await this.closeIdleLogs(0);
  }

  async listBlobIds(): Promise<string[]> {
    const entries = await readdir(this.blobsDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  }

  readMetadata(blobId: string): Promise<Uint8Array | undefined> {
    return readIfPresent(this.metadataPath(blobId));
  }

  async hasMetadata(blobId: string): Promise<boolean> {
    if (this.metadataPresent.has(blobId)) return true;
    const deletions = this.deletions;
    const present = await exists(this.metadataPath(blobId));
    if (present && deletions === this.deletions) this.metadataPresent.add(blobId);
    return present;
  }

  async writeMetadata(blobId: string, bcs: Uint8Array): Promise<void> {
    const created = await mkdir(join(this.blobsDir, blobId), { recursive: true });
    if (created !== undefined) await syncDirectory(this.blobsDir);
    const deletions = this.deletions;
    await writeFileAtomically(this.metadataPath(blobId), bcs);
    if (deletions === this.deletions) this.metadataPresent.add(blobId);
  }

  async readSliver(blobId: string, pairIndex: number, type: SliverType): Promise<Uint8Array | undefined> {
    return (await this.sliverLog(blobId, false))?.read(pairIndex, type);
  }

  async hasSliver(blobId: string, pairIndex: number, type: SliverType): Promise<boolean> {
    return (await this.sliverLog(blobId, false))?.has(pairIndex, type) ?? false;
  }

  /** Slivers are written only after their blob's metadata, so the blob directory exists. Not yet durable. */
  async writeSliver(blobId: string, pairIndex: number, type: SliverType, bcs: Uint8Array): Promise<void> {
    const log = await this.sliverLog(blobId, true);
    log!.append(pairIndex, type, bcs);
  }

  /** Makes the blob's written slivers durable. */
  async syncSlivers(blobId: string): Promise<void> {
    await (await this.sliverLog(blobId, false))?.sync();
  }

  /** Removes a blob: one rename takes it out of service, then the files go. */
  async deleteBlob(blobId: string): Promise<void> {
    this.forgetMetadata(blobId);
    const log = this.logs.get(blobId);
    this.logs.delete(blobId);
    await (await log?.catch(() => undefined))?.close();
    const doomed = join(this.trashDir, `${blobId}-${randomUUID()}`);
    try {
      await rename(join(this.blobsDir, blobId), doomed);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    } finally {
      // Again once the files are gone: a check that saw them meanwhile must not be remembered.
      this.forgetMetadata(blobId);
    }
    await rm(doomed, { recursive: true, force: true });
  }

  private forgetMetadata(blobId: string): void {
    this.metadataPresent.delete(blobId);
    this.deletions++;
  }

  private forgetAllMetadata(): void {
    this.metadataPresent.clear();
    this.deletions++;
  }

  private async sliverLog(blobId: string, create: boolean): Promise<SliverLog | undefined> {
    for (;;) {
      let log = this.logs.get(blobId);
      if (log === undefined) {
        const opening = SliverLog.open(join(this.blobsDir, blobId, SLIVER_LOG_FILE), create).catch((error: NodeJS.ErrnoException) => {
          // No blob directory (no metadata yet): nothing stored.
          if (error.code === 'ENOENT' && !create) return undefined;
          throw error;
        });
        // Registered first, so it runs before any waiter resumes: an absent log is not remembered.
        const forget = () => this.logs.get(blobId) === opening && this.logs.delete(blobId);
        opening.then((opened) => opened === undefined && forget(), forget);
        this.logs.set(blobId, opening);
        log = opening;
      }
      const opened = await log;
      if (opened !== undefined || !create) return opened;
    }
  }

  private async closeIdleLogs(idleMs: number): Promise<void> {
    const now = performance.now();
    for (const [blobId, pending] of [...this.logs]) {
      const log = await pending.catch(() => undefined);
      if (log === undefined || !log.idle || now - log.lastUsed < idleMs || this.logs.get(blobId) !== pending) continue;
      this.logs.delete(blobId);
      await log.close();
    }
  }

  private metadataPath(blobId: string): string {
    return join(this.blobsDir, blobId, METADATA_FILE);
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}


/** Write-then-rename: readers see the old file, no file, or the whole new file. */
async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `${TEMP_PREFIX}${randomUUID()}`);
  const handle = await open(temporary, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}
