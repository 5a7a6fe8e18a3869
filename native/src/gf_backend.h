// Per-instruction-set GF(2^16) vector kernels: the inner loops of the Leopard transforms.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common.h"
#include "gf16.h"

namespace walrus {
namespace gf16 {

/**
 * `count` radix-2 butterflies between lower position x + i·stride and its partner `dist` bytes
 * further, each over `bytes` bytes (a multiple of 64) from the same column offset.
 */
struct Butterfly2 {
  uint8_t* x;
  size_t stride;
  size_t dist;
  size_t count;
  size_t bytes;
  /** Null when the twiddle's log is 65535 and the multiply is skipped. */
  const MulTable* m;
};

/**
 * Two fused transform layers on quadruples x0 = x + i·stride, x1 = x0 + dist, x2 = x1 + dist,
 * x3 = x2 + dist: the wide layer pairs (x0, x2) and (x1, x3), the narrow one (x0, x1) and (x2, x3).
 * Doing both layers per block halves the passes over memory.
 */
struct Butterfly4 {
  uint8_t* x;
  size_t stride;
  size_t dist;
  size_t count;
  size_t bytes;
  const MulTable* wide;
  const MulTable* narrow01;
  const MulTable* narrow23;
  /** False when the (x2, x3) butterflies lie beyond the transform's truncation. */
  bool has23;
};

struct GfBackend {
  /** Prepares the multiplication by exp(logM) in this backend's table format. */
  void (*prepare)(uint32_t log_m, MulTable* table);
  /** x *= m over `bytes` bytes. */
  void (*mul)(uint8_t* x, size_t bytes, const MulTable& m);
  /** dst ^= src over `bytes` bytes. */
  void (*xor_into)(uint8_t* dst, const uint8_t* src, size_t bytes);
  /** FFT butterfly: x ^= y·m (unless skipped), then y ^= x. */
  void (*fft2)(const Butterfly2& b);
  /** Inverse FFT butterfly: y ^= x, then x ^= y·m (unless skipped). */
  void (*ifft2)(const Butterfly2& b);
  void (*fft4)(const Butterfly4& b);
  void (*ifft4)(const Butterfly4& b);
};

const GfBackend& GfBackendFor(Simd level);

extern const GfBackend kScalarGf;
#if WALRUS_X86
extern const GfBackend kSsse3Gf;
extern const GfBackend kAvx2Gf;
extern const GfBackend kAvx512GfniGf;
#endif

}  // namespace gf16
}  // namespace walrus
