/**
 * The codec as the services use it: encodes and decodes as promises, so that where they run — on
 * the calling thread ({@link InlineCodec}) or on worker threads (`codec-workers.ts`) — is the
 * configuration's choice (`--codec-workers`), not the caller's. Results are byte for byte those of
 * `encoder.ts` and `decoder.ts` either way.
 */
import { decodeBlob, decodeRowsFromColumns, decodeSelectedRows, type DecodeOptions } from './decoder.ts';
import { encodeBlob, type EncodedBlob, type EncodedSlivers, type EncodeOptions } from './encoder.ts';
import { encodeBlobFile, type BlobFile, type FileEncodeOptions } from './file-encoder.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import type { BlobMetadataWithId } from './metadata.ts';
import type { EncodingParams } from './params.ts';
import type { Sliver } from './sliver.ts';

export interface BlobCodec {
  /** `encodeBlob`; the blob must not change while the encoding is in use. */
  encode(blob: Uint8Array, params: EncodingParams, options: EncodeOptions, signal?: AbortSignal): Promise<EncodedBlob>;
  /** `encodeBlobFile`: a spooled blob, encoded in its file (which needs a descriptor on workers). */
  encodeFile(file: BlobFile, length: number, params: EncodingParams, options: FileEncodeOptions): Promise<EncodedSlivers>;
  /** `decodeBlob`. */
  decode(blob: BlobMetadataWithId, slivers: readonly Sliver[], params: EncodingParams, options: DecodeOptions, signal?: AbortSignal): Promise<Uint8Array>;
  /** `decodeRowsFromColumns`. */
  decodeRowsFromColumns(columns: readonly Sliver[], rowCount: number, params: EncodingParams, symbolSize: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** `decodeSelectedRows`. */
  decodeSelectedRows(slivers: readonly Sliver[], wanted: readonly number[], params: EncodingParams, symbolSize: number, signal?: AbortSignal): Promise<Map<number, Uint8Array>>;
  /** Stops whatever the codec runs on; calls after it fail. */
  close(): Promise<void>;
}

/**
 * The codec on the calling thread (`--codec-workers 0`, tests, the CLI): no start-up, no copies,
 * but every call holds the event loop for as long as it computes.
 */
export class InlineCodec implements BlobCodec {
  constructor(private readonly kernel: CodecKernel) {}

  async encode(blob: Uint8Array, params: EncodingParams, options: EncodeOptions): Promise<EncodedBlob> {
    return encodeBlob(blob, params, this.kernel, options);
  }

  /** Awaits between stripes, but each stripe's coding holds the event loop (tens to a hundred ms at 16 MiB stripes). */
  encodeFile(file: BlobFile, length: number, params: EncodingParams, options: FileEncodeOptions): Promise<EncodedSlivers> {
    return encodeBlobFile(file, length, params, this.kernel, options);
  }

  async decode(blob: BlobMetadataWithId, slivers: readonly Sliver[], params: EncodingParams, options: DecodeOptions): Promise<Uint8Array> {
    return decodeBlob(blob, slivers, params, this.kernel, options);
  }

  async decodeRowsFromColumns(columns: readonly Sliver[], rowCount: number, params: EncodingParams, symbolSize: number): Promise<Uint8Array> {
    return decodeRowsFromColumns(columns, rowCount, params, symbolSize, this.kernel);
  }

  async decodeSelectedRows(slivers: readonly Sliver[], wanted: readonly number[], params: EncodingParams, symbolSize: number): Promise<Map<number, Uint8Array>> {
    return decodeSelectedRows(slivers, wanted, params, symbolSize, this.kernel);
  }

  async close(): Promise<void> {}
}
