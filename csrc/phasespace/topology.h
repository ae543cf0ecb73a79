// The propagator structure of one multi-channel phase-space channel (one Feynman diagram, MadEvent's
// single-diagram enhancement), as a fixed-size struct that is copied by value into CPU and CUDA kernels.
//
// Process 2 -> n, momenta (E, px, py, pz) in GeV, ordered: p_a (index 0), p_b (index 1), then the n final
// legs (indices 2 .. n+1). Inside the channel the final legs are *nodes* 0 .. n-1 (node i = momentum 2+i),
// and every s-channel propagator is a node n + d (d = 0 .. n_decays-1) that decays into two earlier
// nodes (dec_d1, dec_d2): the decays are listed bottom-up, daughters before parents.
//
// The diagram's top level is a t-channel chain between the two incoming legs:
//
//     p_a ──┬── k_1                 t_j = (p_a - k_1 - ... - k_j)^2,   j = 1 .. m-1,
//           │ t_1                   k_j = cluster[j-1]: a final leg or an s-channel node,
//           ├── k_2                 m = n_clusters >= 2, sum_j k_j = p_a + p_b.
//           │ t_2
//           ...
//           ├── k_{m-1}
//           │ t_{m-1}
//     p_b ──┴── k_m
//
// A pure s-channel diagram (all final legs below one propagator carrying p_a + p_b) is the chain with
// m = 2 clusters (the root's two daughters) and one dummy t of kind kFlat (flat in cos theta); the root's
// mass and width are kept (root_kind/mass/width) for the map of s_hat = x1 x2 S in hadron collisions.
// Vertices with more than two daughters are split by the Python layer into two-body steps joined by
// dummy propagators (kind kPower, massless).
//
// Maps (kinds) of the invariants:
//   s-channel decay d : kFlat (flat in s), kPower (density ~ s^-nu), kBreitWigner (arctan map in s with
//                       mass, width); the window [dec_smin, dec_smax] (GeV^2) intersects the kinematic
//                       limits (MadGraph's bwcutoff for forced on-shell resonances; [0, inf] otherwise).
//   t-channel t_j     : kFlat (flat in t), kPower (massless: density ~ (-t)^-nu), kBreitWigner (massive:
//                       density ~ 1/((m^2 - t)^2 + a^2) with a = m * width, or a = m^2 for width 0).
//   root (s_hat)      : kPower (density ~ s_hat^-nu) or kBreitWigner (mass, width); only with a luminosity map.
#pragma once
#include "core/hostdevice.h"

namespace madnis::phasespace {

/// Largest number of final-state particles a channel may have.
constexpr int kMaxChannelFinal = 12;
constexpr int kMaxChannelNodes = 2 * kMaxChannelFinal;

enum MapKind : int { kFlat = 0, kPower = 1, kBreitWigner = 2 };

struct ChannelTopology {
  int n_final = 0;     ///< n, number of final-state legs
  int n_decays = 0;    ///< number of s-channel propagators (two-body decays)
  int n_clusters = 0;  ///< m, number of clusters attached to the t-channel chain (>= 2)
  int root_kind = kPower;
  double root_mass = 0.0, root_width = 0.0;  ///< GeV, used for the s_hat map in hadron collisions
  double nu = 0.8;                           ///< power-law exponent of kPower maps, 0 <= nu < 1
  double m_in[2] = {0.0, 0.0};               ///< incoming masses (GeV)
  double m_out[kMaxChannelFinal] = {};       ///< final-state masses (GeV)
  int dec_d1[kMaxChannelFinal] = {}, dec_d2[kMaxChannelFinal] = {}, dec_kind[kMaxChannelFinal] = {};
  double dec_mass[kMaxChannelFinal] = {}, dec_width[kMaxChannelFinal] = {};
  double dec_smin[kMaxChannelFinal] = {}, dec_smax[kMaxChannelFinal] = {};
  int cluster[kMaxChannelFinal] = {};  ///< node ids k_1 .. k_m along the chain from p_a to p_b
  int t_kind[kMaxChannelFinal] = {};
  double t_mass[kMaxChannelFinal] = {}, t_width[kMaxChannelFinal] = {};

  /// Random numbers per event at fixed partonic energy: 3 n - 4.
  MADNIS_HD int dim() const { return 3 * n_final - 4; }
};

/// How the partonic centre-of-mass energy is obtained.
///   fixed      : sqrt_s is the partonic energy (lepton collisions); momenta in the centre-of-mass frame,
///                p_a along +z; x1 = x2 = 1.
///   luminosity : hadron collisions with beams of energies e_beam1 (+z) and e_beam2 (-z), S = 4 e1 e2;
///                two extra random numbers (first in r) give s_hat = x1 x2 S in [s_hat_min, S] (root map)
///                and the rapidity y = ln(x1/x2)/2 flat in [ln(tau)/2, -ln(tau)/2]; momenta in the lab
///                frame; massless partons p_a = x1 e1 (1,0,0,1), p_b = x2 e2 (1,0,0,-1).
struct Collision {
  bool luminosity = false;
  double sqrt_s = 0.0;             ///< fixed: partonic energy (GeV)
  double e_beam1 = 0.0, e_beam2 = 0.0;  ///< luminosity: beam energies (GeV)
  double s_hat_min = 0.0;          ///< luminosity: lower limit of s_hat (GeV^2), raised to (sum m_out)^2
};

}  // namespace madnis::phasespace
