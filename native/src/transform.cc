#include "transform.h"

#include <algorithm>
#include <vector>

#include "gf_backend.h"
#include "pool.h"

namespace walrus {
namespace gf16 {

namespace {

/**
 * Layers whose butterflies stay inside blocks of contiguous positions run block by block, each
 * block small enough to stay in L2 while those layers pass over it.
 */
constexpr size_t kBlockBudgetBytes = 512 * 1024;
/** Below this many bytes of work, waking another thread costs more than it saves. */
constexpr size_t kParallelMinBytes = 256 * 1024;
/**
 * Layers spanning blocks pass over whole rows, split by columns between threads. Short runs
 * per position at power-of-two strides defeat the prefetcher and crowd a few cache sets
 * (measured: 64-byte-block runs of 256 bytes ran 5× slower than whole 4 KiB rows), so parts
 * stay at least this wide.
 */
constexpr size_t kMinPartBytes = 2048;
/** Parts per thread, so a worker that starts late takes fewer of them. */
constexpr int kPartsPerThread = 4;

int PartsFor(const Config& config, size_t total_bytes, size_t max_parts) {
  if (config.threads <= 1 || total_bytes < kParallelMinBytes) return 1;
  return static_cast<int>(std::min<size_t>(max_parts, static_cast<size_t>(config.threads) * kPartsPerThread));
}

/** Runs fn(first, end) over column ranges covering [0, vec_bytes), split over the kernel's threads. */
template <class F>
void ForColumnParts(const Config& config, size_t vec_bytes, size_t positions, const F& fn) {
  const size_t blocks = vec_bytes / kBlockBytes;
  if (blocks == 0) return;
  const int parts = PartsFor(config, positions * vec_bytes, std::max<size_t>(1, vec_bytes / kMinPartBytes));
  ParallelFor(config.threads, parts, [&](int part) {
    fn(blocks * part / parts * kBlockBytes, blocks * (part + 1) / parts * kBlockBytes);
  });
}

/**
 * Twiddle tables of one transform shape, indexed by r + dist (each index is used once). FFT and
 * IFFT of one shape read the same twiddles, and codecs repeat shapes, so each calling thread
 * keeps the last set it built.
 */
class TwiddleTables {
 public:
  TwiddleTables(const GfBackend& backend, size_t size, size_t truncated, size_t skew_delta) {
    thread_local Cache cache;
    tables_ = cache.Get(backend, size, truncated, skew_delta);
  }

  /** The multiplication at index k, or null when its log is 65535 (multiply skipped). */
  const MulTable* At(size_t k) const { return tables_[k].log_m == kModulus ? nullptr : &tables_[k]; }

 private:
  class Cache {
   public:
    const MulTable* Get(const GfBackend& backend, size_t size, size_t truncated, size_t skew_delta) {
      const Key key{&backend, size, truncated, skew_delta};
      if (!(key == key_)) {
        if (tables_.size() < size) tables_.resize(size);
        Build(key);
        key_ = key;
      }
      return tables_.data();
    }

   private:
    struct Key {
      const GfBackend* backend;
      size_t size;
      size_t truncated;
      size_t skew_delta;
      bool operator==(const Key& o) const {
        return backend == o.backend && size == o.size && truncated == o.truncated && skew_delta == o.skew_delta;
      }
    };

    void Build(const Key& key) {
      const uint16_t* skew = GetTables().skew;
      for (size_t dist = key.size / 2; dist >= 1; dist /= 2) {
        for (size_t r = 0; r < key.truncated; r += 2 * dist) {
          const uint32_t log_m = skew[r + dist + key.skew_delta - 1];
          MulTable& table = tables_[r + dist];
          if (log_m == kModulus) {
            table.log_m = kModulus;
          } else {
            key.backend->prepare(log_m, &table);
          }
        }
      }
    }

    std::vector<MulTable> tables_;
    Key key_{nullptr, 0, 0, 0};
  };

