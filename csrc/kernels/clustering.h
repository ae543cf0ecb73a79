// MadGraph's default dynamical scale (dynamical_scale_choice = -1) at leading order, ickkw = 0: the event
// is clustered back to a 2 -> 2 (or 2 -> 1) core along the Feynman diagrams of the process, as MadEvent's
// cluster.f does, and the scales are read off the clustering history as setclscales (reweight.f) does.
// One event per call; the same function runs on the CPU and the GPU.
#pragma once
#include <cmath>
#include <cstdint>
#include "core/hostdevice.h"

namespace madnis::kernels {

constexpr int kMaxClusterLegs = 12;    // external particles (2^12 leg masks)
constexpr int kMaxClusterWords = 64;   // 64-bit words of a diagram set: at most 4096 diagrams
constexpr int kMaxClusterBw = 12;      // s-channel resonances of one diagram

/// line_flags bits: the line's particle is coloured, is a light jet (|pdg| <= maxjetflavor or gluon), has a width.
enum ClusterLineFlag : std::uint8_t { kLineQcd = 1, kLineJet = 2, kLineResonant = 4 };

/// Status per event.
enum ClusterStatus : std::int8_t {
  kClusterOk = 0,
  kClusterFailed = 1,       // no pair could be combined (cluster.f stops the run there)
  kClusterLowFactScale = 2, // a hadron beam's factorisation scale below 2 GeV (setclscales returns false)
};

/// The process side of the clustering (built once per subprocess group, see madnis_py/clustering.py).
///
/// n_legs external particles, incoming first; a set of legs is a bit mask (leg k -> bit k). "Graphs" are the
/// diagrams made of three-point vertices only (MadGraph's configs.inc); graphs_of_mask[m * n_words + w]
/// holds the graphs with an internal line whose legs are m or the complement of m (cluster.f's id_cl);
/// line_pdg / line_flags[g * 2^n_legs + m] the PDG code and ClusterLineFlag bits of that line in graph g
/// (cluster.f's ipdgcl), single-leg masks the external particles.
struct ClusterGraphs {
  int n_legs;
  int n_graphs;
  int n_words;
  const std::uint64_t* graphs_of_mask;
  const std::int32_t* line_pdg;
  const std::uint8_t* line_flags;
};

/// The channel side: the graphs with the channel diagram's QCD order (filmap's nqcd selection), the channel's
/// graph (-1 when its diagram has a four-point vertex) and its s-channel resonances (width/mass < 0.1) with
/// their leg masks, masses and widths; bw_twin[k] is the index of a resonance daughter with the same PDG code
/// (-1 if none).
struct ClusterChannel {
  const std::uint64_t* candidates;
  int this_graph;
  int n_bw;
  const std::int32_t* bw_mask;
  const double* bw_mass;
  const double* bw_width;
  const std::int32_t* bw_twin;
};

/// Run-card constants: hadronic (a PDF on either beam: lpp1 or lpp2 != 0), maxjetflavor, bwcutoff,
/// scalefact, and the kT distance parameter D (MadGraph's hidden run-card entry, 1).
struct ClusterSettings {
  bool hadronic;
  bool pdf1;
  bool pdf2;
  int maxjetflavor;
  double bwcutoff;
  double scalefact;
  double d_param;
};

namespace cluster_detail {

/// MadGraph's dot(): the Minkowski product, set to zero below 1e-6 GeV^2 in magnitude.
MADNIS_HD MADNIS_INLINE double mg_dot(const double* a, const double* b) {
  const double d = a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
  return std::fabs(d) < 1e-6 ? 0.0 : d;
}

/// DJB: the measure of one line against the beams: m^2 + pT^2 = (E - pz)(E + pz) with PDFs, E^2 without.
MADNIS_HD MADNIS_INLINE double djb(const double* p, bool hadronic) {
  if (!hadronic) return p[0] > 0.0 ? p[0] * p[0] : 0.0;
  return (p[0] - p[3]) * (p[0] + p[3]);
}

/// DJ: the measure of two final-state lines (slot 4 holds the line's mass^2 as cluster.f assigns it).
MADNIS_HD MADNIS_INLINE double dj(const double* p1, const double* p2, const ClusterSettings& s) {
  if (!s.hadronic) {
    const double a = std::sqrt(p1[1] * p1[1] + p1[2] * p1[2] + p1[3] * p1[3]);
    const double b = std::sqrt(p2[1] * p2[1] + p2[2] * p2[2] + p2[3] * p2[3]);
    if (a * b == 0.0) return 0.0;
    const double costh = (p1[1] * p2[1] + p1[2] * p2[2] + p1[3] * p2[3]) / (a * b);
    return 2.0 * std::fmin(p1[0] * p1[0], p2[0] * p2[0]) * (1.0 - costh);  // Durham
  }
  const double pt1 = p1[1] * p1[1] + p1[2] * p1[2];
  const double pt2 = p2[1] * p2[1] + p2[2] * p2[2];
  const double a = std::sqrt(pt1 + p1[3] * p1[3]);
  const double b = std::sqrt(pt2 + p2[3] * p2[3]);
  const double eta1 = 0.5 * std::log((a + p1[3]) / (a - p1[3]));
  const double eta2 = 0.5 * std::log((b + p2[3]) / (b - p2[3]));
  // massless-massive pair: the massless line's m_T (only its soft divergence matters)
  const bool heavy2 = (p2[4] >= 3.0 && s.maxjetflavor > 4) || (p2[4] >= 1.0 && s.maxjetflavor > 3);
  const bool heavy1 = (p1[4] >= 3.0 && s.maxjetflavor > 4) || (p1[4] >= 1.0 && s.maxjetflavor > 3);
  if (p1[4] < 1.0 && heavy2) return djb(p1, true) * (1.0 + 1e-6);
  if (p2[4] < 1.0 && heavy1) return djb(p2, true) * (1.0 + 1e-6);
  return std::fmax(p1[4], p2[4]) +
         std::fmin(pt1, pt2) * 2.0 * (std::cosh(eta1 - eta2) - (p1[1] * p2[1] + p1[2] * p2[2]) / std::sqrt(pt1 * pt2)) /
             (s.d_param * s.d_param);
}

/// HELAS boostx: p from the rest frame of q into the frame where q has momentum q.
MADNIS_HD MADNIS_INLINE void boostx(const double* p, const double* q, double* out) {
  const double qq = q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  if (qq == 0.0) {
    for (int k = 0; k < 4; ++k) out[k] = p[k];
    return;
  }
  const double pq = p[1] * q[1] + p[2] * q[2] + p[3] * q[3];
  const double m = std::sqrt(q[0] * q[0] - qq);
  const double lf = ((q[0] - m) * pq / qq + p[0]) / m;
  out[0] = (p[0] * q[0] + pq) / m;
  for (int k = 1; k < 4; ++k) out[k] = p[k] + q[k] * lf;
}

/// cluster.f's rotation that takes p1 onto the z axis: axis n = p1 x z, its norm^2, cos and sin of the angle.
struct Rotation {
  double n[4] = {0.0, 0.0, 0.0, 0.0};
  double nn2 = 0.0, ct = 1.0, st = 0.0;

