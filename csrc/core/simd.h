// SIMD lanes for the CPU driver: a vector of doubles or of floats (GCC/Clang vector extension, same register width)
// that the per-event arithmetic templates (cx<FP>, HELAS vertices) accept as their real type, so one call computes
// kLanes events at once in double precision or 2 kLanes in single precision (madgraph4gpu's neppV).
// Host only; the CUDA driver runs the same templates with FP = double.
#pragma once
#if !defined(__CUDACC__)
#include <cstring>
#include "core/hostdevice.h"

namespace madnis::simd {

#if defined(__AVX512F__) && !defined(MADNIS_SIMD_256)
constexpr int kLanes = 8;  // 512-bit registers
#elif defined(__AVX__)
constexpr int kLanes = 4;  // AVX/AVX2 (and AVX-512 machines: 256-bit vectors keep the clock up)
#else
constexpr int kLanes = 2;  // SSE2 / NEON
#endif

/// kLanes doubles; arithmetic is element-wise, a scalar of the element type is broadcast.
typedef double vd __attribute__((vector_size(kLanes * sizeof(double))));
/// 2 kLanes floats: the same register width as vd.
typedef float vf __attribute__((vector_size(kLanes * sizeof(double))));
/// kLanes floats (half of a vf).
typedef float vf_half __attribute__((vector_size(kLanes * sizeof(float))));

/// Number of lanes of a vector type V (vd or vf).
template <class V>
constexpr int lanes = static_cast<int>(sizeof(V) / sizeof(V{}[0]));

/// x as sizeof(V) / sizeof(vd) vectors of doubles: out[r] holds lanes [r kLanes, (r + 1) kLanes) of x.
MADNIS_INLINE void widen(const vd& x, vd* out) { out[0] = x; }
MADNIS_INLINE void widen(const vf& x, vd* out) {
  vf_half h[2];
  std::memcpy(h, &x, sizeof(x));
  out[0] = __builtin_convertvector(h[0], vd);
  out[1] = __builtin_convertvector(h[1], vd);
}

}  // namespace madnis::simd
#endif
