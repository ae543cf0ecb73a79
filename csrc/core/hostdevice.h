// One source, two drivers: every per-event function is written once, qualified with MADNIS_HD,
// and called by the CPU driver (cpu/parallel.h) and by the CUDA driver (cuda/launch.cuh).
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define MADNIS_HD __host__ __device__
#define MADNIS_INLINE __forceinline__
#else
#define MADNIS_HD
#define MADNIS_INLINE inline __attribute__((always_inline))
#endif

namespace madnis {
using index_t = std::int64_t;
}  // namespace madnis
