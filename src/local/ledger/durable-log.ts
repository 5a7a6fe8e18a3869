import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '../sync-directory.ts';

/**
 * An append-only log of opaque records that survives crashes. A record counts once `append`
 * resolves, which is after the file was fsynced. Frame: u32 LE payload length, the first 4 bytes
 * of SHA-256(payload), the payload. A crash can only tear the last frame; opening the log drops
 * such a tail. A bad frame followed by more data is corruption, and opening refuses it.
 */
const MAGIC = Buffer.from('WLEDGER1');
const FRAME_HEADER_LENGTH = 8;
const CHECKSUM_LENGTH = 4;
/** A sanity bound: no ledger record comes near it, so a larger length is a torn or corrupt header. */
export const MAX_RECORD_LENGTH = 64 * 1024 * 1024;

export class LogCorruptedError extends Error {
  constructor(path: string, offset: number, detail: string) {
    super(`ledger log ${path} is corrupt at byte ${offset}: ${detail}`);
    this.name = 'LogCorruptedError';
  }
}

/** A previous write failed, so what follows the last good record is unknown; reopen the log. */
export class LogWriteFailedError extends Error {
  constructor(path: string, options: ErrorOptions) {
    super(`ledger log ${path} failed a write and refuses further writes until reopened`, options);
    this.name = 'LogWriteFailedError';
  }
}

export interface OpenedLog {
  readonly log: DurableLog;
  readonly records: Uint8Array[];
  /** Bytes of a torn last record that were dropped (0 after a clean shutdown). */
  readonly droppedTailBytes: number;
}

export class DurableLog {
  private failure: Error | null = null;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    /** Bytes of durable content: where the next frame goes. */
    private size: number,
  ) {}

  /** Opens (creating if needed) the log at `path` and returns every durable record in order. */
  static async open(path: string): Promise<OpenedLog> {
    await mkdir(dirname(path), { recursive: true });
    const contents = await readIfExists(path);
    // A file shorter than its header was cut off while being created: no record was ever acknowledged.
    const fresh = contents === null || (contents.length < MAGIC.length && MAGIC.subarray(0, contents.length).equals(contents));
    if (fresh) {
      await createFile(path);
      const file = await open(path, 'r+');
      return { log: new DurableLog(path, file, MAGIC.length), records: [], droppedTailBytes: contents?.length ?? 0 };
    }
    if (!contents.subarray(0, MAGIC.length).equals(MAGIC)) throw new LogCorruptedError(path, 0, 'not a ledger log (bad magic)');

    const { records, validLength } = readFrames(path, contents);
    const file = await open(path, 'r+');
    if (validLength < contents.length) {
      // Drop the torn tail before appending, so new records never follow garbage.
      await file.truncate(validLength);
      await file.sync();
    }
    return { log: new DurableLog(path, file, validLength), records, droppedTailBytes: contents.length - validLength };
  }

  /** Appends one record and resolves once it is on disk. Callers serialize their appends. */
  async append(payload: Uint8Array): Promise<void> {
    if (this.failure) throw new LogWriteFailedError(this.path, { cause: this.failure });
    if (payload.length > MAX_RECORD_LENGTH) throw new RangeError(`a ledger record of ${payload.length} bytes exceeds ${MAX_RECORD_LENGTH}`);
    const frame = Buffer.alloc(FRAME_HEADER_LENGTH + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    checksum(payload).copy(frame, 4);
    frame.set(payload, FRAME_HEADER_LENGTH);
    try {
      await this.file.write(frame, 0, frame.length, this.size);
      await this.file.sync();
      this.size += frame.length;
    } catch (error) {
      this.failure = error as Error;
      throw new LogWriteFailedError(this.path, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

function readFrames(path: string, contents: Buffer): { records: Uint8Array[]; validLength: number } {
  const records: Uint8Array[] = [];
  let offset = MAGIC.length;
  while (offset < contents.length) {
    const remaining = contents.length - offset;
    const problem = frameProblem(contents, offset);
    if (problem === null) {
      const length = contents.readUInt32LE(offset);
      records.push(new Uint8Array(contents.subarray(offset + FRAME_HEADER_LENGTH, offset + FRAME_HEADER_LENGTH + length)));
      offset += FRAME_HEADER_LENGTH + length;
      continue;
    }
    // Only the last frame can be torn: it reaches the end of the file (or its header does not fit),
    // or everything after it is zeros (the file grew but the data never reached the disk).
    const declaredEnd = remaining < FRAME_HEADER_LENGTH ? contents.length : offset + FRAME_HEADER_LENGTH + contents.readUInt32LE(offset);
    if (declaredEnd >= contents.length || isAllZero(contents.subarray(offset))) return { records, validLength: offset };
    throw new LogCorruptedError(path, offset, `${problem}, and ${contents.length - declaredEnd} bytes follow it`);
  }
  return { records, validLength: offset };
}

/** Why the frame at `offset` is not a complete, intact record; null when it is. */
function frameProblem(contents: Buffer, offset: number): string | null {
  if (contents.length - offset < FRAME_HEADER_LENGTH) return 'incomplete frame header';
  const length = contents.readUInt32LE(offset);
  if (length > MAX_RECORD_LENGTH) return `record length ${length} exceeds the maximum`;
  const end = offset + FRAME_HEADER_LENGTH + length;
  if (end > contents.length) return 'record cut short';
  const stored = contents.subarray(offset + 4, offset + FRAME_HEADER_LENGTH);
  if (!checksum(contents.subarray(offset + FRAME_HEADER_LENGTH, end)).equals(stored)) return 'checksum mismatch';
  return null;
}

function checksum(payload: Uint8Array): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, CHECKSUM_LENGTH);
}

function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes the header, then fsyncs the file and its directory so the file itself survives a crash. */
async function createFile(path: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.write(MAGIC);
    await file.sync();
  } finally {
    await file.close();
  }
  await syncDirectory(dirname(path));
}
