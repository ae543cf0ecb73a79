// The CPU driver of the amplitude program: SIMD lanes x chunk-major.
//
// Events are grouped in vectors of simd::kLanes (one event per lane); a chunk is nv such vectors. For each helicity
// combination the driver runs one instruction over all vectors of the chunk before the next instruction, calling
// the same HELAS templates as the CUDA driver with a vector of doubles as the real type, so every arithmetic
// operation works on kLanes events at once.
//
// Work saved per chunk:
//  * the program is decoded once into a plan (CpuPlan): one function pointer per instruction, specialised for its
//    Lorentz structure and off-shell leg, the couplings' powers of G, the colour coefficients of each amplitude
//    split into real and imaginary lists, the colour matrix packed as its upper triangle;
//  * external wavefunctions are computed once per chunk for every helicity of the particle that is summed, and
//    copied into their slots when the helicity changes;
//  * per helicity only the currents that depend on a particle whose helicity changed are rerun (when every slot is
//    written once); the amplitudes are added straight into the colour-flow amplitudes JAMP (no amplitude store);
//  * the colour sum uses the symmetry of the colour matrix (its upper triangle, off-diagonal doubled).
//
// Store layout: slot s, vector v: 6 complex numbers cx<vd> at slot_base[s] + 6 v (real and imaginary parts of the
// kLanes events of the vector each contiguous).
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>
#include "amplitudes/program.h"
#include "core/simd.h"
#include "cpu/parallel.h"

