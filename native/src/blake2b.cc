// Scalar BLAKE2b backend, backend selection, and the batching/threading shared by all backends.
#include "blake2b.h"

#include <algorithm>
#include <cstring>

#include "pool.h"

namespace walrus {
namespace blake2b {

namespace {

/** Below this many compressions a batch is not worth waking another thread for. */
constexpr size_t kParallelMinBlocks = 2048;
/** Parts per thread, so a worker that starts late takes fewer of them. */
constexpr int kPartsPerThread = 4;
constexpr size_t kNodeHalfBytes = 32;
constexpr size_t kPairBytes = 2 * kNodeHalfBytes;
/** Node jobs collected before one call into the backend. */
constexpr size_t kJobBatch = 64;

uint64_t Load64(const uint8_t* p) {
  uint64_t word = 0;
  for (size_t i = 0; i < kWordBytes; i++) word |= static_cast<uint64_t>(p[i]) << (kByteBits * i);
  return word;
}

void Store64(uint8_t* p, uint64_t word) {
  for (size_t i = 0; i < kWordBytes; i++) p[i] = static_cast<uint8_t>(word >> (kByteBits * i));
}

#define B2_ADD(a, b) ((a) + (b))
#define B2_XOR(a, b) ((a) ^ (b))
constexpr int kWordBits = 64;
#define B2_ROR(x, n) (((x) >> (n)) | ((x) << (kWordBits - (n))))
#define B2_ROR32(x) B2_ROR(x, 32)
#define B2_ROR24(x) B2_ROR(x, 24)
#define B2_ROR16(x) B2_ROR(x, 16)
#define B2_ROR63(x) B2_ROR(x, 63)

void Compress(uint64_t h[kStateWords], const uint64_t m[kBlockWords], uint64_t bytes_so_far, bool last) {
  uint64_t v[kBlockWords];
  for (int i = 0; i < kStateWords; i++) {
    v[i] = h[i];
    v[i + kStateWords] = kIv[i];
  }
  // The high counter word stays zero: no message here approaches 2^64 bytes.
  v[kCounterWord] ^= bytes_so_far;
  if (last) v[kFinalFlagWord] = ~v[kFinalFlagWord];
  B2_ROUNDS(v, m);
  for (int i = 0; i < kStateWords; i++) h[i] ^= v[i] ^ v[i + kStateWords];
}

#undef B2_ADD
#undef B2_XOR
#undef B2_ROR
#undef B2_ROR32
#undef B2_ROR24
#undef B2_ROR16
#undef B2_ROR63

/** A message prefix ‖ a[0, a_len) ‖ b[0, b_len), never materialised in one piece. */
struct Pieces {
  uint8_t prefix;
  const uint8_t* a;
  size_t a_len;
  const uint8_t* b;
  size_t b_len;

  size_t Total() const { return 1 + a_len + b_len; }

  /** Copies message bytes [start, start + kBlockBytes) into block, zero beyond the end. */
  void FillBlock(uint8_t* block, size_t start) const {
    std::memset(block, 0, kBlockBytes);
    CopyPiece(block, start, &prefix, 0, 1);
    CopyPiece(block, start, a, 1, a_len);
    CopyPiece(block, start, b, 1 + a_len, b_len);
  }

