// The running strong coupling exactly as MadGraph5's Source/alfas_functions.f (R.K. Ellis): ALPHAS_not_timed(Q)
// with NEWTON1, 1-, 2- or 3-loop running, nf = 3 below the charm threshold, 4 between charm and bottom, 5 above
// (no top threshold), matched at the thresholds, Newton iteration to a relative step of 5e-4 as MadGraph does.
#pragma once
#include <cmath>
#include "core/hostdevice.h"

namespace madnis::alphas {

/// MadGraph's defaults: COMMON/QMASS/ CMASS = 1.42, BMASS = 4.7 (GeV), ZMASS = 91.188 GeV.
constexpr double kCMass = 1.42, kBMass = 4.7, kZMass = 91.188;

/// Beta-function coefficients for nf = 3, 4, 5 as tabulated (DATA statements) in NEWTON1.
MADNIS_HD MADNIS_INLINE double b0(int nf) {
  return nf == 3 ? 0.716197243913527 : nf == 4 ? 0.66314559621623 : 0.61009394851893;
}
MADNIS_HD MADNIS_INLINE double c1(int nf) {
  return nf == 3 ? .565884242104515 : nf == 4 ? 0.49019722472304 : 0.40134724779695;
}
MADNIS_HD MADNIS_INLINE double c2(int nf) {
  return nf == 3 ? 0.453013579178645 : nf == 4 ? 0.30879037953664 : 0.14942733137107;
}
MADNIS_HD MADNIS_INLINE double del(int nf) {
  return nf == 3 ? 1.22140465909230 : nf == 4 ? 0.99743079911360 : 0.66077962451190;
}

/// NEWTON1(T, A_IN, A_OUT, NLOOP, NF): alpha_s after evolving a_in over t = log(Q^2 / Q0^2) with nf flavours.
MADNIS_HD inline double newton1(double t, double a_in, int nloop, int nf) {
  const double B0 = b0(nf), C1 = c1(nf), C2 = c2(nf), DEL = del(nf);
  auto f2 = [&](double as) { return 1.0 / as + C1 * std::log((C1 * as) / (1.0 + C1 * as)); };
  auto f3 = [&](double as) {
    return 1.0 / as + 0.5 * C1 * std::log((C2 * as * as) / (1.0 + C1 * as + C2 * as * as)) -
           (C1 * C1 - 2.0 * C2) / DEL * std::atan((2.0 * C2 * as + C1) / DEL);
  };
  double a_out = a_in / (1.0 + a_in * B0 * t);
  if (nloop == 1) return a_out;
  a_out = a_in / (1.0 + B0 * a_in * t + C1 * a_in * std::log(1.0 + a_in * B0 * t));
  for (int iter = 0; iter < 100; ++iter) {
    const double as = a_out;
    double f, fp;
    if (nloop == 2) {
      f = B0 * t + f2(a_in) - f2(as);
      fp = 1.0 / (as * as * (1.0 + C1 * as));
    } else {
      f = B0 * t + f3(a_in) - f3(as);
      fp = 1.0 / (as * as * (1.0 + C1 * as + C2 * as * as));
    }
    a_out = as - f / fp;
    if (!(std::fabs(f / fp / as) > 5e-4)) break;
  }
  return a_out;
}

/// The running set up for one alpha_s(MZ): couplings at the bottom and charm thresholds, computed once
/// (MadGraph's SAVEd AMB, AMC).
struct Running {
  double asmz = 0.118;
  int nloop = 2;
  double mz = kZMass, cmass = kCMass, bmass = kBMass;
  double amb = 0.0, amc = 0.0;
};

MADNIS_HD inline Running make_running(double asmz, int nloop, double mz = kZMass, double cmass = kCMass,
                                      double bmass = kBMass) {
  Running r;
  r.asmz = asmz;
  r.nloop = nloop;
  r.mz = mz;
  r.cmass = cmass;
  r.bmass = bmass;
  r.amb = newton1(2.0 * std::log(bmass / mz), asmz, nloop, 5);
  r.amc = newton1(2.0 * std::log(cmass / bmass), r.amb, nloop, 4);
  return r;
}

/// alpha_s(Q), Q in GeV (ALPHAS_not_timed). NaN for Q <= 0 (MadGraph stops there).
MADNIS_HD MADNIS_INLINE double alpha_s(const Running& r, double q) {
  if (!(q > 0.0)) return NAN;
  if (q < r.bmass) {
    if (q < r.cmass) return newton1(2.0 * std::log(q / r.cmass), r.amc, r.nloop, 3);
    return newton1(2.0 * std::log(q / r.bmass), r.amb, r.nloop, 4);
  }
  return newton1(2.0 * std::log(q / r.mz), r.asmz, r.nloop, 5);
}

}  // namespace madnis::alphas

namespace madnis::kernels {

/// In: q (n,) GeV; out: as (n,) = alpha_s(Q) with MadGraph's running.
struct AlphaS {
  alphas::Running running;
  const double* q;
  double* as;

  MADNIS_HD void operator()(index_t i) const { as[i] = alphas::alpha_s(running, q[i]); }
};

}  // namespace madnis::kernels
