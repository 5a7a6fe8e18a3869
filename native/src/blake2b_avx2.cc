// BLAKE2b-256 of four messages at once: each 64-bit lane of a 256-bit register carries the same
// state word of a different message, so the rounds need no shuffles between words.
#include "blake2b.h"

#if WALRUS_X86
#include <immintrin.h>

#include <cstring>

namespace walrus {
namespace blake2b {

namespace {

using V = __m256i;
constexpr int kLanes = 4;
constexpr size_t kRowBytes = sizeof(V);
constexpr int kWordsPerRow = 4;
constexpr int kNodeHalfWords = 4;
/** permute2x128 selectors: the low (high) 128-bit halves of both sources. */
constexpr int kLowHalves = 0x20;
constexpr int kHighHalves = 0x31;
/** prefix ‖ left ‖ right. */
constexpr uint64_t kNodeMessageBytes = 65;

WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE V Ror24(V x) {
  // Rotating a little-endian word right by 3 bytes: byte i takes byte i + 3 (mod 8).
  const V rotate = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11,
                                    12, 13, 14, 15, 8, 9, 10);
  return _mm256_shuffle_epi8(x, rotate);
}

WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE V Ror16(V x) {
  const V rotate = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10,
                                    11, 12, 13, 14, 15, 8, 9);
  return _mm256_shuffle_epi8(x, rotate);
}

#define B2_ADD(a, b) _mm256_add_epi64(a, b)
#define B2_XOR(a, b) _mm256_xor_si256(a, b)
#define B2_ROR32(x) _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1))
#define B2_ROR24(x) Ror24(x)
#define B2_ROR16(x) Ror16(x)
#define B2_ROR63(x) _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x))

WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE void InitState(V h[kStateWords]) {
  h[0] = _mm256_set1_epi64x(static_cast<int64_t>(kInitialH0));
  for (int i = 1; i < kStateWords; i++) h[i] = _mm256_set1_epi64x(static_cast<int64_t>(kIv[i]));
}

WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE void Compress(V h[kStateWords], const V m[kBlockWords], uint64_t bytes_so_far,
                                                      bool last) {
  V v[kBlockWords];
  for (int i = 0; i < kStateWords; i++) {
    v[i] = h[i];
    v[i + kStateWords] = _mm256_set1_epi64x(static_cast<int64_t>(kIv[i]));
  }
  v[kCounterWord] = _mm256_xor_si256(v[kCounterWord], _mm256_set1_epi64x(static_cast<int64_t>(bytes_so_far)));
  if (last) v[kFinalFlagWord] = _mm256_xor_si256(v[kFinalFlagWord], _mm256_set1_epi64x(-1));
  B2_ROUNDS(v, m);
  for (int i = 0; i < kStateWords; i++) h[i] = _mm256_xor_si256(h[i], _mm256_xor_si256(v[i], v[i + kStateWords]));
}

#undef B2_ADD
#undef B2_XOR
#undef B2_ROR32
#undef B2_ROR24
#undef B2_ROR16
#undef B2_ROR63

/** Rows r[l] (4 words of lane l) to columns c[w] (word w of every lane), and back. */
WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE void Transpose(V r0, V r1, V r2, V r3, V* c) {
  const V lo01 = _mm256_unpacklo_epi64(r0, r1);
  const V hi01 = _mm256_unpackhi_epi64(r0, r1);
  const V lo23 = _mm256_unpacklo_epi64(r2, r3);
  const V hi23 = _mm256_unpackhi_epi64(r2, r3);
  c[0] = _mm256_permute2x128_si256(lo01, lo23, kLowHalves);
  c[1] = _mm256_permute2x128_si256(hi01, hi23, kLowHalves);
  c[2] = _mm256_permute2x128_si256(lo01, lo23, kHighHalves);
  c[3] = _mm256_permute2x128_si256(hi01, hi23, kHighHalves);
}

WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE V LoadRow(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const V*>(p));
}

/**
 * d[w] = word w of rows[l][0, 128) for every lane l, for the 32-byte groups holding the first
 * `avail` bytes; the groups wholly past them are zero (a short message's block is mostly padding).
 */
WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE void LoadColumns(const uint8_t* const rows[kLanes], size_t avail,
                                                         V d[kBlockWords]) {
  for (int g = 0; g < kBlockWords / kWordsPerRow; g++) {
    const size_t at = g * kRowBytes;
    if (at >= avail) {
      for (int w = 0; w < kWordsPerRow; w++) d[g * kWordsPerRow + w] = _mm256_setzero_si256();
      continue;
    }
    Transpose(LoadRow(rows[0] + at), LoadRow(rows[1] + at), LoadRow(rows[2] + at), LoadRow(rows[3] + at),
              d + g * kWordsPerRow);
  }
}

