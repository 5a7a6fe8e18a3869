import { vectorBytes } from './reed-solomon/code.ts';
import { scratch } from './scratch.ts';

/**
 * Upper bound for one Reed–Solomon work array. Every RS call is element-wise across the vector,
 * so a large axis is coded in groups of rows/columns that each fit this budget.
 */
export const WORK_BUDGET_BYTES = 32 * 1024 * 1024;

/** A run of consecutive items (rows, columns, slivers) coded together in one work array. */
export interface WorkGroup {
  readonly start: number;
  readonly end: number;
  /** Bytes of one position's vector for this group. */
  readonly vecBytes: number;
  /** Elements in one position's vector (vecBytes / 2). */
  readonly vecElements: number;
}

/**
 * Splits `itemCount` items of `elementsPerItem` elements each into groups whose work arrays of
 * `positions` vectors stay within {@link WORK_BUDGET_BYTES}.
 */
export function* workGroups(itemCount: number, elementsPerItem: number, positions: number): Generator<WorkGroup> {
  const perGroup = itemsPerGroup(itemCount, elementsPerItem, positions);
  for (let start = 0; start < itemCount; start += perGroup) {
    const end = Math.min(itemCount, start + perGroup);
    const vecBytes = vectorBytes((end - start) * elementsPerItem);
    yield { start, end, vecBytes, vecElements: vecBytes / 2 };
  }
}

function itemsPerGroup(itemCount: number, elementsPerItem: number, positions: number): number {
  const bytesPerItem = positions * elementsPerItem * 2;
  return Math.max(1, Math.min(itemCount, Math.floor(WORK_BUDGET_BYTES / bytesPerItem)));
}

/**
 * A work array large enough for every group of {@link workGroups} with the same arguments. Its
 * contents are unspecified: each group zeroes what it uses. Reused across calls (see scratch.ts).
 */
export function allocateWork(itemCount: number, elementsPerItem: number, positions: number): Uint8Array {
  return scratch('work', positions * vectorBytes(itemsPerGroup(itemCount, elementsPerItem, positions) * elementsPerItem));
}
