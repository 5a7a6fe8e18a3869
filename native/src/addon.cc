// Node-API entry points: argument checking and the kernel objects handed to TypeScript
// (src/codec/kernel/native-kernel.ts). Every bounds check happens here, before any native
// code touches a buffer.
#include <node_api.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>

#include "blake2b.h"
#include "common.h"
#include "gf16.h"
#include "merkle.h"
#include "pack.h"
#include "pool.h"
#include "transform.h"

namespace walrus {
namespace {

/** Bumped whenever the JavaScript-facing interface changes, so a stale build is refused. */
constexpr uint32_t kInterfaceVersion = 1;
constexpr size_t kMaxArgs = 8;
constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr uint32_t kMaxPrefix = 0xFF;
constexpr size_t kDigest = blake2b::kDigestBytes;
constexpr size_t kMessageBytes = 256;
constexpr size_t kSimdNameBytes = 32;

/** The configuration for (level, threads); one per pair, alive for the whole process. */
const Config* ConfigFor(Simd level, int threads) {
  using Table = Config[kSimdLevelCount][kMaxThreads + 1];
  static const Table* table = [] {
    auto* configs = new Table[1];
    for (int l = 0; l < kSimdLevelCount; l++) {
      for (int t = 0; t <= kMaxThreads; t++) (*configs)[l][t] = {static_cast<Simd>(l), t};
    }
    return configs;
  }();
  return &(*table)[static_cast<int>(level)][threads];
}

struct Span {
  uint8_t* data;
  size_t length;
};

/** a·b + c, or SIZE_MAX on overflow (no buffer is that long, so a bounds check then fails). */
size_t MulAdd(size_t a, size_t b, size_t c) {
  size_t product;
  size_t sum;
  if (__builtin_mul_overflow(a, b, &product) || __builtin_add_overflow(product, c, &sum)) return SIZE_MAX;
  return sum;
}

bool Overlaps(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len) {
  if (a_len == 0 || b_len == 0) return false;
  const uintptr_t a0 = reinterpret_cast<uintptr_t>(a);
  const uintptr_t b0 = reinterpret_cast<uintptr_t>(b);
  return a0 < b0 + b_len && b0 < a0 + a_len;
}

/**
 * The arguments of one call. The first failed check throws a JavaScript error; after that every
 * accessor returns a harmless zero value and ok() is false.
 */
class Call {
 public:
  Call(napi_env env, napi_callback_info info, const char* name) : env_(env), name_(name) {
    size_t argc = kMaxArgs;
    void* data = nullptr;
    if (napi_get_cb_info(env, info, &argc, argv_, nullptr, &data) != napi_ok) {
      Throw(false, "cannot read arguments");
      return;
    }
    argc_ = argc;
    config_ = static_cast<const Config*>(data);
  }

  bool ok() const { return ok_; }
  const Config& config() const { return *config_; }

  Span Bytes(size_t i, const char* arg) {
    napi_value value = Arg(i);
    bool is_typed_array = false;
    if (!ok_ || napi_is_typedarray(env_, value, &is_typed_array) != napi_ok || !is_typed_array) {
      Throw(false, "%s must be a Uint8Array", arg);
      return {nullptr, 0};
    }
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env_, value, &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_uint8_array) {
      Throw(false, "%s must be a Uint8Array", arg);
      return {nullptr, 0};
    }
    return {static_cast<uint8_t*>(data), length};
  }

  /** A non-negative safe integer. */
  size_t Index(size_t i, const char* arg) {
    const double value = Number(i, arg);
    if (!ok_) return 0;
    if (!(value >= 0 && value <= kMaxSafeInteger && value == static_cast<double>(static_cast<uint64_t>(value)))) {
      Throw(true, "%s must be a non-negative integer, got %g", arg, value);
      return 0;
    }
    return static_cast<size_t>(value);
  }

  /** An integer in [0, max]. */
  uint32_t Bounded(size_t i, const char* arg, uint32_t max) {
    const size_t value = Index(i, arg);
    if (ok_ && value > max) Throw(true, "%s must be at most %u, got %zu", arg, max, value);
    return ok_ ? static_cast<uint32_t>(value) : 0;
  }

