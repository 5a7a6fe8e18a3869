// GF backend on 256-bit registers: one register holds a block's 32 low (or high) bytes, and
// pshufb looks up all four nibble tables of a constant multiplier.
#include "gf_backend.h"

#if WALRUS_X86
#include <immintrin.h>

namespace walrus {
namespace gf16 {

namespace avx2 {

#define GF_TARGET WALRUS_TARGET_AVX2

using V = __m256i;

struct Block {
  V lo;
  V hi;
};

GF_TARGET WALRUS_ALWAYS_INLINE Block LoadBlock(const uint8_t* p) {
  return {_mm256_loadu_si256(reinterpret_cast<const V*>(p)),
          _mm256_loadu_si256(reinterpret_cast<const V*>(p + kBlockElements))};
}

GF_TARGET WALRUS_ALWAYS_INLINE void StoreBlock(uint8_t* p, const Block& b) {
  _mm256_storeu_si256(reinterpret_cast<V*>(p), b.lo);
  _mm256_storeu_si256(reinterpret_cast<V*>(p + kBlockElements), b.hi);
}

GF_TARGET WALRUS_ALWAYS_INLINE Block XorBlocks(const Block& a, const Block& b) {
  return {_mm256_xor_si256(a.lo, b.lo), _mm256_xor_si256(a.hi, b.hi)};
}

/** The nibble tables, each in both 128-bit halves (pshufb looks up within each half). */
struct Factor {
  V low[kNibbles];
  V high[kNibbles];
};

GF_TARGET WALRUS_ALWAYS_INLINE V Table(const MulTable& m, size_t offset) {
  return _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(m.data + offset)));
}

GF_TARGET WALRUS_ALWAYS_INLINE Factor LoadFactor(const MulTable& m) {
  Factor f;
  for (int i = 0; i < kNibbles; i++) {
    f.low[i] = Table(m, i * kNibbleValues);
    f.high[i] = Table(m, kHighTablesOffset + i * kNibbleValues);
  }
  return f;
}

GF_TARGET WALRUS_ALWAYS_INLINE V Lookup(const V tables[kNibbles], const V nibbles[kNibbles]) {
  V sum = _mm256_shuffle_epi8(tables[0], nibbles[0]);
  for (int i = 1; i < kNibbles; i++) sum = _mm256_xor_si256(sum, _mm256_shuffle_epi8(tables[i], nibbles[i]));
  return sum;
}

GF_TARGET WALRUS_ALWAYS_INLINE Block MulBlock(const Block& x, const Factor& m) {
  const V low_nibble = _mm256_set1_epi8(static_cast<char>(kNibbleMask));
  const V nibbles[kNibbles] = {
      _mm256_and_si256(x.lo, low_nibble),
      _mm256_and_si256(_mm256_srli_epi16(x.lo, kNibbleBits), low_nibble),
      _mm256_and_si256(x.hi, low_nibble),
      _mm256_and_si256(_mm256_srli_epi16(x.hi, kNibbleBits), low_nibble),
  };
  return {Lookup(m.low, nibbles), Lookup(m.high, nibbles)};
}

#include "gf_loops.inc"

#undef GF_TARGET

}  // namespace avx2

const GfBackend kAvx2Gf = {&BuildNibbleTables, &avx2::Mul,  &avx2::XorInto, &avx2::Fft2,
                           &avx2::Ifft2,       &avx2::Fft4, &avx2::Ifft4};

}  // namespace gf16
}  // namespace walrus

#endif  // WALRUS_X86
