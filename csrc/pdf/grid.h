// An LHAPDF6 `lhagrid1` member in one contiguous array, and its interpolation as LHAPDF 6.2.3 does it by default:
// log-bicubic Hermite interpolation (LogBicubicInterpolator) inside the grid and the MSTW-style continuation
// (ContinuationExtrapolator) outside it. Written once for host and device.
//
// Layout of the data array (float64), per subgrid s (a block of the .dat file, one per flavour-threshold range):
//   x knots (nx), log x knots (nx), Q^2 knots (nq), log Q^2 knots (nq), values (n_flav, nx, nq) = x f(x, Q^2).
// PdfGrid holds the offsets into that array and the grid-wide constants by value, so it can be copied into a
// kernel's arguments; `data` may point to host or device memory.
#pragma once
#include <cmath>
#include <cstdint>
#include "core/hostdevice.h"

namespace madnis::pdf {

constexpr int kMaxSubgrids = 16;
constexpr int kPidRange = 40;  // PDG codes -40..40 can carry a flavour slot
constexpr int kPidSlots = 2 * kPidRange + 1;

/// One Q^2 block of the grid: sizes and offsets (in doubles) into PdfGrid::data.
struct Subgrid {
  index_t nx = 0, nq = 0;
  index_t x = 0, logx = 0, q2 = 0, logq2 = 0, values = 0;
  double q2_lo = 0.0;  // first Q^2 knot: the subgrid covers [q2_lo, next subgrid's q2_lo)
};

/// A view of a packed grid. Trivially copyable; `data` is a host or device pointer.
struct PdfGrid {
  const double* data = nullptr;
  int n_sub = 0;
  int n_flav = 0;
  std::int16_t slot[kPidSlots] = {};  // flavour column of PDG code p at slot[p + kPidRange], or -1
  Subgrid sub[kMaxSubgrids];
  // Grid-wide constants used for the range test and by the extrapolator (LHAPDF's xKnots(): the first subgrid's
  // x knots; q2Knots(): all subgrids' Q^2 knots with the repeated threshold knots merged).
  double x_min = 0.0, x_min1 = 0.0, x_max = 0.0;
  double q2_min = 0.0, q2_max1 = 0.0, q2_max = 0.0;
};

/// Flavour column of PDG code `pid` (0 is an alias of the gluon 21, as in LHAPDF), or -1 if the set lacks it.
MADNIS_HD MADNIS_INLINE int flavour_slot(const PdfGrid& g, int pid) {
  if (pid == 0) pid = 21;
  if (pid < -kPidRange || pid > kPidRange) return -1;
  return g.slot[pid + kPidRange];
}

/// Index of the first element of the sorted array a[0..n) that is > v (std::upper_bound).
MADNIS_HD MADNIS_INLINE index_t upper_index(const double* a, index_t n, double v) {
  index_t lo = 0, hi = n;
  while (lo < hi) {
    const index_t mid = (lo + hi) / 2;
    if (v < a[mid]) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/// LHAPDF's KnotArray1F::ixbelow / iq2below: the knot interval [i, i+1] holding v, with v == last knot in the
/// last interval. Clamped to the first interval below the grid (never reached for in-range points).
MADNIS_HD MADNIS_INLINE index_t interval_below(const double* a, index_t n, double v) {
  index_t i = upper_index(a, n, v);
  if (i == n) i -= 1;
  i -= 1;
  return i < 0 ? 0 : i;
}

/// The part of an interpolation that does not depend on the flavour: the subgrid, the knot intervals and the
/// reduced coordinates, as in LogBicubicInterpolator::_interpolateXQ2.
struct Stencil {
  int s = 0;
  index_t ix = 0, iq = 0;
  double tlogx = 0.0, dlogx_1 = 0.0;
  double tlogq = 0.0, dlogq_0 = 0.0, dlogq_1 = 0.0, dlogq_2 = 0.0;
  bool linear = false;  // fewer than 4 Q^2 knots in the subgrid: log-bilinear fallback
};

/// GridPDF::subgrid(q2): the last subgrid whose first Q^2 knot is <= q2 (a threshold knot belongs to the
/// subgrid above it).
MADNIS_HD MADNIS_INLINE int subgrid_index(const PdfGrid& g, double q2) {
  int s = 0;
  for (int k = 1; k < g.n_sub; ++k)
    if (g.sub[k].q2_lo <= q2) s = k;
  return s;
}

MADNIS_HD MADNIS_INLINE Stencil make_stencil(const PdfGrid& g, double x, double q2) {
  Stencil st;
  st.s = subgrid_index(g, q2);
  const Subgrid& sg = g.sub[st.s];
  const double* xs = g.data + sg.x;
  const double* logxs = g.data + sg.logx;
  const double* q2s = g.data + sg.q2;
  const double* logq2s = g.data + sg.logq2;
  st.ix = interval_below(xs, sg.nx, x);
  st.iq = interval_below(q2s, sg.nq, q2);
  const double logx = std::log(x);
  const double logq2 = std::log(q2);
  const index_t iqmax = sg.nq - 1;
  st.linear = sg.nq < 4;
  st.dlogx_1 = logxs[st.ix + 1] - logxs[st.ix];
  st.tlogx = (logx - logxs[st.ix]) / st.dlogx_1;
  st.dlogq_0 = (st.iq != 0) ? logq2s[st.iq] - logq2s[st.iq - 1] : -1.0;
  st.dlogq_1 = logq2s[st.iq + 1] - logq2s[st.iq];
  st.dlogq_2 = (st.iq + 1 != iqmax) ? logq2s[st.iq + 2] - logq2s[st.iq + 1] : -1.0;
  st.tlogq = (logq2 - logq2s[st.iq]) / st.dlogq_1;
  return st;
}

/// Cubic Hermite polynomial on [0, 1] with values vl, vh and (scaled) slopes vdl, vdh at the ends.
MADNIS_HD MADNIS_INLINE double hermite(double t, double vl, double vdl, double vh, double vdh) {
  const double t2 = t * t;
  const double t3 = t2 * t;
  const double p0 = (2 * t3 - 3 * t2 + 1) * vl;
  const double m0 = (t3 - 2 * t2 + t) * vdl;
  const double p1 = (-2 * t3 + 3 * t2) * vh;
  const double m1 = (t3 - t2) * vdh;
  return p0 + m0 + p1 + m1;
}

/// d(xf)/d(log x) at knot (ix, iq): central difference inside, one-sided at the first and last x knot.
MADNIS_HD MADNIS_INLINE double dxf_dlogx(const double* v, const double* logxs, index_t nx, index_t nq, index_t ix,
                                         index_t iq) {
  if (ix != 0 && ix != nx - 1) {
    const double lddx = (v[ix * nq + iq] - v[(ix - 1) * nq + iq]) / (logxs[ix] - logxs[ix - 1]);
    const double rddx = (v[(ix + 1) * nq + iq] - v[ix * nq + iq]) / (logxs[ix + 1] - logxs[ix]);
    return (lddx + rddx) / 2.0;
  }
  if (ix == 0) return (v[(ix + 1) * nq + iq] - v[ix * nq + iq]) / (logxs[ix + 1] - logxs[ix]);
  return (v[ix * nq + iq] - v[(ix - 1) * nq + iq]) / (logxs[ix] - logxs[ix - 1]);
}

/// x f(x, Q^2) of flavour column `f` at the stencil's point (LogBicubicInterpolator::_interpolateXQ2).
MADNIS_HD inline double interpolate(const PdfGrid& g, const Stencil& st, int f) {
  const Subgrid& sg = g.sub[st.s];
  const index_t nx = sg.nx, nq = sg.nq, ix = st.ix, iq = st.iq;
  const double* v = g.data + sg.values + static_cast<index_t>(f) * nx * nq;
  const double* logxs = g.data + sg.logx;
  if (st.linear) {
    const double f_ql = v[ix * nq + iq] + st.tlogx * (v[(ix + 1) * nq + iq] - v[ix * nq + iq]);
    const double f_qh = v[ix * nq + iq + 1] + st.tlogx * (v[(ix + 1) * nq + iq + 1] - v[ix * nq + iq + 1]);
    return f_ql + st.tlogq * (f_qh - f_ql);
  }
  auto row = [&](index_t k) {
    return hermite(st.tlogx, v[ix * nq + k], dxf_dlogx(v, logxs, nx, nq, ix, k) * st.dlogx_1,
                   v[(ix + 1) * nq + k], dxf_dlogx(v, logxs, nx, nq, ix + 1, k) * st.dlogx_1);
  };
  const index_t iqmax = nq - 1;
  const double vl = row(iq);
  const double vh = row(iq + 1);
  double vdl, vdh;
  if (iq > 0 && iq + 1 < iqmax) {
    const double vll = row(iq - 1);
    vdl = ((vh - vl) / st.dlogq_1 + (vl - vll) / st.dlogq_0) / 2.0;
    const double vhh = row(iq + 2);
    vdh = ((vh - vl) / st.dlogq_1 + (vhh - vh) / st.dlogq_2) / 2.0;
  } else if (iq == 0) {
    vdl = (vh - vl) / st.dlogq_1;
    const double vhh = row(iq + 2);
    vdh = (vdl + (vhh - vh) / st.dlogq_2) / 2.0;
  } else {
    vdh = (vh - vl) / st.dlogq_1;
    const double vll = row(iq - 1);
    vdl = (vdh + (vl - vll) / st.dlogq_0) / 2.0;
  }
  vdl *= st.dlogq_1;
  vdh *= st.dlogq_1;
  return hermite(st.tlogq, vl, vdl, vh, vdh);
}

MADNIS_HD MADNIS_INLINE double interpolate(const PdfGrid& g, int f, double x, double q2) {
  return interpolate(g, make_stencil(g, x, q2), f);
}

/// GridPDF::inRangeXQ2.
MADNIS_HD MADNIS_INLINE bool in_range(const PdfGrid& g, double x, double q2) {
  return x >= g.x_min && x <= g.x_max && q2 >= g.q2_min && q2 <= g.q2_max;
}

/// Linear extrapolation in log(u), of log(y) when both anchors exceed 1e-3 (ContinuationExtrapolator).
MADNIS_HD MADNIS_INLINE double extrapolate_linear(double u, double ul, double uh, double yl, double yh) {
  if (yl > 1e-3 && yh > 1e-3)
    return std::exp(std::log(yl) + (std::log(u) - std::log(ul)) / (std::log(uh) - std::log(ul)) *
                                       (std::log(yh) - std::log(yl)));
  return yl + (std::log(u) - std::log(ul)) / (std::log(uh) - std::log(ul)) * (yh - yl);
}

/// ContinuationExtrapolator::extrapolateXQ2 for a point outside the grid. Small x: linear in log x (of log xf
/// where positive); large Q^2: linear in log Q^2; small Q^2: f(Q2min) (Q^2/Q2min)^(anom Q^2/Q2min + 1 - Q^2/Q2min)
/// with anom = dlog f / dlog Q^2 at Q2min, bounded below by -2.5. Above the largest x knot LHAPDF 6.2.3 raises an
/// error; here the density is 0 there.
MADNIS_HD inline double extrapolate(const PdfGrid& g, int f, double x, double q2) {
  const double xmin = g.x_min, xmin1 = g.x_min1, xmax = g.x_max;
  const double q2min = g.q2_min, q2max1 = g.q2_max1, q2max = g.q2_max;
  if (x < xmin && q2 >= q2min && q2 <= q2max) {
    const double fx0 = interpolate(g, f, xmin, q2);
    const double fx1 = interpolate(g, f, xmin1, q2);
    return extrapolate_linear(x, xmin, xmin1, fx0, fx1);
  }
  if (x >= xmin && x <= xmax && q2 > q2max) {
    const double fq0 = interpolate(g, f, x, q2max);
    const double fq1 = interpolate(g, f, x, q2max1);
    return extrapolate_linear(q2, q2max, q2max1, fq0, fq1);
  }
  if (x < xmin && q2 > q2max) {
    double fq0 = interpolate(g, f, xmin, q2max);
    double fq1 = interpolate(g, f, xmin, q2max1);
    const double fx0 = extrapolate_linear(q2, q2max, q2max1, fq0, fq1);
    fq0 = interpolate(g, f, xmin1, q2max);
    fq1 = interpolate(g, f, xmin1, q2max1);
    const double fx1 = extrapolate_linear(q2, q2max, q2max1, fq0, fq1);
    return extrapolate_linear(x, xmin, xmin1, fx0, fx1);
  }
  if (q2 < q2min && x <= xmax) {
    double fq2min, fq2min1;
    if (x < xmin) {
      double fx0 = interpolate(g, f, xmin, q2min);
      double fx1 = interpolate(g, f, xmin1, q2min);
      fq2min = extrapolate_linear(x, xmin, xmin1, fx0, fx1);
      fx0 = interpolate(g, f, xmin, 1.01 * q2min);
      fx1 = interpolate(g, f, xmin1, 1.01 * q2min);
      fq2min1 = extrapolate_linear(x, xmin, xmin1, fx0, fx1);
    } else {
      fq2min = interpolate(g, f, x, q2min);
      fq2min1 = interpolate(g, f, x, 1.01 * q2min);
    }
    double anom = 1.0;
    if (std::fabs(fq2min) >= 1e-5) anom = std::fmax(-2.5, (fq2min1 - fq2min) / fq2min / 0.01);
    return fq2min * std::pow(q2 / q2min, anom * q2 / q2min + 1.0 - q2 / q2min);
  }
  return 0.0;  // x above the grid
}

/// True for arguments LHAPDF accepts (0 <= x <= 1, Q^2 >= 0); x = 0 is excluded here (log x diverges).
MADNIS_HD MADNIS_INLINE bool physical(double x, double q2) { return x > 0.0 && x <= 1.0 && q2 >= 0.0; }

/// x f(x, Q^2) of flavour column `f` (f < 0: a flavour the set lacks, 0), interpolated or extrapolated.
/// NaN for unphysical arguments.
MADNIS_HD MADNIS_INLINE double xfxq2(const PdfGrid& g, int f, double x, double q2) {
  if (!physical(x, q2)) return NAN;
  if (f < 0) return 0.0;
  return in_range(g, x, q2) ? interpolate(g, f, x, q2) : extrapolate(g, f, x, q2);
}

}  // namespace madnis::pdf
