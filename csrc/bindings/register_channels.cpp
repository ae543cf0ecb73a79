// Bindings of the multi-channel phase-space mappings and RAMBO (kernels/mappings.h).
//
// A channel topology crosses the boundary as two flat host arrays (built by madnis_py.channels.Topology):
//   ints   (int32):   [n_final, n_decays, n_clusters, root_kind,
//                      dec_d1[D], dec_d2[D], dec_kind[D], cluster[m], t_kind[m-1]]
//   floats (float64): [nu, root_mass, root_width, m_in[2], m_out[n],
//                      dec_mass[D], dec_width[D], dec_smin[D], dec_smax[D], t_mass[m-1], t_width[m-1]]
// with D = n_decays = n_final - n_clusters, m = n_clusters, node ids as in phasespace/topology.h.
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>
#include <pybind11/stl.h>
#include "bindings/buffers.h"
#include "kernels/mappings.h"
#include "kernels/propagators.h"

namespace madnis::bind {
namespace {

using phasespace::ChannelTopology;
using phasespace::Collision;
using phasespace::kMaxChannelFinal;

void check(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument("channel topology: " + message);
}

ChannelTopology parse_topology(py::handle ints_obj, py::handle floats_obj) {
  auto I = as_buffer<std::int32_t>(ints_obj, "topology ints", 1);
  auto F = as_buffer<double>(floats_obj, "topology floats", 1);
  require(I.device == Device::cpu && F.device == Device::cpu, "channel topology arrays must be host arrays");
  const index_t ni = I.dim(0), nf = F.dim(0);
  check(ni >= 4 && nf >= 5, "arrays too short");
  ChannelTopology t;
  t.n_final = I.data[0];
  t.n_decays = I.data[1];
  t.n_clusters = I.data[2];
  t.root_kind = I.data[3];
  const int n = t.n_final, D = t.n_decays, m = t.n_clusters;
  check(n >= 2 && n <= kMaxChannelFinal, "n_final must be in [2, " + std::to_string(kMaxChannelFinal) + "]");
  check(m >= 2 && m <= n && D == n - m, "need 2 <= n_clusters <= n_final and n_decays = n_final - n_clusters");
  check(ni == 4 + 3 * D + m + (m - 1), "ints has the wrong length");
  check(nf == 5 + n + 4 * D + 2 * (m - 1), "floats has the wrong length");
  check(t.root_kind == phasespace::kPower || t.root_kind == phasespace::kBreitWigner, "root_kind must be 1 or 2");
  const std::int32_t* ip = I.data + 4;
  const double* fp = F.data;
  t.nu = fp[0];
  t.root_mass = fp[1];
  t.root_width = fp[2];
  t.m_in[0] = fp[3];
  t.m_in[1] = fp[4];
  check(t.nu >= 0.0 && t.nu < 1.0, "nu must be in [0, 1)");
  check(t.root_kind != phasespace::kBreitWigner || (t.root_mass > 0.0 && t.root_width > 0.0),
        "a Breit-Wigner root needs mass > 0 and width > 0");
  check(t.m_in[0] >= 0.0 && t.m_in[1] >= 0.0, "incoming masses must be >= 0");
  fp += 5;
  for (int i = 0; i < n; ++i) {
    t.m_out[i] = fp[i];
    check(fp[i] >= 0.0 && std::isfinite(fp[i]), "final-state masses must be finite and >= 0");
  }
  fp += n;
  std::vector<int> used(n + D, 0);
  for (int d = 0; d < D; ++d) {
    t.dec_d1[d] = ip[d];
    t.dec_d2[d] = ip[D + d];
    t.dec_kind[d] = ip[2 * D + d];
    t.dec_mass[d] = fp[d];
    t.dec_width[d] = fp[D + d];
    t.dec_smin[d] = fp[2 * D + d];
    t.dec_smax[d] = fp[3 * D + d];
    for (int c : {t.dec_d1[d], t.dec_d2[d]}) {
      check(c >= 0 && c < n + d, "decay " + std::to_string(d) + " has a daughter that is not an earlier node");
      check(++used[c] == 1, "node " + std::to_string(c) + " is used twice");
    }
    check(t.dec_kind[d] >= 0 && t.dec_kind[d] <= 2, "decay kinds must be 0, 1 or 2");
    check(t.dec_mass[d] >= 0.0 && t.dec_width[d] >= 0.0, "propagator masses and widths must be >= 0");
    check(t.dec_kind[d] != phasespace::kBreitWigner || (t.dec_mass[d] > 0.0 && t.dec_width[d] > 0.0),
          "a Breit-Wigner decay needs mass > 0 and width > 0");
    check(t.dec_smin[d] >= 0.0 && t.dec_smax[d] > t.dec_smin[d], "decay windows need 0 <= smin < smax");
  }
  ip += 3 * D;
  fp += 4 * D;
  for (int j = 0; j < m; ++j) {
    t.cluster[j] = ip[j];
    check(t.cluster[j] >= 0 && t.cluster[j] < n + D, "cluster node out of range");
    check(++used[t.cluster[j]] == 1, "node " + std::to_string(t.cluster[j]) + " is used twice");
  }
  for (int c = 0; c < n + D; ++c) check(used[c] == 1, "node " + std::to_string(c) + " is not attached");
  ip += m;
  for (int j = 0; j < m - 1; ++j) {
    t.t_kind[j] = ip[j];
    t.t_mass[j] = fp[j];
    t.t_width[j] = fp[m - 1 + j];
    check(t.t_kind[j] >= 0 && t.t_kind[j] <= 2, "t-channel kinds must be 0, 1 or 2");
    check(t.t_mass[j] >= 0.0 && t.t_width[j] >= 0.0, "t-channel masses and widths must be >= 0");
    check(t.t_kind[j] != phasespace::kBreitWigner || t.t_mass[j] > 0.0, "a massive t-channel map needs mass > 0");
  }
  return t;
}

Collision make_collision(bool luminosity, double sqrt_s, double e1, double e2, double s_hat_min,
                         const ChannelTopology& t) {
  Collision c;
  c.luminosity = luminosity;
  c.sqrt_s = sqrt_s;
  c.e_beam1 = e1;
  c.e_beam2 = e2;
  c.s_hat_min = s_hat_min;
  if (luminosity) {
    if (!(e1 > 0.0 && e2 > 0.0)) throw std::invalid_argument("luminosity map: beam energies must be > 0");
    if (t.m_in[0] != 0.0 || t.m_in[1] != 0.0)
      throw std::invalid_argument("luminosity map: incoming partons must be massless");
  } else if (!(sqrt_s > 0.0)) {
    throw std::invalid_argument("fixed energy: sqrt_s must be > 0");
  }
  return c;
}

}  // namespace

void register_channels(py::module_& m) {
  m.def(
      "channel_dim",
      [](py::handle ints, py::handle floats) { return parse_topology(ints, floats).dim(); },
      py::arg("ints"), py::arg("floats"),
      "Validates a flat channel topology and returns its number of random numbers at fixed energy (3n - 4).");

  m.def(
      "channel_map",
      [](py::handle ints, py::handle floats, bool luminosity, double sqrt_s, double e1, double e2,
         double s_hat_min, py::handle r, py::handle momenta, py::handle x, py::handle weight) {
        const ChannelTopology t = parse_topology(ints, floats);
        const Collision c = make_collision(luminosity, sqrt_s, e1, e2, s_hat_min, t);
        const int dim = t.dim() + (luminosity ? 2 : 0);
        auto R = as_buffer<double>(r, "r", 2);
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto X = as_buffer<double>(x, "x", 2);
        auto W = as_buffer<double>(weight, "weight", 1);
        const index_t n = R.dim(0);
        require(R.dim(1) == dim && P.dim(0) == n && P.dim(1) == t.n_final + 2 && P.dim(2) == 4 && X.dim(0) == n &&
                    X.dim(1) == 2 && W.dim(0) == n,
                "channel_map: shapes must be r (n, " + std::to_string(dim) + "), momenta (n, " +
                    std::to_string(t.n_final + 2) + ", 4), x (n, 2), weight (n,)");
        launch(common_device(R, P, X, W), n, kernels::ChannelMap{t, c, dim, R.data, P.data, X.data, W.data});
      },
      py::arg("ints"), py::arg("floats"), py::arg("luminosity"), py::arg("sqrt_s"), py::arg("e_beam1"),
      py::arg("e_beam2"), py::arg("s_hat_min"), py::arg("r"), py::arg("momenta"), py::arg("x"), py::arg("weight"),
      "Channel mapping r -> (momenta, x, weight), written into the given arrays.");

  m.def(
      "channel_inverse",
      [](py::handle ints, py::handle floats, bool luminosity, double sqrt_s, double e1, double e2,
         double s_hat_min, py::handle momenta, py::handle r, py::handle x, py::handle weight) {
        const ChannelTopology t = parse_topology(ints, floats);
        const Collision c = make_collision(luminosity, sqrt_s, e1, e2, s_hat_min, t);
        const int dim = t.dim() + (luminosity ? 2 : 0);
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto R = as_buffer<double>(r, "r", 2);
        auto X = as_buffer<double>(x, "x", 2);
        auto W = as_buffer<double>(weight, "weight", 1);
        const index_t n = P.dim(0);
        require(R.dim(0) == n && R.dim(1) == dim && P.dim(1) == t.n_final + 2 && P.dim(2) == 4 && X.dim(0) == n &&
                    X.dim(1) == 2 && W.dim(0) == n,
                "channel_inverse: shapes must be momenta (n, " + std::to_string(t.n_final + 2) + ", 4), r (n, " +
                    std::to_string(dim) + "), x (n, 2), weight (n,)");
        launch(common_device(R, P, X, W), n, kernels::ChannelInverse{t, c, dim, P.data, R.data, X.data, W.data});
      },
      py::arg("ints"), py::arg("floats"), py::arg("luminosity"), py::arg("sqrt_s"), py::arg("e_beam1"),
      py::arg("e_beam2"), py::arg("s_hat_min"), py::arg("momenta"), py::arg("r"), py::arg("x"), py::arg("weight"),
      "Inverse channel mapping momenta -> (r, x, weight), written into the given arrays.");

  m.def(
      "rambo",
      [](double sqrt_s, std::vector<double> m_in, std::vector<double> m_out, py::handle r, py::handle momenta,
         py::handle weight) {
        const int nf = static_cast<int>(m_out.size());
        require(nf >= 2 && nf <= kMaxChannelFinal, "rambo: between 2 and 12 final-state particles");
        require(m_in.size() == 2, "rambo: m_in must have two entries");
        require(sqrt_s > 0.0, "rambo: sqrt_s must be > 0");
        phasespace::RamboSetup setup;
        setup.n_final = nf;
        setup.sqrt_s = sqrt_s;
        setup.m_in[0] = m_in[0];
        setup.m_in[1] = m_in[1];
        for (int i = 0; i < nf; ++i) {
          require(m_out[i] >= 0.0, "rambo: masses must be >= 0");
          setup.m_out[i] = m_out[i];
          setup.massive = setup.massive || m_out[i] > 0.0;
        }
        setup.w0 = phasespace::massless_volume(nf, sqrt_s * sqrt_s);
        auto R = as_buffer<double>(r, "r", 2);
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto W = as_buffer<double>(weight, "weight", 1);
        const index_t n = R.dim(0);
        require(R.dim(1) == 4 * nf && P.dim(0) == n && P.dim(1) == nf + 2 && P.dim(2) == 4 && W.dim(0) == n,
                "rambo: shapes must be r (n, 4 n_final), momenta (n, n_final + 2, 4), weight (n,)");
        launch(common_device(R, P, W), n, kernels::RamboMap{setup, R.data, P.data, W.data});
      },
      py::arg("sqrt_s"), py::arg("m_in"), py::arg("m_out"), py::arg("r"), py::arg("momenta"), py::arg("weight"),
      "RAMBO flat n-body phase space r -> (momenta, weight) in the centre-of-mass frame.");

  m.def(
      "massless_volume", [](int n, double s) { return phasespace::massless_volume(n, s); }, py::arg("n"),
      py::arg("s"), "Massless n-body phase-space volume (GeV^(2n-4)), (2 pi)^(4-3n) convention.");

  m.def(
      "propagator_weights",
      [](py::handle momenta, py::handle legs, py::handle t_channel, py::handle mass2, py::handle mass_width2,
         py::handle columns, py::handle log_den, py::handle alpha) {
        auto P = as_buffer<double>(momenta, "momenta", 3);
        auto L = as_buffer<std::int32_t>(legs, "legs", 1);
        auto T = as_buffer<std::int32_t>(t_channel, "t_channel", 1);
        auto M2 = as_buffer<double>(mass2, "mass2", 1);
        auto MW2 = as_buffer<double>(mass_width2, "mass_width2", 1);
        auto C = as_buffer<std::int32_t>(columns, "columns", 2);
        auto LD = as_buffer<double>(log_den, "log_den", 2);
        auto A = as_buffer<double>(alpha, "alpha", 2);
        const index_t n = P.dim(0), n_props = L.dim(0), n_channels = C.dim(0);
        require(P.dim(2) == 4 && P.dim(1) >= 3 && P.dim(1) <= 33 && T.dim(0) == n_props && M2.dim(0) == n_props &&
                    MW2.dim(0) == n_props && LD.dim(0) == n && LD.dim(1) == n_props && A.dim(0) == n &&
                    A.dim(1) == n_channels && n_channels >= 1,
                "propagator_weights: shapes must be momenta (n, n_particles, 4), legs, t_channel, mass2, "
                "mass_width2 (n_props,), columns (n_channels, width), log_den (n, n_props), alpha (n, n_channels)");
        launch(common_device(P, L, T, M2, MW2, C, LD, A), n,
               kernels::PropagatorWeights{P.data, static_cast<int>(P.dim(1)), static_cast<int>(n_props), L.data,
                                          T.data, M2.data, MW2.data, static_cast<int>(n_channels),
                                          static_cast<int>(C.dim(1)), C.data, LD.data, A.data});
      },
      py::arg("momenta"), py::arg("legs"), py::arg("t_channel"), py::arg("mass2"), py::arg("mass_width2"),
      py::arg("columns"), py::arg("log_den"), py::arg("alpha"),
      "Channel weights from propagator denominators (sde_strategy = 2): alpha (n, n_channels), rows summing to 1; "
      "see madnis_py/channels/enhancement.py.");
}

}  // namespace madnis::bind
