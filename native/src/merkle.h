// Roots of many equally shaped Merkle trees over 32-byte leaf hashes (see kernel.ts).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common.h"

namespace walrus {
namespace merkle {

/** Leaf k of tree t is the digest at leaves + 32·(t·tree_stride + k·leaf_stride). */
struct Forest {
  const uint8_t* leaves;
  size_t tree_count;
  size_t leaf_count;
  size_t tree_stride;
  size_t leaf_stride;
  /** Root t goes to out + 32·t. */
  uint8_t* out;
  /**
   * When out overlaps the leaves, trees must be finished one at a time in order, as the
   * reference does, so a root written over a later tree's leaf is what that tree reads.
   */
  bool in_order;
};

void Roots(const Config& config, const Forest& forest);

}  // namespace merkle
}  // namespace walrus
