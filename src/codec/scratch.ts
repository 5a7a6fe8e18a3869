/**
 * Scratch buffers reused from one codec call to the next. Large fresh allocations cost a page
 * fault per 4 KiB on first touch — for a 64 MiB blob at n = 1000 that is tens of thousands of
 * faults per encode — so the codec's internal work arrays are kept and handed out again. Codec
 * calls are synchronous and never hand a scratch buffer to their caller, so one set per thread is
 * safe. Buffers above {@link MAX_RETAINED_BYTES} are not kept.
 */
const MAX_RETAINED_BYTES = 256 * 1024 * 1024;

export type ScratchSlot = 'work' | 'leaves' | 'leaf-digests' | 'dropped-symbols' | 'expanded-slivers' | 'expanded-leaves';

const retained = new Map<ScratchSlot, Uint8Array>();

/**
 * A buffer of exactly `bytes` bytes for `slot`, with unspecified contents: callers write before
 * they read. The previous buffer handed out for the same slot is invalid afterwards.
 */
export function scratch(slot: ScratchSlot, bytes: number): Uint8Array {
  const buffer = retained.get(slot);
  if (buffer && buffer.length >= bytes) return buffer.subarray(0, bytes);
  const fresh = new Uint8Array(bytes);
  if (bytes <= MAX_RETAINED_BYTES) retained.set(slot, fresh);
  return fresh;
}
