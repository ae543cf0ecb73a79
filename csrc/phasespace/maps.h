// One-dimensional maps of a uniform r in [0, 1] onto an invariant in [lo, hi], each with its inverse.
// Every function returns the invariant (or r) and writes the Jacobian d(invariant)/dr (> 0) to *jac;
// a Jacobian of 0 marks an empty or invalid range. Forward and inverse share the same formulas, so the
// Jacobians of a round trip agree to rounding.
#pragma once
#include <cmath>
#include "core/hostdevice.h"

namespace madnis::phasespace {

MADNIS_HD MADNIS_INLINE double clamp01(double r) { return r < 0.0 ? 0.0 : (r > 1.0 ? 1.0 : r); }
MADNIS_HD MADNIS_INLINE double clamp(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

/// Inverse maps accept an invariant up to this relative distance outside [lo, hi] (rounding in momenta that
/// a forward map put on the boundary) and clamp it; further out the point is outside the channel (jac = 0).
constexpr double kRangeTolerance = 1e-10;

MADNIS_HD MADNIS_INLINE bool inside(double* v, double lo, double hi) {
  const double tol = kRangeTolerance * (std::fabs(lo) + std::fabs(hi));
  if (!(*v >= lo - tol && *v <= hi + tol)) return false;
  *v = clamp(*v, lo, hi);
  return true;
}

/// Power law on v in [lo, hi], lo >= 0: density ~ v^-nu (nu = 0: flat; nu = 1: logarithmic, needs lo > 0).
MADNIS_HD MADNIS_INLINE double power_forward(double r, double lo, double hi, double nu, double* jac) {
  if (!(hi > lo) || lo < 0.0) {
    *jac = 0.0;
    return lo;
  }
  if (nu == 0.0) {
    *jac = hi - lo;
    return lo + r * (hi - lo);
  }
  if (nu == 1.0) {
    if (!(lo > 0.0)) {
      *jac = 0.0;
      return lo;
    }
    const double l = std::log(hi / lo), v = clamp(lo * std::exp(r * l), lo, hi);
    *jac = v * l;
    return v;
  }
  const double a = 1.0 - nu, A = std::pow(lo, a), B = std::pow(hi, a);
  const double v = clamp(std::pow(A + r * (B - A), 1.0 / a), lo, hi);
  *jac = (B - A) / a * std::pow(v, nu);
  return v;
}

MADNIS_HD MADNIS_INLINE double power_inverse(double v, double lo, double hi, double nu, double* jac) {
  if (!(hi > lo) || lo < 0.0 || !inside(&v, lo, hi)) {
    *jac = 0.0;
    return 0.5;
  }
  if (nu == 0.0) {
    *jac = hi - lo;
    return clamp01((v - lo) / (hi - lo));
  }
  if (nu == 1.0) {
    if (!(lo > 0.0)) {
      *jac = 0.0;
      return 0.5;
    }
    const double l = std::log(hi / lo);
    *jac = v * l;
    return clamp01(std::log(v / lo) / l);
  }
  const double a = 1.0 - nu, A = std::pow(lo, a), B = std::pow(hi, a);
  *jac = (B - A) / a * std::pow(v, nu);
  return clamp01((std::pow(v, a) - A) / (B - A));
}

/// Breit-Wigner in s on [lo, hi]: density ~ 1/((s - m^2)^2 + m^2 w^2), s = m^2 + m w tan(phi).
MADNIS_HD MADNIS_INLINE double bw_forward(double r, double lo, double hi, double mass, double width, double* jac) {
  if (!(hi > lo)) {
    *jac = 0.0;
    return lo;
  }
  const double m2 = mass * mass, mw = mass * width;
  const double f_lo = std::atan((lo - m2) / mw), f_hi = std::atan((hi - m2) / mw);
  double s = m2 + mw * std::tan(f_lo + r * (f_hi - f_lo));
  s = clamp(s, lo, hi);
  const double d = s - m2;
  *jac = (f_hi - f_lo) * (d * d + mw * mw) / mw;
  return s;
}

MADNIS_HD MADNIS_INLINE double bw_inverse(double s, double lo, double hi, double mass, double width, double* jac) {
  if (!(hi > lo) || !inside(&s, lo, hi)) {
    *jac = 0.0;
    return 0.5;
  }
  const double m2 = mass * mass, mw = mass * width;
  const double f_lo = std::atan((lo - m2) / mw), f_hi = std::atan((hi - m2) / mw);
  const double d = s - m2;
  *jac = (f_hi - f_lo) * (d * d + mw * mw) / mw;
  return clamp01((std::atan(d / mw) - f_lo) / (f_hi - f_lo));
}

/// Breit-Wigner-like map on v in [lo, hi], lo >= 0, for t-channel propagators (v = m^2 - t >= 0 far from
/// the pole): density ~ a / (v^2 + a^2), through psi = atan2(a, v), which stays precise for v >> a.
MADNIS_HD MADNIS_INLINE double tbw_forward(double r, double lo, double hi, double a, double* jac) {
  if (!(hi > lo) || lo < 0.0) {
    *jac = 0.0;
    return lo;
  }
  const double p_hi = std::atan2(a, lo), p_lo = std::atan2(a, hi);
  const double psi = p_hi - r * (p_hi - p_lo);
  double v = a * std::cos(psi) / std::sin(psi);
  v = clamp(v, lo, hi);
  *jac = (p_hi - p_lo) * (v * v + a * a) / a;
  return v;
}

MADNIS_HD MADNIS_INLINE double tbw_inverse(double v, double lo, double hi, double a, double* jac) {
  if (!(hi > lo) || lo < 0.0 || !inside(&v, lo, hi)) {
    *jac = 0.0;
    return 0.5;
  }
  const double p_hi = std::atan2(a, lo), p_lo = std::atan2(a, hi);
  *jac = (p_hi - p_lo) * (v * v + a * a) / a;
  return clamp01((p_hi - std::atan2(a, v)) / (p_hi - p_lo));
}

/// An s-like invariant in [lo, hi] (GeV^2) with kind kFlat / kPower / kBreitWigner.
MADNIS_HD MADNIS_INLINE double s_forward(int kind, double r, double lo, double hi, double nu, double mass,
                                         double width, double* jac) {
  if (kind == 2) return bw_forward(r, lo, hi, mass, width, jac);
  return power_forward(r, lo, hi, kind == 1 ? nu : 0.0, jac);
}

MADNIS_HD MADNIS_INLINE double s_inverse(int kind, double s, double lo, double hi, double nu, double mass,
                                         double width, double* jac) {
  if (kind == 2) return bw_inverse(s, lo, hi, mass, width, jac);
  return power_inverse(s, lo, hi, kind == 1 ? nu : 0.0, jac);
}

/// The t-channel variable v = (m^2 - t) - shift in [lo, hi] (lo >= 0), kind kFlat / kPower / kBreitWigner.
MADNIS_HD MADNIS_INLINE double v_forward(int kind, double r, double lo, double hi, double nu, double a, double* jac) {
  if (kind == 2) return tbw_forward(r, lo, hi, a, jac);
  return power_forward(r, lo, hi, kind == 1 ? nu : 0.0, jac);
}

MADNIS_HD MADNIS_INLINE double v_inverse(int kind, double v, double lo, double hi, double nu, double a, double* jac) {
  if (kind == 2) return tbw_inverse(v, lo, hi, a, jac);
  return power_inverse(v, lo, hi, kind == 1 ? nu : 0.0, jac);
}

}  // namespace madnis::phasespace
