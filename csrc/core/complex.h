// A small complex type usable on host and device (std::complex is not device code).
//
// cx<FP> is generic over its real type: FP = double is the per-event scalar (`cplx`, used by both drivers);
// on the host FP may also be a SIMD vector of doubles (core/simd.h), one complex number per lane, so the same
// HELAS code runs on several events at once (madgraph4gpu's fptype_v / cxtype_v). Mixed operations take a plain
// double (a coupling sign, a mass) on either side.
#pragma once
#include <cmath>
#include "core/hostdevice.h"

namespace madnis {

/// `x` as an FP (broadcast to every lane when FP is a vector).
template <class FP>
MADNIS_HD MADNIS_INLINE FP fp_set(double x) {
  return FP{} + x;
}

template <class FP>
struct cx {
  FP re, im;
  MADNIS_HD MADNIS_INLINE cx() : re(fp_set<FP>(0.0)), im(fp_set<FP>(0.0)) {}
  MADNIS_HD MADNIS_INLINE cx(FP r, FP i) : re(r), im(i) {}
  MADNIS_HD cx& operator+=(const cx& o) { re += o.re; im += o.im; return *this; }
  MADNIS_HD cx& operator-=(const cx& o) { re -= o.re; im -= o.im; return *this; }
  MADNIS_HD cx& operator*=(const cx& o) { FP r = re * o.re - im * o.im; im = re * o.im + im * o.re; re = r; return *this; }
  MADNIS_HD cx& operator*=(double s) { re *= s; im *= s; return *this; }
};

/// The scalar complex number (double precision), one event.
using cplx = cx<double>;

template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator+(cx<FP> a, cx<FP> b) { return {a.re + b.re, a.im + b.im}; }
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator-(cx<FP> a, cx<FP> b) { return {a.re - b.re, a.im - b.im}; }
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator-(cx<FP> a) { return {-a.re, -a.im}; }
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator*(cx<FP> a, cx<FP> b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator*(double s, cx<FP> a) { return {s * a.re, s * a.im}; }
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator*(cx<FP> a, double s) { return {s * a.re, s * a.im}; }
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator/(cx<FP> a, double s) { return {a.re / s, a.im / s}; }
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator/(cx<FP> a, cx<FP> b) {
  const FP d = b.re * b.re + b.im * b.im;
  return {(a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d};
}
/// A real FP times a complex number, in either order (FP = double is covered by the mixed forms above).
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> scale(FP s, cx<FP> a) { return {s * a.re, s * a.im}; }
/// i * a.
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> mul_i(cx<FP> a) { return {-a.im, a.re}; }
/// a with a real part: (r + 0 i).
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> cx_real(FP r) { return {r, fp_set<FP>(0.0)}; }

template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> conj(cx<FP> a) { return {a.re, -a.im}; }
template <class FP>
MADNIS_HD MADNIS_INLINE FP norm2(cx<FP> a) { return a.re * a.re + a.im * a.im; }
MADNIS_HD MADNIS_INLINE double real(cplx a) { return a.re; }
MADNIS_HD MADNIS_INLINE double imag(cplx a) { return a.im; }

}  // namespace madnis
