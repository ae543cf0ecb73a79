// HELAS external wavefunctions with MadGraph/ALOHA conventions, one event per call.
//
// Every wavefunction is 6 complex numbers. The first two carry the momentum flow exactly as ALOHA
// expects it: w[0] = (P0, P3), w[1] = (P1, P2), where P is read back by the vertices as
// P = (re w0, re w1, im w1, im w0). The remaining four are the spinor (fermions), the polarisation
// vector eps^mu with upper index (vectors), or w[2] = 1 (scalars, w[3..5] unused and set to 0).
//
// Conventions (HELAS, KEK-91-11, as in MadGraph's aloha_functions.f and madgraph4gpu HelAmps_sm.h):
//   ixxxxx: flow-in fermion (u for an incoming particle, nsf = +1; v for an outgoing antiparticle,
//           nsf = -1); w[0..1] = -p * nsf. Chiral (Weyl) basis, helicity nhel = +-1.
//   oxxxxx: flow-out fermion (ubar for an outgoing particle, nsf = +1; vbar for an incoming
//           antiparticle, nsf = -1); w[0..1] = +p * nsf.
//   vxxxxx: vector boson, nsv = +1 final (eps*), -1 initial (eps); w[0..1] = p * nsv; nhel = -1, 0, +1.
//   sxxxxx: scalar, nss = +1 final, -1 initial; w[0..1] = p * nss.
// The massless special cases (ipzxxx: E = +pz > 0; imzxxx: E = -pz > 0; ixzxxx: pT > 0; and the
// o*** counterparts) give the same numbers as the general functions under their assumptions.
// p = (E, px, py, pz) in GeV.
#pragma once
#include <cmath>
#include "core/complex.h"
#include "core/hostdevice.h"

