import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CodecKernel } from './kernel.ts';

/** Must equal kInterfaceVersion in native/src/addon.cc; a stale build is refused, not misused. */
const INTERFACE_VERSION = 1;

/** src/codec/kernel/ and dist/codec/kernel/ sit at the same depth below the package root. */
const DEFAULT_ADDON_URL = new URL('../../../native/build/Release/walrus_codec.node', import.meta.url);

/** Environment variable naming an alternative .node file (tests, custom builds). */
export const NATIVE_ADDON_ENV = 'WALRUS_NATIVE_ADDON';

/** Instruction-set levels, lowest first; each kernel uses everything up to its level. */
export const SIMD_LEVELS = ['scalar', 'ssse3', 'avx2', 'avx512', 'avx512-gfni'] as const;
export type SimdLevel = (typeof SIMD_LEVELS)[number];

type KernelMethods = Pick<
  CodecKernel,
  | 'hashPrefixed'
  | 'merkleRoots'
  | 'fft'
  | 'ifft'
  | 'mul'
  | 'xorPositions'
  | 'formalDerivative'
  | 'packSymbols'
  | 'unpackSymbols'
>;

/** A kernel object made by the addon: the methods, bound to one SIMD level and thread limit. */
export interface NativeKernelHandle extends KernelMethods {
  readonly simd: SimdLevel;
  readonly threads: number;
}

/** What native/build/Release/walrus_codec.node exports. */
export interface NativeAddon {
  readonly interfaceVersion: number;
  /** Levels this CPU supports, lowest first. */
  readonly simdLevels: readonly SimdLevel[];
  /** Most threads one call may use (the machine's, capped). */
  readonly maxThreads: number;
  createKernel(simd: SimdLevel, threads: number): NativeKernelHandle;
}

export interface NativeKernelOptions {
  /** Highest instruction set to use; defaults to the best this CPU supports. */
  readonly simd?: SimdLevel;
  /** Threads (the calling one included) one large call may use; defaults to all cores, capped. */
  readonly threads?: number;
  /** The .node file; defaults to $WALRUS_NATIVE_ADDON, then the package's own build. */
  readonly addonPath?: string;
}

/** Either a kernel, or why there is none (absent build, load failure, unsupported option). */
export type NativeKernelLoad =
  | { readonly kernel: NativeKernel; readonly error?: undefined }
  | { readonly kernel?: undefined; readonly error: string };

/**
 * The C++ kernel (native/src): SIMD BLAKE2b over many messages at once, GF(2^16) transforms with
 * pshufb or GFNI, large calls spread over a small thread pool. Byte-identical to PortableKernel.
 */
export class NativeKernel implements CodecKernel {
  readonly name = 'native';
  /** The instruction-set level in use. */
  readonly simd: SimdLevel;
  /** Threads one call may use. */
  readonly threads: number;
  /** Levels this CPU supports, lowest first. */
  readonly supportedSimd: readonly SimdLevel[];

  // The addon's functions are used as they are: no JavaScript frame between caller and C++.
  readonly hashPrefixed: CodecKernel['hashPrefixed'];
  readonly merkleRoots: CodecKernel['merkleRoots'];
  readonly fft: CodecKernel['fft'];
  readonly ifft: CodecKernel['ifft'];
  readonly mul: CodecKernel['mul'];
  readonly xorPositions: CodecKernel['xorPositions'];
  readonly formalDerivative: CodecKernel['formalDerivative'];
  readonly packSymbols: CodecKernel['packSymbols'];
  readonly unpackSymbols: CodecKernel['unpackSymbols'];

  constructor(handle: NativeKernelHandle, supportedSimd: readonly SimdLevel[]) {
    this.simd = handle.simd;
    this.threads = handle.threads;
    this.supportedSimd = supportedSimd;
    this.hashPrefixed = handle.hashPrefixed;
    this.merkleRoots = handle.merkleRoots;
    this.fft = handle.fft;
    this.ifft = handle.ifft;
    this.mul = handle.mul;
    this.xorPositions = handle.xorPositions;
    this.formalDerivative = handle.formalDerivative;
    this.packSymbols = handle.packSymbols;
    this.unpackSymbols = handle.unpackSymbols;
  }
}

/** The default location of the built addon. */
export function defaultNativeAddonPath(): string {
  return fileURLToPath(DEFAULT_ADDON_URL);
}

/**
 * Loads the native kernel. Never throws for a missing or broken build: the result says why the
 * kernel is unavailable, so callers can fall back to the portable one and log the reason.
 * Throws only for invalid options.
 */
export function loadNativeKernel(options: NativeKernelOptions = {}): NativeKernelLoad {
  const path = options.addonPath ?? process.env[NATIVE_ADDON_ENV] ?? defaultNativeAddonPath();
  const loaded = loadAddon(path);
  if (loaded.error !== undefined) return { error: loaded.error };
  const { addon } = loaded;
  const best = addon.simdLevels[addon.simdLevels.length - 1];
  const simd = options.simd ?? best;
  if (!addon.simdLevels.includes(simd)) {
    return { error: `native codec: SIMD level '${simd}' is not supported by this CPU (best: '${best}')` };
  }
  const threads = options.threads ?? addon.maxThreads;
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`native codec: threads must be a positive integer, got ${threads}`);
  }
  return { kernel: new NativeKernel(addon.createKernel(simd, threads), addon.simdLevels) };
}

type AddonLoad = { readonly addon: NativeAddon; readonly error?: undefined } | { readonly error: string };

function loadAddon(path: string): AddonLoad {
  if (!existsSync(path)) {
    return { error: `native codec addon not built: ${path} does not exist (build it with \`npm run install\`)` };
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    return { error: `native codec addon ${path} failed to load: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (addon.interfaceVersion !== INTERFACE_VERSION) {
    return {
      error:
        `native codec addon ${path} speaks interface ${String(addon.interfaceVersion)}, ` +
        `this code needs ${INTERFACE_VERSION}: rebuild it (\`npm run install\`)`,
    };
  }
  return { addon };
}
