#include "pack.h"

#include <algorithm>
#include <cstring>

#include "gf16.h"
#include "pool.h"

namespace walrus {
namespace pack {

namespace {

using gf16::kBlockBytes;
using gf16::kBlockElements;

constexpr size_t kParallelMinBytes = 1024 * 1024;
constexpr int kPartsPerThread = 4;

enum class Direction { kPack, kUnpack };

/**
 * Copies `len` elements whose low bytes are symbol[lo, +len) and high bytes symbol[hi, +len)
 * to or from elements e, e+1, … of the work array, in runs that stay inside one 32-element block.
 */
template <Direction kDirection>
void CopyElements(uint8_t* symbol, size_t lo, size_t hi, uint8_t* work, size_t e, size_t len) {
  while (len > 0) {
    const size_t n = std::min(len, kBlockElements - (e & (kBlockElements - 1)));
    uint8_t* at = work + ElementLowOffset(e);
    if (kDirection == Direction::kPack) {
      std::memcpy(at, symbol + lo, n);
      std::memcpy(at + kBlockElements, symbol + hi, n);
    } else {
      std::memcpy(symbol + lo, at, n);
      std::memcpy(symbol + hi, at + kBlockElements, n);
    }
    lo += n;
    hi += n;
    e += n;
    len -= n;
  }
}

template <Direction kDirection>
void CopySymbol(uint8_t* symbol, size_t symbol_size, uint8_t* work, size_t e) {
  const size_t elements = symbol_size >> 1;
  const size_t full_blocks = symbol_size / kBlockBytes;
  const size_t full_elements = full_blocks * kBlockElements;
  const size_t tail_half = elements - full_elements;
  if ((e & (kBlockElements - 1)) == 0) {
    // Block-aligned: full symbol blocks have exactly the work array's layout.
    uint8_t* at = work + ElementLowOffset(e);
    if (kDirection == Direction::kPack) {
      std::memcpy(at, symbol, full_blocks * kBlockBytes);
    } else {
      std::memcpy(symbol, at, full_blocks * kBlockBytes);
    }
  } else {
    for (size_t b = 0; b < full_blocks; b++) {
      const size_t lo = b * kBlockBytes;
      CopyElements<kDirection>(symbol, lo, lo + kBlockElements, work, e + b * kBlockElements, kBlockElements);
    }
  }
  // The tail of t bytes holds its t/2 low bytes, then its t/2 high bytes.
  const size_t tail_lo = 2 * full_elements;
  CopyElements<kDirection>(symbol, tail_lo, tail_lo + tail_half, work, e + full_elements, tail_half);
}

/** Symbols ahead of the one being copied whose bytes are prefetched. */
constexpr size_t kPrefetchAhead = 8;
constexpr size_t kCacheLine = 64;

/** Prefetches [at, at + bytes): for writing when kWrite. */
template <bool kWrite>
WALRUS_ALWAYS_INLINE void PrefetchRange(const uint8_t* at, size_t bytes) {
  const uintptr_t first = reinterpret_cast<uintptr_t>(at) & ~uintptr_t{kCacheLine - 1};
  const uintptr_t end = reinterpret_cast<uintptr_t>(at) + bytes;
  for (uintptr_t line = first; line < end; line += kCacheLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(line), kWrite ? 1 : 0);
  }
}

/**
 * Starts loading symbol q's bytes and elements. Packing strides through a blob's rows or a work
 * array's positions, tens of kilobytes apart, where the hardware prefetchers do not follow; each
 * symbol would otherwise wait for memory on its own.
 */
template <Direction kDirection>
WALRUS_ALWAYS_INLINE void PrefetchSymbol(const SymbolRun& r, size_t q) {
  const uint8_t* bytes = r.bytes + r.first_byte + q * r.byte_stride;
  const size_t e = r.first_element + q * r.element_stride;
  const size_t last = e + (r.symbol_size >> 1) - 1;
  const uint8_t* elements = r.elements + ElementLowOffset(e);
  const size_t element_bytes = ElementLowOffset(last) + kBlockElements + 1 - ElementLowOffset(e);
  PrefetchRange<kDirection == Direction::kUnpack>(bytes, r.symbol_size);
  PrefetchRange<kDirection == Direction::kPack>(elements, element_bytes);
}

template <Direction kDirection>
void CopySymbols(const SymbolRun& r, size_t first, size_t end) {
  for (size_t q = first; q < end; q++) {
    // Unpacking reads a position's elements in order, which the hardware prefetches well.
    if (kDirection == Direction::kPack && q + kPrefetchAhead < end) PrefetchSymbol<kDirection>(r, q + kPrefetchAhead);
    CopySymbol<kDirection>(r.bytes + r.first_byte + q * r.byte_stride, r.symbol_size, r.elements,
                           r.first_element + q * r.element_stride);
  }
}

template <Direction kDirection>
void Copy(const Config& config, const SymbolRun& r) {
  // Symbols may share destination bytes only if their strides overlap; then order matters.
  const bool disjoint = kDirection == Direction::kPack ? r.element_stride >= r.symbol_size / 2
                                                       : r.byte_stride >= r.symbol_size;
  const bool parallel = config.threads > 1 && disjoint && r.count * r.symbol_size >= kParallelMinBytes;
  const size_t parts = parallel ? std::min<size_t>(r.count, static_cast<size_t>(config.threads) * kPartsPerThread) : 1;
  ParallelFor(config.threads, static_cast<int>(parts), [&](int part) {
    CopySymbols<kDirection>(r, r.count * part / parts, r.count * (part + 1) / parts);
  });
}

}  // namespace

void Pack(const Config& config, const SymbolRun& run) { Copy<Direction::kPack>(config, run); }

void Unpack(const Config& config, const SymbolRun& run) { Copy<Direction::kUnpack>(config, run); }

}  // namespace pack
}  // namespace walrus
