// GF backend with GFNI on 512-bit registers. A block (32 low bytes, 32 high bytes) fits one
// register, and multiplication by a constant is a 16×16 GF(2) matrix: four 8×8 blocks, which
// gf2p8affineqb applies per byte. Two affine ops (one on the block, one on its halves swapped)
// and an XOR give the product of 32 elements.
#include "gf_backend.h"

#if WALRUS_X86
// GCC 12's AVX-512 headers self-initialise "undefined" registers, which -Wuninitialized
// misreports (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

namespace walrus {
namespace gf16 {

namespace gfni {

#define GF_TARGET WALRUS_TARGET_AVX512_GFNI

using Block = __m512i;
constexpr size_t kMatrixRegBytes = sizeof(Block);
constexpr int kQwordsPerReg = 8;
constexpr int kQwordsPerHalf = kQwordsPerReg / 2;
/** shuffle_i64x2 selector exchanging the two 256-bit halves. */
constexpr int kSwapHalves = _MM_SHUFFLE(1, 0, 3, 2);

GF_TARGET WALRUS_ALWAYS_INLINE Block LoadBlock(const uint8_t* p) { return _mm512_loadu_si512(p); }

GF_TARGET WALRUS_ALWAYS_INLINE void StoreBlock(uint8_t* p, Block b) { _mm512_storeu_si512(p, b); }

GF_TARGET WALRUS_ALWAYS_INLINE Block XorBlocks(Block a, Block b) { return _mm512_xor_si512(a, b); }

/** Matrices for the block as loaded and for the block with its halves exchanged. */
struct Factor {
  Block same;
  Block swapped;
};

GF_TARGET WALRUS_ALWAYS_INLINE Factor LoadFactor(const MulTable& m) {
  return {_mm512_load_si512(m.data), _mm512_load_si512(m.data + kMatrixRegBytes)};
}

GF_TARGET WALRUS_ALWAYS_INLINE Block MulBlock(Block x, const Factor& m) {
  const Block x_swapped = _mm512_shuffle_i64x2(x, x, kSwapHalves);
  return _mm512_xor_si512(_mm512_gf2p8affine_epi64_epi8(x, m.same, 0),
                          _mm512_gf2p8affine_epi64_epi8(x_swapped, m.swapped, 0));
}

#include "gf_loops.inc"

#undef GF_TARGET

/** Transposes an 8×8 bit matrix held as bit 8·row + column (three rounds of block swaps). */
uint64_t TransposeBits8(uint64_t x) {
  uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
  x ^= t ^ (t << 28);
  return x;
}

/**
 * The 8×8 GF(2) matrix taking byte `in_half` (0 low, 1 high) of an element to byte `out_half`
 * of its product, in gf2p8affineqb's layout: byte 7 − r holds the input bits summed into output
 * bit r. Row j of the untransposed matrix is byte out_half of the product of input bit j.
 */
uint64_t AffineMatrix(const uint16_t products[kBits], int out_half, int in_half) {
  uint64_t columns = 0;
  for (int j = 0; j < kByteBits; j++) {
    const uint64_t byte = (products[in_half * kByteBits + j] >> (out_half * kByteBits)) & kByteMask;
    columns |= byte << (kByteBits * j);
  }
  return __builtin_bswap64(TransposeBits8(columns));
}

void Prepare(uint32_t log_m, MulTable* table) {
  uint16_t products[kBits];
  BasisProducts(log_m, products);
  const uint64_t low_from_low = AffineMatrix(products, 0, 0);
  const uint64_t high_from_high = AffineMatrix(products, 1, 1);
  const uint64_t low_from_high = AffineMatrix(products, 0, 1);
  const uint64_t high_from_low = AffineMatrix(products, 1, 0);
  // Register `same` acts on the block as loaded: low bytes → low, high bytes → high.
  // Register `swapped` acts on the halves exchanged: high bytes → low, low bytes → high.
  uint64_t same[kQwordsPerReg];
  uint64_t swapped[kQwordsPerReg];
  for (int q = 0; q < kQwordsPerHalf; q++) {
    same[q] = low_from_low;
    same[q + kQwordsPerHalf] = high_from_high;
    swapped[q] = low_from_high;
    swapped[q + kQwordsPerHalf] = high_from_low;
  }
  static_assert(sizeof(same) + sizeof(swapped) <= sizeof(table->data), "matrices fit the table");
  __builtin_memcpy(table->data, same, sizeof(same));
  __builtin_memcpy(table->data + sizeof(same), swapped, sizeof(swapped));
  table->log_m = static_cast<uint16_t>(log_m);
}

}  // namespace gfni

const GfBackend kAvx512GfniGf = {&gfni::Prepare, &gfni::Mul,  &gfni::XorInto, &gfni::Fft2,
                                 &gfni::Ifft2,   &gfni::Fft4, &gfni::Ifft4};

}  // namespace gf16
}  // namespace walrus

#endif  // WALRUS_X86