namespace madnis::amplitudes {

namespace cpu_detail {

using simd::vd;
constexpr int W = simd::kLanes;
using cv = cx<vd>;

/// Per-thread state of one chunk.
struct Ctx {
  cv* store;         // n_slots * nv * 6
  const cv* ext;     // n_ext * 3 * nv * 6: external e, helicity index (hel + 1), vector v
  const cv* coup;    // n_coup * nv
  cv* jamp;          // n_flows * nv
  vd* amp2;          // n_diagrams * nv, or null
  const std::int32_t* hel;  // the helicity combination being summed (n_particles)
  int nv;
};

struct Op;
using OpFn = void (*)(const Op&, const Ctx&);

/// A colour-flow contribution of an amplitude: JAMP[flow] += c * A (real list) or c * i * A (imaginary list).
struct ColourTerm {
  int flow;
  double c;
};

struct Op {
  OpFn fn = nullptr;
  int kind = 0;  // Opcode
  int out = 0, leg = -1, nterms = 1;
  int in[4] = {0, 0, 0, 0};
  int lor[helas::kMaxTerms] = {0, 0, 0};
  int coup[helas::kMaxTerms] = {0, 0, 0};
  double f0 = 0.0, f1 = 0.0;  // mass, width (current) or sign (amplitude) or mass (external)
  // externals
  int ext = 0, particle = 0;
  // amplitudes
  int diagram = 0;
  const ColourTerm* re_terms = nullptr;
  const ColourTerm* im_terms = nullptr;
  int n_re = 0, n_im = 0;
  std::uint64_t deps = 0;
};

MADNIS_INLINE cv ld_coup(const Ctx& c, int k, int v) { return c.coup[static_cast<index_t>(k) * c.nv + v]; }
MADNIS_INLINE cv* slot(const Ctx& c, int s, int v) { return c.store + (static_cast<index_t>(s) * c.nv + v) * 6; }

/// JAMP += terms * A, amp2[diagram] += |A|^2.
MADNIS_INLINE void add_amplitude(const Op& op, const Ctx& c, int v, cv a) {
  for (int t = 0; t < op.n_re; ++t) {
    cv& j = c.jamp[static_cast<index_t>(op.re_terms[t].flow) * c.nv + v];
    const double k = op.re_terms[t].c;
    j.re += k * a.re;
    j.im += k * a.im;
  }
  for (int t = 0; t < op.n_im; ++t) {
    cv& j = c.jamp[static_cast<index_t>(op.im_terms[t].flow) * c.nv + v];
    const double k = op.im_terms[t].c;
    j.re -= k * a.im;
    j.im += k * a.re;
  }
  if (c.amp2) c.amp2[static_cast<index_t>(op.diagram) * c.nv + v] += norm2(a);
}

/// Current of a single-term structure LOR with off-shell leg LEG (both known at compile time).
template <int LOR, int LEG>
void current_fixed(const Op& op, const Ctx& c) {
  constexpr int nlegs = (LOR >= helas::VVVV1) ? 4 : 3;
  helas::VertexTerms vt;
  vt.nterms = 1;
  vt.lor[0] = LOR;
  for (int v = 0; v < c.nv; ++v) {
    const cv* w[nlegs];
    int j = 0;
    for (int k = 0; k < nlegs; ++k) {
      if (k == LEG) {
        w[k] = nullptr;
        continue;
      }
      w[k] = slot(c, op.in[j++], v);
    }
    const cv cp = ld_coup(c, op.coup[0], v);
    helas::vertex_current(vt, &cp, LEG, op.f0, op.f1, w, slot(c, op.out, v));
  }
}

/// Amplitude of a single-term structure LOR, added to JAMP.
template <int LOR>
void amplitude_fixed(const Op& op, const Ctx& c) {
  constexpr int nlegs = (LOR >= helas::VVVV1) ? 4 : 3;
  helas::VertexTerms vt;
  vt.nterms = 1;
  vt.lor[0] = LOR;
  for (int v = 0; v < c.nv; ++v) {
    const cv* w[nlegs];
    for (int k = 0; k < nlegs; ++k) w[k] = slot(c, op.in[k], v);
    const cv cp = ld_coup(c, op.coup[0], v);
    add_amplitude(op, c, v, op.f0 * helas::vertex_amplitude(vt, &cp, w));
  }
}

/// Any vertex (several terms): structures and leg at run time.
inline void vertex_generic(const Op& op, const Ctx& c) {
  helas::VertexTerms vt;
  vt.nterms = op.nterms;
  for (int t = 0; t < op.nterms; ++t) vt.lor[t] = op.lor[t];
  const int nlegs = helas::lorentz_legs(op.lor[0]);
  for (int v = 0; v < c.nv; ++v) {
    cv cp[helas::kMaxTerms];
    for (int t = 0; t < op.nterms; ++t) cp[t] = ld_coup(c, op.coup[t], v);
    const cv* w[helas::kMaxLegs];
    if (op.kind == kCurrent) {
      int j = 0;
      for (int k = 0; k < nlegs; ++k) w[k] = k == op.leg ? nullptr : slot(c, op.in[j++], v);
      helas::vertex_current(vt, cp, op.leg, op.f0, op.f1, w, slot(c, op.out, v));
    } else {
      for (int k = 0; k < nlegs; ++k) w[k] = slot(c, op.in[k], v);
      add_amplitude(op, c, v, op.f0 * helas::vertex_amplitude(vt, cp, w));
    }
  }
}

/// External wavefunction: copies the precomputed one of the current helicity into the slot.
inline void external_copy(const Op& op, const Ctx& c) {
  const int h = c.hel[op.particle] + 1;
  const cv* src = c.ext + (static_cast<index_t>(op.ext) * 3 + h) * c.nv * 6;
  std::copy(src, src + static_cast<index_t>(c.nv) * 6, slot(c, op.out, 0));
}

template <int LOR, int... LEGS>
constexpr void fill_lor(OpFn (&table)[helas::kNumLorentz][5], std::integer_sequence<int, LEGS...>) {
  table[LOR][0] = &amplitude_fixed<LOR>;
  ((table[LOR][LEGS + 1] = &current_fixed<LOR, LEGS>), ...);
}
template <int... LORS>
struct OpTable {
  OpFn t[helas::kNumLorentz][5] = {};
  OpTable() { (fill_lor<LORS>(t, std::make_integer_sequence<int, (LORS >= helas::VVVV1 ? 4 : 3)>{}), ...); }
};
template <int... L>
OpTable<L...> make_table(std::integer_sequence<int, L...>) { return {}; }

/// [lorentz][0]: amplitude, [lorentz][leg + 1]: current of leg.
inline const auto& op_table() {
  static const auto table = make_table(std::make_integer_sequence<int, helas::kNumLorentz>{});
  return table.t;
}

}  // namespace cpu_detail

/// A program decoded for the CPU driver (built once per program; read-only while evaluating, shared by threads).
struct CpuPlan {
  std::vector<cpu_detail::Op> ops;
  std::vector<std::vector<int>> hel_ops;  // per helicity combination: the ops to run, in program order
  std::vector<cpu_detail::ColourTerm> terms;
  std::vector<int> ext_particle, ext_kind, ext_nsf;
  std::vector<double> ext_mass;
  std::vector<std::uint8_t> ext_hel_used;  // n_ext * 3: helicity (index hel + 1) occurs in the summed combinations
  std::vector<double> cm_packed;           // upper triangle, row by row, off-diagonal doubled (if symmetric)
  bool cm_symmetric = true;
  int n_ext = 0;

