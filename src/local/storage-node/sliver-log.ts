import { ftruncateSync, readSync, writevSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SliverType } from '../../codec/sliver.ts';
import { syncDirectory } from '../sync-directory.ts';

/**
 * One blob's slivers on one node: an append-only file of checksummed records,
 *
 *   magic u32 | pair index u32 | type u8 + 3 zero bytes | length u32 | crc32 u32 | BCS SliverData
 *
 * (little-endian; the CRC covers the first 16 header bytes and the body). An append is one
 * synchronous `writev` into the page cache, and a read one synchronous `pread` out of it — through
 * libuv's thread pool, the thread wake-up and context switches cost the event loop more than the
 * copy: async appends made the local network's 1 MiB PUTs ~12 % slower, and async reads cost the
 * network half its CPU for an uncached 1 MiB GET (a read asks for hundreds of slivers). `sync()`
 * makes everything appended so far durable with one fdatasync; the node calls it before it signs
 * a confirmation, so a confirmation never promises what a crash could take. Loading stops at the
 * first incomplete or corrupt record and cuts the file there: records are written in order, so
 * only a crash can leave one, and only at the end.
 */
const MAGIC = 0x314c5357; // "WSL1"
const HEADER_LENGTH = 20;
const CHECKED_HEADER_LENGTH = 16;
/** Bound on one record's body: far above any sliver (the largest blob has slivers of ~130 MiB). */
const MAX_RECORD_LENGTH = 1 << 30;
/** How much of the file {@link SliverLog.load} reads at a time (more when one record is longer). */
const LOAD_WINDOW_BYTES = 1 << 20;

interface Entry {
  readonly offset: number;
  readonly length: number;
}

const keyOf = (pairIndex: number, type: SliverType): number => pairIndex * 2 + (type === 'primary' ? 0 : 1);

export class SliverLog {
  private readonly entries = new Map<number, Entry>();
  private size = 0;
  /** Bytes from the start known to be on disk. */
  private durableSize = 0;
  private directorySynced: boolean;
  private syncing: Promise<void> | undefined;
  /** Reads and syncs under way: the log is not closed under them. */
  private inFlight = 0;
  /** `performance.now()` of the last use, for closing idle logs. */
  lastUsed = performance.now();

  private constructor(
    private readonly handle: FileHandle,
    private readonly directory: string,
    created: boolean,
  ) {
    this.directorySynced = !created;
  }

