// A small complex type usable on host and device (std::complex is not device code).
#pragma once
#include <cmath>
#include "core/hostdevice.h"

namespace madnis {

struct cplx {
  double re, im;
  MADNIS_HD constexpr cplx() : re(0.0), im(0.0) {}
  MADNIS_HD constexpr cplx(double r) : re(r), im(0.0) {}
  MADNIS_HD constexpr cplx(double r, double i) : re(r), im(i) {}
  MADNIS_HD cplx& operator+=(const cplx& o) { re += o.re; im += o.im; return *this; }
  MADNIS_HD cplx& operator-=(const cplx& o) { re -= o.re; im -= o.im; return *this; }
  MADNIS_HD cplx& operator*=(const cplx& o) { double r = re * o.re - im * o.im; im = re * o.im + im * o.re; re = r; return *this; }
  MADNIS_HD cplx& operator*=(double s) { re *= s; im *= s; return *this; }
};

MADNIS_HD MADNIS_INLINE cplx operator+(cplx a, cplx b) { return {a.re + b.re, a.im + b.im}; }
MADNIS_HD MADNIS_INLINE cplx operator-(cplx a, cplx b) { return {a.re - b.re, a.im - b.im}; }
MADNIS_HD MADNIS_INLINE cplx operator-(cplx a) { return {-a.re, -a.im}; }
MADNIS_HD MADNIS_INLINE cplx operator*(cplx a, cplx b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
MADNIS_HD MADNIS_INLINE cplx operator*(double s, cplx a) { return {s * a.re, s * a.im}; }
MADNIS_HD MADNIS_INLINE cplx operator*(cplx a, double s) { return {s * a.re, s * a.im}; }
MADNIS_HD MADNIS_INLINE cplx operator/(cplx a, double s) { return {a.re / s, a.im / s}; }
MADNIS_HD MADNIS_INLINE cplx operator/(cplx a, cplx b) {
  double d = b.re * b.re + b.im * b.im;
  return {(a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d};
}
MADNIS_HD MADNIS_INLINE cplx conj(cplx a) { return {a.re, -a.im}; }
MADNIS_HD MADNIS_INLINE double norm2(cplx a) { return a.re * a.re + a.im * a.im; }
MADNIS_HD MADNIS_INLINE double real(cplx a) { return a.re; }
MADNIS_HD MADNIS_INLINE double imag(cplx a) { return a.im; }

}  // namespace madnis
