import { equalBytes } from './bytes.ts';
import { secondarySliverIndex } from './blob-id.ts';
import { InvalidSliverError } from './errors.ts';
import { expandedSliverRoots } from './expansion.ts';
import type { CodecKernel } from './kernel/kernel.ts';
import type { BlobMetadata } from './metadata.ts';
import { DIGEST_LENGTH, EncodingParams } from './params.ts';
import type { Sliver, SliverType } from './sliver.ts';

/** The metadata hash a sliver of this type and index must expand to. */
function expectedHash(metadata: BlobMetadata, type: SliverType, index: number, n: number): Uint8Array {
  return type === 'primary'
    ? metadata.hashes[index].primary
    : metadata.hashes[secondarySliverIndex(index, n)].secondary;
}

/** Shape checks of `SliverData::verify` before any hashing: index, symbol size and length. */
function checkShape(sliver: Sliver, metadata: BlobMetadata, params: EncodingParams): void {
  const ss = params.symbolSize(metadata.unencodedLength);
  if (sliver.index >= params.n) throw new InvalidSliverError(`index ${sliver.index} is out of range for ${params.n} shards`);
  if (sliver.symbolSize !== ss) throw new InvalidSliverError(`symbol size ${sliver.symbolSize}, expected ${ss}`);
  const expected = sliver.type === 'primary' ? params.primarySliverSize(ss) : params.secondarySliverSize(ss);
  if (sliver.data.length !== expected) throw new InvalidSliverError(`${sliver.data.length} bytes, expected ${expected}`);
}

/**
 * Verifies slivers of one type against verified metadata, in one batch. Returns, per sliver, null
 * when it is authentic or the error that rejects it; a bad sliver never affects the others.
 */
export function verifySlivers(
  slivers: readonly Sliver[],
  metadata: BlobMetadata,
  params: EncodingParams,
  kernel: CodecKernel,
): (InvalidSliverError | null)[] {
  const results: (InvalidSliverError | null)[] = slivers.map(() => null);
  const byType: Record<SliverType, number[]> = { primary: [], secondary: [] };
  slivers.forEach((sliver, i) => {
    try {
      checkShape(sliver, metadata, params);
      byType[sliver.type].push(i);
    } catch (error) {
      if (!(error instanceof InvalidSliverError)) throw error;
      results[i] = error;
    }
  });
  const ss = params.symbolSize(metadata.unencodedLength);
  for (const type of ['primary', 'secondary'] as const) {
    const indices = byType[type];
    if (indices.length === 0) continue;
    const roots = expandedSliverRoots(indices.map((i) => slivers[i].data), type, ss, params, kernel);
    indices.forEach((sliverAt, q) => {
      const sliver = slivers[sliverAt];
      const root = roots.subarray(q * DIGEST_LENGTH, (q + 1) * DIGEST_LENGTH);
      if (!equalBytes(root, expectedHash(metadata, type, sliver.index, params.n))) {
        results[sliverAt] = new InvalidSliverError(`${type} sliver ${sliver.index} does not match the metadata`);
      }
    });
  }
  return results;
}

/** Verifies one sliver; throws {@link InvalidSliverError} when it is not authentic. */
export function verifySliver(sliver: Sliver, metadata: BlobMetadata, params: EncodingParams, kernel: CodecKernel): void {
  const [error] = verifySlivers([sliver], metadata, params, kernel);
  if (error) throw error;
}
