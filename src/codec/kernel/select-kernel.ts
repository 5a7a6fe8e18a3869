import type { CodecKernel } from './kernel.ts';
import { loadNativeKernel, SIMD_LEVELS, type SimdLevel } from './native-kernel.ts';
import { PortableKernel } from './portable-kernel.ts';

/** Environment variable forcing a kernel: `native` (fail if absent) or `portable`. */
export const KERNEL_ENV = 'WALRUS_CODEC_KERNEL';

/**
 * Environment variable capping the native kernel's instruction set (`avx2`, …): how a machine with
 * AVX-512 measures what an AVX2-only one would do. A level this CPU lacks is refused, not ignored.
 */
export const SIMD_ENV = 'WALRUS_CODEC_SIMD';

export interface KernelSelection {
  readonly kernel: CodecKernel;
  /** One line for the start-up log: which kernel, and why when it is not the native one. */
  readonly description: string;
}

/** Thrown when the environment asks for a kernel this process cannot have. */
export class KernelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelUnavailableError';
  }
}

function choose(): KernelSelection {
  const wanted = process.env[KERNEL_ENV];
  if (wanted !== undefined && wanted !== 'native' && wanted !== 'portable') {
    throw new KernelUnavailableError(`${KERNEL_ENV} must be native or portable, got ${JSON.stringify(wanted)}`);
  }
  if (wanted === 'portable') {
    return { kernel: new PortableKernel(), description: `codec kernel: portable (${KERNEL_ENV}=portable)` };
  }
  const simd = process.env[SIMD_ENV];
  if (simd !== undefined && !isSimdLevel(simd)) {
    throw new KernelUnavailableError(`${SIMD_ENV} must be one of ${SIMD_LEVELS.join(', ')}, got ${JSON.stringify(simd)}`);
  }
  const { kernel, error } = loadNativeKernel({ simd });
  // The build loads but lacks the level asked for: refused. No build at all: the portable fallback.
  if (simd !== undefined && !kernel && loadNativeKernel().kernel) throw new KernelUnavailableError(`${SIMD_ENV}=${simd}, but ${error}`);
  if (kernel) {
    return { kernel, description: `codec kernel: native (${kernel.simd}, ${kernel.threads} threads)` };
  }
  if (wanted === 'native') throw new KernelUnavailableError(`${KERNEL_ENV}=native, but ${error}`);
  return { kernel: new PortableKernel(), description: `codec kernel: portable, because ${error}` };
}

function isSimdLevel(value: string): value is SimdLevel {
  return (SIMD_LEVELS as readonly string[]).includes(value);
}

let selection: KernelSelection | undefined;

/** The kernel this process uses, chosen once: native when it loads, else portable. */
export function kernelSelection(): KernelSelection {
  selection ??= choose();
  return selection;
}

export function selectKernel(): CodecKernel {
  return kernelSelection().kernel;
}
