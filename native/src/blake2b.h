// Batched BLAKE2b-256 of one-byte-prefixed messages, the hashing the Walrus encoding needs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "blake2b_core.h"
#include "common.h"

namespace walrus {
namespace blake2b {

/** Most messages any backend hashes side by side (AVX-512: eight 64-bit lanes). */
constexpr int kMaxLanes = 8;

/** One Merkle inner node: hash of prefix ‖ left[32] ‖ right[32] into out[32]. */
struct NodeJob {
  const uint8_t* left;
  const uint8_t* right;
  uint8_t* out;
};

/**
 * Hashes up to `lanes` messages prefix ‖ msgs[l][0, len) into outs[l]. The arrays hold `lanes`
 * entries; only the first `used` outputs are written (the rest may repeat earlier entries).
 * `overread`: every msgs[l] may be read up to its last block's end (BlockCount(len + 1)·128
 * bytes), so a backend can load the final block whole and mask it instead of copying it.
 */
using PrefixedLanesFn = void (*)(uint8_t prefix, const uint8_t* const* msgs, size_t len, uint8_t* const* outs,
                                 int used, bool overread);
/** Hashes the node jobs[0, used) (jobs holds `lanes` entries, padded by repetition). */
using NodeLanesFn = void (*)(uint8_t prefix, const NodeJob* jobs, int used);

struct Backend {
  int lanes;
  PrefixedLanesFn prefixed;
  NodeLanesFn nodes;
};

/** The widest backend usable at `level`. */
const Backend& BackendFor(Simd level);

/** Blake2b-256(prefix ‖ data[i·len, (i+1)·len)) into out + i·outStep, for i < count. */
void HashPrefixed(const Config& config, uint8_t prefix, const uint8_t* data, size_t len, size_t count, uint8_t* out,
                  size_t out_step);

/** Single-threaded HashPrefixed. */
void HashPrefixedSerial(const Backend& backend, uint8_t prefix, const uint8_t* data, size_t len, size_t count,
                        uint8_t* out, size_t out_step);

/** Hashes every job (single-threaded); jobs may share inputs but not outputs. */
void HashNodes(const Backend& backend, uint8_t prefix, const NodeJob* jobs, size_t count);

// Backends, defined in their own files; the SIMD ones exist only on x86.
extern const Backend kScalarBackend;
#if WALRUS_X86
extern const Backend kAvx2Backend;
extern const Backend kAvx512Backend;
#endif

}  // namespace blake2b
}  // namespace walrus
