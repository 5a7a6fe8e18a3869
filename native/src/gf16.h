// GF(2^16) exactly as reed-solomon-simd 3.1 (Leopard-RS) defines it, mirroring
// src/codec/reed-solomon/gf16.ts: polynomial 0x1002D, Cantor basis, log/exp tables and the
// additive-FFT twiddle factors ("skew").
#pragma once

#include <cstddef>
#include <cstdint>

namespace walrus {
namespace gf16 {

constexpr int kBits = 16;
constexpr uint32_t kOrder = 1u << kBits;
/** 2^16 - 1: the multiplicative group's order, and the log that stands for "skip". */
constexpr uint32_t kModulus = kOrder - 1;

/** Element vectors are stored in blocks of 32 low bytes followed by their 32 high bytes. */
constexpr size_t kBlockElements = 32;
constexpr size_t kBlockBytes = 2 * kBlockElements;

struct Tables {
  uint16_t exp[kOrder];
  uint16_t log[kOrder];
  uint16_t skew[kModulus];
  /** log(2^k): multiplying the basis bits needs no zero checks. */
  uint16_t basis_log[kBits];
};

/** The tables, built on first use. */
const Tables& GetTables();

/** (a + b) mod 65535 with 65535 standing for 0, as Leopard's log arithmetic does. */
inline uint32_t AddMod(uint32_t a, uint32_t b) {
  const uint32_t sum = a + b;
  return (sum + (sum >> kBits)) & kModulus;
}

/** x · exp(logM). */
inline uint16_t Mul(const Tables& t, uint16_t x, uint32_t log_m) {
  return x == 0 ? 0 : t.exp[AddMod(t.log[x], log_m)];
}

constexpr int kNibbles = kBits / 4;
constexpr int kNibbleValues = 16;
constexpr int kNibbleBits = 4;
constexpr uint32_t kNibbleMask = kNibbleValues - 1;
constexpr int kByteBits = 8;
constexpr uint32_t kByteMask = 0xFF;

/**
 * Multiplication by one constant, prepared for a particular backend. Multiplying by a constant
 * is GF(2)-linear, so the product splits into per-nibble (or per-byte) contributions that SIMD
 * table lookups (or GF(2) affine instructions) evaluate.
 */
struct alignas(64) MulTable {
  /** Backend-specific: nibble lookup tables, or GF(2) affine matrices. */
  uint8_t data[128];
  uint16_t log_m;
};

/** The products exp(logM) · 2^k, k < 16: images of the basis bits under the multiplication. */
void BasisProducts(uint32_t log_m, uint16_t products[kBits]);

/**
 * Fills data with nibble tables: bytes [16·i, 16·i+16) hold the low bytes and
 * [64 + 16·i, 64 + 16·i + 16) the high bytes of (v << 4i) · exp(logM), v < 16.
 */
void BuildNibbleTables(uint32_t log_m, MulTable* table);
constexpr size_t kHighTablesOffset = kNibbles * kNibbleValues;

}  // namespace gf16
}  // namespace walrus
