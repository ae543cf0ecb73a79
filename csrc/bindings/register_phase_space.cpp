#include "bindings/buffers.h"
#include "kernels/phase_space.h"
#include "kernels/scales.h"

namespace madnis::bind {

void register_phase_space(py::module_& m) {
  m.def(
      "two_to_two_cm",
      [](py::handle r, py::handle sqrt_s, double m1, double m2, double m3, double m4, py::handle momenta,
         py::handle weight) {
        auto R = as_buffer<double>(r, "r", 2);
        auto S = as_buffer<double>(sqrt_s, "sqrt_s", 1);
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto W = as_buffer<double>(weight, "weight", 1);
        const index_t n = R.dim(0);
        require(R.dim(1) == 2 && S.dim(0) == n && P.dim(0) == n && P.dim(1) == 4 && P.dim(2) == 4 && W.dim(0) == n,
                "two_to_two_cm: shapes must be r (n,2), sqrt_s (n,), momenta (n,4,4), weight (n,)");
        launch(common_device(R, S, P, W), n, kernels::TwoToTwoCM{R.data, S.data, m1, m2, m3, m4, P.data, W.data});
      },
      py::arg("r"), py::arg("sqrt_s"), py::arg("m1"), py::arg("m2"), py::arg("m3"), py::arg("m4"),
      py::arg("momenta"), py::arg("weight"),
      "2 -> 2 momenta in the centre-of-mass frame, flat in solid angle; writes momenta and dPhi_2/d^2r.");
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
