// Portable GF backend: element-wise log/exp multiplication, the same arithmetic as the
// TypeScript reference, and the backend selection.
#include <cstring>

#include "gf_backend.h"

namespace walrus {
namespace gf16 {

namespace scalar {

#define GF_TARGET

struct Block {
  uint8_t bytes[kBlockBytes];
};

static inline Block LoadBlock(const uint8_t* p) {
  Block b;
  std::memcpy(b.bytes, p, kBlockBytes);
  return b;
}

static inline void StoreBlock(uint8_t* p, const Block& b) { std::memcpy(p, b.bytes, kBlockBytes); }

static inline Block XorBlocks(Block a, const Block& b) {
  for (size_t i = 0; i < kBlockBytes; i++) a.bytes[i] ^= b.bytes[i];
  return a;
}

/** The multiplier's log, with the tables at hand. */
struct Factor {
  const Tables* tables;
  uint32_t log_m;
};

static inline Factor LoadFactor(const MulTable& m) { return {&GetTables(), m.log_m}; }

static inline Block MulBlock(Block x, const Factor& m) {
  for (size_t i = 0; i < kBlockElements; i++) {
    const uint16_t element = static_cast<uint16_t>(x.bytes[i] | (x.bytes[i + kBlockElements] << kByteBits));
    const uint16_t product = Mul(*m.tables, element, m.log_m);
    x.bytes[i] = static_cast<uint8_t>(product & kByteMask);
    x.bytes[i + kBlockElements] = static_cast<uint8_t>(product >> kByteBits);
  }
  return x;
}

#include "gf_loops.inc"

#undef GF_TARGET

static void Prepare(uint32_t log_m, MulTable* table) { table->log_m = static_cast<uint16_t>(log_m); }

}  // namespace scalar

const GfBackend kScalarGf = {&scalar::Prepare, &scalar::Mul,   &scalar::XorInto, &scalar::Fft2,
                             &scalar::Ifft2,   &scalar::Fft4, &scalar::Ifft4};

const GfBackend& GfBackendFor(Simd level) {
#if WALRUS_X86
  if (level >= Simd::kAvx512Gfni) return kAvx512GfniGf;
  if (level >= Simd::kAvx2) return kAvx2Gf;
  if (level >= Simd::kSsse3) return kSsse3Gf;
#endif
  (void)level;
  return kScalarGf;
}

}  // namespace gf16
}  // namespace walrus