  MADNIS_HD void construct(const double* p1) {
    const double p2[4] = {1.0, 0.0, 0.0, 1.0};
    ct = p1[3] / std::sqrt(p1[1] * p1[1] + p1[2] * p1[2] + p1[3] * p1[3]);
    double mct = ct;
    if (mct - 1.0 > 0.0) mct = 0.0;  // as constr() catches bad numerics
    st = std::sqrt(1.0 - mct * mct);
    n[0] = 0.0;
    n[1] = p1[2] * p2[3] - p1[3] * p2[2];
    n[2] = p1[3] * p2[1] - p1[1] * p2[3];
    n[3] = p1[1] * p2[2] - p1[2] * p2[1];
    nn2 = n[1] * n[1] + n[2] * n[2] + n[3] * n[3];
    if (nn2 <= 1e-34) nn2 = 0.0;
  }

  /// direction +1: the rotation; -1: its inverse.
  MADNIS_HD void apply(const double* p, double* out, int direction) const {
    if (nn2 == 0.0) {
      for (int k = 0; k < 4; ++k) out[k] = p[k];
      return;
    }
    const double nn = std::sqrt(nn2);
    const double na = (n[1] * p[1] + n[2] * p[2] + n[3] * p[3]) / nn2;
    double at[4], ap[4], cr[4];
    for (int k = 1; k < 4; ++k) {
      at[k] = n[k] * na;
      ap[k] = p[k] - at[k];
    }
    cr[1] = n[2] * ap[3] - n[3] * ap[2];
    cr[2] = n[3] * ap[1] - n[1] * ap[3];
    cr[3] = n[1] * ap[2] - n[2] * ap[1];
    out[0] = p[0];
    for (int k = 1; k < 4; ++k) out[k] = at[k] + ct * ap[k] + (direction >= 0 ? st : -st) / nn * cr[k];
  }
};

MADNIS_HD MADNIS_INLINE bool any_common(const std::uint64_t* a, const std::uint64_t* b, int n_words) {
  for (int w = 0; w < n_words; ++w)
    if (a[w] & b[w]) return true;
  return false;
}

}  // namespace cluster_detail

/// In: momenta (n, n_legs, 4) GeV, incoming first, in any frame related to the partonic centre-of-mass frame
/// by a boost along z (MadEvent clusters in the partonic c.m. frame). Out: mu_r (n,), mu_f (n, 2) per beam,
/// GeV, scalefact included, and status (n,) (ClusterStatus).
///
/// The clustering (cluster.f): among the current lines, every pair that a surviving graph joins by an
/// internal line is a candidate (the beams never pair); a final-state pair is measured by DJ (or by its
/// invariant mass^2 when the pair is one of the channel's resonances within bwcutoff widths of its mass), a
/// final-state line with a beam by DJB, times (1 + 1e-6) when the line goes against that beam; the smallest
/// measure (first in the order (3,1), (3,2), (4,1), (4,2), (4,3), ... on ties) is combined, the surviving
/// graphs are those holding the new line, and after an initial-state combination (with more than two lines
/// left in the final state) everything is boosted to the rest frame of the new line and the other beam and
/// rotated to put the new line on the z axis. When one final-state line is left, the last vertex is that
/// line against the two beams, measured by its DJB (after undoing the last boost if the last combination was
/// a final-state one, whose two lines' m_T give mt2last = m_T1 m_T2).
///
/// The scales (setclscales): walking the history, each beam's QCD line gives jfirst (its first clustering),
/// jlast (where its run of light-parton emissions ends) and jcentral (where the coloured t-channel line ends,
/// the core). The core vertex takes the m_T^2 of the line clustered there (mt2last for a coloured
/// final-state core such as t t~), jlast's scale is at least jfirst's, and
///   mu_F,b^2 = sqrt(pt2(jlast_b) pt2(jcentral_b))  (the larger of the two when both lines meet in one core),
///   mu_R = (pt2(jlast_1) pt2(jcentral_1) pt2(jlast_2) pt2(jcentral_2))^(1/8)
/// with the fall-backs of setclscales when a beam has no QCD line.
struct ClusteringScale {
  ClusterGraphs graphs;
  ClusterChannel channel;
  ClusterSettings settings;
  const double* momenta;
  double* mu_r;
  double* mu_f;
  std::int8_t* status;

