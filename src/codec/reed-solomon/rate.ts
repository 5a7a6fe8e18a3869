import { GF_ORDER } from './gf16.ts';

/** Smallest power of two ≥ x (x ≥ 1). */
export function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p <<= 1;
  return p;
}

/** Whether reed-solomon-simd can build a code with these counts. */
export function supportsCode(originalCount: number, recoveryCount: number): boolean {
  if (originalCount <= 0 || recoveryCount <= 0) return false;
  if (originalCount > GF_ORDER || recoveryCount > GF_ORDER) return false;
  const smallerPow2 = Math.min(nextPowerOfTwo(originalCount), nextPowerOfTwo(recoveryCount));
  return smallerPow2 + Math.max(originalCount, recoveryCount) <= GF_ORDER;
}

/**
 * reed-solomon-simd's default rate choice. The high- and low-rate encoders are different codes
 * once more than one chunk is used, so matching this choice is what makes recovery symbols match.
 */
export function useHighRate(originalCount: number, recoveryCount: number): boolean {
  const o2 = nextPowerOfTwo(originalCount);
  const r2 = nextPowerOfTwo(recoveryCount);
  if (o2 !== r2) return o2 > r2;
  return originalCount <= recoveryCount;
}