/**
 * Message words of a block whose first byte is `carry` (per lane, in the low byte) followed by
 * the data words d: every word takes the previous word's top byte as its bottom byte.
 */
WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE void ShiftIn(V carry, const V d[kBlockWords], V m[kBlockWords]) {
  m[0] = _mm256_or_si256(carry, _mm256_slli_epi64(d[0], kByteBits));
  for (int k = 1; k < kBlockWords; k++) {
    m[k] = _mm256_or_si256(_mm256_srli_epi64(d[k - 1], kTopByteShift), _mm256_slli_epi64(d[k], kByteBits));
  }
}

WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE void StoreDigests(const V h[kStateWords], uint8_t* const* outs, int used) {
  V rows[kLanes];
  Transpose(h[0], h[1], h[2], h[3], rows);
  for (int l = 0; l < used; l++) _mm256_storeu_si256(reinterpret_cast<V*>(outs[l]), rows[l]);
}

/** Zeroes the bytes from `avail` (< 128) on of a block loaded whole: word w keeps its first avail − 8w bytes. */
WALRUS_TARGET_AVX2 WALRUS_ALWAYS_INLINE void MaskTail(size_t avail, V d[kBlockWords]) {
  for (int w = 0; w < kBlockWords; w++) {
    const size_t first = static_cast<size_t>(w) * kWordBytes;
    if (avail >= first + kWordBytes) continue;
    const uint64_t keep = avail <= first ? 0 : (uint64_t{1} << (kByteBits * (avail - first))) - 1;
    d[w] = _mm256_and_si256(d[w], _mm256_set1_epi64x(static_cast<int64_t>(keep)));
  }
}

WALRUS_TARGET_AVX2 void Prefixed(uint8_t prefix, const uint8_t* const* msgs, size_t len, uint8_t* const* outs,
                                 int used, bool overread) {
  V h[kStateWords];
  InitState(h);
  const size_t total = len + 1;
  const size_t blocks = BlockCount(total);
  V carry = _mm256_set1_epi64x(prefix);
  alignas(32) uint8_t tail[kLanes][kBlockBytes];
  for (size_t k = 0; k < blocks; k++) {
    const size_t start = k * kBlockBytes;
    const bool last = k + 1 == blocks;
    const uint8_t* rows[kLanes];
    for (int l = 0; l < kLanes; l++) rows[l] = msgs[l] + start;
    const size_t avail = len - start;
    if (last && !overread) {
      // The last block would read past the data; copy what exists into zeroed buffers.
      for (int l = 0; l < kLanes; l++) {
        std::memset(tail[l] + avail, 0, kBlockBytes - avail);
        // An empty message may come from an empty array, whose data pointer is null.
        if (avail > 0) std::memcpy(tail[l], rows[l], avail);
        rows[l] = tail[l];
      }
    }
    V d[kBlockWords];
    LoadColumns(rows, last ? avail : kBlockBytes, d);
    if (last && overread) MaskTail(avail, d);
    V m[kBlockWords];
    ShiftIn(carry, d, m);
    carry = _mm256_srli_epi64(d[kBlockWords - 1], kTopByteShift);
    Compress(h, m, last ? total : start + kBlockBytes, last);
  }
  StoreDigests(h, outs, used);
}

WALRUS_TARGET_AVX2 void Nodes(uint8_t prefix, const NodeJob* jobs, int used) {
  V d[kBlockWords];
  Transpose(LoadRow(jobs[0].left), LoadRow(jobs[1].left), LoadRow(jobs[2].left), LoadRow(jobs[3].left), d);
  Transpose(LoadRow(jobs[0].right), LoadRow(jobs[1].right), LoadRow(jobs[2].right), LoadRow(jobs[3].right),
            d + kNodeHalfWords);
  for (int k = 2 * kNodeHalfWords; k < kBlockWords; k++) d[k] = _mm256_setzero_si256();
  V m[kBlockWords];
  ShiftIn(_mm256_set1_epi64x(prefix), d, m);
  V h[kStateWords];
  InitState(h);
  Compress(h, m, kNodeMessageBytes, true);
  uint8_t* outs[kLanes];
  for (int l = 0; l < kLanes; l++) outs[l] = jobs[l].out;
  StoreDigests(h, outs, used);
}

}  // namespace

const Backend kAvx2Backend = {kLanes, &Prefixed, &Nodes};

}  // namespace blake2b
}  // namespace walrus

#endif  // WALRUS_X86
