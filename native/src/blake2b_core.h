// BLAKE2b (RFC 7693) constants and the round function, written once as macros over a lane type so
// that the scalar, 4-lane and 8-lane backends share one description of the algorithm.
// A backend defines B2_ADD, B2_XOR, B2_ROR32, B2_ROR24, B2_ROR16 and B2_ROR63 before expanding
// B2_ROUNDS, and undefines them afterwards.
#pragma once

#include <cstddef>
#include <cstdint>

namespace walrus {
namespace blake2b {

constexpr size_t kBlockBytes = 128;
constexpr size_t kWordBytes = 8;
constexpr int kBlockWords = 16;
constexpr int kStateWords = 8;
constexpr size_t kDigestBytes = 32;
constexpr int kDigestWords = 4;
constexpr int kRounds = 12;

constexpr uint64_t kIv[kStateWords] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

/** State words that take the byte counter and the last-block flag. */
constexpr int kCounterWord = 12;
constexpr int kFinalFlagWord = 14;

/** Parameter block word 0: fanout 1, depth 1, no key, digest length 32. */
constexpr uint64_t kParamWord0 = 0x01010000ULL | kDigestBytes;

/** First state word of an unkeyed BLAKE2b-256 hash. */
constexpr uint64_t kInitialH0 = kIv[0] ^ kParamWord0;

/** Bits a message byte moves when shifted one byte up inside a little-endian word. */
constexpr int kByteBits = 8;
/** Shift that brings a word's top byte down to its bottom byte. */
constexpr int kTopByteShift = 56;

constexpr uint8_t kSigma[kRounds][kBlockWords] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

/** Number of blocks of a message of `total` bytes (at least one: the prefix is always there). */
constexpr size_t BlockCount(size_t total) { return (total + kBlockBytes - 1) / kBlockBytes; }

}  // namespace blake2b
}  // namespace walrus

// The mixing function G on state words a, b, c, d with message words x, y.
#define B2_G(a, b, c, d, x, y)  \
  do {                          \
    a = B2_ADD(B2_ADD(a, b), x); \
    d = B2_ROR32(B2_XOR(d, a));  \
    c = B2_ADD(c, d);            \
    b = B2_ROR24(B2_XOR(b, c));  \
    a = B2_ADD(B2_ADD(a, b), y); \
    d = B2_ROR16(B2_XOR(d, a));  \
    c = B2_ADD(c, d);            \
    b = B2_ROR63(B2_XOR(b, c));  \
  } while (0)

#define B2_SIGMA(r, i) ::walrus::blake2b::kSigma[r][i]

// One round: four column steps then four diagonal steps. `r` must be a literal so that every
// message index is a compile-time constant.
#define B2_ROUND(v, m, r)                                                             \
  do {                                                                                \
    B2_G(v[0], v[4], v[8], v[12], m[B2_SIGMA(r, 0)], m[B2_SIGMA(r, 1)]);             \
    B2_G(v[1], v[5], v[9], v[13], m[B2_SIGMA(r, 2)], m[B2_SIGMA(r, 3)]);             \
    B2_G(v[2], v[6], v[10], v[14], m[B2_SIGMA(r, 4)], m[B2_SIGMA(r, 5)]);            \
    B2_G(v[3], v[7], v[11], v[15], m[B2_SIGMA(r, 6)], m[B2_SIGMA(r, 7)]);            \
    B2_G(v[0], v[5], v[10], v[15], m[B2_SIGMA(r, 8)], m[B2_SIGMA(r, 9)]);            \
    B2_G(v[1], v[6], v[11], v[12], m[B2_SIGMA(r, 10)], m[B2_SIGMA(r, 11)]);          \
    B2_G(v[2], v[7], v[8], v[13], m[B2_SIGMA(r, 12)], m[B2_SIGMA(r, 13)]);           \
    B2_G(v[3], v[4], v[9], v[14], m[B2_SIGMA(r, 14)], m[B2_SIGMA(r, 15)]);           \
  } while (0)

#define B2_ROUNDS(v, m) \
  do {                  \
    B2_ROUND(v, m, 0);  \
    B2_ROUND(v, m, 1);  \
    B2_ROUND(v, m, 2);  \
    B2_ROUND(v, m, 3);  \
    B2_ROUND(v, m, 4);  \
    B2_ROUND(v, m, 5);  \
    B2_ROUND(v, m, 6);  \
    B2_ROUND(v, m, 7);  \
    B2_ROUND(v, m, 8);  \
    B2_ROUND(v, m, 9);  \
    B2_ROUND(v, m, 10); \
    B2_ROUND(v, m, 11); \
  } while (0)
