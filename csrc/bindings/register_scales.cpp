#include "bindings/buffers.h"
#include "kernels/scales.h"

namespace madnis::bind {

void register_scales(py::module_& m) {
  m.def(
      "dynamical_scale",
      [](py::handle momenta, int choice, bool single_resonance, double factor, py::handle scale) {
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto S = as_buffer<double>(scale, "scale", 1);
        require(P.dim(2) == 4 && S.dim(0) == P.dim(0) && P.dim(1) >= 3,
                "dynamical_scale: shapes must be momenta (n, n_particles, 4), scale (n,)");
        require(choice == kernels::kCentralMt || (choice >= 1 && choice <= 4),
                "dynamical_scale: choice must be -1, 1, 2, 3 or 4");
        require(choice != kernels::kCentralMt || single_resonance || P.dim(1) == 4,
                "dynamical_scale: choice -1 is defined here for 2 -> 2 events and single resonances");
        launch(common_device(P, S), P.dim(0),
               kernels::DynamicalScale{P.data, static_cast<int>(P.dim(1)), choice, single_resonance, factor, S.data});
      },
      py::arg("momenta"), py::arg("choice"), py::arg("single_resonance"), py::arg("factor"), py::arg("scale"),
      "MadGraph's dynamical scales (dynamical_scale_choice -1, 1-4) in GeV, times factor.");
}

}  // namespace madnis::bind
