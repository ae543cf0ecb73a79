#include "bindings/buffers.h"
#include "kernels/cuts.h"

namespace madnis::bind {

void register_cuts(py::module_& m) {
  m.def(
      "apply_cuts",
      [](py::handle momenta, py::handle cls, py::handle pdg, py::handle single, py::handle pair, py::handle pass) {
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto C = as_buffer<std::int32_t>(cls, "cls", 1);
        auto G = as_buffer<std::int32_t>(pdg, "pdg", 1);
        auto S1 = as_buffer<double>(single, "single", 2);
        auto S2 = as_buffer<double>(pair, "pair", 3);
        auto out = as_buffer<std::uint8_t>(pass, "pass", 1);
        using kernels::kNumClasses;
        const index_t n = P.dim(0), nf = C.dim(0);
        require(C.device == Device::cpu && G.device == Device::cpu && S1.device == Device::cpu &&
                    S2.device == Device::cpu,
                "apply_cuts: the cut specification (cls, pdg, single, pair) must be host arrays");
        require(nf <= kernels::kMaxFinal && nf <= P.dim(1) && G.dim(0) == nf && out.dim(0) == n && P.dim(2) == 4,
                "apply_cuts: shapes must be momenta (n, n_particles, 4), cls and pdg (n_final,), pass (n,)");
        require(S1.dim(0) == 4 && S1.dim(1) == kNumClasses && S2.dim(0) == 4 && S2.dim(1) == kNumClasses &&
                    S2.dim(2) == kNumClasses,
                "apply_cuts: single must be (4, 5) [pt_min, pt_max, eta_min, eta_max], "
                "pair (4, 5, 5) [dr_min, dr_max, m_min, m_max]");
        kernels::CutSpec spec;
        spec.n_final = static_cast<int>(nf);
        for (index_t a = 0; a < nf; ++a) {
          require(C.data[a] >= 0 && C.data[a] < kNumClasses, "apply_cuts: cut class out of range");
          spec.cls[a] = C.data[a];
          spec.pdg[a] = G.data[a];
        }
        const double* s1 = S1.data;
        const double* s2 = S2.data;
        for (int c = 0; c < kNumClasses; ++c) {
          spec.pt_min[c] = s1[c];
          spec.pt_max[c] = s1[kNumClasses + c];
          spec.eta_min[c] = s1[2 * kNumClasses + c];
          spec.eta_max[c] = s1[3 * kNumClasses + c];
          for (int d = 0; d < kNumClasses; ++d) {
            const int k = c * kNumClasses + d, nn = kNumClasses * kNumClasses;
            spec.dr_min[c][d] = s2[k];
            spec.dr_max[c][d] = s2[nn + k];
            spec.m_min[c][d] = s2[2 * nn + k];
            spec.m_max[c][d] = s2[3 * nn + k];
          }
        }
        launch(common_device(P, out), n,
               kernels::ApplyCuts{spec, static_cast<int>(P.dim(1)), P.data, out.data});
      },
      py::arg("momenta"), py::arg("cls"), py::arg("pdg"), py::arg("single"), py::arg("pair"), py::arg("pass_"),
      "Evaluates MadGraph-style cuts; writes 1 (pass) or 0 per event into pass_.");
}

}  // namespace madnis::bind
