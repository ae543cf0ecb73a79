// SIMD lanes for the CPU driver: a vector of doubles (GCC/Clang vector extension) that the per-event arithmetic
// templates (cx<FP>, HELAS vertices) accept as their real type, so one call computes kLanes events at once
// (madgraph4gpu's neppV). Host only; the CUDA driver runs the same templates with FP = double.
#pragma once
#if !defined(__CUDACC__)
#include "core/hostdevice.h"

namespace madnis::simd {

#if defined(__AVX512F__) && !defined(MADNIS_SIMD_256)
constexpr int kLanes = 8;  // 512-bit registers
#elif defined(__AVX__)
constexpr int kLanes = 4;  // AVX/AVX2 (and AVX-512 machines: 256-bit vectors keep the clock up)
#else
constexpr int kLanes = 2;  // SSE2 / NEON
#endif

/// kLanes doubles; arithmetic is element-wise, a double operand is broadcast.
typedef double vd __attribute__((vector_size(kLanes * sizeof(double))));

}  // namespace madnis::simd
#endif
