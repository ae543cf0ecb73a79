// RAMBO: flat n-body phase space (Kleiss, Stirling, Ellis, Comput. Phys. Commun. 40 (1986) 359), one event
// per call, massless or massive final states, in the partonic centre-of-mass frame (p_a along +z).
// 4n random numbers per event; not invertible (many r give the same momenta).
// Weight: dPhi_n / d^(4n) r in GeV^(2n-4), same (2 pi)^(4-3n) convention as channel.h: constant
//   w0 = (2 pi)^(4-3n) (pi/2)^(n-1) s^(n-2) / ((n-1)! (n-2)!) for massless particles, and
//   w0 xi^(2n-3) prod(|p_i| / E_i) sqrt(s) / sum(|p_i|^2 / E_i) for massive ones (xi: the momentum rescaling).
#pragma once
#include <cmath>
#include "core/hostdevice.h"
#include "core/lorentz.h"
#include "phasespace/channel.h"
#include "phasespace/frames.h"
#include "phasespace/topology.h"

namespace madnis::phasespace {

struct RamboSetup {
  int n_final = 0;
  double sqrt_s = 0.0;                  ///< GeV
  double m_in[2] = {0.0, 0.0};          ///< GeV
  double m_out[kMaxChannelFinal] = {};  ///< GeV
  bool massive = false;                 ///< any m_out > 0
  double w0 = 0.0;                      ///< massless weight (GeV^(2n-4)), set by the host
};

/// Massless n-body phase-space volume (GeV^(2n-4)) in the convention above.
MADNIS_HD MADNIS_INLINE double massless_volume(int n, double s) {
  double v = std::pow(2.0 * M_PI, 4.0 - 3.0 * n) * std::pow(0.5 * M_PI, n - 1.0) * std::pow(s, n - 2.0);
  for (int k = 2; k < n; ++k) v /= static_cast<double>(k);      // (n-1)!
  for (int k = 2; k < n - 1; ++k) v /= static_cast<double>(k);  // (n-2)!
  return v;
}

/// One RAMBO event. r: 4n numbers; p_out: (n+2)*4. Returns the weight (0 below threshold).
MADNIS_HD inline double rambo_forward(const RamboSetup& rs_, const double* r, double* p_out) {
  const int n = rs_.n_final;
  const double rs = rs_.sqrt_s, s = rs * rs;
  double msum = 0.0;
  for (int i = 0; i < n; ++i) msum += rs_.m_out[i];
  if (!(rs > msum) || !(rs > rs_.m_in[0] + rs_.m_in[1])) {
    for (int k = 0; k < 4 * (n + 2); ++k) p_out[k] = 0.0;
    return 0.0;
  }
  incoming_cm(s, rs_.m_in[0], rs_.m_in[1], p_out, p_out + 4);
  // isotropic massless q_i with energies distributed as q0 exp(-q0)
  double Q[4] = {0.0, 0.0, 0.0, 0.0};
  double* q = p_out + 8;
  for (int i = 0; i < n; ++i) {
    const double c = 2.0 * r[4 * i] - 1.0, sn = std::sqrt(std::fmax(0.0, (1.0 - c) * (1.0 + c)));
    const double phi = 2.0 * M_PI * r[4 * i + 1];
    const double e = -std::log((1.0 - r[4 * i + 2]) * (1.0 - r[4 * i + 3]));
    double* qi = q + 4 * i;
    qi[0] = e;
    qi[1] = e * sn * std::cos(phi);
    qi[2] = e * sn * std::sin(phi);
    qi[3] = e * c;
    for (int k = 0; k < 4; ++k) Q[k] += qi[k];
  }
  // conformal transformation onto total momentum (sqrt(s), 0, 0, 0)
  const double M = std::sqrt(dot4(Q, Q)), b[3] = {-Q[1] / M, -Q[2] / M, -Q[3] / M};
  const double g = Q[0] / M, a = 1.0 / (1.0 + g), xs = rs / M;
  for (int i = 0; i < n; ++i) {
    double* qi = q + 4 * i;
    const double bq = b[0] * qi[1] + b[1] * qi[2] + b[2] * qi[3];
    const double e = xs * (g * qi[0] + bq);
    for (int k = 1; k < 4; ++k) qi[k] = xs * (qi[k] + b[k - 1] * qi[0] + a * bq * b[k - 1]);
    qi[0] = e;
  }
  if (!rs_.massive) return rs_.w0;
  // massive: rescale the 3-momenta by xi, sum_i sqrt(m_i^2 + xi^2 E_i^2) = sqrt(s) (Newton)
  double xi = std::sqrt(std::fmax(0.0, 1.0 - (msum / rs) * (msum / rs)));
  for (int it = 0; it < 60; ++it) {
    double f = -rs, df = 0.0;
    for (int i = 0; i < n; ++i) {
      const double e0 = q[4 * i], m = rs_.m_out[i], e = std::sqrt(m * m + xi * xi * e0 * e0);
      f += e;
      df += xi * e0 * e0 / e;
    }
    const double step = f / df;
    xi -= step;
    if (std::fabs(step) <= 1e-15 * xi) break;
  }
  double prod = 1.0, sum = 0.0;
  for (int i = 0; i < n; ++i) {
    double* qi = q + 4 * i;
    const double m = rs_.m_out[i], v = xi * qi[0], e = std::sqrt(m * m + v * v);
    for (int k = 1; k < 4; ++k) qi[k] *= xi;
    qi[0] = e;
    prod *= v / e;
    sum += v * v / e;
  }
  return rs_.w0 * std::pow(xi, 2.0 * n - 3.0) * prod * rs / sum;
}

}  // namespace madnis::phasespace