  const MulTable* tables_;
};

struct TransformShape {
  uint8_t* base;
  size_t vec_bytes;
  size_t size;
  size_t truncated;
};

/** Transform layers with butterfly distances from `high` down to `low` (powers of two). */
struct LayerRange {
  size_t high;
  size_t low;

  bool Empty() const { return high < low; }
};

/** Which butterflies and bytes a pass covers: groups starting in [r_begin, r_end), columns [first, end). */
struct PassArea {
  size_t r_begin;
  size_t r_end;
  size_t first;
  size_t end;
};

/** Forward layers high → low, fused in pairs (wide layer first), on one area. */
void FftLayers(const GfBackend& backend, const TransformShape& s, const TwiddleTables& twiddles, LayerRange layers,
               const PassArea& a) {
  uint8_t* x = s.base + a.first;
  const size_t vb = s.vec_bytes;
  const size_t bytes = a.end - a.first;
  size_t dist = layers.high;
  for (; dist >= 2 * layers.low; dist /= 4) {
    const size_t d = dist / 2;
    for (size_t r = a.r_begin; r < a.r_end; r += 2 * dist) {
      const bool has23 = r + dist < a.r_end;
      backend.fft4({x + r * vb, vb, d * vb, d, bytes, twiddles.At(r + dist), twiddles.At(r + d),
                    has23 ? twiddles.At(r + dist + d) : nullptr, has23});
    }
  }
  if (dist == layers.low) {
    for (size_t r = a.r_begin; r < a.r_end; r += 2 * dist) {
      backend.fft2({x + r * vb, vb, dist * vb, dist, bytes, twiddles.At(r + dist)});
    }
  }
}

/** Inverse layers low → high, fused in pairs (narrow layer first), on one area. */
void IfftLayers(const GfBackend& backend, const TransformShape& s, const TwiddleTables& twiddles, LayerRange layers,
                const PassArea& a) {
  uint8_t* x = s.base + a.first;
  const size_t vb = s.vec_bytes;
  const size_t bytes = a.end - a.first;
  size_t dist = layers.low;
  for (; 2 * dist <= layers.high; dist *= 4) {
    const size_t wide = 2 * dist;
    for (size_t r = a.r_begin; r < a.r_end; r += 2 * wide) {
      const bool has23 = r + wide < a.r_end;
      backend.ifft4({x + r * vb, vb, dist * vb, dist, bytes, twiddles.At(r + wide), twiddles.At(r + dist),
                     has23 ? twiddles.At(r + wide + dist) : nullptr, has23});
    }
  }
  if (dist == layers.high) {
    for (size_t r = a.r_begin; r < a.r_end; r += 2 * dist) {
      backend.ifft2({x + r * vb, vb, dist * vb, dist, bytes, twiddles.At(r + dist)});
    }
  }
}

/** Positions per cache block: the largest power of two whose rows fit the budget, at most size. */
size_t BlockPositions(size_t size, size_t vec_bytes) {
  size_t block = 1;
  while (block < size && 2 * block * vec_bytes <= kBlockBudgetBytes) block *= 2;
  return block;
}

class Transform {
 public:
  Transform(const Config& config, WorkArray work, size_t pos, size_t size, size_t truncated, size_t skew_delta)
      : config_(config),
        backend_(GfBackendFor(config.simd)),
        twiddles_(backend_, size, truncated, skew_delta),
        shape_{work.data + pos * work.vec_bytes, work.vec_bytes, size, truncated},
        block_(BlockPositions(size, work.vec_bytes)) {}

  void Forward() const {
    SpanningPass(&FftLayers);
    BlockPass(&FftLayers);
  }

  void Inverse() const {
    BlockPass(&IfftLayers);
    SpanningPass(&IfftLayers);
  }

 private:
  using LayersFn = void (*)(const GfBackend&, const TransformShape&, const TwiddleTables&, LayerRange,
                            const PassArea&);

