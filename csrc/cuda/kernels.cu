// The CUDA driver: explicit instantiations of cuda::run for every per-event kernel.
// Add one MADNIS_CUDA_KERNEL line per new kernel functor.
#include "core/dispatch.h"
#include "cuda/launch.cuh"
#include "kernels/alpha_s.h"
#include "kernels/cuts.h"
#include "kernels/pdf.h"
#include "kernels/scales.h"
#include "kernels/clustering.h"
#include "kernels/mappings.h"
#include "kernels/propagators.h"
#include "amplitudes/program.h"
#include "core/device_memory.h"

namespace madnis::cuda {

template <class F>
void run(index_t n, const F& f) {
  parallel_for(n, f);
  check(cudaDeviceSynchronize(), "kernel execution");
}

bool available() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

#define MADNIS_CUDA_KERNEL(F) template void run<F>(index_t, const F&);
MADNIS_CUDA_KERNEL(kernels::ApplyCuts)
MADNIS_CUDA_KERNEL(kernels::DynamicalScale)
MADNIS_CUDA_KERNEL(kernels::ClusteringScale)
MADNIS_CUDA_KERNEL(amplitudes::EvaluateEvents)
MADNIS_CUDA_KERNEL(kernels::ChannelMap)
MADNIS_CUDA_KERNEL(kernels::ChannelInverse)
MADNIS_CUDA_KERNEL(kernels::RamboMap)
MADNIS_CUDA_KERNEL(kernels::PropagatorWeights)

void* device_malloc(std::size_t bytes) {
  void* p = nullptr;
  check(cudaMalloc(&p, bytes), "cudaMalloc");
  return p;
}
void device_free(void* ptr) { cudaFree(ptr); }
void copy_to_device(void* dst, const void* src, std::size_t bytes) {
  check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "cudaMemcpy host to device");
}
MADNIS_CUDA_KERNEL(kernels::PdfXfxQ)
MADNIS_CUDA_KERNEL(kernels::PdfXfxQPerEvent)
MADNIS_CUDA_KERNEL(kernels::PdfTwoBeam)
MADNIS_CUDA_KERNEL(kernels::AlphaS)

}  // namespace madnis::cuda
