// Phase-space building blocks, one event per call.
#pragma once
#include <cmath>
#include "core/hostdevice.h"
#include "core/lorentz.h"

namespace madnis::kernels {

/// 2 -> 2 in the centre-of-mass frame from two uniform numbers (cos theta, phi), flat in solid angle.
/// In:  r (n, 2) in [0,1]^2, sqrt_s (n,) GeV; masses m1, m2 (incoming), m3, m4 (outgoing) GeV.
/// Out: momenta (n, 4, 4) = (p1, p2, p3, p4) with p1 along +z, p2 along -z; weight (n,) = dPhi_2 / d^2r
///      in GeV^0, i.e. |p| / (4 pi sqrt_s) (zero below threshold).
struct TwoToTwoCM {
  const double* r;
  const double* sqrt_s;
  double m1, m2, m3, m4;
  double* momenta;
  double* weight;

  MADNIS_HD void operator()(index_t i) const {
    const double rs = sqrt_s[i], s = rs * rs;
    double* p = momenta + 16 * i;
    const double lam_in = kaellen(s, m1 * m1, m2 * m2), lam_out = kaellen(s, m3 * m3, m4 * m4);
    if (!(rs > m3 + m4) || !(rs > m1 + m2) || lam_out <= 0.0) {
      for (int k = 0; k < 16; ++k) p[k] = 0.0;
      weight[i] = 0.0;
      return;
    }
    const double pin = std::sqrt(lam_in) / (2.0 * rs), pout = std::sqrt(lam_out) / (2.0 * rs);
    const double cos_t = 2.0 * r[2 * i] - 1.0, sin_t = std::sqrt(std::fmax(0.0, 1.0 - cos_t * cos_t));
    const double phi = 2.0 * M_PI * r[2 * i + 1];
    const double e1 = (s + m1 * m1 - m2 * m2) / (2.0 * rs), e3 = (s + m3 * m3 - m4 * m4) / (2.0 * rs);
    const double px = pout * sin_t * std::cos(phi), py = pout * sin_t * std::sin(phi), pz = pout * cos_t;
    const double in[16] = {e1, 0.0, 0.0, pin, rs - e1, 0.0, 0.0, -pin, e3, px, py, pz, rs - e3, -px, -py, -pz};
    for (int k = 0; k < 16; ++k) p[k] = in[k];
    weight[i] = pout / (4.0 * M_PI * rs);
  }
};

}  // namespace madnis::kernels
