#include "bindings/buffers.h"
#include "kernels/clustering.h"
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

  m.def(
      "clustering_scale",
      [](py::handle momenta, py::handle graphs_of_mask, py::handle line_pdg, py::handle line_flags,
         py::handle candidates, int this_graph, py::handle bw_mask, py::handle bw_mass, py::handle bw_width,
         py::handle bw_twin, bool pdf1, bool pdf2, int maxjetflavor, double bwcutoff, double scalefact,
         double d_param, py::handle mu_r, py::handle mu_f, py::handle status) {
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto G = as_buffer<std::uint64_t>(graphs_of_mask, "graphs_of_mask", 2);
        auto L = as_buffer<std::int32_t>(line_pdg, "line_pdg", 2);
        auto F = as_buffer<std::uint8_t>(line_flags, "line_flags", 2);
        auto C = as_buffer<std::uint64_t>(candidates, "candidates", 1);
        auto BM = as_buffer<std::int32_t>(bw_mask, "bw_mask", 1);
        auto BX = as_buffer<double>(bw_mass, "bw_mass", 1);
        auto BW = as_buffer<double>(bw_width, "bw_width", 1);
        auto BT = as_buffer<std::int32_t>(bw_twin, "bw_twin", 1);
        auto R = as_buffer<double>(mu_r, "mu_r", 1);
        auto M = as_buffer<double>(mu_f, "mu_f", 2);
        auto S = as_buffer<std::int8_t>(status, "status", 1);
        const index_t n = P.dim(0);
        const int n_legs = static_cast<int>(P.dim(1));
        require(P.dim(2) == 4 && n_legs >= 3 && n_legs <= kernels::kMaxClusterLegs,
                "clustering_scale: momenta must be (n, n_legs, 4) with 3 <= n_legs <= " +
                    std::to_string(kernels::kMaxClusterLegs));
        const index_t n_masks = index_t(1) << n_legs;
        const index_t n_words = G.dim(1);
        const index_t n_graphs = L.dim(0);
        require(G.dim(0) == n_masks && n_words >= 1 && n_words <= kernels::kMaxClusterWords &&
                    n_graphs <= 64 * n_words && L.dim(1) == n_masks && F.dim(0) == n_graphs &&
                    F.dim(1) == n_masks && C.dim(0) == n_words,
                "clustering_scale: tables must be graphs_of_mask (2^n_legs, n_words <= " +
                    std::to_string(kernels::kMaxClusterWords) +
                    "), line_pdg and line_flags (n_graphs, 2^n_legs), candidates (n_words,)");
        require(n_graphs >= 1 && this_graph < n_graphs, "clustering_scale: this_graph out of range");
        const index_t n_bw = BM.dim(0);
        require(n_bw <= kernels::kMaxClusterBw && BX.dim(0) == n_bw && BW.dim(0) == n_bw && BT.dim(0) == n_bw,
                "clustering_scale: bw_mask, bw_mass, bw_width, bw_twin must have the same length (at most " +
                    std::to_string(kernels::kMaxClusterBw) + ")");
        require(R.dim(0) == n && M.dim(0) == n && M.dim(1) == 2 && S.dim(0) == n,
                "clustering_scale: outputs must be mu_r (n,), mu_f (n, 2), status (n,)");
        require(scalefact > 0.0 && d_param > 0.0 && bwcutoff >= 0.0,
                "clustering_scale: scalefact and D must be positive, bwcutoff non-negative");
        const Device dev = common_device(P, G, L, F, C, BM, BX, BW, BT, R, M, S);
        kernels::ClusterGraphs graphs{n_legs, static_cast<int>(n_graphs), static_cast<int>(n_words), G.data, L.data,
                                      F.data};
        kernels::ClusterChannel channel{C.data, this_graph, static_cast<int>(n_bw), BM.data, BX.data, BW.data,
                                        BT.data};
        kernels::ClusterSettings settings{pdf1 || pdf2, pdf1, pdf2, maxjetflavor, bwcutoff, scalefact, d_param};
        launch(dev, n, kernels::ClusteringScale{graphs, channel, settings, P.data, R.data, M.data, S.data});
      },
      py::arg("momenta"), py::arg("graphs_of_mask"), py::arg("line_pdg"), py::arg("line_flags"),
      py::arg("candidates"), py::arg("this_graph"), py::arg("bw_mask"), py::arg("bw_mass"), py::arg("bw_width"),
      py::arg("bw_twin"), py::arg("pdf1"), py::arg("pdf2"), py::arg("maxjetflavor"), py::arg("bwcutoff"),
      py::arg("scalefact"), py::arg("d_param"), py::arg("mu_r"), py::arg("mu_f"), py::arg("status"),
      "MadGraph's kT-clustering scale (dynamical_scale_choice = -1, ickkw = 0): mu_r (n,), mu_f (n, 2) per beam "
      "in GeV, status (n,) 0 ok, 1 clustering failed, 2 factorisation scale below 2 GeV. See "
      "madnis_py/clustering.py for the tables.");
}

}  // namespace madnis::bind
