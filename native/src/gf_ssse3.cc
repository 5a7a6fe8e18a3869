// GF backend on 128-bit registers: nibble-table lookups with pshufb (SSSE3).
#include "gf_backend.h"

#if WALRUS_X86
#include <immintrin.h>

namespace walrus {
namespace gf16 {

namespace ssse3 {

#define GF_TARGET WALRUS_TARGET_SSSE3

using X = __m128i;
constexpr size_t kRegBytes = sizeof(X);

struct Block {
  X lo[2];
  X hi[2];
};

GF_TARGET WALRUS_ALWAYS_INLINE X Load(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const X*>(p)); }

GF_TARGET WALRUS_ALWAYS_INLINE Block LoadBlock(const uint8_t* p) {
  return {{Load(p), Load(p + kRegBytes)}, {Load(p + kBlockElements), Load(p + kBlockElements + kRegBytes)}};
}

GF_TARGET WALRUS_ALWAYS_INLINE void StoreBlock(uint8_t* p, const Block& b) {
  _mm_storeu_si128(reinterpret_cast<X*>(p), b.lo[0]);
  _mm_storeu_si128(reinterpret_cast<X*>(p + kRegBytes), b.lo[1]);
  _mm_storeu_si128(reinterpret_cast<X*>(p + kBlockElements), b.hi[0]);
  _mm_storeu_si128(reinterpret_cast<X*>(p + kBlockElements + kRegBytes), b.hi[1]);
}

GF_TARGET WALRUS_ALWAYS_INLINE Block XorBlocks(const Block& a, const Block& b) {
  return {{_mm_xor_si128(a.lo[0], b.lo[0]), _mm_xor_si128(a.lo[1], b.lo[1])},
          {_mm_xor_si128(a.hi[0], b.hi[0]), _mm_xor_si128(a.hi[1], b.hi[1])}};
}

/** The nibble tables: low[i] / high[i] give the product's low / high byte for nibble i. */
struct Factor {
  X low[kNibbles];
  X high[kNibbles];
};

GF_TARGET WALRUS_ALWAYS_INLINE Factor LoadFactor(const MulTable& m) {
  Factor f;
  for (int i = 0; i < kNibbles; i++) {
    f.low[i] = _mm_load_si128(reinterpret_cast<const X*>(m.data + i * kNibbleValues));
    f.high[i] = _mm_load_si128(reinterpret_cast<const X*>(m.data + kHighTablesOffset + i * kNibbleValues));
  }
  return f;
}

/** XOR of the four nibble-table lookups for one output byte plane. */
GF_TARGET WALRUS_ALWAYS_INLINE X Lookup(const X tables[kNibbles], const X nibbles[kNibbles]) {
  X sum = _mm_shuffle_epi8(tables[0], nibbles[0]);
  for (int i = 1; i < kNibbles; i++) sum = _mm_xor_si128(sum, _mm_shuffle_epi8(tables[i], nibbles[i]));
  return sum;
}

GF_TARGET WALRUS_ALWAYS_INLINE Block MulBlock(const Block& x, const Factor& m) {
  const X low_nibble = _mm_set1_epi8(static_cast<char>(kNibbleMask));
  Block product;
  for (int half = 0; half < 2; half++) {
    const X nibbles[kNibbles] = {
        _mm_and_si128(x.lo[half], low_nibble),
        _mm_and_si128(_mm_srli_epi16(x.lo[half], kNibbleBits), low_nibble),
        _mm_and_si128(x.hi[half], low_nibble),
        _mm_and_si128(_mm_srli_epi16(x.hi[half], kNibbleBits), low_nibble),
    };
    product.lo[half] = Lookup(m.low, nibbles);
    product.hi[half] = Lookup(m.high, nibbles);
  }
  return product;
}

#include "gf_loops.inc"

#undef GF_TARGET

}  // namespace ssse3

const GfBackend kSsse3Gf = {&BuildNibbleTables, &ssse3::Mul,  &ssse3::XorInto, &ssse3::Fft2,
                            &ssse3::Ifft2,      &ssse3::Fft4, &ssse3::Ifft4};

}  // namespace gf16
}  // namespace walrus

#endif  // WALRUS_X86
