// The compiled core of madnis-py. Each area registers its functions in its own register_*.cpp.
#include <pybind11/pybind11.h>
#include "core/dispatch.h"

namespace py = pybind11;
namespace madnis::bind {
void register_scales(py::module_& m);
void register_cuts(py::module_& m);
void register_amplitudes(py::module_& m);
void register_pdf(py::module_& m);
void register_channels(py::module_& m);
}  // namespace madnis::bind

PYBIND11_MODULE(_core, m) {
  m.doc() = "madnis-py compiled core: batched per-event kernels (CPU threads and CUDA)";
  m.def("num_threads", &madnis::cpu::num_threads, "Threads used by the CPU driver.");
  m.def("set_num_threads", &madnis::cpu::set_num_threads, py::arg("n"),
        "Sets the threads used by the CPU driver (0: one per hardware thread).");
#ifdef MADNIS_HAVE_CUDA
  m.attr("built_with_cuda") = true;
#else
  m.attr("built_with_cuda") = false;
#endif
  m.def("cuda_available", [] {
#ifdef MADNIS_HAVE_CUDA
    return madnis::cuda::available();
#else
    return false;
#endif
  }, "True if the core was built with CUDA and a CUDA device is visible.");
  madnis::bind::register_scales(m);
  madnis::bind::register_cuts(m);
  madnis::bind::register_amplitudes(m);
  madnis::bind::register_pdf(m);
  madnis::bind::register_channels(m);
}
