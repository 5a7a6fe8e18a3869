#include <cstring>

#include "common.h"

namespace walrus {

namespace {
const char* const kSimdNames[kSimdLevelCount] = {"scalar", "ssse3", "avx2", "avx512", "avx512-gfni"};

Simd DetectSimd() {
#if WALRUS_X86
  // libgcc's checks also consult XGETBV, so AVX levels are reported only when the OS saves
  // the wider registers.
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("ssse3")) return Simd::kScalar;
  if (!__builtin_cpu_supports("avx2")) return Simd::kSsse3;
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl");
  if (!avx512) return Simd::kAvx2;
  if (!__builtin_cpu_supports("gfni")) return Simd::kAvx512;
  return Simd::kAvx512Gfni;
#else
  return Simd::kScalar;
#endif
}
}  // namespace

const char* SimdName(Simd level) { return kSimdNames[static_cast<int>(level)]; }

bool ParseSimd(const char* name, Simd* level) {
  for (int i = 0; i < kSimdLevelCount; i++) {
    if (std::strcmp(name, kSimdNames[i]) == 0) {
      *level = static_cast<Simd>(i);
      return true;
    }
  }
  return false;
}

Simd BestSupportedSimd() {
  static const Simd best = DetectSimd();
  return best;
}

}  // namespace walrus
