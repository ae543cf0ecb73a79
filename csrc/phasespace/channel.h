// One multi-channel phase-space channel (topology.h), one event per call, forward and inverse.
//
// Forward:  r in [0,1]^dim  ->  momenta (n+2, 4), x = (x1, x2), weight.
// Inverse:  momenta         ->  r, x, weight (the same weight the forward map gives at that r; 0 when the
//                               momenta lie outside the channel's support, e.g. outside a bwcutoff window).
//
// Weight convention: the density of phase space per unit volume of r,
//   fixed energy : w = dPhi_n / d^(3n-4) r,                  GeV^(2n-4),
//   luminosity   : w = dx1 dx2 dPhi_n / d^(3n-2) r,          GeV^(2n-4),
// with dPhi_n = (2 pi)^(4-3n) delta^4(p_a + p_b - sum p_i) prod_i d^3p_i / (2 E_i), so that
// Phi_2 = lambda^(1/2)(s, m1^2, m2^2) / (8 pi s). The caller multiplies PDFs, flux 1/(2 s_hat) and |M|^2.
//
// Layout of r (dim = 3n - 4, +2 first with a luminosity map), D = n_decays, m = n_clusters:
//   [r_shat, r_y]                     luminosity only: s_hat (root map), rapidity (flat)
//   r_s[d],           d = 0 .. D-1    invariant of decay d (bottom-up order)
//   [r_sR], r_t, r_phi  per chain step j = 1 .. m-1 (r_sR, the invariant mass of k_{j+1} + ... + k_m,
//                                     only for j < m-1)
//   r_cos[d], r_phi[d], d = 0 .. D-1  decay angles in the parent's rest frame (reached by a pure boost from
//                                     the partonic centre-of-mass frame), relative to the z axis
//
// Construction (MadEvent's gen_mom, arXiv:2311.01548 sec. 2): decay invariants bottom-up, each between
// (m_d1 + m_d2)^2 and (sqrt(s_hat) - sum of the masses of all other current blocks)^2; then the t-channel
// chain as a sequence of 2 -> 2 steps q_{j-1} + p_b -> k_j + (k_{j+1} + ... + k_m) in the rest frame of
// q_{j-1} + p_b, t_j sampled between its limits, phi about the direction of q_{j-1}; then the decays
// top-down with flat (cos theta, phi).
#pragma once
#include <cmath>
#include "core/hostdevice.h"
#include "core/lorentz.h"
#include "phasespace/frames.h"
#include "phasespace/maps.h"
#include "phasespace/topology.h"