  CpuPlan(const CpuPlan&) = delete;  // ops point into terms
  CpuPlan& operator=(const CpuPlan&) = delete;
  explicit CpuPlan(const ProgramView& P) {
    using namespace cpu_detail;
    const int nf = P.n_flows;
    // colour terms, split into real and imaginary coefficients (first pass: count to keep pointers stable)
    std::vector<std::pair<int, int>> re_range(P.n_amps), im_range(P.n_amps);
    for (int a = 0; a < P.n_amps; ++a) {
      const double* cc = P.amp_colour + static_cast<index_t>(a) * nf * 2;
      re_range[a].first = static_cast<int>(terms.size());
      for (int f = 0; f < nf; ++f)
        if (cc[2 * f] != 0.0) terms.push_back({f, cc[2 * f]});
      re_range[a].second = static_cast<int>(terms.size());
      im_range[a].first = static_cast<int>(terms.size());
      for (int f = 0; f < nf; ++f)
        if (cc[2 * f + 1] != 0.0) terms.push_back({f, cc[2 * f + 1]});
      im_range[a].second = static_cast<int>(terms.size());
    }
    const auto& table = op_table();
    for (int i = 0; i < P.n_instr; ++i) {
      const std::int32_t* f = P.instr + static_cast<index_t>(i) * kFields;
      Op op;
      op.kind = f[0];
      op.out = f[1];
      op.f0 = P.fparams[2 * i];
      op.f1 = P.fparams[2 * i + 1];
      op.deps = P.deps[i];
      if (op.kind == kExternal) {
        op.fn = &external_copy;
        op.ext = n_ext++;
        op.particle = f[2];
        ext_particle.push_back(f[2]);
        ext_kind.push_back(f[3]);
        ext_nsf.push_back(f[4]);
        ext_mass.push_back(op.f0);
      } else {
        op.nterms = f[6];
        for (int t = 0; t < helas::kMaxTerms; ++t) {
          op.lor[t] = f[7 + t];
          op.coup[t] = f[10 + t];
        }
        for (int k = 0; k < 4; ++k) op.in[k] = f[2 + k];
        op.leg = op.kind == kCurrent ? f[13] : -1;
        if (op.kind == kAmplitude) {
          const int a = f[1];
          op.diagram = P.amp_diagram[a];
          op.re_terms = terms.data() + re_range[a].first;
          op.n_re = re_range[a].second - re_range[a].first;
          op.im_terms = terms.data() + im_range[a].first;
          op.n_im = im_range[a].second - im_range[a].first;
        }
        op.fn = op.nterms == 1 ? table[op.lor[0]][op.leg + 1] : nullptr;
        if (!op.fn) op.fn = &vertex_generic;
      }
      ops.push_back(op);
    }
    // helicities of each external that occur
    ext_hel_used.assign(static_cast<std::size_t>(n_ext) * 3, 0);
    for (int h = 0; h < P.n_hel; ++h)
      for (int e = 0; e < n_ext; ++e) {
        const int hv = P.hel[static_cast<index_t>(h) * P.n_particles + ext_particle[e]];
        if (hv >= -1 && hv <= 1) ext_hel_used[static_cast<std::size_t>(e) * 3 + hv + 1] = 1;
      }
    // per helicity: the ops whose inputs changed; every amplitude (JAMP is rebuilt for each helicity). An amplitude
    // index written twice keeps its last value (as a store would), so only its last instruction counts.
    std::vector<int> last_write(P.n_amps, -1);
    for (int i = 0; i < P.n_instr; ++i)
      if (ops[i].kind == kAmplitude) last_write[ops[i].out] = i;
    hel_ops.resize(P.n_hel);
    for (int h = 0; h < P.n_hel; ++h) {
      const std::uint64_t changed = changed_particles(P, h);
      for (int i = 0; i < P.n_instr; ++i) {
        if (ops[i].kind == kAmplitude ? last_write[ops[i].out] == i : (ops[i].deps & changed) != 0)
          hel_ops[h].push_back(i);
      }
    }
    // colour matrix: packed upper triangle if symmetric
    for (int a = 0; a < nf && cm_symmetric; ++a)
      for (int b = a + 1; b < nf; ++b)
        if (P.colour_matrix[a * nf + b] != P.colour_matrix[b * nf + a]) cm_symmetric = false;
    if (cm_symmetric)
      for (int a = 0; a < nf; ++a)
        for (int b = a; b < nf; ++b) cm_packed.push_back((a == b ? 1.0 : 2.0) * P.colour_matrix[a * nf + b]);
  }
};

namespace cpu_detail {

/// sum_cd Re(conj(J_c) CM_cd J_d) for vector v.
inline vd colour_sum(const ProgramView& P, const CpuPlan& plan, const cv* jamp, int nv, int v) {
  const int nf = P.n_flows;
  vd me = fp_set<vd>(0.0);
  if (plan.cm_symmetric) {
    const double* row = plan.cm_packed.data();
    for (int a = 0; a < nf; ++a) {
      const cv ja = jamp[static_cast<index_t>(a) * nv + v];
      vd zr = row[0] * ja.re, zi = row[0] * ja.im;
      for (int b = a + 1; b < nf; ++b) {
        const cv jb = jamp[static_cast<index_t>(b) * nv + v];
        zr += row[b - a] * jb.re;
        zi += row[b - a] * jb.im;
      }
      me += ja.re * zr + ja.im * zi;
      row += nf - a;
    }
  } else {
    for (int a = 0; a < nf; ++a) {
      const double* row = P.colour_matrix + static_cast<index_t>(a) * nf;
      vd zr = fp_set<vd>(0.0), zi = fp_set<vd>(0.0);
      for (int b = 0; b < nf; ++b) {
        const cv jb = jamp[static_cast<index_t>(b) * nv + v];
        zr += row[b] * jb.re;
        zi += row[b] * jb.im;
      }
      const cv ja = jamp[static_cast<index_t>(a) * nv + v];
      me += ja.re * zr + ja.im * zi;
    }
  }
  return me;
}

/// Scratch of one thread.
struct Scratch {
  std::vector<cv> store, ext, coup, jamp;
  std::vector<vd> amp2, sum;
};

}  // namespace cpu_detail

/// Vectors of kLanes events per chunk: the slot store of a chunk stays within ~192 KiB (L2), 1..16 vectors.
inline int chunk_vectors(const ProgramView& P) {
  const index_t per_vector = static_cast<index_t>(P.n_slots) * 6 * sizeof(cpu_detail::cv);
  const index_t nv = (192 * 1024) / std::max<index_t>(per_vector, 1);
  return static_cast<int>(std::max<index_t>(1, std::min<index_t>(16, nv)));
}

/// Evaluates events [begin, end) (at most nv * kLanes of them) as one chunk.
inline void evaluate_chunk(const ProgramView& P, const CpuPlan& plan, const double* momenta, const double* alpha_s,
                           double* me, double* amp2, double* hel_out, index_t begin, index_t end, int nv,
                           cpu_detail::Scratch& s) {
  using namespace cpu_detail;
  const index_t n = end - begin;
  const index_t L = static_cast<index_t>(nv) * W;
  const int np = P.n_particles;
  s.store.resize(static_cast<std::size_t>(P.n_slots) * nv * 6);
  s.ext.resize(static_cast<std::size_t>(plan.n_ext) * 3 * nv * 6);
  s.coup.resize(static_cast<std::size_t>(P.n_coup) * nv);
  s.jamp.resize(static_cast<std::size_t>(P.n_flows) * nv);
  s.sum.assign(nv, fp_set<vd>(0.0));
  if (amp2) s.amp2.assign(static_cast<std::size_t>(P.n_diagrams) * nv, fp_set<vd>(0.0));
  // couplings per lane: c * G^k (padding lanes repeat the last event)
  for (int v = 0; v < nv; ++v) {
    vd g;
    for (int l = 0; l < W; ++l) {
      const index_t e = begin + std::min<index_t>(static_cast<index_t>(v) * W + l, n - 1);
      g[l] = 2.0 * std::sqrt(alpha_s[e]) * std::sqrt(M_PI);
    }
    for (int k = 0; k < P.n_coup; ++k) {
      const int pw = P.coup_pow[k];
      const vd f = pw == 0 ? fp_set<vd>(1.0) : (pw == 1 ? g : g * g);
      s.coup[static_cast<index_t>(k) * nv + v] = cv(P.coup[2 * k] * f, P.coup[2 * k + 1] * f);
    }
  }
  // external wavefunctions for every helicity that occurs
  for (int e = 0; e < plan.n_ext; ++e)
    for (int h = 0; h < 3; ++h) {
      if (!plan.ext_hel_used[static_cast<std::size_t>(e) * 3 + h]) continue;
      cv* dst = s.ext.data() + (static_cast<index_t>(e) * 3 + h) * nv * 6;
      for (index_t l = 0; l < L; ++l) {
        const index_t ev = begin + std::min<index_t>(l, n - 1);
        cplx w[6];
        external_wave(plan.ext_kind[e], momenta + (ev * np + plan.ext_particle[e]) * 4, plan.ext_mass[e], h - 1,
                      plan.ext_nsf[e], w);
        cv* d = dst + (l / W) * 6;
        for (int k = 0; k < 6; ++k) {
          d[k].re[l % W] = w[k].re;
          d[k].im[l % W] = w[k].im;
        }
      }
    }
  Ctx c;
  c.store = s.store.data();
  c.ext = s.ext.data();
  c.coup = s.coup.data();
  c.jamp = s.jamp.data();
  c.amp2 = amp2 ? s.amp2.data() : nullptr;
  c.nv = nv;
  for (int h = 0; h < P.n_hel; ++h) {
    c.hel = P.hel + static_cast<index_t>(h) * np;
    std::fill(s.jamp.begin(), s.jamp.end(), cv());
    for (const int i : plan.hel_ops[h]) {
      const Op& op = plan.ops[i];
      op.fn(op, c);
    }
    for (int v = 0; v < nv; ++v) {
      const vd mh = colour_sum(P, plan, s.jamp.data(), nv, v);
      s.sum[v] += mh;
      if (hel_out)
        for (int l = 0; l < W; ++l) {
          const index_t k = static_cast<index_t>(v) * W + l;
          if (k < n) hel_out[(begin + k) * P.n_hel + h] = mh[l] * P.factor;
        }
    }
  }
  for (index_t k = 0; k < n; ++k) me[begin + k] = s.sum[k / W][k % W] * P.factor;
  if (amp2)
    for (index_t k = 0; k < n; ++k)
      for (int d = 0; d < P.n_diagrams; ++d)
        amp2[(begin + k) * P.n_diagrams + d] = s.amp2[static_cast<index_t>(d) * nv + k / W][k % W];
}

/// Evaluates n events on the CPU threads of cpu::num_threads().
inline void evaluate_cpu(const ProgramView& P, const CpuPlan& plan, index_t n, const double* momenta,
                         const double* alpha_s, double* me, double* amp2, double* hel_out) {
  const int nv = chunk_vectors(P);
  const index_t L = static_cast<index_t>(nv) * cpu_detail::W;
  const index_t nchunks = (n + L - 1) / L;
  const int nt = static_cast<int>(std::max<index_t>(1, std::min<index_t>(cpu::num_threads(), nchunks)));
  std::atomic<index_t> next{0};
  auto worker = [&] {
    cpu_detail::Scratch scratch;
    for (;;) {
      const index_t c = next.fetch_add(1);
      if (c >= nchunks) break;
      const index_t b = c * L, e = std::min(n, b + L);
      evaluate_chunk(P, plan, momenta, alpha_s, me, amp2, hel_out, b, e, nv, scratch);
    }
  };
  if (nt == 1) {
    worker();
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < nt; ++t) pool.emplace_back(worker);
  for (auto& th : pool) th.join();
}

}  // namespace madnis::amplitudes
