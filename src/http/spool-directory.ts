/**
 * Temporary files for request bodies too large to hold in memory (`--spool-threshold`), in a
 * directory of their own (`DATA_DIR/spool`). A file is unlinked the moment it is open: from then
 * on only its descriptor keeps it, so it is gone from the disk when the last holder closes it —
 * after the store and its straggling uploads, when the client leaves, when anything fails — and
 * when the process dies, however it dies. The directory is swept at start-up all the same, for a
 * process that died between creating a file and unlinking it. docs/reliability.md §5.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobFile } from '../codec/file-encoder.ts';
import { SpoolUnavailableError } from '../errors/gateway-errors.ts';

/** Every spool file's name starts so; the start-up sweep removes nothing else. */
const FILE_PREFIX = 'body-';
/** Owner only: the files hold client data. */
const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;

export class SpoolDirectory {
  private constructor(readonly path: string) {}

  /** Creates the directory if needed and removes the spool files a previous process left behind. */
  static async open(path: string): Promise<SpoolDirectory> {
    await mkdir(path, { recursive: true, mode: DIRECTORY_MODE });
    for (const name of await readdir(path)) {
      // A live file of another process sharing the directory is already unlinked and open: removing
      // its name, were it still there, would change nothing for it.
      if (name.startsWith(FILE_PREFIX)) await rm(join(path, name), { force: true });
    }
    return new SpoolDirectory(path);
  }

  /** A new empty file, already unlinked; the caller holds it until {@link SpoolFile.close}. */
  async create(): Promise<SpoolFile> {
    const path = join(this.path, `${FILE_PREFIX}${randomUUID()}`);
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx+', FILE_MODE);
    } catch (error) {
      throw spoolFailure('create a spool file', error);
    }
    try {
      await unlink(path);
    } catch (error) {
      await handle.close();
      throw spoolFailure('unlink a new spool file', error);
    }
    return new SpoolFile(handle);
  }
}

/**
 * One open, unlinked spool file: positional reads and writes, closed once its creator
 * ({@link close}) and every {@link hold} have let go. I/O failures (a full disk) are
 * {@link SpoolUnavailableError}s: the client may retry later, nothing was paid.
 */
export class SpoolFile implements BlobFile {
  private holds = 1;
  private closed = false;

  constructor(private readonly handle: FileHandle) {}

  /** For a codec worker, which encodes the blob through it while the file is held. */
  get fd(): number {
    return this.handle.fd;
  }

  async read(into: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < into.length; ) {
      const { bytesRead } = await this.io(() => this.handle.read(into, done, into.length - done, position + done));
      if (bytesRead === 0) throw new SpoolUnavailableError(`a spool file ends before byte ${position + into.length}`);
      done += bytesRead;
    }
  }

  async write(from: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < from.length; ) {
      const { bytesWritten } = await this.io(() => this.handle.write(from, done, from.length - done, position + done));
      done += bytesWritten;
    }
  }

  /** Writes `chunks` one after another from `position`, in one system call when the disk takes them whole. */
  async writev(chunks: readonly Uint8Array[], position: number): Promise<void> {
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const { bytesWritten } = await this.io(() => this.handle.writev(chunks as Uint8Array[], position));
    if (bytesWritten === total) return;
    // A short write: the rest one chunk at a time.
    let at = 0;
    for (const chunk of chunks) {
      const skip = Math.min(chunk.length, Math.max(0, bytesWritten - at));
      if (skip < chunk.length) await this.write(chunk.subarray(skip), position + at + skip);
      at += chunk.length;
    }
  }

  async truncate(length: number): Promise<void> {
    await this.io(() => this.handle.truncate(length));
  }

  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }

  /** The creator lets go: the file closes now, or when the last holder lets go. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }

  private release(): void {
    if (--this.holds > 0) return;
    // FileHandle.close waits for the reads and writes in flight. Closing an unlinked file loses
    // nothing, and its one failure (already closed) cannot happen here: report it anyway.
    this.handle.close().catch((error: unknown) => process.emitWarning(`closing a spool file failed: ${(error as Error).message}`));
  }

  private async io<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw spoolFailure('read or write a spool file', error);
    }
  }
}

/** The client hears what failed and the errno code (ENOSPC…), never a path of ours; the log has the cause. */
function spoolFailure(what: string, error: unknown): SpoolUnavailableError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return new SpoolUnavailableError(`the gateway could not ${what} (${code}); retry later`, { cause: error });
}