  /** Throws a RangeError with the message unless `condition` holds. */
  bool Require(bool condition, const char* format, ...) __attribute__((format(printf, 3, 4))) {
    if (!ok_ || condition) return ok_;
    va_list args;
    va_start(args, format);
    ThrowV(true, format, args);
    va_end(args);
    return false;
  }

  bool String(size_t i, const char* arg, char* out, size_t capacity) {
    size_t length = 0;
    if (!ok_ || napi_get_value_string_utf8(env_, Arg(i), out, capacity, &length) != napi_ok) {
      Throw(false, "%s must be a string", arg);
      return false;
    }
    return true;
  }

 private:
  napi_value Arg(size_t i) const { return argv_[i]; }

  double Number(size_t i, const char* arg) {
    if (!ok_) return 0;
    if (i >= argc_) {
      Throw(false, "missing argument %s", arg);
      return 0;
    }
    double value = 0;
    if (napi_get_value_double(env_, argv_[i], &value) != napi_ok) {
      Throw(false, "%s must be a number", arg);
      return 0;
    }
    return value;
  }

  void Throw(bool range, const char* format, ...) __attribute__((format(printf, 3, 4))) {
    va_list args;
    va_start(args, format);
    ThrowV(range, format, args);
    va_end(args);
  }

  void ThrowV(bool range, const char* format, va_list args) {
    if (!ok_) return;
    ok_ = false;
    char detail[kMessageBytes];
    std::vsnprintf(detail, sizeof detail, format, args);
    char message[kMessageBytes + 64];
    std::snprintf(message, sizeof message, "walrus_codec.%s: %s", name_, detail);
    if (range) {
      napi_throw_range_error(env_, nullptr, message);
    } else {
      napi_throw_type_error(env_, nullptr, message);
    }
  }

