// Conversion between symbols (reed-solomon-simd's per-shard byte order) and work-array elements.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common.h"

namespace walrus {
namespace pack {

/** `count` symbols: symbol q is bytes[first_byte + q·byte_stride, +symbol_size) and its
 *  symbol_size/2 elements are elements first_element + q·element_stride onwards of `elements`. */
struct SymbolRun {
  uint8_t* bytes;
  size_t first_byte;
  size_t byte_stride;
  size_t symbol_size;
  size_t count;
  uint8_t* elements;
  size_t first_element;
  size_t element_stride;
};

/** Byte offset of the low byte of element e in a work array (the high byte is 32 further). */
inline size_t ElementLowOffset(size_t e) { return ((e >> 5) << 6) | (e & 31); }

void Pack(const Config& config, const SymbolRun& run);
void Unpack(const Config& config, const SymbolRun& run);

}  // namespace pack
}  // namespace walrus