namespace madnis::phasespace {

/// Kinematics of one 2 -> 2 step q (q^2 = t_prev) + p_b -> k + R in the rest frame of q + p_b (s = (q+p_b)^2).
struct TStep {
  double rs;        ///< sqrt(s)
  double e_a, p_a;  ///< energy and momentum of q
  double e_k, p_k;  ///< energy and momentum of k
  double t_min, t_max;
};

MADNIS_HD MADNIS_INLINE TStep t_step(double s, double t_prev, double mb2, double mk2, double s_r) {
  TStep st;
  st.rs = std::sqrt(s);
  st.e_a = (s + t_prev - mb2) / (2.0 * st.rs);
  st.p_a = sqrt_kaellen(s, t_prev, mb2) / (2.0 * st.rs);
  st.e_k = (s + mk2 - s_r) / (2.0 * st.rs);
  st.p_k = sqrt_kaellen(s, mk2, s_r) / (2.0 * st.rs);
  const double t0 = t_prev + mk2 - 2.0 * st.e_a * st.e_k, d = 2.0 * st.p_a * st.p_k;
  // t_min t_max = t0^2 - d^2 (Byckling-Kajantie): the limit near 0 from the product, without cancellation.
  const double prod = (t_prev - mk2) * (mb2 - s_r) + (t_prev + s_r - mb2 - mk2) * (t_prev * s_r - mb2 * mk2) / s;
  if (t0 <= 0.0) {
    st.t_min = t0 - d;
    st.t_max = st.t_min != 0.0 ? prod / st.t_min : t0 + d;
  } else {
    st.t_max = t0 + d;
    st.t_min = st.t_max != 0.0 ? prod / st.t_max : t0 - d;
  }
  return st;
}

/// Parameters of the map of v = (M^2 - t) - shift >= 0 for t-channel propagator j.
struct TLimits {
  double v_lo, v_hi, shift, m2, a;
};

MADNIS_HD MADNIS_INLINE TLimits t_limits(const ChannelTopology& tp, int j, const TStep& st) {
  TLimits l;
  const double m = tp.t_mass[j], w = tp.t_width[j];
  l.m2 = m * m;
  l.a = w > 0.0 ? m * w : m * m;
  const double u_lo = l.m2 - st.t_max, u_hi = l.m2 - st.t_min;
  l.shift = u_lo < 0.0 ? u_lo : 0.0;
  l.v_lo = u_lo - l.shift;
  l.v_hi = u_hi - l.shift;
  return l;
}

/// Incoming momenta in the partonic centre-of-mass frame, p_a along +z.
MADNIS_HD MADNIS_INLINE void incoming_cm(double s, double ma, double mb, double* pa, double* pb) {
  const double rs = std::sqrt(s), p = sqrt_kaellen(s, ma * ma, mb * mb) / (2.0 * rs);
  const double ea = (s + ma * ma - mb * mb) / (2.0 * rs);
  pa[0] = ea, pa[1] = 0.0, pa[2] = 0.0, pa[3] = p;
  pb[0] = rs - ea, pb[1] = 0.0, pb[2] = 0.0, pb[3] = -p;
}

MADNIS_HD MADNIS_INLINE double sum_out_masses(const ChannelTopology& tp) {
  double m = 0.0;
  for (int i = 0; i < tp.n_final; ++i) m += tp.m_out[i];
  return m;
}

/// Lower limit of s_hat in the luminosity map (GeV^2).
MADNIS_HD MADNIS_INLINE double s_hat_lower(const ChannelTopology& tp, const Collision& col) {
  const double m = sum_out_masses(tp);
  return col.s_hat_min > m * m ? col.s_hat_min : m * m;
}

/// Limits of the invariant of decay d given the current masses (GeV); false if empty.
MADNIS_HD MADNIS_INLINE bool decay_limits(const ChannelTopology& tp, int d, double rs, double total, double m1,
                                          double m2, double* lo, double* hi) {
  const double up = rs - (total - m1 - m2);
  if (!(up > m1 + m2)) return false;
  *lo = (m1 + m2) * (m1 + m2);
  *hi = up * up;
  if (tp.dec_smin[d] > *lo) *lo = tp.dec_smin[d];
  if (tp.dec_smax[d] < *hi) *hi = tp.dec_smax[d];
  return *hi > *lo;
}

MADNIS_HD MADNIS_INLINE double fail_forward(int n_particles, double* p_out, double* x) {
  for (int k = 0; k < 4 * n_particles; ++k) p_out[k] = 0.0;
  x[0] = 0.0;
  x[1] = 0.0;
  return 0.0;
}

/// Forward map of one event. r: dim numbers; p_out: (n+2)*4; x: 2. Returns the weight (0: no valid point).
MADNIS_HD inline double channel_forward(const ChannelTopology& tp, const Collision& col, const double* r,
                                        double* p_out, double* x) {
  const int n = tp.n_final, D = tp.n_decays, m = tp.n_clusters;
  const double inv_2pi = 0.5 / M_PI;
  double w = 1.0, s_hat, y_lab = 0.0;
  int ir = 0;
  if (col.luminosity) {
    const double S = 4.0 * col.e_beam1 * col.e_beam2, lo = s_hat_lower(tp, col);
    double jac;
    s_hat = s_forward(tp.root_kind, r[0], lo, S, tp.nu, tp.root_mass, tp.root_width, &jac);
    const double tau = s_hat / S, ly = -std::log(tau), y = -0.5 * ly + r[1] * ly;
    // at the ends of the rapidity range one fraction is 1 up to rounding: keep it a momentum fraction
    x[0] = std::fmin(std::sqrt(tau) * std::exp(y), 1.0);
    x[1] = std::fmin(std::sqrt(tau) * std::exp(-y), 1.0);
    w *= jac / S * ly;
    y_lab = y + 0.5 * std::log(col.e_beam1 / col.e_beam2);
    ir = 2;
  } else {
    s_hat = col.sqrt_s * col.sqrt_s;
    x[0] = 1.0;
    x[1] = 1.0;
  }
  const double rs = std::sqrt(s_hat);
  if (!(w > 0.0) || !(rs > sum_out_masses(tp)) || !(rs > tp.m_in[0] + tp.m_in[1])) return fail_forward(n + 2, p_out, x);

  double mom[kMaxChannelNodes][4], msq[kMaxChannelNodes], mass[kMaxChannelNodes];
  double total = 0.0;
  for (int i = 0; i < n; ++i) {
    mass[i] = tp.m_out[i];
    msq[i] = mass[i] * mass[i];
    total += mass[i];
  }
  // 1. decay invariants, bottom-up
  for (int d = 0; d < D; ++d) {
    const int X = n + d, d1 = tp.dec_d1[d], d2 = tp.dec_d2[d];
    double lo, hi, jac;
    if (!decay_limits(tp, d, rs, total, mass[d1], mass[d2], &lo, &hi)) return fail_forward(n + 2, p_out, x);
    msq[X] = s_forward(tp.dec_kind[d], r[ir++], lo, hi, tp.nu, tp.dec_mass[d], tp.dec_width[d], &jac);
    mass[X] = std::sqrt(msq[X]);
    if (!(mass[X] > 0.0)) return fail_forward(n + 2, p_out, x);  // a face of the cube: massless daughters at rest
    total += mass[X] - mass[d1] - mass[d2];
    w *= jac * inv_2pi;
  }
  // 2. the t-channel chain
  double pa[4], pb[4], qa[4], Q[4];
  incoming_cm(s_hat, tp.m_in[0], tp.m_in[1], pa, pb);
  copy4(qa, pa);
  for (int k = 0; k < 4; ++k) Q[k] = pa[k] + pb[k];
  double s_q = s_hat, t_prev = tp.m_in[0] * tp.m_in[0];
  const double mb2 = tp.m_in[1] * tp.m_in[1];
  double rest_min = 0.0;
  for (int j = 1; j < m; ++j) rest_min += mass[tp.cluster[j]];
  for (int j = 0; j < m - 1; ++j) {
    const int k = tp.cluster[j];
    rest_min -= j > 0 ? mass[k] : 0.0;
    const double rs_q = std::sqrt(s_q);
    double s_r, jac;
    if (j < m - 2) {
      const double hi = (rs_q - mass[k]) * (rs_q - mass[k]);
      if (!(rs_q - mass[k] > rest_min)) return fail_forward(n + 2, p_out, x);
      s_r = power_forward(r[ir++], rest_min * rest_min, hi, 0.0, &jac);
      w *= jac * inv_2pi;
    } else {
      s_r = msq[tp.cluster[m - 1]];
    }
    const TStep st = t_step(s_q, t_prev, mb2, msq[k], s_r);
    const TLimits tl = t_limits(tp, j, st);
    const double v = v_forward(tp.t_kind[j], r[ir++], tl.v_lo, tl.v_hi, tp.nu, tl.a, &jac);
    const double dd = 2.0 * st.p_a * st.p_k;
    if (!(jac > 0.0) || !(dd > 0.0)) return fail_forward(n + 2, p_out, x);
    w *= jac / (16.0 * M_PI * st.rs * st.p_a);
    const double omc = (v - tl.v_lo) / dd, opc = (tl.v_hi - v) / dd;
    const double cos_t = omc < 1.0 ? 1.0 - omc : opc - 1.0, sin_t = std::sqrt(std::fmax(0.0, omc * opc));
    const double phi = 2.0 * M_PI * r[ir++];
    // axis: direction of q in the rest frame of Q
    double qs[4];
    copy4(qs, qa);
    boost_to_rest(qs, Q, rs_q);
    const double qn = norm3(qs), nvec[3] = {qs[1] / qn, qs[2] / qn, qs[3] / qn};
    double ks[4] = {st.e_k, st.p_k * sin_t * std::cos(phi), st.p_k * sin_t * std::sin(phi), st.p_k * cos_t};
    rotate_z_to(ks, nvec, +1);
    double rs4[4] = {st.rs - st.e_k, -ks[1], -ks[2], -ks[3]};
    boost_from_rest(ks, Q, rs_q);
    boost_from_rest(rs4, Q, rs_q);
    copy4(mom[k], ks);
    for (int c = 0; c < 4; ++c) qa[c] -= ks[c];
    copy4(Q, rs4);
    s_q = s_r;
    t_prev = tl.m2 - (v + tl.shift);
  }
  copy4(mom[tp.cluster[m - 1]], Q);
  // 3. decays, top-down
  const int ir_ang = ir;
  for (int d = D - 1; d >= 0; --d) {
    const int X = n + d, d1 = tp.dec_d1[d], d2 = tp.dec_d2[d];
    const double mx = mass[X], ps = sqrt_kaellen(msq[X], msq[d1], msq[d2]) / (2.0 * mx);
    const double e1 = (msq[X] + msq[d1] - msq[d2]) / (2.0 * mx);
    const double c = 2.0 * r[ir_ang + 2 * d] - 1.0, sn = std::sqrt(std::fmax(0.0, (1.0 - c) * (1.0 + c)));
    const double phi = 2.0 * M_PI * r[ir_ang + 2 * d + 1];
    w *= ps / (4.0 * M_PI * mx);
    double a[4] = {e1, ps * sn * std::cos(phi), ps * sn * std::sin(phi), ps * c};
    double b[4] = {mx - e1, -a[1], -a[2], -a[3]};
    boost_from_rest(a, mom[X], mx);
    boost_from_rest(b, mom[X], mx);
    copy4(mom[d1], a);
    copy4(mom[d2], b);
  }
  // 4. output, boosted to the lab frame with a luminosity map
  copy4(p_out, pa);
  copy4(p_out + 4, pb);
  for (int i = 0; i < n; ++i) copy4(p_out + 4 * (2 + i), mom[i]);
  if (col.luminosity)
    for (int i = 0; i < n + 2; ++i) boost_z(p_out + 4 * i, y_lab);
  return w;
}

MADNIS_HD MADNIS_INLINE double fail_inverse(int dim, double* r, double* x) {
  for (int k = 0; k < dim; ++k) r[k] = 0.5;
  x[0] = 0.0;
  x[1] = 0.0;
  return 0.0;
}

/// Inverse map of one event. p_in: (n+2)*4 momenta (lab frame with a luminosity map, else partonic
/// centre-of-mass frame); r: dim; x: 2. Returns the weight (0: outside the channel).
MADNIS_HD inline double channel_inverse(const ChannelTopology& tp, const Collision& col, const double* p_in,
                                        double* r, double* x) {
  const int n = tp.n_final, D = tp.n_decays, m = tp.n_clusters;
  const int dim = tp.dim() + (col.luminosity ? 2 : 0);
  const double inv_2pi = 0.5 / M_PI;
  double mom[kMaxChannelNodes][4], msq[kMaxChannelNodes], mass[kMaxChannelNodes], pa[4], pb[4];
  copy4(pa, p_in);
  copy4(pb, p_in + 4);
  for (int i = 0; i < n; ++i) copy4(mom[i], p_in + 4 * (2 + i));
  double w = 1.0, s_hat;
  int ir = 0;
  if (col.luminosity) {
    const double S = 4.0 * col.e_beam1 * col.e_beam2, lo = s_hat_lower(tp, col);
    const double x1 = (pa[0] + pa[3]) / (2.0 * col.e_beam1), x2 = (pb[0] - pb[3]) / (2.0 * col.e_beam2);
    if (!(x1 > 0.0 && x2 > 0.0 && x1 <= 1.0 && x2 <= 1.0)) return fail_inverse(dim, r, x);
    x[0] = x1;
    x[1] = x2;
    s_hat = x1 * x2 * S;
    double jac;
    r[0] = s_inverse(tp.root_kind, s_hat, lo, S, tp.nu, tp.root_mass, tp.root_width, &jac);
    const double ly = -std::log(x1 * x2), y = 0.5 * std::log(x1 / x2);
    r[1] = clamp01((y + 0.5 * ly) / ly);
    w *= jac / S * ly;
    const double y_lab = y + 0.5 * std::log(col.e_beam1 / col.e_beam2);
    boost_z(pa, -y_lab);
    boost_z(pb, -y_lab);
    for (int i = 0; i < n; ++i) boost_z(mom[i], -y_lab);
    ir = 2;
  } else {
    s_hat = col.sqrt_s * col.sqrt_s;
    x[0] = 1.0;
    x[1] = 1.0;
  }
  const double rs = std::sqrt(s_hat);
  if (!(w > 0.0) || !(rs > sum_out_masses(tp))) return fail_inverse(dim, r, x);

  double total = 0.0;
  for (int i = 0; i < n; ++i) {
    mass[i] = tp.m_out[i];
    msq[i] = mass[i] * mass[i];
    total += mass[i];
  }
  // 1. decay invariants, bottom-up
  for (int d = 0; d < D; ++d) {
    const int X = n + d, d1 = tp.dec_d1[d], d2 = tp.dec_d2[d];
    for (int c = 0; c < 4; ++c) mom[X][c] = mom[d1][c] + mom[d2][c];
    msq[X] = dot4(mom[X], mom[X]);
    double lo, hi, jac;
    if (!decay_limits(tp, d, rs, total, mass[d1], mass[d2], &lo, &hi)) return fail_inverse(dim, r, x);
    r[ir++] = s_inverse(tp.dec_kind[d], msq[X], lo, hi, tp.nu, tp.dec_mass[d], tp.dec_width[d], &jac);
    if (!(jac > 0.0)) return fail_inverse(dim, r, x);
    msq[X] = clamp(msq[X], lo, hi);
    mass[X] = std::sqrt(msq[X]);
    total += mass[X] - mass[d1] - mass[d2];
    w *= jac * inv_2pi;
  }
  // 2. the t-channel chain
  double qa[4];
  copy4(qa, pa);
  double s_q = s_hat, t_prev = tp.m_in[0] * tp.m_in[0];
  const double mb2 = tp.m_in[1] * tp.m_in[1];
  double rest_min = 0.0;
  for (int j = 1; j < m; ++j) rest_min += mass[tp.cluster[j]];
  for (int j = 0; j < m - 1; ++j) {
    const int k = tp.cluster[j];
    rest_min -= j > 0 ? mass[k] : 0.0;
    const double rs_q = std::sqrt(s_q);
    double s_r, jac;
    if (j < m - 2) {
      double R[4] = {0.0, 0.0, 0.0, 0.0};
      for (int i = j + 1; i < m; ++i)
        for (int c = 0; c < 4; ++c) R[c] += mom[tp.cluster[i]][c];
      s_r = dot4(R, R);
      const double lo = rest_min * rest_min, hi = (rs_q - mass[k]) * (rs_q - mass[k]);
      if (!(rs_q - mass[k] > rest_min)) return fail_inverse(dim, r, x);
      r[ir++] = power_inverse(s_r, lo, hi, 0.0, &jac);
      if (!(jac > 0.0)) return fail_inverse(dim, r, x);
      s_r = clamp(s_r, lo, hi);
      w *= jac * inv_2pi;
    } else {
      s_r = msq[tp.cluster[m - 1]];
    }
    const TStep st = t_step(s_q, t_prev, mb2, msq[k], s_r);
    const TLimits tl = t_limits(tp, j, st);
    const double dd = 2.0 * st.p_a * st.p_k;
    if (!(dd > 0.0)) return fail_inverse(dim, r, x);
    double Q[4], qs[4], ks[4];
    for (int c = 0; c < 4; ++c) Q[c] = qa[c] + pb[c];
    copy4(qs, qa);
    copy4(ks, mom[k]);
    boost_to_rest(qs, Q, rs_q);
    boost_to_rest(ks, Q, rs_q);
    const double qn = norm3(qs), nvec[3] = {qs[1] / qn, qs[2] / qn, qs[3] / qn};
    rotate_z_to(ks, nvec, -1);
    const double omc = one_minus_cos(ks), opc = one_plus_cos(ks);
    const double v = omc <= opc ? tl.v_lo + dd * omc : tl.v_hi - dd * opc;
    r[ir++] = v_inverse(tp.t_kind[j], v, tl.v_lo, tl.v_hi, tp.nu, tl.a, &jac);
    if (!(jac > 0.0)) return fail_inverse(dim, r, x);
    w *= jac / (16.0 * M_PI * st.rs * st.p_a);
    r[ir++] = azimuth(ks) / (2.0 * M_PI);
    for (int c = 0; c < 4; ++c) qa[c] -= mom[k][c];
    s_q = s_r;
    t_prev = tl.m2 - (clamp(v, tl.v_lo, tl.v_hi) + tl.shift);
  }
  // 3. decay angles
  for (int d = 0; d < D; ++d) {
    const int X = n + d, d1 = tp.dec_d1[d], d2 = tp.dec_d2[d];
    const double mx = mass[X], ps = sqrt_kaellen(msq[X], msq[d1], msq[d2]) / (2.0 * mx);
    double a[4];
    copy4(a, mom[d1]);
    boost_to_rest(a, mom[X], mx);
    r[ir++] = clamp01(0.5 * one_plus_cos(a));
    r[ir++] = azimuth(a) / (2.0 * M_PI);
    w *= ps / (4.0 * M_PI * mx);
  }
  return w;
}

}  // namespace madnis::phasespace