  /** Layers with distance ≥ block: whole rows, split by columns. */
  void SpanningPass(LayersFn layers) const {
    const LayerRange range{shape_.size / 2, block_};
    if (range.Empty()) return;
    ForColumnParts(config_, shape_.vec_bytes, shape_.size, [&](size_t first, size_t end) {
      layers(backend_, shape_, twiddles_, range, {0, shape_.truncated, first, end});
    });
  }

  /** Layers with distance < block: one block of positions at a time, blocks split over threads. */
  void BlockPass(LayersFn layers) const {
    const LayerRange range{block_ / 2, 1};
    if (range.Empty()) return;
    const size_t blocks = (shape_.truncated + block_ - 1) / block_;
    if (blocks == 1) {
      ForColumnParts(config_, shape_.vec_bytes, block_, [&](size_t first, size_t end) {
        layers(backend_, shape_, twiddles_, range, {0, shape_.truncated, first, end});
      });
      return;
    }
    const int parts = PartsFor(config_, shape_.size * shape_.vec_bytes, blocks);
    ParallelFor(config_.threads, parts, [&](int part) {
      for (size_t b = blocks * part / parts; b < blocks * (part + 1) / parts; b++) {
        const size_t r_begin = b * block_;
        const size_t r_end = std::min(r_begin + block_, shape_.truncated);
        layers(backend_, shape_, twiddles_, range, {r_begin, r_end, 0, shape_.vec_bytes});
      }
    });
  }

  const Config& config_;
  const GfBackend& backend_;
  const TwiddleTables twiddles_;
  const TransformShape shape_;
  const size_t block_;
};

}  // namespace

bool MaxSkewIndex(size_t size, size_t truncated, size_t skew_delta, size_t* max_index) {
  if (size < 2 || truncated == 0) return false;
  size_t best = 0;
  for (size_t dist = size / 2; dist >= 1; dist /= 2) {
    const size_t last_r = (truncated - 1) / (2 * dist) * (2 * dist);
    best = std::max(best, last_r + dist + skew_delta - 1);
  }
  *max_index = best;
  return true;
}

void Fft(const Config& config, WorkArray work, size_t pos, size_t size, size_t truncated, size_t skew_delta) {
  if (size < 2 || truncated == 0 || work.vec_bytes == 0) return;
  Transform(config, work, pos, size, truncated, skew_delta).Forward();
}

void Ifft(const Config& config, WorkArray work, size_t pos, size_t size, size_t truncated, size_t skew_delta) {
  if (size < 2 || truncated == 0 || work.vec_bytes == 0) return;
  Transform(config, work, pos, size, truncated, skew_delta).Inverse();
}

void MulPosition(const Config& config, WorkArray work, size_t pos, uint32_t log_m) {
  const GfBackend& backend = GfBackendFor(config.simd);
  MulTable table;
  backend.prepare(log_m, &table);
  uint8_t* x = work.data + pos * work.vec_bytes;
  ForColumnParts(config, work.vec_bytes, 1,
                  [&](size_t first, size_t end) { backend.mul(x + first, end - first, table); });
}

void XorPositions(const Config& config, WorkArray work, size_t dst, size_t src, size_t count) {
  const GfBackend& backend = GfBackendFor(config.simd);
  uint8_t* to = work.data + dst * work.vec_bytes;
  const uint8_t* from = work.data + src * work.vec_bytes;
  // The ranges are contiguous, so they split like one long vector.
  ForColumnParts(config, count * work.vec_bytes, 1,
                  [&](size_t first, size_t end) { backend.xor_into(to + first, from + first, end - first); });
}

void FormalDerivative(const Config& config, WorkArray work, size_t count) {
  const GfBackend& backend = GfBackendFor(config.simd);
  const size_t vb = work.vec_bytes;
  ForColumnParts(config, vb, count, [&](size_t first, size_t end) {
    uint8_t* x = work.data + first;
    for (size_t i = 1; i < count; i++) {
      const size_t width = i & (~i + 1);
      for (size_t j = 0; j < width; j++) backend.xor_into(x + (i - width + j) * vb, x + (i + j) * vb, end - first);
    }
  });
}

}  // namespace gf16
}  // namespace walrus