  MADNIS_HD std::uint8_t flags(int graph, int mask) const {
    return graphs.line_flags[static_cast<std::int64_t>(graph) * (1 << graphs.n_legs) + mask];
  }
  MADNIS_HD std::int32_t pdg(int graph, int mask) const {
    return graphs.line_pdg[static_cast<std::int64_t>(graph) * (1 << graphs.n_legs) + mask];
  }
  MADNIS_HD const std::uint64_t* graphs_of(int mask) const {
    return graphs.graphs_of_mask + static_cast<std::int64_t>(mask) * graphs.n_words;
  }

  MADNIS_HD void fail(index_t i, std::int8_t code) const {
    mu_r[i] = 0.0;
    mu_f[2 * i] = 0.0;
    mu_f[2 * i + 1] = 0.0;
    status[i] = code;
  }

  MADNIS_HD void operator()(index_t i) const {
    using namespace cluster_detail;
    const int n = graphs.n_legs;
    const int nw = graphs.n_words;
    const ClusterSettings& s = settings;
    const double* pin = momenta + 4 * n * i;

    // lines: leg mask and (E, px, py, pz, mass^2), in the partonic c.m. frame
    int mask[kMaxClusterLegs];
    double pcl[kMaxClusterLegs][5];
    {
      const double e = pin[0] + pin[4], pz = pin[3] + pin[7];
      const double beta = e > 0.0 ? pz / e : 0.0;
      const double gamma = 1.0 / std::sqrt(1.0 - beta * beta);
      for (int k = 0; k < n; ++k) {
        const double* p = pin + 4 * k;
        pcl[k][0] = gamma * (p[0] - beta * p[3]);
        pcl[k][1] = p[1];
        pcl[k][2] = p[2];
        pcl[k][3] = gamma * (p[3] - beta * p[0]);
        pcl[k][4] = mg_dot(p, p);
        mask[k] = 1 << k;
      }
    }

    // the channel's resonances on their Breit-Wigner peak (cut_bw); graphs must hold all of them (findmt)
    std::uint64_t allowed[kMaxClusterWords];
    for (int w = 0; w < nw; ++w) allowed[w] = channel.candidates[w];
    bool on_bw[kMaxClusterBw];
    double off_shell[kMaxClusterBw];
    for (int b = 0; b < channel.n_bw; ++b) {
      double q[4] = {0.0, 0.0, 0.0, 0.0};
      for (int k = 0; k < n; ++k)
        if (channel.bw_mask[b] >> k & 1)
          for (int c = 0; c < 4; ++c) q[c] += pin[4 * k + c];
      const double m = std::sqrt(std::fmax(mg_dot(q, q), 0.0));
      off_shell[b] = std::fabs(m - channel.bw_mass[b]);
      on_bw[b] = off_shell[b] < s.bwcutoff * channel.bw_width[b];
    }
    for (int b = 0; b < channel.n_bw; ++b) {  // a resonance and its identical daughter: keep the closer one
      const int t = channel.bw_twin[b];
      if (t >= 0 && on_bw[b] && on_bw[t]) {
        if (off_shell[b] > off_shell[t]) on_bw[b] = false;
        else on_bw[t] = false;
      }
    }
    for (int b = 0; b < channel.n_bw; ++b) {
      if (!on_bw[b]) continue;
      for (int w = 0; w < nw; ++w) {
        std::uint64_t keep = 0;
        for (int bit = 0; bit < 64; ++bit) {
          const int g = 64 * w + bit;
          if (g < graphs.n_graphs && (allowed[w] >> bit & 1) && (flags(g, channel.bw_mask[b]) & kLineResonant))
            keep |= std::uint64_t(1) << bit;
        }
        allowed[w] = keep;
      }
    }
    auto is_bw = [&](int m) {
      for (int b = 0; b < channel.n_bw; ++b)
        if (on_bw[b] && channel.bw_mask[b] == m) return true;
      return false;
    };

    // history, 1-based as in cluster.f: step k combines idacl[k][0] (beam side or first line) and idacl[k][1]
    int imocl[kMaxClusterLegs], idacl[kMaxClusterLegs][2];
    double pt2ijcl[kMaxClusterLegs], mt2ij[kMaxClusterLegs];
    for (int k = 0; k < kMaxClusterLegs; ++k) mt2ij[k] = 0.0;
    double mt2last = 0.0;
    int nleft = n;

    if (n == 3) {  // 2 -> 1: the particle's mass^2
      idacl[1][0] = mask[0];
      idacl[1][1] = mask[1];
      imocl[1] = mask[2];
      pt2ijcl[1] = pcl[2][4];
    } else {
      double pcmsp[4] = {0.0, 0.0, 0.0, 0.0};
      Rotation rot;
      for (int step = 1; step <= n - 2; ++step) {
        // the winner among the allowed pairs
        int iwin = -1, jwin = -1;
        double minpt2 = 1.0e37;
        for (int a = 2; a < nleft; ++a) {
          for (int b = 0; b < a; ++b) {
            const int idij = mask[a] | mask[b];
            if (!any_common(graphs_of(idij), allowed, nw)) continue;
            double pt2;
            if (b >= 2) {
              if (is_bw(idij)) {
                double q[4];
                for (int c = 0; c < 4; ++c) q[c] = pcl[a][c] + pcl[b][c];
                pt2 = mg_dot(q, q);
              } else {
                pt2 = dj(pcl[a], pcl[b], s);
              }
            } else {
              pt2 = djb(pcl[a], s.hadronic);
              if (std::signbit(pcl[a][3]) != std::signbit(pcl[b][3])) pt2 *= 1.0 + 1e-6;
            }
            if (pt2 < minpt2) {
              iwin = b;
              jwin = a;
              minpt2 = pt2;
            }
          }
        }
        if (iwin < 0) {
          fail(i, kClusterFailed);
          return;
        }
        const int mo = mask[iwin] | mask[jwin];
        imocl[step] = mo;
        idacl[step][0] = mask[iwin];
        idacl[step][1] = mask[jwin];
        pt2ijcl[step] = minpt2;
        {
          const std::uint64_t* gm = graphs_of(mo);
          for (int w = 0; w < nw; ++w) allowed[w] &= gm[w];
        }
        const double m2a = pcl[iwin][4], m2b = pcl[jwin][4];
        const double m2mo = (m2a > 0.0 || m2b > 0.0) ? std::fmax(m2a, m2b) : 0.0;
        double pmo[5];
        if (iwin < 2) {  // initial-state clustering
          mt2ij[step] = djb(pcl[jwin], s.hadronic);
          const int other = 1 - iwin;
          for (int c = 0; c < 4; ++c) {
            pmo[c] = pcl[iwin][c] - pcl[jwin][c];
            pcmsp[c] = -pmo[c] - pcl[other][c];
          }
          pcmsp[0] = -pcmsp[0];
          pmo[4] = m2mo;
          const double s_cms = pcmsp[0] * pcmsp[0] - pcmsp[1] * pcmsp[1] - pcmsp[2] * pcmsp[2] - pcmsp[3] * pcmsp[3];
          if (s_cms > 100.0 && nleft > 4) {
            double p1[4], pr[4];
            boostx(pmo, pcmsp, p1);
            rot.construct(p1);
            for (int k = 0; k < nleft; ++k) {
              boostx(pcl[k], pcmsp, p1);
              rot.apply(p1, pr, 1);
              for (int c = 0; c < 4; ++c) pcl[k][c] = pr[c];
            }
            boostx(pmo, pcmsp, p1);
            rot.apply(p1, pr, 1);
            for (int c = 0; c < 4; ++c) pmo[c] = pr[c];
          }
        } else {  // final-state clustering
          for (int c = 0; c < 4; ++c) pmo[c] = pcl[iwin][c] + pcl[jwin][c];
          pmo[4] = is_bw(mo) ? minpt2 : m2mo;
        }
        const double djb_a = djb(pcl[iwin], s.hadronic), djb_b = djb(pcl[jwin], s.hadronic);
        // the new line takes the place of iwin; jwin leaves
        mask[iwin] = mo;
        for (int c = 0; c < 5; ++c) pcl[iwin][c] = pmo[c];
        for (int k = jwin; k < nleft - 1; ++k) {
          mask[k] = mask[k + 1];
          for (int c = 0; c < 5; ++c) pcl[k][c] = pcl[k + 1][c];
        }
        --nleft;
        if (nleft <= 3) {
          if (iwin >= 2) {
            mt2last = std::sqrt(djb_a * djb_b);
            const double s_cms =
                pcmsp[0] * pcmsp[0] - pcmsp[1] * pcmsp[1] - pcmsp[2] * pcmsp[2] - pcmsp[3] * pcmsp[3];
            if (s_cms > 100.0) {  // undo the last boost and rotation for the remaining line
              double p1[4], back[4] = {pcmsp[0], -pcmsp[1], -pcmsp[2], -pcmsp[3]}, pb[4];
              rot.apply(pcl[2], p1, -1);
              boostx(p1, back, pb);
              for (int c = 0; c < 4; ++c) pcl[2][c] = pb[c];
            }
          }
          idacl[step + 1][0] = mask[0];
          idacl[step + 1][1] = mask[1];
          imocl[step + 1] = mask[2];
          pt2ijcl[step + 1] = djb(pcl[2], s.hadronic);
          break;
        }
      }
    }

    // the graph whose line identities are read: the channel's, if it survived, else the first survivor
    int g = -1;
    if (channel.this_graph >= 0 && (allowed[channel.this_graph / 64] >> (channel.this_graph % 64) & 1))
      g = channel.this_graph;
    for (int w = 0; w < nw && g < 0; ++w)
      if (allowed[w])
        for (int bit = 0; bit < 64; ++bit)
          if (allowed[w] >> bit & 1) {
            g = 64 * w + bit;
            break;
          }
    if (g < 0) {
      fail(i, kClusterFailed);
      return;
    }
    auto qcd = [&](int m) { return (flags(g, m) & kLineQcd) != 0; };
    auto jet = [&](int m) { return (flags(g, m) & kLineJet) != 0; };

    // goodjet of final-state lines (externals and final-state mothers)
    int gj_mask[2 * kMaxClusterLegs];
    bool gj_value[2 * kMaxClusterLegs];
    int n_gj = 0;
    auto set_goodjet = [&](int m, bool v) {
      for (int k = 0; k < n_gj; ++k)
        if (gj_mask[k] == m) {
          gj_value[k] = v;
          return;
        }
      gj_mask[n_gj] = m;
      gj_value[n_gj] = v;
      ++n_gj;
    };
    auto goodjet = [&](int m) {
      for (int k = 0; k < n_gj; ++k)
        if (gj_mask[k] == m) return gj_value[k];
      return false;
    };

    int ibeam[3] = {0, 1, 2}, jfirst[3] = {0, 0, 0}, jlast[3] = {0, 0, 0}, jcentral[3] = {0, 0, 0};
    bool qcdline[3], partonline[3];
    for (int j = 1; j <= 2; ++j) {
      ibeam[j] = 1 << (j - 1);
      qcdline[j] = qcd(ibeam[j]);
      partonline[j] = qcdline[j];
      set_goodjet(ibeam[j], partonline[j]);
    }
    for (int k = 2; k < n; ++k) set_goodjet(1 << k, jet(1 << k));
    const int nlast = n - 2;
    if (n > 3) {
      for (int step = 1; step <= nlast; ++step) {
        for (int a = 0; a < 2; ++a) {
          for (int j = 1; j <= 2; ++j) {
            if (idacl[step][a] != ibeam[j]) continue;
            ibeam[j] = imocl[step];
            int ida_other, imo;
            if (step < nlast) {
              ida_other = idacl[step][1 - a];
              imo = imocl[step];
            } else {
              ida_other = imocl[step];
              imo = idacl[step][1 - a];
            }
            if (partonline[j]) {
              if (jfirst[j] == 0) jfirst[j] = step;
              jlast[j] = step;
              partonline[j] = goodjet(ida_other) && jet(imo);
            } else if (jfirst[j] == 0) {
              jfirst[j] = step;
            }
            if (qcdline[j]) {
              jcentral[j] = step;
              qcdline[j] = qcd(imo);
            }
          }
        }
        const int mo = imocl[step];
        if (mo != ibeam[1] && mo != ibeam[2]) {  // final-state clustering: does it make a jet?
          const int d1 = idacl[step][0], d2 = idacl[step][1];
          bool jet_vertex = false;
          if (step != nlast && qcd(mo) && qcd(d1) && qcd(d2))
            jet_vertex = (jet(d1) && (jet(mo) || pdg(g, mo) == pdg(g, d2))) ||
                         (jet(d2) && (jet(mo) || pdg(g, mo) == pdg(g, d1)));
          set_goodjet(mo, jet_vertex && jet(mo) && goodjet(d1) && goodjet(d2));
        }
      }
    }
    for (int j = 1; j <= 2; ++j)
      if (jfirst[j] <= 0) jfirst[j] = jlast[j];

    // a coloured final-state core (t t~, q q~): both core vertices take mt2last
    if (mt2last > 4.0 && n > 3 && jlast[1] == nlast && jlast[2] == nlast && qcd(idacl[nlast - 1][0]) &&
        qcd(idacl[nlast - 1][1]) && qcd(imocl[nlast - 1])) {
      mt2ij[nlast] = mt2last;
      mt2ij[nlast - 1] = mt2last;
    }
    for (int j = 1; j <= 2; ++j)
      if (jcentral[j] > 0 && mt2ij[jcentral[j]] > 0.0) pt2ijcl[jcentral[j]] = mt2ij[jcentral[j]];
    for (int j = 1; j <= 2; ++j)
      if (jlast[j] > 0) pt2ijcl[jlast[j]] = std::fmax(pt2ijcl[jlast[j]], pt2ijcl[jfirst[j]]);

    double q2fact[3] = {0.0, 0.0, 0.0};
    if (n == 3) q2fact[1] = q2fact[2] = pt2ijcl[1];
    if (q2fact[1] == 0.0 || q2fact[2] == 0.0) {
      for (int j = 1; j <= 2; ++j)
        if (jlast[j] > 0) q2fact[j] = std::sqrt(pt2ijcl[jlast[j]] * pt2ijcl[jcentral[j]]);
      if (jcentral[1] > 0 && jcentral[1] == jcentral[2]) q2fact[1] = q2fact[2] = std::fmax(q2fact[1], q2fact[2]);
    }
    const double sf2 = s.scalefact * s.scalefact;
    q2fact[1] *= sf2;
    q2fact[2] *= sf2;

    double scale;
    if (jlast[1] > 0 && jlast[2] > 0)
      scale = std::pow(pt2ijcl[jlast[1]] * pt2ijcl[jcentral[1]] * pt2ijcl[jlast[2]] * pt2ijcl[jcentral[2]], 0.125);
    else if (jlast[1] > 0)
      scale = std::pow(pt2ijcl[jlast[1]] * pt2ijcl[jcentral[1]], 0.25);
    else if (jlast[2] > 0)
      scale = std::pow(pt2ijcl[jlast[2]] * pt2ijcl[jcentral[2]], 0.25);
    else if (jcentral[1] > 0 && jcentral[2] > 0)
      scale = std::pow(pt2ijcl[jcentral[1]] * pt2ijcl[jcentral[2]], 0.25);
    else if (jcentral[1] > 0)
      scale = std::sqrt(pt2ijcl[jcentral[1]]);
    else if (jcentral[2] > 0)
      scale = std::sqrt(pt2ijcl[jcentral[2]]);
    else
      scale = std::sqrt(pt2ijcl[nlast]);
    scale *= s.scalefact;

    if (jcentral[1] == 0 && jcentral[2] == 0) {
      if (q2fact[1] <= 0.0 && q2fact[2] <= 0.0) {
        q2fact[1] = sf2 * pt2ijcl[nlast];
        q2fact[2] = sf2 * q2fact[1];  // sic: setclscales applies scalefact^2 twice to beam 2 here
      }
    } else if (jcentral[1] == 0) {
      q2fact[1] = sf2 * pt2ijcl[jfirst[1]];
    } else if (jcentral[2] == 0) {
      q2fact[2] = sf2 * pt2ijcl[jfirst[2]];
    }

    mu_r[i] = scale;
    mu_f[2 * i] = std::sqrt(std::fmax(q2fact[1], 0.0));
    mu_f[2 * i + 1] = std::sqrt(std::fmax(q2fact[2], 0.0));
    status[i] = ((s.pdf1 && q2fact[1] < 4.0) || (s.pdf2 && q2fact[2] < 4.0)) ? kClusterLowFactScale : kClusterOk;
  }
};

}  // namespace madnis::kernels
