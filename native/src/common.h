// Shared definitions of the walrus_codec addon: SIMD levels, per-kernel configuration and the
// macros that let one binary carry code for several instruction sets.
#pragma once

#include <cstddef>
#include <cstdint>

// Predefining WALRUS_X86=0 builds the portable code only, as on other architectures (tests).
#ifndef WALRUS_X86
#if defined(__x86_64__) || defined(__i386__)
#define WALRUS_X86 1
#else
#define WALRUS_X86 0
#endif
#endif

// Code for an instruction set above the x86-64 baseline is compiled per function, so the binary
// still loads on any CPU; callers reach it only after a runtime CPU check.
#define WALRUS_TARGET(isa) __attribute__((target(isa)))
#define WALRUS_ALWAYS_INLINE inline __attribute__((always_inline))

#define WALRUS_TARGET_SSSE3 WALRUS_TARGET("ssse3")
#define WALRUS_TARGET_AVX2 WALRUS_TARGET("avx2")
#define WALRUS_TARGET_AVX512 WALRUS_TARGET("avx512f,avx512bw,avx512vl,avx2")
#define WALRUS_TARGET_AVX512_GFNI WALRUS_TARGET("avx512f,avx512bw,avx512vl,avx2,gfni")

namespace walrus {

/** Instruction-set levels, each a superset of the previous one's requirements. */
enum class Simd : int {
  kScalar = 0,
  kSsse3 = 1,
  kAvx2 = 2,
  kAvx512 = 3,
  kAvx512Gfni = 4,
};
constexpr int kSimdLevelCount = 5;

const char* SimdName(Simd level);
/** Parses a name produced by SimdName; false if unknown. */
bool ParseSimd(const char* name, Simd* level);
/** The best level this CPU (and OS) supports. */
Simd BestSupportedSimd();

/** What one kernel instance may use; every entry point receives it. */
struct Config {
  Simd simd;
  /** Upper bound on threads (including the calling one) a single call may occupy. */
  int threads;
};

}  // namespace walrus