 private:
  static void CopyPiece(uint8_t* block, size_t start, const uint8_t* piece, size_t at, size_t len) {
    const size_t from = std::max(start, at);
    const size_t to = std::min(start + kBlockBytes, at + len);
    if (from < to) std::memcpy(block + (from - start), piece + (from - at), to - from);
  }
};

void HashPieces(const Pieces& msg, uint8_t* out) {
  uint64_t h[kStateWords];
  std::copy(kIv, kIv + kStateWords, h);
  h[0] = kInitialH0;
  const size_t total = msg.Total();
  const size_t blocks = BlockCount(total);
  uint8_t block[kBlockBytes];
  uint64_t m[kBlockWords];
  for (size_t k = 0; k < blocks; k++) {
    const size_t start = k * kBlockBytes;
    msg.FillBlock(block, start);
    for (int w = 0; w < kBlockWords; w++) m[w] = Load64(block + w * kWordBytes);
    const bool last = k + 1 == blocks;
    Compress(h, m, last ? total : start + kBlockBytes, last);
  }
  for (int w = 0; w < kDigestWords; w++) Store64(out + w * kWordBytes, h[w]);
}

void ScalarPrefixed(uint8_t prefix, const uint8_t* const* msgs, size_t len, uint8_t* const* outs, int used,
                    bool /* overread */) {
  for (int l = 0; l < used; l++) HashPieces({prefix, msgs[l], len, nullptr, 0}, outs[l]);
}

void ScalarNodes(uint8_t prefix, const NodeJob* jobs, int used) {
  for (int l = 0; l < used; l++) {
    HashPieces({prefix, jobs[l].left, kNodeHalfBytes, jobs[l].right, kNodeHalfBytes}, jobs[l].out);
  }
}

}  // namespace

const Backend kScalarBackend = {1, &ScalarPrefixed, &ScalarNodes};

const Backend& BackendFor(Simd level) {
#if WALRUS_X86
  if (level >= Simd::kAvx512) return kAvx512Backend;
  if (level >= Simd::kAvx2) return kAvx2Backend;
#endif
  (void)level;
  return kScalarBackend;
}

namespace {

/** Messages of two digests (Merkle pairs stored side by side) take the faster node loader. */
void HashPairs(const Backend& backend, uint8_t prefix, const uint8_t* data, size_t count, uint8_t* out,
               size_t out_step) {
  NodeJob jobs[kJobBatch];
  for (size_t i = 0; i < count; i += kJobBatch) {
    const size_t n = std::min(kJobBatch, count - i);
    for (size_t j = 0; j < n; j++) {
      const uint8_t* pair = data + (i + j) * kPairBytes;
      jobs[j] = {pair, pair + kNodeHalfBytes, out + (i + j) * out_step};
    }
    HashNodes(backend, prefix, jobs, n);
  }
}

}  // namespace

void HashPrefixedSerial(const Backend& backend, uint8_t prefix, const uint8_t* data, size_t len, size_t count,
                        uint8_t* out, size_t out_step) {
  if (len == kPairBytes) {
    HashPairs(backend, prefix, data, count, out, out_step);
    return;
  }
  const size_t lanes = static_cast<size_t>(backend.lanes);
  const uint8_t* msgs[kMaxLanes];
  uint8_t* outs[kMaxLanes];
  // Messages lie back to back, so all but the last few may be read past their end up to a whole
  // block: those before `overread_end` have their last block inside data[0, count·len).
  const size_t reach = BlockCount(len + 1) * kBlockBytes;
  const size_t overread_end = len == 0 ? 0 : count * len >= reach ? (count * len - reach) / len + 1 : 0;
  for (size_t i = 0; i < count; i += lanes) {
    const size_t used = std::min(lanes, count - i);
    for (size_t l = 0; l < lanes; l++) {
      // Idle lanes recompute the last message; only `used` outputs are stored.
      const size_t q = i + std::min(l, used - 1);
      msgs[l] = data + q * len;
      outs[l] = out + q * out_step;
    }
    backend.prefixed(prefix, msgs, len, outs, static_cast<int>(used), i + used <= overread_end);
  }
}

void HashPrefixed(const Config& config, uint8_t prefix, const uint8_t* data, size_t len, size_t count, uint8_t* out,
                  size_t out_step) {
  if (count > 1 && out_step == 0) {
    // Every digest lands in the same place; the last one is what remains.
    data += (count - 1) * len;
    count = 1;
  }
  const Backend& backend = BackendFor(config.simd);
  const size_t blocks = count * BlockCount(len + 1);
  const size_t lanes = static_cast<size_t>(backend.lanes);
  const size_t max_parts = std::max<size_t>(1, blocks / (kParallelMinBlocks / 2));
  const size_t thread_parts = static_cast<size_t>(config.threads) * kPartsPerThread;
  const int parts = static_cast<int>(std::min(max_parts, thread_parts));
  if (config.threads <= 1 || blocks < kParallelMinBlocks || parts <= 1) {
    HashPrefixedSerial(backend, prefix, data, len, count, out, out_step);
    return;
  }
  // Part boundaries fall on whole lane groups so no part runs half-empty SIMD batches.
  const size_t groups = (count + lanes - 1) / lanes;
  ParallelFor(config.threads, parts, [&](int part) {
    const size_t first = groups * part / parts * lanes;
    const size_t end = std::min(count, groups * (part + 1) / parts * lanes);
    if (first < end) {
      HashPrefixedSerial(backend, prefix, data + first * len, len, end - first, out + first * out_step, out_step);
    }
  });
}

void HashNodes(const Backend& backend, uint8_t prefix, const NodeJob* jobs, size_t count) {
  const size_t lanes = static_cast<size_t>(backend.lanes);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) backend.nodes(prefix, jobs + i, backend.lanes);
  if (i == count) return;
  NodeJob padded[kMaxLanes];
  for (size_t l = 0; l < lanes; l++) padded[l] = jobs[std::min(i + l, count - 1)];
  backend.nodes(prefix, padded, static_cast<int>(count - i));
}

}  // namespace blake2b
}  // namespace walrus