namespace madnis::helas {

/// Kind of external wavefunction (the program format uses these numbers).
enum WaveKind : int { kIxxxxx = 0, kOxxxxx = 1, kVxxxxx = 2, kSxxxxx = 3,
                      kIpzxxx = 4, kImzxxx = 5, kIxzxxx = 6, kOpzxxx = 7, kOmzxxx = 8, kOxzxxx = 9 };

MADNIS_HD MADNIS_INLINE void ixxxxx(const double* p, double fmass, int nhel, int nsf, cplx* fi) {
  const double p0 = p[0], p1 = p[1], p2 = p[2], p3 = p[3];
  const double fs = static_cast<double>(nsf);
  fi[0] = cplx(-p0 * fs, -p3 * fs);
  fi[1] = cplx(-p1 * fs, -p2 * fs);
  const int nh = nhel * nsf;
  if (fmass != 0.0) {
    const double pp = std::fmin(p0, std::sqrt(p1 * p1 + p2 * p2 + p3 * p3));
    const int ip = (1 + nh) / 2, im = (1 - nh) / 2;
    if (pp == 0.0) {
      double sqm[2];
      sqm[0] = std::sqrt(std::fabs(fmass));
      sqm[1] = fmass < 0.0 ? -sqm[0] : sqm[0];
      fi[2] = cplx(ip * sqm[ip], 0.0);
      fi[3] = cplx(im * nsf * sqm[ip], 0.0);
      fi[4] = cplx(ip * nsf * sqm[im], 0.0);
      fi[5] = cplx(im * sqm[im], 0.0);
    } else {
      const double sf0 = static_cast<double>(1 + nsf + (1 - nsf) * nh) * 0.5;
      const double sf1 = static_cast<double>(1 + nsf - (1 - nsf) * nh) * 0.5;
      double omega[2];
      omega[0] = std::sqrt(p0 + pp);
      omega[1] = fmass / omega[0];
      const double sfomega0 = sf0 * omega[ip], sfomega1 = sf1 * omega[im];
      const double pp3 = std::fmax(pp + p3, 0.0);
      cplx chi[2];
      chi[0] = cplx(std::sqrt(pp3 * 0.5 / pp), 0.0);
      chi[1] = pp3 == 0.0 ? cplx(-nh, 0.0) : cplx(nh * p1, p2) / std::sqrt(2.0 * pp * pp3);
      fi[2] = sfomega0 * chi[im];
      fi[3] = sfomega0 * chi[ip];
      fi[4] = sfomega1 * chi[im];
      fi[5] = sfomega1 * chi[ip];
    }
  } else {
    const double sqp0p3 = (p1 == 0.0 && p2 == 0.0 && p3 < 0.0) ? 0.0 : std::sqrt(std::fmax(p0 + p3, 0.0)) * fs;
    const cplx chi0(sqp0p3, 0.0);
    const cplx chi1 = sqp0p3 == 0.0 ? cplx(-nhel * std::sqrt(2.0 * p0), 0.0) : cplx(nh * p1, p2) / sqp0p3;
    if (nh == 1) {
      fi[2] = cplx();
      fi[3] = cplx();
      fi[4] = chi0;
      fi[5] = chi1;
    } else {
      fi[2] = chi1;
      fi[3] = chi0;
      fi[4] = cplx();
      fi[5] = cplx();
    }
  }
}

/// Massless, E = +pz > 0.
MADNIS_HD MADNIS_INLINE void ipzxxx(const double* p, int nhel, int nsf, cplx* fi) {
  const double p3 = p[3], fs = static_cast<double>(nsf);
  fi[0] = cplx(-p3 * fs, -p3 * fs);
  fi[1] = cplx();
  const int nh = nhel * nsf;
  const cplx sq(std::sqrt(2.0 * p3) * fs, 0.0);
  fi[2] = cplx();
  fi[3] = nh == 1 ? cplx() : sq;
  fi[4] = nh == 1 ? sq : cplx();
  fi[5] = cplx();
}

/// Massless, E = -pz > 0.
MADNIS_HD MADNIS_INLINE void imzxxx(const double* p, int nhel, int nsf, cplx* fi) {
  const double p3 = p[3], fs = static_cast<double>(nsf);
  fi[0] = cplx(p3 * fs, -p3 * fs);
  fi[1] = cplx();
  const int nh = nhel * nsf;
  const cplx chi(-nhel * std::sqrt(-2.0 * p3), 0.0);
  fi[3] = cplx();
  fi[4] = cplx();
  fi[2] = nh == 1 ? cplx() : chi;
  fi[5] = nh == 1 ? chi : cplx();
}

/// Massless, pT > 0.
MADNIS_HD MADNIS_INLINE void ixzxxx(const double* p, int nhel, int nsf, cplx* fi) {
  const double p0 = p[0], p1 = p[1], p2 = p[2], p3 = p[3], fs = static_cast<double>(nsf);
  fi[0] = cplx(-p0 * fs, -p3 * fs);
  fi[1] = cplx(-p1 * fs, -p2 * fs);
  const int nh = nhel * nsf;
  const double sqp0p3 = std::sqrt(p0 + p3) * fs;
  const cplx chi0(sqp0p3, 0.0), chi1(nh * p1 / sqp0p3, p2 / sqp0p3);
  if (nh == 1) {
    fi[2] = cplx();
    fi[3] = cplx();
    fi[4] = chi0;
    fi[5] = chi1;
  } else {
    fi[2] = chi1;
    fi[3] = chi0;
    fi[4] = cplx();
    fi[5] = cplx();
  }
}

MADNIS_HD MADNIS_INLINE void vxxxxx(const double* p, double vmass, int nhel, int nsv, cplx* vc) {
  const double p0 = p[0], p1 = p[1], p2 = p[2], p3 = p[3];
  const double sqh = std::sqrt(0.5);
  const double hel = static_cast<double>(nhel), sv = static_cast<double>(nsv);
  vc[0] = cplx(p0 * sv, p3 * sv);
  vc[1] = cplx(p1 * sv, p2 * sv);
  if (vmass != 0.0) {
    const double nsvahl = sv * std::fabs(hel);
    const double pt2 = p1 * p1 + p2 * p2;
    const double pp = std::fmin(p0, std::sqrt(pt2 + p3 * p3));
    const double pt = std::fmin(pp, std::sqrt(pt2));
    const double hel0 = 1.0 - std::fabs(hel);
    if (pp == 0.0) {
      vc[2] = cplx(0.0, 0.0);
      vc[3] = cplx(-hel * sqh, 0.0);
      vc[4] = cplx(0.0, nsvahl * sqh);
      vc[5] = cplx(hel0, 0.0);
    } else {
      const double emp = p0 / (vmass * pp);
      vc[2] = cplx(hel0 * pp / vmass, 0.0);
      vc[5] = cplx(hel0 * p3 * emp + hel * pt / pp * sqh, 0.0);
      if (pt != 0.0) {
        const double pzpt = p3 / (pp * pt) * sqh * hel;
        vc[3] = cplx(hel0 * p1 * emp - p1 * pzpt, -nsvahl * p2 / pt * sqh);
        vc[4] = cplx(hel0 * p2 * emp - p2 * pzpt, nsvahl * p1 / pt * sqh);
      } else {
        vc[3] = cplx(-hel * sqh, 0.0);
        vc[4] = cplx(0.0, nsvahl * (p3 < 0.0 ? -sqh : sqh));
      }
    }
  } else {
    const double pp = p0;
    const double pt = std::sqrt(p1 * p1 + p2 * p2);
    vc[2] = cplx();
    vc[5] = cplx(hel * pt / pp * sqh, 0.0);
    if (pt != 0.0) {
      const double pzpt = p3 / (pp * pt) * sqh * hel;
      vc[3] = cplx(-p1 * pzpt, -sv * p2 / pt * sqh);
      vc[4] = cplx(-p2 * pzpt, sv * p1 / pt * sqh);
    } else {
      vc[3] = cplx(-hel * sqh, 0.0);
      vc[4] = cplx(0.0, sv * (p3 < 0.0 ? -sqh : sqh));
    }
  }
}

MADNIS_HD MADNIS_INLINE void sxxxxx(const double* p, int nss, cplx* sc) {
  const double s = static_cast<double>(nss);
  sc[0] = cplx(p[0] * s, p[3] * s);
  sc[1] = cplx(p[1] * s, p[2] * s);
  sc[2] = cplx(1.0, 0.0);
  sc[3] = cplx();
  sc[4] = cplx();
  sc[5] = cplx();
}

MADNIS_HD MADNIS_INLINE void oxxxxx(const double* p, double fmass, int nhel, int nsf, cplx* fo) {
  const double p0 = p[0], p1 = p[1], p2 = p[2], p3 = p[3];
  const double fs = static_cast<double>(nsf);
  fo[0] = cplx(p0 * fs, p3 * fs);
  fo[1] = cplx(p1 * fs, p2 * fs);
  const int nh = nhel * nsf;
  if (fmass != 0.0) {
    const double pp = std::fmin(p0, std::sqrt(p1 * p1 + p2 * p2 + p3 * p3));
    if (pp == 0.0) {
      double sqm[2];
      sqm[0] = std::sqrt(std::fabs(fmass));
      sqm[1] = fmass < 0.0 ? -sqm[0] : sqm[0];
      const int ip = -((1 - nh) / 2) * nhel;
      const int im = (1 + nh) / 2 * nhel;
      const int aip = ip < 0 ? -ip : ip, aim = im < 0 ? -im : im;
      fo[2] = cplx(im * sqm[aip], 0.0);
      fo[3] = cplx(ip * nsf * sqm[aip], 0.0);
      fo[4] = cplx(im * nsf * sqm[aim], 0.0);
      fo[5] = cplx(ip * sqm[aim], 0.0);
    } else {
      const double sf0 = static_cast<double>(1 + nsf + (1 - nsf) * nh) * 0.5;
      const double sf1 = static_cast<double>(1 + nsf - (1 - nsf) * nh) * 0.5;
      double omega[2];
      omega[0] = std::sqrt(p0 + pp);
      omega[1] = fmass / omega[0];
      const int ip = (1 + nh) / 2, im = (1 - nh) / 2;
      const double sfomeg0 = sf0 * omega[ip], sfomeg1 = sf1 * omega[im];
      const double pp3 = std::fmax(pp + p3, 0.0);
      cplx chi[2];
      chi[0] = cplx(std::sqrt(pp3 * 0.5 / pp), 0.0);
      chi[1] = pp3 == 0.0 ? cplx(-nh, 0.0) : cplx(nh * p1, -p2) / std::sqrt(2.0 * pp * pp3);
      fo[2] = sfomeg1 * chi[im];
      fo[3] = sfomeg1 * chi[ip];
      fo[4] = sfomeg0 * chi[im];
      fo[5] = sfomeg0 * chi[ip];
    }
  } else {
    const double sqp0p3 = (p1 == 0.0 && p2 == 0.0 && p3 < 0.0) ? 0.0 : std::sqrt(std::fmax(p0 + p3, 0.0)) * fs;
    const cplx chi0(sqp0p3, 0.0);
    const cplx chi1 = sqp0p3 == 0.0 ? cplx(-nhel * std::sqrt(2.0 * p0), 0.0) : cplx(nh * p1, -p2) / sqp0p3;
    if (nh == 1) {
      fo[2] = chi0;
      fo[3] = chi1;
      fo[4] = cplx();
      fo[5] = cplx();
    } else {
      fo[2] = cplx();
      fo[3] = cplx();
      fo[4] = chi1;
      fo[5] = chi0;
    }
  }
}

/// Massless, E = +pz > 0.
MADNIS_HD MADNIS_INLINE void opzxxx(const double* p, int nhel, int nsf, cplx* fo) {
  const double p3 = p[3], fs = static_cast<double>(nsf);
  fo[0] = cplx(p3 * fs, p3 * fs);
  fo[1] = cplx();
  const int nh = nhel * nsf;
  const cplx sq(std::sqrt(2.0 * p3) * fs, 0.0);
  fo[3] = cplx();
  fo[4] = cplx();
  fo[2] = nh == 1 ? sq : cplx();
  fo[5] = nh == 1 ? cplx() : sq;
}

/// Massless, E = -pz > 0.
MADNIS_HD MADNIS_INLINE void omzxxx(const double* p, int nhel, int nsf, cplx* fo) {
  const double p3 = p[3], fs = static_cast<double>(nsf);
  fo[0] = cplx(-p3 * fs, p3 * fs);
  fo[1] = cplx();
  const int nh = nhel * nsf;
  const cplx chi1(-nhel * std::sqrt(-2.0 * p3), 0.0);
  fo[2] = cplx();
  fo[3] = nh == 1 ? chi1 : cplx();
  fo[4] = nh == 1 ? cplx() : chi1;
  fo[5] = cplx();
}

/// Massless, pT > 0.
MADNIS_HD MADNIS_INLINE void oxzxxx(const double* p, int nhel, int nsf, cplx* fo) {
  const double p0 = p[0], p1 = p[1], p2 = p[2], p3 = p[3], fs = static_cast<double>(nsf);
  fo[0] = cplx(p0 * fs, p3 * fs);
  fo[1] = cplx(p1 * fs, p2 * fs);
  const int nh = nhel * nsf;
  const double sqp0p3 = std::sqrt(p0 + p3) * fs;
  const cplx chi0(sqp0p3, 0.0), chi1(nh * p1 / sqp0p3, -p2 / sqp0p3);
  if (nh == 1) {
    fo[2] = chi0;
    fo[3] = chi1;
    fo[4] = cplx();
    fo[5] = cplx();
  } else {
    fo[2] = cplx();
    fo[3] = cplx();
    fo[4] = chi1;
    fo[5] = chi0;
  }
}

/// Any external wavefunction by kind (see WaveKind). `mass` is ignored by the massless special cases and by
/// sxxxxx; `nhel` by sxxxxx. `nsf` is nsf / nsv / nss.
MADNIS_HD MADNIS_INLINE void external_wavefunction(int kind, const double* p, double mass, int nhel, int nsf, cplx* w) {
  switch (kind) {
    case kIxxxxx: ixxxxx(p, mass, nhel, nsf, w); break;
    case kOxxxxx: oxxxxx(p, mass, nhel, nsf, w); break;
    case kVxxxxx: vxxxxx(p, mass, nhel, nsf, w); break;
    case kSxxxxx: sxxxxx(p, nsf, w); break;
    case kIpzxxx: ipzxxx(p, nhel, nsf, w); break;
    case kImzxxx: imzxxx(p, nhel, nsf, w); break;
    case kIxzxxx: ixzxxx(p, nhel, nsf, w); break;
    case kOpzxxx: opzxxx(p, nhel, nsf, w); break;
    case kOmzxxx: omzxxx(p, nhel, nsf, w); break;
    default: oxzxxx(p, nhel, nsf, w); break;
  }
}

}  // namespace madnis::helas
