// Four-vectors as plain double[4] = (E, px, py, pz) in GeV; metric (+,-,-,-).
#pragma once
#include <cmath>
#include "core/hostdevice.h"

namespace madnis {

MADNIS_HD MADNIS_INLINE double dot4(const double* a, const double* b) {
  return a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
}
MADNIS_HD MADNIS_INLINE double pt2(const double* p) { return p[1] * p[1] + p[2] * p[2]; }
MADNIS_HD MADNIS_INLINE double pt(const double* p) { return std::sqrt(pt2(p)); }

/// Pseudorapidity; +-1e9 for momenta along the beam axis.
MADNIS_HD MADNIS_INLINE double pseudorapidity(const double* p) {
  double pt_ = pt(p);
  if (pt_ <= 0.0) return p[3] >= 0.0 ? 1e9 : -1e9;
  return std::asinh(p[3] / pt_);
}
MADNIS_HD MADNIS_INLINE double rapidity(const double* p) { return 0.5 * std::log((p[0] + p[3]) / (p[0] - p[3])); }

/// Azimuthal difference folded into [0, pi].
MADNIS_HD MADNIS_INLINE double delta_phi(const double* a, const double* b) {
  double d = std::fabs(std::atan2(a[2], a[1]) - std::atan2(b[2], b[1]));
  return d > M_PI ? 2.0 * M_PI - d : d;
}
/// Delta R in (pseudorapidity, phi), as MadGraph's cuts use it.
MADNIS_HD MADNIS_INLINE double delta_r(const double* a, const double* b) {
  double de = pseudorapidity(a) - pseudorapidity(b), dp = delta_phi(a, b);
  return std::sqrt(de * de + dp * dp);
}

/// Boosts p (in place) from the rest frame of q (q^2 = m^2 > 0) into the frame where q has momentum q.
MADNIS_HD MADNIS_INLINE void boost_from_rest(double* p, const double* q, double m) {
  double bp = (q[1] * p[1] + q[2] * p[2] + q[3] * p[3]);
  double e = (q[0] * p[0] + bp) / m;
  double f = (p[0] + e) / (q[0] + m);
  p[0] = e;
  p[1] += f * q[1];
  p[2] += f * q[2];
  p[3] += f * q[3];
}

/// Kaellen function lambda(a, b, c).
MADNIS_HD MADNIS_INLINE double kaellen(double a, double b, double c) {
  return a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c);
}

}  // namespace madnis
