// Frames for the phase-space mappings: pure boosts into and out of a rest frame, longitudinal boosts,
// and the minimal rotation that takes the z axis onto a unit vector n (Rodrigues; singular only at n = -z).
#pragma once
#include <cmath>
#include "core/hostdevice.h"
#include "core/lorentz.h"

namespace madnis::phasespace {

MADNIS_HD MADNIS_INLINE void copy4(double* dst, const double* src) {
  for (int k = 0; k < 4; ++k) dst[k] = src[k];
}
MADNIS_HD MADNIS_INLINE double norm3(const double* p) { return std::sqrt(p[1] * p[1] + p[2] * p[2] + p[3] * p[3]); }

/// Boosts p (in place) into the rest frame of q (mass m > 0): the inverse of boost_from_rest(p, q, m).
MADNIS_HD MADNIS_INLINE void boost_to_rest(double* p, const double* q, double m) {
  const double qbar[4] = {q[0], -q[1], -q[2], -q[3]};
  boost_from_rest(p, qbar, m);
}

/// Boosts p (in place) along z by rapidity eta.
MADNIS_HD MADNIS_INLINE void boost_z(double* p, double eta) {
  const double c = std::cosh(eta), s = std::sinh(eta);
  const double e = p[0] * c + p[3] * s, z = p[3] * c + p[0] * s;
  p[0] = e;
  p[3] = z;
}

/// Rotates the 3-vector part of p (in place) by R(n), R z = n, |n| = 1 (direction = +1), or by R(n)^T
/// (direction = -1). R is the rotation about z x n, continuous in n except at n = -z.
MADNIS_HD MADNIS_INLINE void rotate_z_to(double* p, const double* n, int direction) {
  const double nx = n[0], ny = n[1], nz = n[2];
  const double c = 1.0 / (1.0 + nz);
  const double r00 = 1.0 - nx * nx * c, r01 = -nx * ny * c, r11 = 1.0 - ny * ny * c;
  const double x = p[1], y = p[2], z = p[3];
  if (direction > 0) {
    p[1] = r00 * x + r01 * y + nx * z;
    p[2] = r01 * x + r11 * y + ny * z;
    p[3] = -nx * x - ny * y + nz * z;
  } else {
    p[1] = r00 * x + r01 * y - nx * z;
    p[2] = r01 * x + r11 * y - ny * z;
    p[3] = nx * x + ny * y + nz * z;
  }
}

/// (1 - cos theta) of p with respect to +z, without cancellation for theta near 0.
MADNIS_HD MADNIS_INLINE double one_minus_cos(const double* p) {
  const double a = norm3(p);
  if (!(a > 0.0)) return 1.0;
  if (p[3] <= 0.0) return 1.0 - p[3] / a;
  return pt2(p) / (a * (a + p[3]));
}

/// (1 + cos theta) of p with respect to +z, without cancellation for theta near pi.
MADNIS_HD MADNIS_INLINE double one_plus_cos(const double* p) {
  const double a = norm3(p);
  if (!(a > 0.0)) return 1.0;
  if (p[3] >= 0.0) return 1.0 + p[3] / a;
  return pt2(p) / (a * (a - p[3]));
}

/// Azimuth of p in [0, 2 pi).
MADNIS_HD MADNIS_INLINE double azimuth(const double* p) {
  double phi = std::atan2(p[2], p[1]);
  return phi < 0.0 ? phi + 2.0 * M_PI : phi;
}

/// Square root of the Kaellen function, 0 where it is negative by rounding.
MADNIS_HD MADNIS_INLINE double sqrt_kaellen(double a, double b, double c) {
  const double l = kaellen(a, b, c);
  return l > 0.0 ? std::sqrt(l) : 0.0;
}

}  // namespace madnis::phasespace
