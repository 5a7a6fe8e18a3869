#include "gf16.h"

#include "common.h"

#if WALRUS_X86
#include <emmintrin.h>
#endif

namespace walrus {
namespace gf16 {

namespace {

constexpr uint32_t kPolynomial = 0x1002D;
constexpr uint16_t kCantorBasis[kBits] = {
    0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
    0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E,
};

void BuildExpLog(Tables* t) {
  // First pass: t->exp temporarily holds logs in the polynomial basis.
  uint32_t state = 1;
  for (uint32_t i = 0; i < kModulus; i++) {
    t->exp[state] = static_cast<uint16_t>(i);
    state <<= 1;
    if (state >= kOrder) state ^= kPolynomial;
  }
  t->exp[0] = kModulus;

  // Map Cantor-basis elements to polynomial-basis logs, then invert into exp.
  t->log[0] = 0;
  for (int i = 0; i < kBits; i++) {
    const uint32_t width = 1u << i;
    for (uint32_t j = 0; j < width; j++) t->log[j + width] = t->log[j] ^ kCantorBasis[i];
  }
  for (uint32_t i = 0; i < kOrder; i++) t->log[i] = t->exp[t->log[i]];
  for (uint32_t i = 0; i < kOrder; i++) t->exp[t->log[i]] = static_cast<uint16_t>(i);
  t->exp[kModulus] = t->exp[0];
}

void BuildSkew(Tables* t) {
  constexpr int kTempCount = kBits - 1;
  uint16_t temp[kTempCount];
  for (int i = 1; i < kBits; i++) temp[i - 1] = static_cast<uint16_t>(1u << i);

  for (int m = 0; m < kTempCount; m++) {
    const uint32_t step = 1u << (m + 1);
    t->skew[(1u << m) - 1] = 0;
    for (int i = m; i < kTempCount; i++) {
      const uint32_t s = 1u << (i + 1);
      for (uint32_t j = (1u << m) - 1; j < s; j += step) {
        // The last index would be 65535, one past the table; the reference drops that write.
        if (j + s < kModulus) t->skew[j + s] = t->skew[j] ^ temp[i];
      }
    }
    temp[m] = static_cast<uint16_t>(kModulus - t->log[Mul(*t, temp[m], t->log[temp[m] ^ 1])]);
    for (int i = m + 1; i < kTempCount; i++) {
      const uint32_t sum = AddMod(t->log[temp[i] ^ 1], temp[m]);
      temp[i] = Mul(*t, temp[i], sum);
    }
  }
  for (uint32_t i = 0; i < kModulus; i++) t->skew[i] = t->log[t->skew[i]];
}

const Tables* BuildTables() {
  auto* t = new Tables();
  BuildExpLog(t);
  BuildSkew(t);
  for (int k = 0; k < kBits; k++) t->basis_log[k] = t->log[1u << k];
  return t;
}

}  // namespace

const Tables& GetTables() {
  static const Tables* tables = BuildTables();
  return *tables;
}

void BasisProducts(uint32_t log_m, uint16_t products[kBits]) {
  const Tables& t = GetTables();
  for (int k = 0; k < kBits; k++) products[k] = t.exp[AddMod(t.basis_log[k], log_m)];
}

#if WALRUS_X86

// SSE2 is part of x86-64 itself, so this needs no runtime check. The sixteen products of nibble
// i are built as two vectors of 16-bit lanes (nibble values 0–7 and 8–15) from masked basis
// products, then split into their low- and high-byte tables.
void BuildNibbleTables(uint32_t log_m, MulTable* table) {
  uint16_t products[kBits];
  BasisProducts(log_m, products);
  const __m128i has_bit[kNibbleBits - 1] = {
      _mm_setr_epi16(0, -1, 0, -1, 0, -1, 0, -1),
      _mm_setr_epi16(0, 0, -1, -1, 0, 0, -1, -1),
      _mm_setr_epi16(0, 0, 0, 0, -1, -1, -1, -1),
  };
  const __m128i low_byte = _mm_set1_epi16(kByteMask);
  for (int i = 0; i < kNibbles; i++) {
    const uint16_t* basis = products + i * kNibbleBits;
    __m128i first_half = _mm_setzero_si128();
    for (int bit = 0; bit < kNibbleBits - 1; bit++) {
      const __m128i product = _mm_set1_epi16(static_cast<short>(basis[bit]));
      first_half = _mm_xor_si128(first_half, _mm_and_si128(has_bit[bit], product));
    }
    // Values 8–15 are values 0–7 plus the nibble's top bit.
    const __m128i second_half =
        _mm_xor_si128(first_half, _mm_set1_epi16(static_cast<short>(basis[kNibbleBits - 1])));
    const __m128i low = _mm_packus_epi16(_mm_and_si128(first_half, low_byte), _mm_and_si128(second_half, low_byte));
    const __m128i high =
        _mm_packus_epi16(_mm_srli_epi16(first_half, kByteBits), _mm_srli_epi16(second_half, kByteBits));
    _mm_store_si128(reinterpret_cast<__m128i*>(table->data + i * kNibbleValues), low);
    _mm_store_si128(reinterpret_cast<__m128i*>(table->data + kHighTablesOffset + i * kNibbleValues), high);
  }
  table->log_m = static_cast<uint16_t>(log_m);
}

#else

void BuildNibbleTables(uint32_t log_m, MulTable* table) {
  uint16_t products[kBits];
  BasisProducts(log_m, products);
  for (int i = 0; i < kNibbles; i++) {
    uint16_t values[kNibbleValues];
    values[0] = 0;
    // Linearity: the product of v is the XOR of the products of v's bits.
    for (int bit = 0; bit < kNibbleBits; bit++) {
      const int half = 1 << bit;
      for (int v = 0; v < half; v++) values[half + v] = values[v] ^ products[i * kNibbleBits + bit];
    }
    for (int v = 0; v < kNibbleValues; v++) {
      table->data[i * kNibbleValues + v] = static_cast<uint8_t>(values[v] & kByteMask);
      table->data[kHighTablesOffset + i * kNibbleValues + v] = static_cast<uint8_t>(values[v] >> kByteBits);
    }
  }
  table->log_m = static_cast<uint16_t>(log_m);
}

#endif  // WALRUS_X86

}  // namespace gf16
}  // namespace walrus
