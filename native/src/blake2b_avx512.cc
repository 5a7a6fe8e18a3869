// BLAKE2b-256 of eight messages at once in 512-bit registers (one message per 64-bit lane).
// AVX-512 adds a native 64-bit rotate and byte-masked loads, which read a message's last block
// without copying it.
#include "blake2b.h"

#if WALRUS_X86
// GCC 12's AVX-512 headers self-initialise "undefined" registers, which -Wuninitialized
// misreports (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

namespace walrus {
namespace blake2b {

namespace {

using Z = __m512i;
using Y = __m256i;
constexpr int kLanes = 8;
constexpr size_t kHalfBlockBytes = 64;
constexpr int kWordsPerRow = 8;
/** prefix ‖ left ‖ right. */
constexpr uint64_t kNodeMessageBytes = 65;
/** shuffle_i64x2 selectors: 128-bit chunks {0, 2} / {1, 3} of each source. */
constexpr int kEvenChunks = _MM_SHUFFLE(2, 0, 2, 0);
constexpr int kOddChunks = _MM_SHUFFLE(3, 1, 3, 1);

/** vpternlog truth tables: NOT of the operand; XOR of all three operands. */
constexpr int kTernaryNot = 0x55;
constexpr int kTernaryXor3 = 0x96;

#define B2_ADD(a, b) _mm512_add_epi64(a, b)
#define B2_XOR(a, b) _mm512_xor_si512(a, b)
#define B2_ROR32(x) _mm512_ror_epi64(x, 32)
#define B2_ROR24(x) _mm512_ror_epi64(x, 24)
#define B2_ROR16(x) _mm512_ror_epi64(x, 16)
#define B2_ROR63(x) _mm512_ror_epi64(x, 63)

WALRUS_TARGET_AVX512 WALRUS_ALWAYS_INLINE void InitState(Z h[kStateWords]) {
  h[0] = _mm512_set1_epi64(static_cast<int64_t>(kInitialH0));
  for (int i = 1; i < kStateWords; i++) h[i] = _mm512_set1_epi64(static_cast<int64_t>(kIv[i]));
}

WALRUS_TARGET_AVX512 WALRUS_ALWAYS_INLINE void Compress(Z h[kStateWords], const Z m[kBlockWords],
                                                        uint64_t bytes_so_far, bool last) {
  Z v[kBlockWords];
  for (int i = 0; i < kStateWords; i++) {
    v[i] = h[i];
    v[i + kStateWords] = _mm512_set1_epi64(static_cast<int64_t>(kIv[i]));
  }
  v[kCounterWord] = _mm512_xor_si512(v[kCounterWord], _mm512_set1_epi64(static_cast<int64_t>(bytes_so_far)));
  if (last) {
    const Z flag = v[kFinalFlagWord];
    v[kFinalFlagWord] = _mm512_ternarylogic_epi64(flag, flag, flag, kTernaryNot);
  }
  B2_ROUNDS(v, m);
  for (int i = 0; i < kStateWords; i++) {
    h[i] = _mm512_ternarylogic_epi64(h[i], v[i], v[i + kStateWords], kTernaryXor3);
  }
}

#undef B2_ADD
#undef B2_XOR
#undef B2_ROR32
#undef B2_ROR24
#undef B2_ROR16
#undef B2_ROR63

/** 8×8 transpose of 64-bit words: rows r[l] (8 words of lane l) to columns c[w]. */
WALRUS_TARGET_AVX512 WALRUS_ALWAYS_INLINE void Transpose(const Z r[kLanes], Z c[kWordsPerRow]) {
  Z t[kLanes];
  for (int i = 0; i < kLanes; i += 2) {
    t[i] = _mm512_unpacklo_epi64(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi64(r[i], r[i + 1]);
  }
  // u: rows 0–3, v: rows 4–7; index = word pair {0,4}, {2,6}, {1,5}, {3,7}.
  const Z u0 = _mm512_shuffle_i64x2(t[0], t[2], kEvenChunks);
  const Z u1 = _mm512_shuffle_i64x2(t[0], t[2], kOddChunks);
  const Z u2 = _mm512_shuffle_i64x2(t[1], t[3], kEvenChunks);
  const Z u3 = _mm512_shuffle_i64x2(t[1], t[3], kOddChunks);
  const Z v0 = _mm512_shuffle_i64x2(t[4], t[6], kEvenChunks);
  const Z v1 = _mm512_shuffle_i64x2(t[4], t[6], kOddChunks);
  const Z v2 = _mm512_shuffle_i64x2(t[5], t[7], kEvenChunks);
  const Z v3 = _mm512_shuffle_i64x2(t[5], t[7], kOddChunks);
  c[0] = _mm512_shuffle_i64x2(u0, v0, kEvenChunks);
  c[4] = _mm512_shuffle_i64x2(u0, v0, kOddChunks);
  c[2] = _mm512_shuffle_i64x2(u1, v1, kEvenChunks);
  c[6] = _mm512_shuffle_i64x2(u1, v1, kOddChunks);
  c[1] = _mm512_shuffle_i64x2(u2, v2, kEvenChunks);
  c[5] = _mm512_shuffle_i64x2(u2, v2, kOddChunks);
  c[3] = _mm512_shuffle_i64x2(u3, v3, kEvenChunks);
  c[7] = _mm512_shuffle_i64x2(u3, v3, kOddChunks);
}

/** Mask of the first `bytes` (0..64) bytes of a 64-byte load. */
WALRUS_TARGET_AVX512 WALRUS_ALWAYS_INLINE __mmask64 FirstBytes(size_t bytes) {
  return bytes >= kHalfBlockBytes ? ~__mmask64{0} : (__mmask64{1} << bytes) - 1;
}

/** d[w] = word w of msgs[l][start, start + 128) for every lane; bytes from `avail` on read as 0. */
WALRUS_TARGET_AVX512 WALRUS_ALWAYS_INLINE void LoadColumns(const uint8_t* const* msgs, size_t start, size_t avail,
                                                           Z d[kBlockWords]) {
  Z rows[kLanes];
  if (avail >= kBlockBytes) {
    for (int l = 0; l < kLanes; l++) rows[l] = _mm512_loadu_si512(msgs[l] + start);
    Transpose(rows, d);
    for (int l = 0; l < kLanes; l++) rows[l] = _mm512_loadu_si512(msgs[l] + start + kHalfBlockBytes);
    Transpose(rows, d + kWordsPerRow);
    return;
  }
  // Masked-off bytes are neither read nor faulted on, so the message end needs no copy.
  const __mmask64 low = FirstBytes(avail);
  const __mmask64 high = FirstBytes(avail > kHalfBlockBytes ? avail - kHalfBlockBytes : 0);
  for (int l = 0; l < kLanes; l++) rows[l] = _mm512_maskz_loadu_epi8(low, msgs[l] + start);
  Transpose(rows, d);
  for (int l = 0; l < kLanes; l++) rows[l] = _mm512_maskz_loadu_epi8(high, msgs[l] + start + kHalfBlockBytes);
  Transpose(rows, d + kWordsPerRow);
}

/** Message words of a block that starts with the `carry` byte followed by the data words d. */
WALRUS_TARGET_AVX512 WALRUS_ALWAYS_INLINE void ShiftIn(Z carry, const Z d[kBlockWords], Z m[kBlockWords]) {
  m[0] = _mm512_or_si512(carry, _mm512_slli_epi64(d[0], kByteBits));
  for (int k = 1; k < kBlockWords; k++) {
    m[k] = _mm512_or_si512(_mm512_srli_epi64(d[k - 1], kTopByteShift), _mm512_slli_epi64(d[k], kByteBits));
  }
}

WALRUS_TARGET_AVX512 WALRUS_ALWAYS_INLINE void StoreDigests(const Z h[kStateWords], uint8_t* const* outs, int used) {
  // Pair up words: lo01 holds (h0, h1) of lanes 0, 2, 4, 6; hi01 of lanes 1, 3, 5, 7.
  const Z lo01 = _mm512_unpacklo_epi64(h[0], h[1]);
  const Z hi01 = _mm512_unpackhi_epi64(h[0], h[1]);
  const Z lo23 = _mm512_unpacklo_epi64(h[2], h[3]);
  const Z hi23 = _mm512_unpackhi_epi64(h[2], h[3]);
  // Join each lane's (h0, h1) with its (h2, h3): two digests per register.
  const Z first_pair = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
  const Z second_pair = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  const Z digests[kLanes / 2] = {
      _mm512_permutex2var_epi64(lo01, first_pair, lo23),   // lanes 0, 2
      _mm512_permutex2var_epi64(hi01, first_pair, hi23),   // lanes 1, 3
      _mm512_permutex2var_epi64(lo01, second_pair, lo23),  // lanes 4, 6
      _mm512_permutex2var_epi64(hi01, second_pair, hi23),  // lanes 5, 7
  };
  const int lane_of[kLanes / 2] = {0, 1, 4, 5};
  for (int i = 0; i < kLanes / 2; i++) {
    const int lane = lane_of[i];
    if (lane < used) _mm256_storeu_si256(reinterpret_cast<Y*>(outs[lane]), _mm512_castsi512_si256(digests[i]));
    if (lane + 2 < used) {
      _mm256_storeu_si256(reinterpret_cast<Y*>(outs[lane + 2]), _mm512_extracti64x4_epi64(digests[i], 1));
    }
  }
}

WALRUS_TARGET_AVX512 void Prefixed(uint8_t prefix, const uint8_t* const* msgs, size_t len, uint8_t* const* outs,
                                   int used, bool /* overread: masked loads never read past the end */) {
  Z h[kStateWords];
  InitState(h);
  const size_t total = len + 1;
  const size_t blocks = BlockCount(total);
  Z carry = _mm512_set1_epi64(prefix);
  for (size_t k = 0; k < blocks; k++) {
    const size_t start = k * kBlockBytes;
    const bool last = k + 1 == blocks;
    Z d[kBlockWords];
    LoadColumns(msgs, start, last ? len - start : kBlockBytes, d);
    Z m[kBlockWords];
    ShiftIn(carry, d, m);
    carry = _mm512_srli_epi64(d[kBlockWords - 1], kTopByteShift);
    Compress(h, m, last ? total : start + kBlockBytes, last);
  }
  StoreDigests(h, outs, used);
}

WALRUS_TARGET_AVX512 void Nodes(uint8_t prefix, const NodeJob* jobs, int used) {
  Z rows[kLanes];
  for (int l = 0; l < kLanes; l++) {
    const Y left = _mm256_loadu_si256(reinterpret_cast<const Y*>(jobs[l].left));
    const Y right = _mm256_loadu_si256(reinterpret_cast<const Y*>(jobs[l].right));
    rows[l] = _mm512_inserti64x4(_mm512_castsi256_si512(left), right, 1);
  }
  Z d[kBlockWords];
  Transpose(rows, d);
  for (int k = kWordsPerRow; k < kBlockWords; k++) d[k] = _mm512_setzero_si512();
  Z m[kBlockWords];
  ShiftIn(_mm512_set1_epi64(prefix), d, m);
  Z h[kStateWords];
  InitState(h);
  Compress(h, m, kNodeMessageBytes, true);
  uint8_t* outs[kLanes];
  for (int l = 0; l < kLanes; l++) outs[l] = jobs[l].out;
  StoreDigests(h, outs, used);
}

}  // namespace

const Backend kAvx512Backend = {kLanes, &Prefixed, &Nodes};

}  // namespace blake2b
}  // namespace walrus

#endif  // WALRUS_X86
