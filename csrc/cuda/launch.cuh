// The CUDA batch driver: launches the same per-event functor as cpu/parallel.h, one event per thread.
#pragma once
#include <stdexcept>
#include <string>
#include <cuda_runtime.h>
#include "core/hostdevice.h"

namespace madnis::cuda {

inline void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(err));
}

template <class F>
__global__ void for_each_event(index_t n, F f) {
  index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) f(i);
}

template <class F>
void parallel_for(index_t n, const F& f, cudaStream_t stream = nullptr) {
  if (n <= 0) return;
  const int threads = 128;
  const index_t blocks = (n + threads - 1) / threads;
  for_each_event<<<static_cast<unsigned>(blocks), threads, 0, stream>>>(n, f);
  check(cudaGetLastError(), "kernel launch");
}

}  // namespace madnis::cuda
