// ALOHA vertex functions for the Lorentz structures of MadGraph's UFO `sm` model, one event per call.
//
// Naming as ALOHA: a structure L with legs 1..n gives the amplitude L_0(w1, ..., wn, COUP) and the
// off-shell currents L_k (leg k off shell, computed from the other legs, with its propagator).
// Combined vertices (FFV2_4, FFV2_3, FFV2_5, ...) are sums of up to kMaxTerms structures with one
// coupling each: amplitude = sum_t A_t, current = sum_t J_t (same propagator).
//
// Conventions (reproduce ALOHA's generated code, checked against MadGraph):
//  * Wavefunctions are 6 complex numbers (see wavefunctions.h). A leg's momentum is
//    P = (re w0, re w1, im w1, im w0); all P of a vertex sum to zero.
//  * Fermion legs of FF* structures: leg 1 (F1) is the flow-in spinor (ixxxxx type, a column psi),
//    leg 2 (F2) the flow-out spinor (oxxxxx type, a row psibar); the structure is psibar Gamma psi in the
//    chiral basis, ProjM keeps psi components 0,1 (w[2], w[3]) and ProjP components 2,3.
//  * amplitude = -i * COUP * L(w1..wn).
//  * Let O_k = dL/d(leg k) ("the open leg"): for a vector the contravariant J^mu with L = J.V (metric
//    +---), for a fermion the 4 coefficients of its spinor components, for a scalar one number.
//    Off-shell leg k with mass M and width W: flows w_k[0..1] = sum of the other legs' w[0..1],
//    P = -(that flow), D = P^2 - M (M - i W), d = COUP / D, and
//      vector:  V^mu = -i d (O^mu - P^mu (P.O) / M^2)      (the P P term dropped when M = 0)
//      scalar:  S = +i d O
//      F1 off shell (result is a flow-out spinor, used as F2 elsewhere):  F = -i d O (Pslash - M)
//      F2 off shell (result is a flow-in spinor, used as F1 elsewhere):   F = +i d (Pslash + M) O
#pragma once
#include "core/complex.h"
#include "core/hostdevice.h"