  napi_env env_;
  const char* name_;
  napi_value argv_[kMaxArgs] = {};
  size_t argc_ = 0;
  const Config* config_ = nullptr;
  bool ok_ = true;
};

napi_value HashPrefixed(napi_env env, napi_callback_info info) {
  Call c(env, info, "hashPrefixed");
  const uint32_t prefix = c.Bounded(0, "prefix", kMaxPrefix);
  const Span data = c.Bytes(1, "data");
  const size_t len = c.Index(2, "len");
  const size_t count = c.Index(3, "count");
  const Span out = c.Bytes(4, "out");
  const size_t out_stride = c.Index(5, "outStride");
  if (!c.ok() || count == 0) return nullptr;
  const size_t data_bytes = MulAdd(count, len, 0);
  const size_t out_bytes = MulAdd(MulAdd(count - 1, out_stride, 1), kDigest, 0);
  if (!c.Require(data_bytes <= data.length, "data holds %zu bytes, count·len needs %zu", data.length, data_bytes) ||
      !c.Require(out_bytes <= out.length, "out holds %zu bytes, %zu digests at outStride %zu need %zu", out.length,
                 count, out_stride, out_bytes)) {
    return nullptr;
  }
  if (Overlaps(data.data, data_bytes, out.data, out_bytes)) {
    // Hashing in place: later messages may be earlier digests, so go strictly one by one.
    blake2b::HashPrefixedSerial(blake2b::kScalarBackend, static_cast<uint8_t>(prefix), data.data, len, count, out.data,
                                out_stride * kDigest);
    return nullptr;
  }
  blake2b::HashPrefixed(c.config(), static_cast<uint8_t>(prefix), data.data, len, count, out.data,
                        out_stride * kDigest);
  return nullptr;
}

napi_value MerkleRoots(napi_env env, napi_callback_info info) {
  Call c(env, info, "merkleRoots");
  const Span leaves = c.Bytes(0, "leafHashes");
  const size_t tree_count = c.Index(1, "treeCount");
  const size_t leaf_count = c.Index(2, "leafCount");
  const size_t tree_stride = c.Index(3, "treeStride");
  const size_t leaf_stride = c.Index(4, "leafStride");
  const Span out = c.Bytes(5, "out");
  if (!c.ok() || tree_count == 0) return nullptr;
  const size_t out_bytes = MulAdd(tree_count, kDigest, 0);
  size_t leaf_bytes = 0;
  if (leaf_count > 0) {
    const size_t last_leaf = MulAdd(tree_count - 1, tree_stride, MulAdd(leaf_count - 1, leaf_stride, 0));
    leaf_bytes = MulAdd(MulAdd(last_leaf, 1, 1), kDigest, 0);
  }
  if (!c.Require(out_bytes <= out.length, "out holds %zu bytes, %zu roots need %zu", out.length, tree_count,
                 out_bytes) ||
      !c.Require(leaf_bytes <= leaves.length, "leafHashes holds %zu bytes, the strides reach byte %zu",
                 leaves.length, leaf_bytes)) {
    return nullptr;
  }
  const merkle::Forest forest{leaves.data, tree_count,  leaf_count, tree_stride, leaf_stride, out.data,
                              Overlaps(leaves.data, leaf_bytes, out.data, out_bytes)};
  merkle::Roots(c.config(), forest);
  return nullptr;
}

/** Reads (work, vecBytes) and checks vecBytes is a multiple of the 64-byte block. */
gf16::WorkArray Work(Call& c, Span* span) {
  *span = c.Bytes(0, "work");
  const size_t vec_bytes = c.Index(1, "vecBytes");
  c.Require(vec_bytes % gf16::kBlockBytes == 0, "vecBytes must be a multiple of %zu, got %zu", gf16::kBlockBytes,
            vec_bytes);
  return {span->data, vec_bytes};
}

bool RequirePositions(Call& c, const Span& span, const gf16::WorkArray& work, size_t end, const char* what) {
  const size_t bytes = MulAdd(end, work.vec_bytes, 0);
  return c.Require(bytes <= span.length, "%s reaches byte %zu of a %zu-byte work array", what, bytes, span.length);
}

template <bool kInverse>
napi_value Transform(napi_env env, napi_callback_info info) {
  Call c(env, info, kInverse ? "ifft" : "fft");
  Span span;
  const gf16::WorkArray work = Work(c, &span);
  const size_t pos = c.Index(2, "pos");
  const size_t size = c.Index(3, "size");
  const size_t truncated = c.Index(4, "truncated");
  const size_t skew_delta = c.Index(5, "skewDelta");
  if (!c.Require((size & (size - 1)) == 0, "size must be a power of two, got %zu", size) ||
      !c.Require(truncated <= size, "truncated (%zu) must not exceed size (%zu)", truncated, size) ||
      !RequirePositions(c, span, work, MulAdd(pos, 1, size), "the transform")) {
    return nullptr;
  }
  size_t max_skew = 0;
  if (gf16::MaxSkewIndex(size, truncated, skew_delta, &max_skew) &&
      !c.Require(max_skew < gf16::kModulus, "skewDelta %zu with size %zu reads past the skew table", skew_delta,
                 size)) {
    return nullptr;
  }
  if (kInverse) {
    gf16::Ifft(c.config(), work, pos, size, truncated, skew_delta);
  } else {
    gf16::Fft(c.config(), work, pos, size, truncated, skew_delta);
  }
  return nullptr;
}

napi_value Mul(napi_env env, napi_callback_info info) {
  Call c(env, info, "mul");
  Span span;
  const gf16::WorkArray work = Work(c, &span);
  const size_t pos = c.Index(2, "pos");
  const uint32_t log_m = c.Bounded(3, "logM", gf16::kModulus);
  if (!RequirePositions(c, span, work, MulAdd(pos, 1, 1), "pos")) return nullptr;
  gf16::MulPosition(c.config(), work, pos, log_m);
  return nullptr;
}

napi_value XorPositions(napi_env env, napi_callback_info info) {
  Call c(env, info, "xorPositions");
  Span span;
  const gf16::WorkArray work = Work(c, &span);
  const size_t dst = c.Index(2, "dst");
  const size_t src = c.Index(3, "src");
  const size_t count = c.Index(4, "count");
  if (!RequirePositions(c, span, work, MulAdd(dst, 1, count), "dst + count") ||
      !RequirePositions(c, span, work, MulAdd(src, 1, count), "src + count") ||
      !c.Require(count == 0 || dst + count <= src || src + count <= dst, "ranges [%zu, +%zu) and [%zu, +%zu) overlap",
                 dst, count, src, count)) {
    return nullptr;
  }
  gf16::XorPositions(c.config(), work, dst, src, count);
  return nullptr;
}

/** Positions the formal derivative over `count` touches: i + lowbit(i) peaks at the next power of two. */
size_t FormalDerivativeReach(size_t count) {
  if (count < 2) return count;
  size_t reach = 1;
  while (reach < count) reach <<= 1;
  return reach;
}

napi_value FormalDerivative(napi_env env, napi_callback_info info) {
  Call c(env, info, "formalDerivative");
  Span span;
  const gf16::WorkArray work = Work(c, &span);
  const size_t count = c.Index(2, "count");
  if (!RequirePositions(c, span, work, FormalDerivativeReach(count), "the derivative")) return nullptr;
  gf16::FormalDerivative(c.config(), work, count);
  return nullptr;
}

/** Checks a symbol run: bytes [first_byte + q·byte_stride, +2·⌊size/2⌋) and its elements. */
bool RequireSymbolRun(Call& c, const Span& bytes, const Span& elements, const pack::SymbolRun& r) {
  if (!c.ok() || r.count == 0) return false;
  const size_t symbol_elements = r.symbol_size >> 1;
  const size_t last_byte = MulAdd(r.count - 1, r.byte_stride, r.first_byte);
  const size_t byte_end = MulAdd(symbol_elements, 2, last_byte);
  if (!c.Require(byte_end <= bytes.length, "symbols reach byte %zu of a %zu-byte array", byte_end, bytes.length)) {
    return false;
  }
  if (symbol_elements == 0) return false;
  const size_t last_element = MulAdd(r.count - 1, r.element_stride, MulAdd(r.first_element, 1, symbol_elements - 1));
  // The high byte of the last element: byte 64·(e / 32) + e % 32 + 32, computed without wrapping.
  const size_t element_end = MulAdd(last_element / gf16::kBlockElements, gf16::kBlockBytes,
                                    last_element % gf16::kBlockElements + gf16::kBlockElements + 1);
  return c.Require(element_end <= elements.length, "elements reach byte %zu of a %zu-byte work array", element_end,
                   elements.length);
}

napi_value PackSymbols(napi_env env, napi_callback_info info) {
  Call c(env, info, "packSymbols");
  const Span src = c.Bytes(0, "src");
  const size_t src_start = c.Index(1, "srcStart");
  const size_t src_stride = c.Index(2, "srcStride");
  const size_t symbol_size = c.Index(3, "symbolSize");
  const size_t count = c.Index(4, "count");
  const Span dst = c.Bytes(5, "dst");
  const size_t dst_element = c.Index(6, "dstElement");
  const size_t dst_element_stride = c.Index(7, "dstElementStride");
  const pack::SymbolRun run{src.data, src_start, src_stride, symbol_size, count, dst.data, dst_element,
                            dst_element_stride};
  if (RequireSymbolRun(c, src, dst, run)) pack::Pack(c.config(), run);
  return nullptr;
}

napi_value UnpackSymbols(napi_env env, napi_callback_info info) {
  Call c(env, info, "unpackSymbols");
  const Span src = c.Bytes(0, "src");
  const size_t src_element = c.Index(1, "srcElement");
  const size_t src_element_stride = c.Index(2, "srcElementStride");
  const size_t symbol_size = c.Index(3, "symbolSize");
  const size_t count = c.Index(4, "count");
  const Span dst = c.Bytes(5, "dst");
  const size_t dst_start = c.Index(6, "dstStart");
  const size_t dst_stride = c.Index(7, "dstStride");
  const pack::SymbolRun run{dst.data, dst_start, dst_stride, symbol_size, count, src.data, src_element,
                            src_element_stride};
  if (RequireSymbolRun(c, dst, src, run)) pack::Unpack(c.config(), run);
  return nullptr;
}

napi_value MakeString(napi_env env, const char* text) {
  napi_value value;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

napi_value MakeNumber(napi_env env, double number) {
  napi_value value;
  napi_create_double(env, number, &value);
  return value;
}

/** createKernel(simd: string, threads: number): an object whose methods use that configuration. */
napi_value CreateKernel(napi_env env, napi_callback_info info) {
  Call c(env, info, "createKernel");
  char name[kSimdNameBytes];
  Simd level = Simd::kScalar;
  if (!c.String(0, "simd", name, sizeof name) ||
      !c.Require(ParseSimd(name, &level), "unknown simd level '%s'", name) ||
      !c.Require(level <= BestSupportedSimd(), "simd level '%s' is not supported here (best: '%s')", name,
                 SimdName(BestSupportedSimd()))) {
    return nullptr;
  }
  const size_t threads = c.Index(1, "threads");
  if (!c.Require(threads >= 1, "threads must be at least 1")) return nullptr;
  const int capped = threads > static_cast<size_t>(MaxPoolThreads()) ? MaxPoolThreads() : static_cast<int>(threads);
  // Methods get the configuration as callback data; it outlives every kernel object.
  void* config = const_cast<Config*>(ConfigFor(level, capped));

  napi_value kernel;
  napi_create_object(env, &kernel);
  const napi_property_attributes kConstant = napi_enumerable;
  const napi_property_descriptor properties[] = {
      {"hashPrefixed", nullptr, HashPrefixed, nullptr, nullptr, nullptr, kConstant, config},
      {"merkleRoots", nullptr, MerkleRoots, nullptr, nullptr, nullptr, kConstant, config},
      {"fft", nullptr, Transform<false>, nullptr, nullptr, nullptr, kConstant, config},
      {"ifft", nullptr, Transform<true>, nullptr, nullptr, nullptr, kConstant, config},
      {"mul", nullptr, Mul, nullptr, nullptr, nullptr, kConstant, config},
      {"xorPositions", nullptr, XorPositions, nullptr, nullptr, nullptr, kConstant, config},
      {"formalDerivative", nullptr, FormalDerivative, nullptr, nullptr, nullptr, kConstant, config},
      {"packSymbols", nullptr, PackSymbols, nullptr, nullptr, nullptr, kConstant, config},
      {"unpackSymbols", nullptr, UnpackSymbols, nullptr, nullptr, nullptr, kConstant, config},
      {"simd", nullptr, nullptr, nullptr, nullptr, MakeString(env, SimdName(level)), kConstant, nullptr},
      {"threads", nullptr, nullptr, nullptr, nullptr, MakeNumber(env, capped), kConstant, nullptr},
  };
  napi_define_properties(env, kernel, sizeof properties / sizeof properties[0], properties);
  return kernel;
}

napi_value SupportedSimdLevels(napi_env env) {
  napi_value levels;
  napi_create_array(env, &levels);
  const int best = static_cast<int>(BestSupportedSimd());
  for (int i = 0; i <= best; i++) napi_set_element(env, levels, i, MakeString(env, SimdName(static_cast<Simd>(i))));
  return levels;
}

napi_value Init(napi_env env, napi_value exports) {
  // Build the field tables now rather than inside the first (timed) codec call.
  gf16::GetTables();
  napi_value version;
  napi_create_uint32(env, kInterfaceVersion, &version);
  const napi_property_descriptor properties[] = {
      {"interfaceVersion", nullptr, nullptr, nullptr, nullptr, version, napi_enumerable, nullptr},
      {"simdLevels", nullptr, nullptr, nullptr, nullptr, SupportedSimdLevels(env), napi_enumerable, nullptr},
      {"maxThreads", nullptr, nullptr, nullptr, nullptr, MakeNumber(env, MaxPoolThreads()), napi_enumerable, nullptr},
      {"createKernel", nullptr, CreateKernel, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

}  // namespace
}  // namespace walrus

NAPI_MODULE_INIT() { return walrus::Init(env, exports); }
