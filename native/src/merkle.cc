#include "merkle.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "blake2b.h"
#include "pool.h"

namespace walrus {
namespace merkle {

namespace {

constexpr size_t kDigest = blake2b::kDigestBytes;
constexpr uint8_t kInnerPrefix = 0x01;
/** The all-zero node that pads odd levels. */
constexpr uint8_t kEmptyNode[kDigest] = {};
/** Scratch of one group of trees, sized to stay in L2 across the levels. */
constexpr size_t kGroupScratchBytes = 256 * 1024;
/** Node jobs collected before one call into the hash backend. */
constexpr size_t kJobBatch = 64;
/** Fewer inner nodes than this in a call (or a level) are not worth a second thread. */
constexpr size_t kParallelMinNodes = 4096;
/** Parts per thread, so a worker that starts late takes fewer of them. */
constexpr int kPartsPerThread = 4;

/** Nodes of the level above `width` nodes (an odd last node is paired with the empty node). */
size_t Parents(size_t width) { return (width + 1) / 2; }

/** Node i of tree t of a level is at base + t·tree_step + i·node_step. */
struct Level {
  const uint8_t* base;
  size_t tree_step;
  size_t node_step;
  size_t width;

  const uint8_t* Node(size_t t, size_t i) const { return base + t * tree_step + i * node_step; }
};

/**
 * Parents [first, end) of a level into `to`. Jobs are numbered tree-major (job = t·parents + i),
 * or node-major (job = i·trees + t) when the level's trees are interleaved (node_step > tree_step,
 * as for the columns of a row-major matrix), so that consecutive jobs read neighbouring bytes.
 */
void HashParents(const blake2b::Backend& backend, const Level& from, size_t trees, uint8_t* to, size_t to_tree_step,
                 size_t first, size_t end) {
  const size_t parents = Parents(from.width);
  const bool node_major = from.node_step > from.tree_step;
  blake2b::NodeJob jobs[kJobBatch];
  size_t n = 0;
  for (size_t job = first; job < end; job++) {
    const size_t t = node_major ? job % trees : job / parents;
    const size_t i = node_major ? job / trees : job % parents;
    const size_t left = 2 * i;
    jobs[n++] = {from.Node(t, left), left + 1 < from.width ? from.Node(t, left + 1) : kEmptyNode,
                 to + t * to_tree_step + i * kDigest};
    if (n == kJobBatch) {
      blake2b::HashNodes(backend, kInnerPrefix, jobs, n);
      n = 0;
    }
  }
  blake2b::HashNodes(backend, kInnerPrefix, jobs, n);
}

/** Parts to split a level of `jobs` nodes into (1: not worth another thread). */
int LevelParts(const Config& config, size_t jobs) {
  if (jobs < kParallelMinNodes) return 1;
  return static_cast<int>(std::min<size_t>(static_cast<size_t>(config.threads) * kPartsPerThread,
                                           jobs / (kParallelMinNodes / 2)));
}

/** Builds the roots of trees [t0, t1), using `threads` only to split large levels. */
void RootsOfGroup(const Config& config, const Forest& f, size_t t0, size_t t1, std::vector<uint8_t>& scratch) {
  const size_t trees = t1 - t0;
  const size_t first_parents = Parents(f.leaf_count);
  const size_t second_parents = Parents(first_parents);
  // Levels alternate between two buffers, so a level is never overwritten while read.
  const size_t tree_steps[2] = {first_parents * kDigest, second_parents * kDigest};
  scratch.resize(trees * (tree_steps[0] + tree_steps[1]));
  uint8_t* buffers[2] = {scratch.data(), scratch.data() + trees * tree_steps[0]};
  const blake2b::Backend& backend = blake2b::BackendFor(config.simd);

  Level level{f.leaves + t0 * f.tree_stride * kDigest, f.tree_stride * kDigest, f.leaf_stride * kDigest, f.leaf_count};
  for (int side = 0; level.width > 1; side ^= 1) {
    const size_t jobs = trees * Parents(level.width);
    const int parts = LevelParts(config, jobs);
    ParallelFor(config.threads, parts, [&](int part) {
      HashParents(backend, level, trees, buffers[side], tree_steps[side], jobs * part / parts, jobs * (part + 1) / parts);
    });
    level = {buffers[side], tree_steps[side], kDigest, Parents(level.width)};
  }
  for (size_t t = 0; t < trees; t++) std::memmove(f.out + (t0 + t) * kDigest, level.Node(t, 0), kDigest);
}

/** Trees per group such that the group's scratch stays near kGroupScratchBytes. */
size_t GroupTrees(size_t leaf_count) {
  const size_t per_tree = (Parents(leaf_count) + Parents(Parents(leaf_count))) * kDigest;
  return std::max<size_t>(1, kGroupScratchBytes / std::max<size_t>(1, per_tree));
}

void RootsOfRange(const Config& config, const Forest& f, size_t first, size_t end, size_t group) {
  std::vector<uint8_t> scratch;
  for (size_t t = first; t < end; t += group) RootsOfGroup(config, f, t, std::min(end, t + group), scratch);
}

}  // namespace

void Roots(const Config& config, const Forest& f) {
  if (f.tree_count == 0) return;
  if (f.leaf_count == 0) {
    std::memset(f.out, 0, f.tree_count * kDigest);
    return;
  }
  if (f.in_order) {
    const Config serial{config.simd, 1};
    RootsOfRange(serial, f, 0, f.tree_count, 1);
    return;
  }
  const size_t group = GroupTrees(f.leaf_count);
  const size_t total_nodes = f.tree_count * (f.leaf_count - 1);
  const size_t tree_parts = std::min<size_t>(f.tree_count, static_cast<size_t>(config.threads) * kPartsPerThread);
  // Many trees: split whole trees between threads. Few big trees: split each level instead.
  if (config.threads > 1 && total_nodes >= kParallelMinNodes && tree_parts >= static_cast<size_t>(config.threads) * 2) {
    const Config per_part{config.simd, 1};
    const size_t parts = tree_parts;
    ParallelFor(config.threads, static_cast<int>(parts), [&](int part) {
      RootsOfRange(per_part, f, f.tree_count * part / parts, f.tree_count * (part + 1) / parts, group);
    });
    return;
  }
  RootsOfRange(config, f, 0, f.tree_count, group);
}

}  // namespace merkle
}  // namespace walrus
