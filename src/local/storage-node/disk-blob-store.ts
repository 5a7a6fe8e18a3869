import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SliverType } from '../../codec/sliver.ts';

/**
 * A node's blobs on disk, one directory per blob:
 *
 *   blobs/<blobId>/metadata.bcs              BCS `BlobMetadata`, as verified on PUT
 *   blobs/<blobId>/<pair>-<type>.bcs         BCS `SliverData`, as verified on PUT
 *   trash/                                   blob directories being deleted
 *
 * Every file is written to a temporary name in its final directory, fsynced, then renamed, and the
 * directory fsynced: after a crash a file is either absent or complete, never half-written. Leftover
 * temporaries and trash are removed by `open()`.
 */

const BLOBS_DIR = 'blobs';
const TRASH_DIR = 'trash';
const TEMP_PREFIX = '.tmp-';
const METADATA_FILE = 'metadata.bcs';

export class DiskBlobStore {
  private readonly blobsDir: string;
  private readonly trashDir: string;

  constructor(dataDir: string) {
    this.blobsDir = join(dataDir, BLOBS_DIR);
    this.trashDir = join(dataDir, TRASH_DIR);
  }

  /** Creates the layout and clears what an interrupted write or delete left behind. */
  async open(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await rm(this.trashDir, { recursive: true, force: true });
    await mkdir(this.trashDir, { recursive: true });
    for (const blobId of await this.listBlobIds()) {
      for (const name of await readdir(join(this.blobsDir, blobId))) {
        if (name.startsWith(TEMP_PREFIX)) await rm(join(this.blobsDir, blobId, name), { force: true });
      }
    }
  }

  async listBlobIds(): Promise<string[]> {
    const entries = await readdir(this.blobsDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  }

  readMetadata(blobId: string): Promise<Uint8Array | undefined> {
    return readIfPresent(this.metadataPath(blobId));
  }

  hasMetadata(blobId: string): Promise<boolean> {
    return exists(this.metadataPath(blobId));
  }

  async writeMetadata(blobId: string, bcs: Uint8Array): Promise<void> {
    const created = await mkdir(join(this.blobsDir, blobId), { recursive: true });
    if (created !== undefined) await syncDirectory(this.blobsDir);
    await writeFileAtomically(this.metadataPath(blobId), bcs);
  }

  readSliver(blobId: string, pairIndex: number, type: SliverType): Promise<Uint8Array | undefined> {
    return readIfPresent(this.sliverPath(blobId, pairIndex, type));
  }

  hasSliver(blobId: string, pairIndex: number, type: SliverType): Promise<boolean> {
    return exists(this.sliverPath(blobId, pairIndex, type));
  }

  /** Slivers are written only after their blob's metadata, so the blob directory exists. */
  writeSliver(blobId: string, pairIndex: number, type: SliverType, bcs: Uint8Array): Promise<void> {
    return writeFileAtomically(this.sliverPath(blobId, pairIndex, type), bcs);
  }

  /** Removes a blob: one rename takes it out of service, then the files go. */
  async deleteBlob(blobId: string): Promise<void> {
    const doomed = join(this.trashDir, `${blobId}-${randomUUID()}`);
    try {
      await rename(join(this.blobsDir, blobId), doomed);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  private metadataPath(blobId: string): string {
    return join(this.blobsDir, blobId, METADATA_FILE);
  }

  private sliverPath(blobId: string, pairIndex: number, type: SliverType): string {
    return join(this.blobsDir, blobId, `${pairIndex}-${type}.bcs`);
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

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
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
