// Leopard transforms and vector operations over a Reed–Solomon work array (see kernel.ts).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common.h"

namespace walrus {
namespace gf16 {

/** Positions of `vec_bytes` bytes each (a multiple of 64), back to back. */
struct WorkArray {
  uint8_t* data;
  size_t vec_bytes;
};

/**
 * The largest skew-table index a transform of this shape reads; false if it reads none.
 * Callers check it against the table size before transforming.
 */
bool MaxSkewIndex(size_t size, size_t truncated, size_t skew_delta, size_t* max_index);

void Fft(const Config& config, WorkArray work, size_t pos, size_t size, size_t truncated, size_t skew_delta);
void Ifft(const Config& config, WorkArray work, size_t pos, size_t size, size_t truncated, size_t skew_delta);
void MulPosition(const Config& config, WorkArray work, size_t pos, uint32_t log_m);
void XorPositions(const Config& config, WorkArray work, size_t dst, size_t src, size_t count);
void FormalDerivative(const Config& config, WorkArray work, size_t count);

}  // namespace gf16
}  // namespace walrus