  /** Opens (creating it when `create`) and indexes the log; `undefined` when absent and not created. */
  static async open(path: string, create: boolean): Promise<SliverLog | undefined> {
    let handle: FileHandle;
    let created = false;
    try {
      handle = await open(path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!create) return undefined;
      handle = await open(path, 'wx+');
      created = true;
    }
    try {
      const log = new SliverLog(handle, dirname(path), created);
      await log.load();
      return log;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Nothing read or synced right now: safe to close. */
  get idle(): boolean {
    return this.inFlight === 0;
  }

  has(pairIndex: number, type: SliverType): boolean {
    return this.entries.has(keyOf(pairIndex, type));
  }

  read(pairIndex: number, type: SliverType): Uint8Array | undefined {
    const entry = this.entries.get(keyOf(pairIndex, type));
    if (entry === undefined) return undefined;
    this.lastUsed = performance.now();
    const body = Buffer.allocUnsafe(entry.length);
    readFully(this.handle.fd, body, entry.offset);
    return body;
  }

  /** Appends a sliver unless it is already there. Written, not yet durable: see {@link sync}. */
  append(pairIndex: number, type: SliverType, body: Uint8Array): void {
    const key = keyOf(pairIndex, type);
    if (this.entries.has(key)) return;
    this.lastUsed = performance.now();
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(pairIndex, 4);
    header.writeUInt8(type === 'primary' ? 0 : 1, 8);
    header.writeUInt32LE(body.length, 12);
    header.writeUInt32LE(crc32(body, crc32(header.subarray(0, CHECKED_HEADER_LENGTH))), 16);
    const start = this.size;
    try {
      writeFully(this.handle.fd, [header, body], start);
    } catch (error) {
      // Leave no partial record behind for the next append to land after.
      ftruncateSync(this.handle.fd, start);
      throw error;
    }
    this.size = start + HEADER_LENGTH + body.length;
    this.entries.set(key, { offset: start + HEADER_LENGTH, length: body.length });
  }

  /** Makes every sliver appended so far durable (concurrent callers share fdatasyncs). */
  async sync(): Promise<void> {
    const target = this.size;
    await this.track(async () => {
      while (this.durableSize < target || !this.directorySynced) {
        this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
        await this.syncing;
      }
    });
  }

  async close(): Promise<void> {
    await this.syncing;
    await this.handle.close();
  }

  private async syncOnce(): Promise<void> {
    const upTo = this.size;
    await this.handle.datasync();
    if (!this.directorySynced) {
      await syncDirectory(this.directory);
      this.directorySynced = true;
    }
    this.durableSize = Math.max(this.durableSize, upTo);
  }

  private async track<T>(run: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.lastUsed = performance.now();
    try {
      return await run();
    } finally {
      this.inFlight--;
      this.lastUsed = performance.now();
    }
  }

  /**
   * Indexes every complete record and cuts the file after the last one. The file is read in
   * windows of {@link LOAD_WINDOW_BYTES}, not record by record: a read of an uncached blob opens
   * the log of every node it asks, and two reads per record (hundreds per log) cost more than
   * the checksums.
   */
  private async load(): Promise<void> {
    const { size } = await this.handle.stat();
    let window = Buffer.alloc(0);
    let windowStart = 0;
    /** Bytes `from…from+length` of the file, from the current window or a new one starting at `from`. */
    const bytesAt = async (from: number, length: number): Promise<Buffer> => {
      if (from < windowStart || from + length > windowStart + window.length) {
        window = Buffer.allocUnsafe(Math.min(size - from, Math.max(length, LOAD_WINDOW_BYTES)));
        windowStart = from;
        await readExactly(this.handle, window, from);
      }
      return window.subarray(from - windowStart, from - windowStart + length);
    };
    let offset = 0;
    while (offset + HEADER_LENGTH <= size) {
      const header = await bytesAt(offset, HEADER_LENGTH);
      const length = header.readUInt32LE(12);
      if (header.readUInt32LE(0) !== MAGIC || length > MAX_RECORD_LENGTH || offset + HEADER_LENGTH + length > size) break;
      const checked = crc32(header.subarray(0, CHECKED_HEADER_LENGTH));
      const stored = header.readUInt32LE(16);
      const key = header.readUInt32LE(4) * 2 + header.readUInt8(8);
      // A body larger than the window gets a window of its own; `header` may be gone with the old one.
      if (crc32(await bytesAt(offset + HEADER_LENGTH, length), checked) !== stored) break;
      if (!this.entries.has(key)) this.entries.set(key, { offset: offset + HEADER_LENGTH, length });
      offset += HEADER_LENGTH + length;
    }
    if (offset < size) {
      await this.handle.truncate(offset);
      await this.handle.datasync();
    }
    this.size = offset;
    this.durableSize = offset;
  }
}

async function readExactly(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`sliver log: unexpected end of file at ${position + done}`);
    done += bytesRead;
  }
}

function readFully(fd: number, into: Buffer, position: number): void {
  let done = 0;
  while (done < into.length) {
    const bytesRead = readSync(fd, into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`sliver log: unexpected end of file at ${position + done}`);
    done += bytesRead;
  }
}

function writeFully(fd: number, buffers: Uint8Array[], position: number): void {
  let remaining = buffers;
  while (remaining.length > 0) {
    const written = writevSync(fd, remaining, position);
    position += written;
    remaining = skipBytes(remaining, written);
  }
}

function skipBytes(buffers: Uint8Array[], count: number): Uint8Array[] {
  let index = 0;
  while (index < buffers.length && count >= buffers[index].length) count -= buffers[index++].length;
  if (index === buffers.length) return [];
  return [buffers[index].subarray(count), ...buffers.slice(index + 1)];
}
