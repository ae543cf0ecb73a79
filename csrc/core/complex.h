// A small complex type usable on host and device (std::complex is not device code).
//
// cx<FP> is generic over its real type: FP = double is the per-event scalar (`cplx`, used by both drivers);
// on the host FP may also be a SIMD vector of doubles or of floats (core/simd.h), one complex number per lane, so
// the same HELAS code runs on several events at once (madgraph4gpu's fptype_v / cxtype_v). Mixed operations take a
// plain double (a coupling sign, a mass) on either side; it is rounded to FP's element type first.
#pragma once
#include <cmath>
#include <type_traits>
#include <utility>
#include "core/hostdevice.h"

namespace madnis {

/// The element type of FP: FP itself for a scalar, the lane type (double or float) for a SIMD vector.
template <class FP, class = void>
struct fp_elem {
  using type = FP;
};
template <class FP>
struct fp_elem<FP, std::void_t<decltype(std::declval<FP&>()[0])>> {
  using type = std::decay_t<decltype(std::declval<FP&>()[0])>;
};
template <class FP>
using fp_elem_t = typename fp_elem<FP>::type;

/// `x` rounded to FP's element type (a vector's lanes are float or double; a double operand would not convert).
template <class FP>
MADNIS_HD MADNIS_INLINE fp_elem_t<FP> fp_scalar(double x) {
  return static_cast<fp_elem_t<FP>>(x);
}

/// `x` as an FP (broadcast to every lane when FP is a vector).
template <class FP>
MADNIS_HD MADNIS_INLINE FP fp_set(double x) {
  return FP{} + fp_scalar<FP>(x);
}

template <class FP>
struct cx {
  FP re, im;
  MADNIS_HD MADNIS_INLINE cx() : re(fp_set<FP>(0.0)), im(fp_set<FP>(0.0)) {}
  MADNIS_HD MADNIS_INLINE cx(FP r, FP i) : re(r), im(i) {}
  MADNIS_HD cx& operator+=(const cx& o) { re += o.re; im += o.im; return *this; }
  MADNIS_HD cx& operator-=(const cx& o) { re -= o.re; im -= o.im; return *this; }
  MADNIS_HD cx& operator*=(const cx& o) { FP r = re * o.re - im * o.im; im = re * o.im + im * o.re; re = r; return *this; }
  MADNIS_HD cx& operator*=(double s) { re *= fp_scalar<FP>(s); im *= fp_scalar<FP>(s); return *this; }
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
MADNIS_HD MADNIS_INLINE cx<FP> operator*(double s, cx<FP> a) {
  const auto t = fp_scalar<FP>(s);
  return {t * a.re, t * a.im};
}
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator*(cx<FP> a, double s) { return s * a; }
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> operator/(cx<FP> a, double s) {
  const auto t = fp_scalar<FP>(s);
  return {a.re / t, a.im / t};
}
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
