// Runs a per-event functor on the device that holds the data: the CPU driver, or the CUDA driver
// through an explicit instantiation in cuda/kernels.cu (so this header compiles without nvcc).
#pragma once
#include <stdexcept>
#include "core/hostdevice.h"
#include "cpu/parallel.h"

namespace madnis {

enum class Device { cpu, cuda };

namespace cuda {
/// Launches f(i) for i in [0, n) on the current CUDA device and waits for it. Defined in cuda/kernels.cu.
template <class F>
void run(index_t n, const F& f);
bool available();
}  // namespace cuda

template <class F>
void launch(Device device, index_t n, const F& f) {
  if (device == Device::cpu) {
    cpu::parallel_for(n, f);
    return;
  }
#ifdef MADNIS_HAVE_CUDA
  cuda::run(n, f);
#else
  throw std::runtime_error("madnis_py._core was built without CUDA: install with a CUDA compiler (nvcc) on PATH");
#endif
}

}  // namespace madnis
