import type { CodecKernel } from './kernel/kernel.ts';
import { DIGEST_LENGTH, EncodingParams } from './params.ts';
import { ReedSolomonCode } from './reed-solomon/code.ts';
import type { SliverType } from './sliver.ts';
import { scratch } from './scratch.ts';
import { allocateWork, workGroups } from './work-groups.ts';

/**
 * Merkle roots of the expanded encodings of same-type slivers: each sliver re-encoded with the
 * orthogonal code to n symbols (a primary sliver becomes its full row of the n×n matrix, a
 * secondary sliver its full column), every symbol a leaf. These are the hashes the metadata
 * commit to, so a sliver is authentic exactly when its root matches. All slivers must hold the
 * symbol count of their type; one batched RS call codes them together.
 */
export function expandedSliverRoots(
  slivers: readonly Uint8Array[],
  type: SliverType,
  symbolSize: number,
  params: EncodingParams,
  kernel: CodecKernel,
): Uint8Array {
  const { n } = params;
  const sourceCount = type === 'primary' ? params.secondarySourceSymbols : params.primarySourceSymbols;
  const code = new ReedSolomonCode(sourceCount, n - sourceCount, kernel);
  const positions = code.encodeWorkPositions;
  const elements = symbolSize / 2;
  const recoveryCount = n - sourceCount;
  const roots = new Uint8Array(slivers.length * DIGEST_LENGTH);

  const work = allocateWork(slivers.length, elements, positions);
  for (const group of workGroups(slivers.length, elements, positions)) {
    const count = group.end - group.start;
    work.fill(0, sourceCount * group.vecBytes, code.encodeZeroEnd * group.vecBytes);
    // Every expanded sliver laid out whole, so all leaves hash in one (multi-threaded) kernel call.
    const expanded = scratch('expanded-slivers', count * n * symbolSize);
    for (let q = 0; q < count; q++) {
      const sliver = slivers[group.start + q];
      kernel.packSymbols(sliver, 0, symbolSize, symbolSize, sourceCount, work, q * elements, group.vecElements);
      expanded.set(sliver.subarray(0, sourceCount * symbolSize), q * n * symbolSize);
    }
    code.encode(work, group.vecBytes);
    for (let q = 0; q < count; q++) {
      kernel.unpackSymbols(work, q * elements, group.vecElements, symbolSize, recoveryCount, expanded, (q * n + sourceCount) * symbolSize, symbolSize);
    }
    const leaves = scratch('expanded-leaves', count * n * DIGEST_LENGTH);
    kernel.hashPrefixed(0, expanded, symbolSize, count * n, leaves, 1);
    kernel.merkleRoots(leaves, count, n, n, 1, roots.subarray(group.start * DIGEST_LENGTH));
  }
  return roots;
}
