/**
 * A {@link BlobFile} over a descriptor another thread opened (a spool file): what a codec worker
 * encodes a spooled blob through. It neither opens nor closes the descriptor; the thread that owns
 * the file holds it open until the worker is done (`codec-workers.ts`).
 */
import { ftruncate, read, write } from 'node:fs';
import { promisify } from 'node:util';
import type { BlobFile } from './file-encoder.ts';

const readAt = promisify(read);
const writeAt = promisify(write);
const truncateTo = promisify(ftruncate);

/** The name an I/O failure crosses the thread boundary with: the owner maps it to its own error (a full disk is a 503). */
export const FILE_IO_ERROR = 'FileIoError';

export class FileIoError extends Error {
  constructor(
    readonly code: string,
    options: ErrorOptions,
  ) {
    super(`a spool file could not be read or written (${code})`, options);
    this.name = FILE_IO_ERROR;
  }
}

export class DescriptorFile implements BlobFile {
  constructor(readonly fd: number) {}

  async read(into: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < into.length; ) {
      const { bytesRead } = await io(() => readAt(this.fd, into, done, into.length - done, position + done));
      if (bytesRead === 0) throw new FileIoError('EOF', { cause: new Error(`the file ends before byte ${position + into.length}`) });
      done += bytesRead;
    }
  }

  async write(from: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < from.length; ) done += (await io(() => writeAt(this.fd, from, done, from.length - done, position + done))).bytesWritten;
  }

  truncate(length: number): Promise<void> {
    return io(() => truncateTo(this.fd, length));
  }

  /** The owner holds the file for the whole job. */
  hold(): () => void {
    return () => {};
  }
}

async function io<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new FileIoError((error as NodeJS.ErrnoException).code ?? 'unknown error', { cause: error });
  }
}
