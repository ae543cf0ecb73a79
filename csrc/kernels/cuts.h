// MadGraph's generation cuts (run_card ptj, etal, drll, mmll, ...) evaluated per event.
#pragma once
#include <cmath>
#include <cstdint>
#include "core/hostdevice.h"
#include "core/lorentz.h"

namespace madnis::kernels {

/// Cut classes of final-state particles, as MadGraph sorts them for its cuts.
enum CutClass : int { kNone = 0, kJet = 1, kBottom = 2, kPhoton = 3, kLepton = 4, kNumClasses = 5 };
constexpr int kMaxFinal = 16;

/// The cut specification of one subprocess, passed by value (no device copies). A max of -1 means no cut.
struct CutSpec {
  int n_final = 0;                        // number of final-state particles
  int cls[kMaxFinal] = {};                // CutClass of each final-state particle
  int pdg[kMaxFinal] = {};                // PDG code of each final-state particle
  double pt_min[kNumClasses] = {}, pt_max[kNumClasses] = {};
  double eta_min[kNumClasses] = {}, eta_max[kNumClasses] = {};  // on |eta|
  double dr_min[kNumClasses][kNumClasses] = {}, dr_max[kNumClasses][kNumClasses] = {};
  double m_min[kNumClasses][kNumClasses] = {}, m_max[kNumClasses][kNumClasses] = {};
};

MADNIS_HD MADNIS_INLINE bool outside(double x, double lo, double hi) { return x < lo || (hi >= 0.0 && x > hi); }

/// In: momenta (n, n_in + n_final, 4); out: pass (n,) 1 if the event passes every cut, else 0.
/// Invariant-mass cuts on lepton pairs apply to same-flavour, opposite-charge pairs only (MadGraph's mmll).
struct ApplyCuts {
  CutSpec spec;
  int n_particles;  // incoming + outgoing
  const double* momenta;
  std::uint8_t* pass;

  MADNIS_HD void operator()(index_t i) const {
    const double* p = momenta + 4 * (i * n_particles + (n_particles - spec.n_final));
    bool ok = true;
    for (int a = 0; a < spec.n_final && ok; ++a) {
      const int c = spec.cls[a];
      if (c == kNone) continue;
      const double* pa = p + 4 * a;
      ok = !outside(pt(pa), spec.pt_min[c], spec.pt_max[c]) &&
           !outside(std::fabs(pseudorapidity(pa)), spec.eta_min[c], spec.eta_max[c]);
      for (int b = a + 1; b < spec.n_final && ok; ++b) {
        const int d = spec.cls[b];
        if (d == kNone) continue;
        const double* pb = p + 4 * b;
        ok = !outside(delta_r(pa, pb), spec.dr_min[c][d], spec.dr_max[c][d]);
        const bool mass_pair = c == d && (c != kLepton || spec.pdg[a] == -spec.pdg[b]);
        if (ok && mass_pair && (spec.m_min[c][d] > 0.0 || spec.m_max[c][d] >= 0.0)) {
          double q[4] = {pa[0] + pb[0], pa[1] + pb[1], pa[2] + pb[2], pa[3] + pb[3]};
          ok = !outside(std::sqrt(std::fmax(0.0, dot4(q, q))), spec.m_min[c][d], spec.m_max[c][d]);
        }
      }
    }
    pass[i] = ok ? 1 : 0;
  }
};

}  // namespace madnis::kernels
