// Per-event parton densities from an LHAPDF6 grid (see pdf/grid.h for the interpolation).
#pragma once
#include <cstdint>
#include "core/hostdevice.h"
#include "pdf/grid.h"

namespace madnis::kernels {

constexpr int kMaxPdfColumns = 64;  // flavours (or flavour pairs) evaluated per call

/// In: x (n,), q (n,) GeV; out: xf (n, n_cols), xf[i, c] = x f(x_i, Q_i) of column c's flavour slot
/// (slot -1: a flavour the set lacks, 0). The subgrid and knot search are shared by all columns.
struct PdfXfxQ {
  pdf::PdfGrid grid;
  int n_cols;
  int slots[kMaxPdfColumns];
  const double* x;
  const double* q;
  double* xf;

  MADNIS_HD void operator()(index_t i) const {
    const double xi = x[i], q2 = q[i] * q[i];
    double* out = xf + i * n_cols;
    if (!pdf::physical(xi, q2)) {
      for (int c = 0; c < n_cols; ++c) out[c] = NAN;
      return;
    }
    if (pdf::in_range(grid, xi, q2)) {
      const pdf::Stencil st = pdf::make_stencil(grid, xi, q2);
      for (int c = 0; c < n_cols; ++c) out[c] = slots[c] < 0 ? 0.0 : pdf::interpolate(grid, st, slots[c]);
    } else {
      for (int c = 0; c < n_cols; ++c) out[c] = slots[c] < 0 ? 0.0 : pdf::extrapolate(grid, slots[c], xi, q2);
    }
  }
};

/// In: x (n,), q (n,) GeV, pid (n,) PDG code per event; out: xf (n,) = x f_pid(x, Q).
struct PdfXfxQPerEvent {
  pdf::PdfGrid grid;
  const double* x;
  const double* q;
  const std::int32_t* pid;
  double* xf;

  MADNIS_HD void operator()(index_t i) const {
    xf[i] = pdf::xfxq2(grid, pdf::flavour_slot(grid, pid[i]), x[i], q[i] * q[i]);
  }
};

/// Beam kinds as MadGraph's run_card `lpp`: 1 proton, -1 antiproton (flavours conjugated), 0 no PDF (f = 1).
/// In: x1, x2 (n,), mu_f (n,) GeV; per column c the PDG codes of the two partons as flavour slots for a proton.
/// Out: lumi (n, n_cols) = f1(x1, mu_f) f2(x2, mu_f), the densities f (not x f) multiplied.
struct PdfTwoBeam {
  pdf::PdfGrid grid;
  int lpp1, lpp2;
  int n_cols;
  int slots1[kMaxPdfColumns];
  int slots2[kMaxPdfColumns];
  const double* x1;
  const double* x2;
  const double* mu_f;
  double* lumi;

  MADNIS_HD static double density(const pdf::PdfGrid& g, bool in_range, const pdf::Stencil& st, int slot, double x,
                                  double q2) {
    if (slot < 0) return 0.0;
    return (in_range ? pdf::interpolate(g, st, slot) : pdf::extrapolate(g, slot, x, q2)) / x;
  }

  MADNIS_HD void operator()(index_t i) const {
    const double a = x1[i], b = x2[i], q2 = mu_f[i] * mu_f[i];
    double* out = lumi + i * n_cols;
    const bool ok1 = lpp1 == 0 || pdf::physical(a, q2), ok2 = lpp2 == 0 || pdf::physical(b, q2);
    if (!ok1 || !ok2) {
      for (int c = 0; c < n_cols; ++c) out[c] = NAN;
      return;
    }
    const bool in1 = lpp1 != 0 && pdf::in_range(grid, a, q2), in2 = lpp2 != 0 && pdf::in_range(grid, b, q2);
    pdf::Stencil st1, st2;
    if (in1) st1 = pdf::make_stencil(grid, a, q2);
    if (in2) st2 = pdf::make_stencil(grid, b, q2);
    for (int c = 0; c < n_cols; ++c) {
      const double f1 = lpp1 == 0 ? 1.0 : density(grid, in1, st1, slots1[c], a, q2);
      const double f2 = lpp2 == 0 ? 1.0 : density(grid, in2, st2, slots2[c], b, q2);
      out[c] = f1 * f2;
    }
  }
};

}  // namespace madnis::kernels
