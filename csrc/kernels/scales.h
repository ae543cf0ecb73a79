// Dynamical scales of MadGraph's run_card (dynamical_scale_choice), one event per call.
#pragma once
#include <cmath>
#include "core/hostdevice.h"
#include "core/lorentz.h"

namespace madnis::kernels {

/// dynamical_scale_choice values, as MadGraph numbers them.
enum ScaleChoice : int {
  kCentralMt = -1,         // MadGraph's default at LO for a 2 -> 2 core: see CentralTransverseMass below
  kTotalEt = 1,            // sum over final-state particles of E_T = E pT / |p|
  kSumMt = 2,              // H_T = sum of m_T = sqrt(m^2 + pT^2)
  kHalfSumMt = 3,          // H_T / 2
  kPartonicEnergy = 4,     // sqrt(s-hat)
};

/// In: momenta (n, n_particles, 4), incoming first; out: scale (n,) in GeV, times `factor` (scalefact).
/// kCentralMt on a 2 -> 2 event: the geometric mean of the two final-state m_T (MadGraph's central m_T
/// scale for a pair of heavy particles; pT of the pair for massless ones); `single_resonance` = true
/// when the whole final state comes from one colourless s-channel resonance (Drell-Yan-like), where
/// MadGraph's clustering leaves one particle of mass sqrt(s-hat) at pT = 0, so the scale is sqrt(s-hat).
struct DynamicalScale {
  const double* momenta;
  int n_particles;
  int choice;
  bool single_resonance;
  double factor;
  double* scale;

  MADNIS_HD void operator()(index_t i) const {
    const double* p = momenta + 4 * n_particles * i;
    double q[4] = {p[0] + p[4], p[1] + p[5], p[2] + p[6], p[3] + p[7]};
    const double shat = dot4(q, q);
    double mu = 0.0;
    if (choice == kPartonicEnergy || (choice == kCentralMt && single_resonance)) {
      mu = std::sqrt(std::fmax(shat, 0.0));
    } else if (choice == kCentralMt) {
      const double* a = p + 8;
      const double* b = p + 12;
      const double mt_a = std::sqrt(std::fmax(dot4(a, a), 0.0) + pt2(a));
      const double mt_b = std::sqrt(std::fmax(dot4(b, b), 0.0) + pt2(b));
      mu = std::sqrt(mt_a * mt_b);
    } else {
      for (int k = 2; k < n_particles; ++k) {
        const double* a = p + 4 * k;
        const double pt_a = pt(a);
        if (choice == kTotalEt) {
          const double pabs = std::sqrt(pt2(a) + a[3] * a[3]);
          mu += pabs > 0.0 ? a[0] * pt_a / pabs : 0.0;
        } else {
          mu += std::sqrt(std::fmax(dot4(a, a), 0.0) + pt_a * pt_a);
        }
      }
      if (choice == kHalfSumMt) mu *= 0.5;
    }
    scale[i] = factor * mu;
  }
};

}  // namespace madnis::kernels
