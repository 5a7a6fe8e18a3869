/**
 * The quilt read flow (docs/protocol.md §2.7, docs/http-api.md §1.5): a quilt's index from its
 * leading columns, and a patch from its own columns only, never the whole quilt unless those
 * columns cannot be read. Columns come from secondary slivers verified like every other sliver
 * (`BlobReader.readColumns`). Index columns and patch columns are kept in the blob cache beside
 * whole blobs, so repeated patch reads cost no node request.
 */
import { CodecError } from '../codec/errors.ts';
import {
  encodeQuiltPatchId,
  extractQuiltPatch,
  parseQuiltIndex,
  quiltLayout,
  QuiltError,
  type QuiltLayout,
  type QuiltPatch,
} from '../codec/quilt.ts';
import { NotAQuiltError, QuiltPatchNotFoundError } from '../errors/gateway-errors.ts';
import { Coalescer } from '../nodes/coalescer.ts';
import type { BlobCache } from './blob-cache.ts';
import type { BlobBytes, BlobReader } from './blob-reader.ts';
import type { BlobInfo } from './metadata-reader.ts';
import type { ReadMetrics } from './read-metrics.ts';

export interface QuiltReaderOptions {
  readonly blobs: BlobReader;
  readonly cache: BlobCache;
  readonly metrics?: ReadMetrics;
}

/** One entry of a quilt's index, with the ID a client reads it by. */
export interface QuiltIndexEntry extends QuiltPatch {
  readonly patchId: string;
}

export interface QuiltPatchRead {
  readonly patchId: string;
  readonly identifier: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
  /** Whether its columns came from the cache (`X-Cache`). */
  readonly cached: boolean;
}

/** Cache key of a quilt's index columns; blob and patch IDs are base64url, so `#` never collides. */
function indexKey(quiltId: string): string {
  return `${quiltId}#index`;
}

export class QuiltReader {
  private readonly loads = new Coalescer<BlobBytes>();

  constructor(private readonly options: QuiltReaderOptions) {}

  /** The quilt's patches in index order; `NotAQuiltError` when the blob has no valid QuiltV1 index. */
  async patches(info: BlobInfo, signal: AbortSignal): Promise<QuiltIndexEntry[]> {
    return (await this.index(info, signal)).map((patch) => ({ ...patch, patchId: encodeQuiltPatchId(info.blobId, patch.startColumn, patch.endColumn) }));
  }

  /** The patch named `identifier`; `QuiltPatchNotFoundError` when the index has none. */
  async patchByIdentifier(info: BlobInfo, identifier: string, signal: AbortSignal): Promise<QuiltPatchRead> {
    const entry = (await this.index(info, signal)).find((patch) => patch.identifier === identifier);
    if (!entry) throw new QuiltPatchNotFoundError(`the quilt ${info.idText} has no patch ${JSON.stringify(identifier)}`);
    return this.patch(info, entry.startColumn, entry.endColumn, signal, identifier);
  }

  /**
   * The patch in columns `startColumn` up to (excluding) `endColumn`, as a patch ID names it. The
   * columns must hold a well-formed patch; `expectedIdentifier` (from the index) must match it.
   */
  async patch(info: BlobInfo, startColumn: number, endColumn: number, signal: AbortSignal, expectedIdentifier?: string): Promise<QuiltPatchRead> {
    const layout = this.layout(info);
    const patchId = encodeQuiltPatchId(info.blobId, startColumn, endColumn);
    if (endColumn > layout.columns) {
      throw new QuiltPatchNotFoundError(`the patch ${patchId} names columns ${startColumn}…${endColumn - 1}, but the quilt has ${layout.columns}`);
    }
    // Column 0 always holds the index, never a patch.
    if (startColumn === 0) throw new QuiltPatchNotFoundError(`the patch ${patchId} names the quilt's index column`);
    const { bytes, cached } = await this.cachedColumns(patchId, info, signal, (shared) => this.options.blobs.readColumns(info, layout, startColumn, endColumn, shared));
    let patch;
    try {
      patch = extractQuiltPatch(bytes, { identifier: expectedIdentifier, startColumn, endColumn });
    } catch (error) {
      // Columns that do not start a patch: the ID points at nothing this quilt holds.
      if (error instanceof CodecError) throw new QuiltPatchNotFoundError(`the patch ${patchId} does not exist in the quilt: ${error.message}`);
      throw error;
    }
    this.options.metrics?.quiltPatchReads.inc({ source: cached ? 'cache' : 'nodes' });
    return { patchId, identifier: patch.identifier, tags: patch.tags, data: patch.data, cached };
  }

  /**
   * Columns under `key` from the blob cache, else loaded once for every concurrent reader and kept.
   * `load` gets the shared load's signal, aborted only when every reader has left. Columns cut
   * from a whole blob already in the cache are not kept a second time, and count as a cache hit.
   */
  private async cachedColumns(key: string, info: BlobInfo, signal: AbortSignal, load: (shared: AbortSignal) => Promise<BlobBytes>): Promise<BlobBytes> {
    const { cache, metrics } = this.options;
    const hit = cache.get(key);
    if (hit) {
      metrics?.cacheHits.inc({ cache: 'quilt' });
      return { bytes: hit.bytes, cached: true };
    }
    metrics?.cacheMisses.inc({ cache: 'quilt' });
    return this.loads.run(
      `${info.idText}:${key}`,
      signal,
      async (shared) => {
        const loaded = await load(shared);
        // Verified slivers: as trustworthy as a blob rebuilt with the default check.
        if (!loaded.cached) cache.set(key, { bytes: loaded.bytes, check: 'default' });
        return loaded;
      },
      () => metrics?.coalescedRequests.inc(),
    );
  }

  /** The index's patches, from its cached columns. */
  private async index(info: BlobInfo, signal: AbortSignal): Promise<QuiltPatch[]> {
    const layout = this.layout(info);
    const { bytes } = await this.cachedColumns(indexKey(info.idText), info, signal, (shared) => this.loadIndexColumns(info, layout, shared));
    return this.parseIndex(info, layout, bytes);
  }

  /** Where the quilt's columns lie; a blob of any other size than a full matrix is not a quilt. */
  private layout(info: BlobInfo): QuiltLayout {
    return this.tryParse(info, () => quiltLayout(info.read.params, info.size));
  }

  /** Column 0 first: it says how many columns the index spans (at most ten). */
  private async loadIndexColumns(info: BlobInfo, layout: QuiltLayout, signal: AbortSignal): Promise<BlobBytes> {
    const first = await this.options.blobs.readColumns(info, layout, 0, 1, signal);
    const parsed = this.tryParse(info, () => parseQuiltIndex(first.bytes, layout));
    if (parsed.kind === 'index') return first;
    const rest = await this.options.blobs.readColumns(info, layout, 1, parsed.columns, signal);
    return { bytes: Buffer.concat([first.bytes, rest.bytes]), cached: first.cached && rest.cached };
  }

  private parseIndex(info: BlobInfo, layout: QuiltLayout, columns: Uint8Array): QuiltPatch[] {
    const parsed = this.tryParse(info, () => parseQuiltIndex(columns, layout));
    if (parsed.kind !== 'index') throw new NotAQuiltError(info.idText, `its index needs ${parsed.columns} columns, ${columns.length / layout.columnBytes} were read`);
    return parsed.patches;
  }

  private tryParse<T>(info: BlobInfo, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof QuiltError) throw new NotAQuiltError(info.idText, error.message);
      throw error;
    }
  }
}
