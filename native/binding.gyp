{
  "targets": [
    {
      "target_name": "walrus_codec",
      "sources": [
        "src/addon.cc",
        "src/blake2b.cc",
        "src/blake2b_avx2.cc",
        "src/blake2b_avx512.cc",
        "src/cpu.cc",
        "src/gf16.cc",
        "src/gf_avx2.cc",
        "src/gf_gfni.cc",
        "src/gf_scalar.cc",
        "src/gf_ssse3.cc",
        "src/merkle.cc",
        "src/pack.cc",
        "src/pool.cc",
        "src/transform.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3"],
      "cflags_cc": ["-O3", "-std=gnu++17"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "CLANG_CXX_LANGUAGE_STANDARD": "gnu++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}