namespace madnis::helas {

/// Lorentz structures (the program format uses these numbers; keep in sync with madnis_py/amplitudes/program.py).
enum Lorentz : int {
  FFV1 = 0, FFV2, FFV3, FFV4, FFV5,
  FFS1, FFS2, FFS3, FFS4,
  VVV1, VVS1, VSS1, SSS1,
  VVVV1, VVVV2, VVVV3, VVVV4, VVVV5,
  VVSS1, SSSS1,
  kNumLorentz
};

constexpr int kMaxTerms = 3;  // structures per combined vertex
constexpr int kMaxLegs = 4;

/// Spin of each leg: 1 scalar, 2 fermion, 3 vector.
MADNIS_HD MADNIS_INLINE int lorentz_legs(int lor) {
  return (lor >= VVVV1) ? 4 : 3;
}
MADNIS_HD MADNIS_INLINE int lorentz_spin(int lor, int leg) {
  if (lor <= FFV5) return leg < 2 ? 2 : 3;
  if (lor <= FFS4) return leg < 2 ? 2 : 1;
  switch (lor) {
    case VVV1: return 3;
    case VVS1: return leg < 2 ? 3 : 1;
    case VSS1: return leg == 0 ? 3 : 1;
    case SSS1: return 1;
    case VVSS1: return leg < 2 ? 3 : 1;
    case SSSS1: return 1;
    default: return 3;  // VVVV*
  }
}

namespace detail {

template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> dot(const cx<FP>* a, const cx<FP>* b) {
  return a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
}
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> dot(const cx<FP>* a, const FP* p) {
  return scale(p[0], a[0]) - scale(p[1], a[1]) - scale(p[2], a[2]) - scale(p[3], a[3]);
}
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> dotpd(const cx<FP>* a, const FP* p, const FP* q) {  // a.(p - q)
  return scale(p[0] - q[0], a[0]) - scale(p[1] - q[1], a[1]) - scale(p[2] - q[2], a[2]) -
         scale(p[3] - q[3], a[3]);
}

// psibar Vslash (cM ProjM + cP ProjP) psi, with psi = F1 (components f1[0..3]), psibar = F2.
template <class FP>
MADNIS_HD MADNIS_INLINE void ffv_open(double cM, double cP, int leg, const cx<FP>* f1, const cx<FP>* f2,
                                      const cx<FP>* v, cx<FP>* o) {
  using C = cx<FP>;
  if (leg == 0) {  // coefficients of f1[j]
    const C vp = v[0] + v[3], vm = v[0] - v[3], v12p = v[1] + mul_i(v[2]), v12m = v[1] - mul_i(v[2]);
    o[0] = cM * (f2[2] * vp + f2[3] * v12p);
    o[1] = cM * (f2[2] * v12m + f2[3] * vm);
    o[2] = cP * (f2[0] * vm - f2[1] * v12p);
    o[3] = cP * (f2[1] * vp - f2[0] * v12m);
  } else if (leg == 1) {  // coefficients of f2[j]
    const C vp = v[0] + v[3], vm = v[0] - v[3], v12p = v[1] + mul_i(v[2]), v12m = v[1] - mul_i(v[2]);
    o[0] = cP * (f1[2] * vm - f1[3] * v12m);
    o[1] = cP * (f1[3] * vp - f1[2] * v12p);
    o[2] = cM * (f1[0] * vp + f1[1] * v12m);
    o[3] = cM * (f1[0] * v12p + f1[1] * vm);
  } else {  // J^mu
    const C a02 = f1[0] * f2[2], a03 = f1[0] * f2[3], a12 = f1[1] * f2[2], a13 = f1[1] * f2[3];
    const C b20 = f1[2] * f2[0], b21 = f1[2] * f2[1], b30 = f1[3] * f2[0], b31 = f1[3] * f2[1];
    const C c0 = cM * (a02 + a13) + cP * (b20 + b31);
    const C c1 = cM * (a03 + a12) - cP * (b21 + b30);
    const C c2 = mul_i(cM * (a03 - a12) + cP * (b30 - b21));
    const C c3 = cM * (a02 - a13) + cP * (b31 - b20);
    o[0] = c0;
    o[1] = -c1;
    o[2] = -c2;
    o[3] = -c3;
  }
}

// psibar (cM ProjM + cP ProjP) psi * S
template <class FP>
MADNIS_HD MADNIS_INLINE void ffs_open(double cM, double cP, int leg, const cx<FP>* f1, const cx<FP>* f2,
                                      const cx<FP>* s, cx<FP>* o) {
  using C = cx<FP>;
  if (leg == 0) {
    const C s0 = s[0];
    o[0] = cM * f2[0] * s0;
    o[1] = cM * f2[1] * s0;
    o[2] = cP * f2[2] * s0;
    o[3] = cP * f2[3] * s0;
  } else if (leg == 1) {
    const C s0 = s[0];
    o[0] = cM * f1[0] * s0;
    o[1] = cM * f1[1] * s0;
    o[2] = cP * f1[2] * s0;
    o[3] = cP * f1[3] * s0;
  } else {
    o[0] = cM * (f2[0] * f1[0] + f2[1] * f1[1]) + cP * (f2[2] * f1[2] + f2[3] * f1[3]);
    o[1] = o[2] = o[3] = C();
  }
}

// VVV1 = (V1.V2) V3.(P1-P2) + (V1.V3) V2.(P3-P1) + (V2.V3) V1.(P2-P3)
template <class FP>
MADNIS_HD MADNIS_INLINE void vvv1_open(int leg, const cx<FP>* const* v, const FP (*P)[4], cx<FP>* o) {
  using C = cx<FP>;
  if (leg == 0) {
    const C a = dotpd(v[2], P[0], P[1]), b = dotpd(v[1], P[2], P[0]), c = dot(v[1], v[2]);
    for (int m = 0; m < 4; ++m) o[m] = v[1][m] * a + v[2][m] * b + scale(P[1][m] - P[2][m], c);
  } else if (leg == 1) {
    const C a = dotpd(v[2], P[0], P[1]), b = dotpd(v[0], P[1], P[2]), c = dot(v[0], v[2]);
    for (int m = 0; m < 4; ++m) o[m] = v[0][m] * a + v[2][m] * b + scale(P[2][m] - P[0][m], c);
  } else {
    const C a = dotpd(v[1], P[2], P[0]), b = dotpd(v[0], P[1], P[2]), c = dot(v[0], v[1]);
    for (int m = 0; m < 4; ++m) o[m] = v[0][m] * a + v[1][m] * b + scale(P[0][m] - P[1][m], c);
  }
}

// al (V1.V4)(V2.V3) + be (V1.V3)(V2.V4) + ga (V1.V2)(V3.V4)
template <class FP>
MADNIS_HD MADNIS_INLINE void vvvv_open(double al, double be, double ga, int leg, const cx<FP>* const* v, cx<FP>* o) {
  // For the open leg k, each term pairs k with a partner; the other pair gives a scalar factor.
  // pairings: term al: (1,4)(2,3); be: (1,3)(2,4); ga: (1,2)(3,4)   (0-based below)
  int pa, pb, pc;            // partners of leg in the al, be, ga terms
  int ra0, ra1, rb0, rb1, rc0, rc1;  // the remaining pair in each term
  switch (leg) {
    case 0: pa = 3; ra0 = 1; ra1 = 2; pb = 2; rb0 = 1; rb1 = 3; pc = 1; rc0 = 2; rc1 = 3; break;
    case 1: pa = 2; ra0 = 0; ra1 = 3; pb = 3; rb0 = 0; rb1 = 2; pc = 0; rc0 = 2; rc1 = 3; break;
    case 2: pa = 1; ra0 = 0; ra1 = 3; pb = 0; rb0 = 1; rb1 = 3; pc = 3; rc0 = 0; rc1 = 1; break;
    default: pa = 0; ra0 = 1; ra1 = 2; pb = 1; rb0 = 0; rb1 = 2; pc = 2; rc0 = 0; rc1 = 1; break;
  }
  const cx<FP> sa = al * dot(v[ra0], v[ra1]), sb = be * dot(v[rb0], v[rb1]), sc = ga * dot(v[rc0], v[rc1]);
  for (int m = 0; m < 4; ++m) o[m] = v[pa][m] * sa + v[pb][m] * sb + v[pc][m] * sc;
}

}  // namespace detail

/// O = dL/d(leg `leg`) for one structure. `w[k]` points at the 4 components (w + 2) of leg k (ignored for the
/// open leg), `P[k]` are the momenta of all legs (the open one included). See the header comment.
template <class FP>
MADNIS_HD MADNIS_INLINE void lorentz_open(int lor, int leg, const cx<FP>* const* w, const FP (*P)[4], cx<FP>* o) {
  using namespace detail;
  using C = cx<FP>;
  switch (lor) {
    case FFV1: ffv_open(1.0, 1.0, leg, w[0], w[1], w[2], o); return;
    case FFV2: ffv_open(1.0, 0.0, leg, w[0], w[1], w[2], o); return;
    case FFV3: ffv_open(1.0, -2.0, leg, w[0], w[1], w[2], o); return;
    case FFV4: ffv_open(1.0, 2.0, leg, w[0], w[1], w[2], o); return;
    case FFV5: ffv_open(1.0, 4.0, leg, w[0], w[1], w[2], o); return;
    case FFS1: ffs_open(1.0, 0.0, leg, w[0], w[1], w[2], o); return;
    case FFS2: ffs_open(1.0, -1.0, leg, w[0], w[1], w[2], o); return;
    case FFS3: ffs_open(0.0, 1.0, leg, w[0], w[1], w[2], o); return;
    case FFS4: ffs_open(1.0, 1.0, leg, w[0], w[1], w[2], o); return;
    case VVV1: vvv1_open(leg, w, P, o); return;
    case VVS1:  // (V1.V2) S3
      if (leg == 2) {
        o[0] = dot(w[0], w[1]);
      } else {
        const C* vo = w[1 - leg];
        const C s = w[2][0];
        for (int m = 0; m < 4; ++m) o[m] = vo[m] * s;
      }
      return;
    case VSS1:  // V1.(P2 - P3) S2 S3
      if (leg == 0) {
        const C s = w[1][0] * w[2][0];
        for (int m = 0; m < 4; ++m) o[m] = scale(P[1][m] - P[2][m], s);
      } else {
        o[0] = dotpd(w[0], P[1], P[2]) * w[3 - leg][0];
      }
      return;
    case SSS1:
      o[0] = leg == 0 ? w[1][0] * w[2][0] : (leg == 1 ? w[0][0] * w[2][0] : w[0][0] * w[1][0]);
      return;
    case VVVV1: vvvv_open(1.0, -1.0, 0.0, leg, w, o); return;
    case VVVV2: vvvv_open(1.0, 1.0, -2.0, leg, w, o); return;
    case VVVV3: vvvv_open(1.0, 0.0, -1.0, leg, w, o); return;
    case VVVV4: vvvv_open(0.0, 1.0, -1.0, leg, w, o); return;
    case VVVV5: vvvv_open(1.0, -0.5, -0.5, leg, w, o); return;
    case VVSS1:  // (V1.V2) S3 S4
      if (leg >= 2) {
        o[0] = dot(w[0], w[1]) * w[5 - leg][0];
      } else {
        const C* vo = w[1 - leg];
        const C s = w[2][0] * w[3][0];
        for (int m = 0; m < 4; ++m) o[m] = vo[m] * s;
      }
      return;
    default: {  // SSSS1
      C s = cx_real(fp_set<FP>(1.0));
      for (int k = 0; k < 4; ++k)
        if (k != leg) s = s * w[k][0];
      o[0] = s;
      return;
    }
  }
}

/// Momentum of a wavefunction, ALOHA's reading of w[0..1].
template <class FP>
MADNIS_HD MADNIS_INLINE void wf_momentum(const cx<FP>* w, FP* p) {
  p[0] = w[0].re;
  p[1] = w[1].re;
  p[2] = w[1].im;
  p[3] = w[0].im;
}

/// A vertex term list: structures lor[t] with couplings coup[t], t < nterms (all the same leg spins).
struct VertexTerms {
  int nterms;
  int lor[kMaxTerms];
};

/// Amplitude  sum_t -i COUP_t L_t(w_1..w_n).  `w[k]` are the full 6-component wavefunctions.
template <class FP>
MADNIS_HD MADNIS_INLINE cx<FP> vertex_amplitude(const VertexTerms& vt, const cx<FP>* coup, const cx<FP>* const* w) {
  using C = cx<FP>;
  const int n = lorentz_legs(vt.lor[0]);
  const int last = n - 1;
  FP P[kMaxLegs][4];
  const C* c[kMaxLegs];
  for (int k = 0; k < n; ++k) {
    wf_momentum(w[k], P[k]);
    c[k] = w[k] + 2;
  }
  const int spin = lorentz_spin(vt.lor[0], last);
  C total;
  for (int t = 0; t < vt.nterms; ++t) {
    C o[4];
    lorentz_open(vt.lor[t], last, c, P, o);
    C s;
    if (spin == 3) s = detail::dot(o, c[last]);
    else if (spin == 2) s = o[0] * c[last][0] + o[1] * c[last][1] + o[2] * c[last][2] + o[3] * c[last][3];
    else s = o[0] * c[last][0];
    total += coup[t] * s;
  }
  return C(total.im, -total.re);  // -i * total
}

/// Off-shell current for leg `leg` (0-based) with propagator mass M and width W. `w[k]` are the wavefunctions of
/// the legs (w[leg] is ignored); the result (6 components) is written to `out`. `den` (optional): P^2 - M^2 (GeV^2)
/// computed elsewhere, e.g. in double from the external momenta when FP is single precision (P^2 of a massless
/// line cancels in float); by default it is computed from the legs' momenta.
template <class FP>
MADNIS_HD MADNIS_INLINE void vertex_current(const VertexTerms& vt, const cx<FP>* coup, int leg, double M, double W,
                                            const cx<FP>* const* w, cx<FP>* out, const FP* den = nullptr) {
  using C = cx<FP>;
  const int n = lorentz_legs(vt.lor[0]);
  FP P[kMaxLegs][4];
  const C* c[kMaxLegs];
  C f0, f1;
  for (int k = 0; k < n; ++k) {
    if (k == leg) {
      c[k] = nullptr;
      continue;
    }
    wf_momentum(w[k], P[k]);
    c[k] = w[k] + 2;
    f0 += w[k][0];
    f1 += w[k][1];
  }
  out[0] = f0;
  out[1] = f1;
  FP* p = P[leg];
  p[0] = -f0.re;
  p[1] = -f1.re;
  p[2] = -f1.im;
  p[3] = -f0.im;
  // sum over terms of COUP_t O_t
  C o[4];
  for (int t = 0; t < vt.nterms; ++t) {
    C ot[4];
    lorentz_open(vt.lor[t], leg, c, P, ot);
    for (int m = 0; m < 4; ++m) o[m] += coup[t] * ot[m];
  }
  const FP d_re = den ? *den : p[0] * p[0] - p[1] * p[1] - p[2] * p[2] - p[3] * p[3] - fp_set<FP>(M * M);
  const C inv_d = C(fp_set<FP>(1.0), fp_set<FP>(0.0)) / C(d_re, fp_set<FP>(M * W));
  const int spin = lorentz_spin(vt.lor[0], leg);
  if (spin == 3) {
    const C d(inv_d.im, -inv_d.re);  // -i / D
    if (M != 0.0) {
      const C pdo = detail::dot(o, p);
      const double om = 1.0 / (M * M);
      for (int m = 0; m < 4; ++m) out[2 + m] = d * (o[m] - scale(fp_set<FP>(om) * p[m], pdo));
    } else {
      for (int m = 0; m < 4; ++m) out[2 + m] = d * o[m];
    }
  } else if (spin == 1) {
    out[2] = C(-inv_d.im, inv_d.re) * o[0];  // +i / D
    out[3] = out[4] = out[5] = C();
  } else {
    const FP pp = p[0] + p[3], pm = p[0] - p[3];
    const C q = C(p[1], p[2]), qc = C(p[1], -p[2]);  // P1 + i P2, P1 - i P2
    if (leg == 0) {
      // -i/D * O (Pslash - M): flow-out spinor
      const C d(inv_d.im, -inv_d.re);
      out[2] = d * (scale(pp, o[2]) + o[3] * q - M * o[0]);
      out[3] = d * (o[2] * qc + scale(pm, o[3]) - M * o[1]);
      out[4] = d * (scale(pm, o[0]) - o[1] * q - M * o[2]);
      out[5] = d * (scale(pp, o[1]) - o[0] * qc - M * o[3]);
    } else {
      // +i/D * (Pslash + M) O: flow-in spinor
      const C d(-inv_d.im, inv_d.re);
      out[2] = d * (M * o[0] + scale(pm, o[2]) - qc * o[3]);
      out[3] = d * (M * o[1] - q * o[2] + scale(pp, o[3]));
      out[4] = d * (scale(pp, o[0]) + qc * o[1] + M * o[2]);
      out[5] = d * (q * o[0] + scale(pm, o[1]) + M * o[3]);
    }
  }
}

}  // namespace madnis::helas
