// The CPU driver of the amplitude program: SIMD lanes x chunk-major.
//
// Events are grouped in SIMD vectors V (one event per lane); a chunk is nv such vectors. For each group of
// helicity combinations the driver runs one instruction over all vectors of the chunk before the next instruction,
// calling the same HELAS templates as the CUDA driver with V as the real type, so every arithmetic operation works
// on all lanes at once.
//
// Precision: the driver is a template on V. V = simd::vd (kLanes doubles) is double precision throughout;
// V = simd::vf (2 kLanes floats, same register width, twice the events per instruction) is madgraph4gpu's mixed
// mode: wavefunctions, currents, amplitudes and JAMP in float, the colour sum (and the sums over helicities, the
// colour-flow weights) in double. Inputs (momenta, alpha_s) are double and rounded per lane; outputs are double.
// In single precision the propagator denominators P^2 - M^2 are computed per event in double from the external
// momenta (CpuPlan::current_ext) and then rounded: from float momenta, P^2 of a massless line cancels (relative
// error ~1e-7 E^2 / P^2, 1e-3 of |M|^2 at collinear points passing the default cuts).
//
// Work saved per chunk:
//  * the program is decoded once into a plan (CpuPlan): one function pointer per instruction, specialised for its
//    Lorentz structure and off-shell leg, the couplings' powers of G, the colour coefficients of each amplitude
//    sorted into +-1, +-i (additions only) and general ones, the colour matrix packed as its upper triangle;
//  * external wavefunctions are computed once per chunk for every helicity of the particle that is summed, and
//    copied into their slots when the helicity changes;
//  * only the currents that depend on a particle whose helicity changed are rerun (when every slot is written
//    once), with the helicity combinations ordered to rerun few; the amplitudes go straight into the colour-flow
//    amplitudes JAMP (no amplitude store);
//  * open-leg mode: when one particle p enters every amplitude directly (MadGraph's last particle), the amplitudes
//    are computed once per helicity of the other particles with p's leg open, and JAMP for each helicity of p is
//    a contraction (see CpuPlan);
//  * the colour sum uses the symmetry of the colour matrix (its upper triangle, off-diagonal doubled).
//
// Store layout: slot s, vector v: 6 complex numbers cx<V> at store + 6 (s nv + v) (real and imaginary parts of the
// events of the vector each contiguous).
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
#include "amplitudes/program.h"
#include "core/simd.h"
#include "cpu/parallel.h"

namespace madnis::amplitudes {

namespace cpu_detail {

using simd::vd;
using simd::vf;
constexpr int W = simd::kLanes;  // lanes of a vector of doubles
using cvd = cx<vd>;

/// Per-thread state of one chunk, for SIMD vectors V (vd or vf).
template <class V>
struct Ctx {
  using cv = cx<V>;
  cv* store;         // n_slots * nv * 6
  const cv* ext;     // n_ext * 3 * nv * 6: external e, helicity index (hel + 1), vector v
  const cv* coup;    // n_coup * nv
  cv* jamp;          // n_flows * nv
  V* amp2;           // n_diagrams * nv, or null
  const std::int32_t* hel;  // the helicity combination being summed (n_particles)
  int nv;
  // open-leg mode: X[flow][mu] = sum of the amplitudes' open legs at the summed particle, and that particle's
  // wavefunctions for the helicities of the current group (for AMP2)
  const V* den;             // n_currents * nv: P^2 - M^2 of each current computed in double, or null
  cv* xopen;                // n_flows * 4 * nv
  const cv* const* pw;      // n_ph pointers to the wavefunction (vector 0) of each helicity of the group
  int n_ph, pspin;
};

struct Op;
template <class V>
using OpFn = void (*)(const Op&, const Ctx<V>&);

/// A colour-flow contribution of an amplitude: JAMP[flow] += c * A (real c) or c * i * A (imaginary c).
struct ColourTerm {
  int flow;
  double c;
};
/// Categories of colour coefficients: +1, -1, +i, -i (additions only), other real, other imaginary.
enum ColourCat : int { kPlusOne = 0, kMinusOne, kPlusI, kMinusI, kReal, kImag };

/// target[flow] += coefficient * a for all colour terms of an amplitude; a and each target have NC complex
/// components, target component m of flow f at base[f * flow_stride + m * comp_stride].
template <int NC, class cv>
MADNIS_INLINE void colour_add(const ColourTerm* t, const int* n_cat, cv* base, index_t flow_stride,
                              index_t comp_stride, const cv* a) {
  for (int k = 0; k < n_cat[kPlusOne]; ++k, ++t) {
    cv* x = base + t->flow * flow_stride;
    for (int m = 0; m < NC; ++m) x[m * comp_stride] += a[m];
  }
  for (int k = 0; k < n_cat[kMinusOne]; ++k, ++t) {
    cv* x = base + t->flow * flow_stride;
    for (int m = 0; m < NC; ++m) x[m * comp_stride] -= a[m];
  }
  for (int k = 0; k < n_cat[kPlusI]; ++k, ++t) {
    cv* x = base + t->flow * flow_stride;
    for (int m = 0; m < NC; ++m) x[m * comp_stride] += mul_i(a[m]);
  }
  for (int k = 0; k < n_cat[kMinusI]; ++k, ++t) {
    cv* x = base + t->flow * flow_stride;
    for (int m = 0; m < NC; ++m) x[m * comp_stride] -= mul_i(a[m]);
  }
  for (int k = 0; k < n_cat[kReal]; ++k, ++t) {
    cv* x = base + t->flow * flow_stride;
    for (int m = 0; m < NC; ++m) x[m * comp_stride] += t->c * a[m];
  }
  for (int k = 0; k < n_cat[kImag]; ++k, ++t) {
    cv* x = base + t->flow * flow_stride;
    for (int m = 0; m < NC; ++m) x[m * comp_stride] += t->c * mul_i(a[m]);
  }
}

/// One decoded instruction (precision independent; CpuPlan holds its function for each vector type).
struct Op {
  int kind = 0;  // Opcode
  bool open = false;  // an amplitude computed with the open particle's leg open (open-leg mode)
  int out = 0, leg = -1, nterms = 1;
  int current = -1;  // currents: index among the program's currents (CpuPlan::current_ext)
  int in[4] = {0, 0, 0, 0};
  int lor[helas::kMaxTerms] = {0, 0, 0};
  int coup[helas::kMaxTerms] = {0, 0, 0};
  double f0 = 0.0, f1 = 0.0;  // mass, width (current) or sign (amplitude) or mass (external)
  // externals
  int ext = 0, particle = 0;
  // amplitudes
  int diagram = 0;
  const ColourTerm* terms = nullptr;  // colour terms by category (see ColourCat), each category contiguous
  int n_cat[6] = {0, 0, 0, 0, 0, 0};
  std::uint64_t deps = 0;
};

template <class V>
MADNIS_INLINE cx<V> ld_coup(const Ctx<V>& c, int k, int v) { return c.coup[static_cast<index_t>(k) * c.nv + v]; }
template <class V>
MADNIS_INLINE cx<V>* slot(const Ctx<V>& c, int s, int v) {
  return c.store + (static_cast<index_t>(s) * c.nv + v) * 6;
}
/// The precomputed propagator denominator of current `op` for vector v, or null.
template <class V>
MADNIS_INLINE const V* ld_den(const Op& op, const Ctx<V>& c, int v) {
  return c.den ? c.den + static_cast<index_t>(op.current) * c.nv + v : nullptr;
}

/// JAMP += terms * A, amp2[diagram] += |A|^2.
template <class V>
MADNIS_INLINE void add_amplitude(const Op& op, const Ctx<V>& c, int v, cx<V> a) {
  colour_add<1>(op.terms, op.n_cat, c.jamp + v, c.nv, 0, &a);
  if (c.amp2) c.amp2[static_cast<index_t>(op.diagram) * c.nv + v] += norm2(a);
}

/// Current of a single-term structure LOR with off-shell leg LEG (both known at compile time).
template <class V, int LOR, int LEG>
void current_fixed(const Op& op, const Ctx<V>& c) {
  using cv = cx<V>;
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
    helas::vertex_current(vt, &cp, LEG, op.f0, op.f1, w, slot(c, op.out, v), ld_den(op, c, v));
  }
}

/// Amplitude of a single-term structure LOR, added to JAMP.
template <class V, int LOR>
void amplitude_fixed(const Op& op, const Ctx<V>& c) {
  using cv = cx<V>;
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
template <class V>
void vertex_generic(const Op& op, const Ctx<V>& c) {
  using cv = cx<V>;
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
      helas::vertex_current(vt, cp, op.leg, op.f0, op.f1, w, slot(c, op.out, v), ld_den(op, c, v));
    } else {
      for (int k = 0; k < nlegs; ++k) w[k] = slot(c, op.in[k], v);
      add_amplitude(op, c, v, op.f0 * helas::vertex_amplitude(vt, cp, w));
    }
  }
}

/// Contraction of an open leg (4 components) with the components `w` (wavefunction + 2) of a leg of spin `spin`.
template <class cv>
MADNIS_INLINE cv contract(int spin, const cv* o, const cv* w) {
  if (spin == 3) return helas::detail::dot(o, w);
  if (spin == 2) return o[0] * w[0] + o[1] * w[1] + o[2] * w[2] + o[3] * w[3];
  return o[0] * w[0];
}

/// Open-leg mode: X[flow] += colour * (-i sign COUP O) with O the open leg at the summed particle; the amplitude
/// of each helicity of that particle is the contraction of -i sign COUP O with its wavefunction.
template <class V>
MADNIS_INLINE void add_open(const Op& op, const Ctx<V>& c, int v, const cx<V>* o) {
  const index_t nv = c.nv;
  colour_add<4>(op.terms, op.n_cat, c.xopen + v, 4 * nv, nv, o);
  if (c.amp2) {
    V s = fp_set<V>(0.0);
    for (int h = 0; h < c.n_ph; ++h) s += norm2(contract(c.pspin, o, c.pw[h] + static_cast<index_t>(v) * 6 + 2));
    c.amp2[static_cast<index_t>(op.diagram) * nv + v] += s;
  }
}

/// -i sign COUP O, in place (O: 4 components).
template <class V>
MADNIS_INLINE void scale_open(const Op& op, cx<V> coup, cx<V>* o) {
  const auto sign = fp_scalar<V>(op.f0);
  const cx<V> k(sign * coup.im, -sign * coup.re);
  for (int m = 0; m < 4; ++m) o[m] = k * o[m];
}

/// Open-leg amplitude of a single-term structure LOR, open at leg LEG (the summed particle).
template <class V, int LOR, int LEG>
void amplitude_open(const Op& op, const Ctx<V>& c) {
  using cv = cx<V>;
  constexpr int nlegs = (LOR >= helas::VVVV1) ? 4 : 3;
  for (int v = 0; v < c.nv; ++v) {
    V P[nlegs][4];
    const cv* w[nlegs];
    for (int k = 0; k < nlegs; ++k) {
      const cv* wk = slot(c, op.in[k], v);
      helas::wf_momentum(wk, P[k]);
      w[k] = wk + 2;
    }
    cv o[4];
    helas::lorentz_open(LOR, LEG, w, P, o);
    scale_open(op, ld_coup(c, op.coup[0], v), o);
    add_open(op, c, v, o);
  }
}

/// Open-leg amplitude of any vertex (several terms; structures and leg at run time).
template <class V>
void amplitude_open_generic(const Op& op, const Ctx<V>& c) {
  using cv = cx<V>;
  const int nlegs = helas::lorentz_legs(op.lor[0]);
  for (int v = 0; v < c.nv; ++v) {
    V P[helas::kMaxLegs][4];
    const cv* w[helas::kMaxLegs];
    for (int k = 0; k < nlegs; ++k) {
      const cv* wk = slot(c, op.in[k], v);
      helas::wf_momentum(wk, P[k]);
      w[k] = wk + 2;
    }
    cv o[4];
    for (int t = 0; t < op.nterms; ++t) {
      cv ot[4];
      helas::lorentz_open(op.lor[t], op.leg, w, P, ot);
      scale_open(op, ld_coup(c, op.coup[t], v), ot);
      for (int m = 0; m < 4; ++m) o[m] += ot[m];
    }
    add_open(op, c, v, o);
  }
}

/// External wavefunction: copies the precomputed one of the current helicity into the slot.
template <class V>
void external_copy(const Op& op, const Ctx<V>& c) {
  const int h = c.hel[op.particle] + 1;
  const cx<V>* src = c.ext + (static_cast<index_t>(op.ext) * 3 + h) * c.nv * 6;
  std::copy(src, src + static_cast<index_t>(c.nv) * 6, slot(c, op.out, 0));
}

template <class V, int LOR, int... LEGS>
constexpr void fill_lor(OpFn<V> (&table)[helas::kNumLorentz][9], std::integer_sequence<int, LEGS...>) {
  table[LOR][0] = &amplitude_fixed<V, LOR>;
  ((table[LOR][LEGS + 1] = &current_fixed<V, LOR, LEGS>), ...);
  ((table[LOR][LEGS + 5] = &amplitude_open<V, LOR, LEGS>), ...);
}
template <class V, int... LORS>
struct OpTable {
  OpFn<V> t[helas::kNumLorentz][9] = {};
  OpTable() { (fill_lor<V, LORS>(t, std::make_integer_sequence<int, (LORS >= helas::VVVV1 ? 4 : 3)>{}), ...); }
};
template <class V, int... L>
OpTable<V, L...> make_table(std::integer_sequence<int, L...>) { return {}; }

/// [lorentz][0]: amplitude, [lorentz][leg + 1]: current of leg, [lorentz][leg + 5]: amplitude open at leg.
template <class V>
const auto& op_table() {
  static const auto table = make_table<V>(std::make_integer_sequence<int, helas::kNumLorentz>{});
  return table.t;
}

/// The function that runs `op` on vectors V: specialised for a single structure and its leg, else generic.
template <class V>
OpFn<V> op_function(const Op& op) {
  if (op.kind == kExternal) return &external_copy<V>;
  const int col = op.open ? op.leg + 5 : op.leg + 1;
  const OpFn<V> f = op.nterms == 1 ? op_table<V>()[op.lor[0]][col] : nullptr;
  if (f) return f;
  return op.open ? &amplitude_open_generic<V> : &vertex_generic<V>;
}

}  // namespace cpu_detail

/// A program decoded for the CPU driver (built once per program; read-only while evaluating, shared by threads).
///
/// The summed helicity combinations are visited in groups. Normally a group is one combination: its currents whose
/// inputs changed are rerun, its amplitudes are added to JAMP, JAMP is contracted with the colour matrix. In the
/// open-leg mode one particle p enters every amplitude directly (MadGraph attaches the last particle at the
/// amplitude vertex), so each amplitude is multilinear in p's wavefunction: a group is then all combinations that
/// differ only in p's helicity; the amplitudes are computed once with p's leg open and added into
/// X[flow][mu], and JAMP of each helicity of p is X contracted with p's wavefunction.
struct CpuPlan {
  struct Group {
    int row;                   // a helicity combination of the group (its other particles' helicities)
    std::vector<int> ops;      // ops to run, in program order
    std::vector<int> hels;     // the combinations of the group (rows of the helicity table)
    std::vector<int> p_index;  // for each: helicity of p + 1 (open-leg mode)
  };
  std::vector<cpu_detail::Op> ops;
  std::vector<Group> groups;
  std::vector<cpu_detail::ColourTerm> terms;
  std::vector<int> ext_particle, ext_kind, ext_nsf;
  std::vector<double> ext_mass;
  std::vector<std::uint8_t> ext_hel_used;  // n_ext * 3: helicity (index hel + 1) occurs in the summed combinations
  std::vector<double> cm_packed;           // upper triangle, row by row, off-diagonal doubled (if symmetric)
  bool cm_symmetric = true;
  int n_ext = 0;
  int open_particle = -1;  // p in the open-leg mode, else -1
  int open_ext = -1, open_spin = 0;
  int max_group = 1;
  /// The externals (indices e) whose momentum flows add up to each current's (empty unless every slot is written
  /// once): single precision computes the currents' P^2 - M^2 from them in double.
  std::vector<std::vector<int>> current_ext;
  std::vector<double> current_mass2;  // M^2 of each current's propagator, GeV^2
  std::vector<cpu_detail::OpFn<cpu_detail::vd>> fn_double;  // the function of each op, per vector type
  std::vector<cpu_detail::OpFn<cpu_detail::vf>> fn_single;

  /// The functions of the ops for vectors V.
  template <class V>
  const cpu_detail::OpFn<V>* functions() const {
    if constexpr (std::is_same_v<V, cpu_detail::vd>) return fn_double.data();
    else return fn_single.data();
  }

  CpuPlan(const CpuPlan&) = delete;  // ops point into terms
  CpuPlan& operator=(const CpuPlan&) = delete;
  explicit CpuPlan(const ProgramView& P) {
    using namespace cpu_detail;
    const int nf = P.n_flows;
    // colour terms by category (all first, so the pointers stay valid)
    std::vector<int> term_begin(P.n_amps);
    std::vector<std::array<int, 6>> term_count(P.n_amps);
    for (int a = 0; a < P.n_amps; ++a) {
      const double* cc = P.amp_colour + static_cast<index_t>(a) * nf * 2;
      term_begin[a] = static_cast<int>(terms.size());
      for (int cat = 0; cat < 6; ++cat) {
        const int before = static_cast<int>(terms.size());
        for (int f = 0; f < nf; ++f) {
          const double re = cc[2 * f], im = cc[2 * f + 1];
          int kind_re = re == 1.0 ? kPlusOne : (re == -1.0 ? kMinusOne : kReal);
          int kind_im = im == 1.0 ? kPlusI : (im == -1.0 ? kMinusI : kImag);
          if (re != 0.0 && kind_re == cat) terms.push_back({f, re});
          if (im != 0.0 && kind_im == cat) terms.push_back({f, im});
        }
        term_count[a][cat] = static_cast<int>(terms.size()) - before;
      }
    }
    for (int i = 0; i < P.n_instr; ++i) {
      const std::int32_t* f = P.instr + static_cast<index_t>(i) * kFields;
      Op op;
      op.kind = f[0];
      op.out = f[1];
      op.f0 = P.fparams[2 * i];
      op.f1 = P.fparams[2 * i + 1];
      op.deps = P.deps[i];
      if (op.kind == kExternal) {
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
          op.terms = terms.data() + term_begin[a];
          for (int cat = 0; cat < 6; ++cat) op.n_cat[cat] = term_count[a][cat];
        }
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
    // an amplitude index written twice keeps its last value (as a store would): only its last instruction counts
    std::vector<int> last_write(P.n_amps, -1);
    for (int i = 0; i < P.n_instr; ++i)
      if (ops[i].kind == kAmplitude) last_write[ops[i].out] = i;
    std::vector<char> amp_kept(P.n_instr, 0);
    for (int i = 0; i < P.n_instr; ++i) amp_kept[i] = ops[i].kind == kAmplitude && last_write[ops[i].out] == i;
    choose_open_particle(P, amp_kept);
    if (P.reuse) current_sources(P);
    for (const auto& op : ops) {
      fn_double.push_back(op_function<vd>(op));
      fn_single.push_back(op_function<vf>(op));
    }
    // groups of helicity combinations
    const int np = P.n_particles;
    auto row = [&](int h) { return P.hel + static_cast<index_t>(h) * np; };
    const std::uint64_t pbit = open_particle >= 0 ? static_cast<std::uint64_t>(1) << open_particle : 0;
    for (int h = 0; h < P.n_hel; ++h) {
      Group* g = nullptr;
      if (open_particle >= 0)
        for (auto& q : groups)
          if ((differing(P, q.row, h) & ~pbit) == 0) {
            g = &q;
            break;
          }
      if (!g) {
        groups.push_back(Group{h, {}, {}, {}});
        g = &groups.back();
      }
      g->hels.push_back(h);
      g->p_index.push_back(open_particle >= 0 ? row(h)[open_particle] + 1 : 0);
    }
    order_groups(P);
    for (const auto& g : groups) max_group = std::max<int>(max_group, static_cast<int>(g.hels.size()));
    for (std::size_t k = 0; k < groups.size(); ++k) {
      const std::uint64_t changed =
          (k == 0 || !P.reuse) ? ~static_cast<std::uint64_t>(0) : differing(P, groups[k - 1].row, groups[k].row);
      for (int i = 0; i < P.n_instr; ++i) {
        if (ops[i].kind == kAmplitude ? amp_kept[i] : (ops[i].deps & changed) != 0) groups[k].ops.push_back(i);
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

 private:
  /// Particles whose helicities differ between combinations a and b.
  static std::uint64_t differing(const ProgramView& P, int a, int b) {
    const std::int32_t* x = P.hel + static_cast<index_t>(a) * P.n_particles;
    const std::int32_t* y = P.hel + static_cast<index_t>(b) * P.n_particles;
    std::uint64_t m = 0;
    for (int k = 0; k < P.n_particles; ++k)
      if (x[k] != y[k]) m |= static_cast<std::uint64_t>(1) << k;
    return m;
  }

  /// The open-leg mode needs every slot written once, and a particle p with one external wavefunction (slot s)
  /// such that every amplitude has s as exactly one input and no other instruction depends on p. Among those, the
  /// particle with the most summed helicities is taken.
  void choose_open_particle(const ProgramView& P, const std::vector<char>& amp_kept) {
    using namespace cpu_detail;
    if (!P.reuse) return;
    int best_count = 1;
    for (int e = 0; e < n_ext; ++e) {
      const int part = ext_particle[e];
      const std::uint64_t bit = static_cast<std::uint64_t>(1) << part;
      int ext_slot = -1, n_ext_of_p = 0;
      for (const auto& op : ops)
        if (op.kind == kExternal && op.particle == part) {
          ext_slot = op.out;
          ++n_ext_of_p;
        }
      if (n_ext_of_p != 1) continue;
      bool ok = true;
      int spin = 0;
      for (std::size_t i = 0; i < ops.size() && ok; ++i) {
        const Op& op = ops[i];
        if (op.kind == kCurrent) {
          ok = (op.deps & bit) == 0;
        } else if (op.kind == kAmplitude && amp_kept[i]) {
          const int nl = helas::lorentz_legs(op.lor[0]);
          int hits = 0;
          for (int k = 0; k < nl; ++k)
            if (op.in[k] == ext_slot) {
              ++hits;
              const int sp = helas::lorentz_spin(op.lor[0], k);
              ok = ok && (spin == 0 || spin == sp);
              spin = sp;
            }
          ok = ok && hits == 1;
        }
      }
      if (!ok || spin == 0) continue;
      int count = 0;
      for (int h = 0; h < 3; ++h) count += ext_hel_used[static_cast<std::size_t>(e) * 3 + h];
      if (count > best_count) {
        best_count = count;
        open_particle = part;
        open_ext = e;
        open_spin = spin;
      }
    }
    if (open_particle < 0) return;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      Op& op = ops[i];
      if (op.kind != kAmplitude) continue;
      int leg = 0;
      while (op.in[leg] != ops[ext_index_op(open_ext)].out) ++leg;
      op.leg = leg;
      op.open = true;
    }
  }

  /// current_ext and current_mass2: a current's flow is the sum of its inputs' flows, down to the externals.
  void current_sources(const ProgramView& P) {
    using namespace cpu_detail;
    std::vector<std::vector<int>> slot_ext(P.n_slots);
    for (auto& op : ops) {
      if (op.kind == kExternal) {
        slot_ext[op.out] = {op.ext};
      } else if (op.kind == kCurrent) {
        std::vector<int> src;
        const int nin = helas::lorentz_legs(op.lor[0]) - 1;
        for (int k = 0; k < nin; ++k) src.insert(src.end(), slot_ext[op.in[k]].begin(), slot_ext[op.in[k]].end());
        slot_ext[op.out] = src;
        op.current = static_cast<int>(current_ext.size());
        current_ext.push_back(std::move(src));
        current_mass2.push_back(op.f0 * op.f0);
      }
    }
  }

  int ext_index_op(int e) const {
    for (std::size_t i = 0; i < ops.size(); ++i)
      if (ops[i].kind == kExternal && ops[i].ext == e) return static_cast<int>(i);
    return -1;
  }

  /// Orders the groups greedily so that each one reruns as few currents as possible after the previous one.
  void order_groups(const ProgramView& P) {
    using namespace cpu_detail;
    const int ng = static_cast<int>(groups.size());
    if (ng <= 2 || ng > 1024 || !P.reuse) return;
    auto cost = [&](std::uint64_t changed) {
      int c = 0;
      for (const auto& op : ops) c += op.kind == kCurrent && (op.deps & changed) != 0;
      return c;
    };
    std::vector<std::pair<std::uint64_t, int>> memo;
    auto cost_memo = [&](std::uint64_t m) {
      for (const auto& kv : memo)
        if (kv.first == m) return kv.second;
      memo.emplace_back(m, cost(m));
      return memo.back().second;
    };
    std::vector<Group> ordered;
    std::vector<char> used(ng, 0);
    ordered.push_back(std::move(groups[0]));
    used[0] = 1;
    for (int k = 1; k < ng; ++k) {
      int best = -1, best_cost = 0;
      for (int j = 0; j < ng; ++j) {
        if (used[j]) continue;
        const int c = cost_memo(differing(P, ordered.back().row, groups[j].row));
        if (best < 0 || c < best_cost) {
          best = j;
          best_cost = c;
        }
      }
      used[best] = 1;
      ordered.push_back(std::move(groups[best]));
    }
    groups = std::move(ordered);
  }
};

namespace cpu_detail {

/// sum_cd Re(conj(J_c) CM_cd J_d) for vector v.
inline vd colour_sum(const ProgramView& P, const CpuPlan& plan, const cvd* jamp, int nv, int v) {
  const int nf = P.n_flows;
  vd me = fp_set<vd>(0.0);
  if (plan.cm_symmetric) {
    const double* row = plan.cm_packed.data();
    for (int a = 0; a < nf; ++a) {
      const cvd ja = jamp[static_cast<index_t>(a) * nv + v];
      vd zr = row[0] * ja.re, zi = row[0] * ja.im;
      for (int b = a + 1; b < nf; ++b) {
        const cvd jb = jamp[static_cast<index_t>(b) * nv + v];
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
        const cvd jb = jamp[static_cast<index_t>(b) * nv + v];
        zr += row[b] * jb.re;
        zi += row[b] * jb.im;
      }
      const cvd ja = jamp[static_cast<index_t>(a) * nv + v];
      me += ja.re * zr + ja.im * zi;
    }
  }
  return me;
}

/// JAMP[flow] = X[flow] contracted with the wavefunction w (vector v at w + 6 v) of the open particle.
template <int SPIN, class cv>
inline void close_open(const cv* x, const cv* w, cv* jamp, int nf, int nv) {
  for (int v = 0; v < nv; ++v) {
    const cv* wc = w + static_cast<index_t>(v) * 6 + 2;
    for (int f = 0; f < nf; ++f) {
      const cv* xf = x + static_cast<index_t>(f) * 4 * nv + v;
      const cv o[4] = {xf[0], xf[nv], xf[2 * nv], xf[3 * nv]};
      jamp[static_cast<index_t>(f) * nv + v] = contract(SPIN, o, wc);
    }
  }
}

/// Scratch of one thread, for vectors V. The double side (colour sum, sums over helicities, colour-flow weights)
/// holds the chunk as nv * R vectors of doubles, R = lanes<V> / kLanes.
template <class V>
struct Scratch {
  std::vector<cx<V>> store, ext, coup, jamp, xopen;
  std::vector<V> amp2;
  std::vector<cvd> jamp_d;  // JAMP widened to double (V = vf only)
  std::vector<vd> sum, flows;
  std::vector<const cx<V>*> pw;
  std::vector<double> ext_flow;  // n_ext * L * 4: each external's momentum flow (w[0..1]) per event, double
  std::vector<V> den;            // n_currents * nv: P^2 - M^2 of each current (single precision only)
};

}  // namespace cpu_detail

/// Vectors V per chunk: the slot store of a chunk stays within ~512 KiB (L2), 2..16 vectors.
template <class V>
int chunk_vectors(const ProgramView& P) {
  const index_t per_vector = static_cast<index_t>(P.n_slots) * 6 * sizeof(cx<V>);
  const index_t nv = (512 * 1024) / std::max<index_t>(per_vector, 1);
  return static_cast<int>(std::max<index_t>(2, std::min<index_t>(16, nv)));
}

/// Evaluates events [begin, end) (at most nv * lanes<V> of them) as one chunk with vectors V (vd or vf).
/// momenta (n, n_particles, 4) GeV and alpha_s (n,) are indexed by event; outputs as in evaluate_cpu.
template <class V>
void evaluate_chunk(const ProgramView& P, const CpuPlan& plan, const double* momenta, const double* alpha_s,
                    double* me, double* amp2, double* hel_out, double* flows, index_t begin, index_t end, int nv,
                    cpu_detail::Scratch<V>& s) {
  using namespace cpu_detail;
  using cv = cx<V>;
  using E = fp_elem_t<V>;
  constexpr int LV = simd::lanes<V>;  // events per vector V
  constexpr int R = LV / W;            // vectors of doubles per vector V
  const index_t n = end - begin;
  const index_t L = static_cast<index_t>(nv) * LV;
  const int nvd = nv * R;
  const int np = P.n_particles, nf = P.n_flows;
  const bool open = plan.open_particle >= 0;
  const OpFn<V>* fns = plan.functions<V>();
  s.store.resize(static_cast<std::size_t>(P.n_slots) * nv * 6);
  s.ext.resize(static_cast<std::size_t>(plan.n_ext) * 3 * nv * 6);
  s.coup.resize(static_cast<std::size_t>(P.n_coup) * nv);
  s.jamp.resize(static_cast<std::size_t>(nf) * nv);
  if constexpr (R > 1) s.jamp_d.resize(static_cast<std::size_t>(nf) * nvd);
  if (open) s.xopen.resize(static_cast<std::size_t>(nf) * 4 * nv);
  s.pw.resize(plan.max_group);
  const bool use_den = R > 1 && !plan.current_ext.empty();
  if (use_den) {
    s.ext_flow.resize(static_cast<std::size_t>(plan.n_ext) * L * 4);
    s.den.resize(plan.current_ext.size() * nv);
  }
  s.sum.assign(nvd, fp_set<vd>(0.0));
  if (amp2) s.amp2.assign(static_cast<std::size_t>(P.n_diagrams) * nv, fp_set<V>(0.0));
  if (flows) s.flows.assign(static_cast<std::size_t>(nf) * nvd, fp_set<vd>(0.0));
  // couplings per lane: c * G^k (padding lanes repeat the last event)
  for (int v = 0; v < nv; ++v) {
    V g;
    for (int l = 0; l < LV; ++l) {
      const index_t e = begin + std::min<index_t>(static_cast<index_t>(v) * LV + l, n - 1);
      g[l] = static_cast<E>(2.0 * std::sqrt(alpha_s[e]) * std::sqrt(M_PI));
    }
    for (int k = 0; k < P.n_coup; ++k) {
      const int pw = P.coup_pow[k];
      const V f = pw == 0 ? fp_set<V>(1.0) : (pw == 1 ? g : g * g);
      s.coup[static_cast<index_t>(k) * nv + v] =
          cv(fp_scalar<V>(P.coup[2 * k]) * f, fp_scalar<V>(P.coup[2 * k + 1]) * f);
    }
  }
  // external wavefunctions for every helicity that occurs (computed in double, rounded per lane)
  for (int e = 0; e < plan.n_ext; ++e)
    for (int h = 0; h < 3; ++h) {
      if (!plan.ext_hel_used[static_cast<std::size_t>(e) * 3 + h]) continue;
      cv* dst = s.ext.data() + (static_cast<index_t>(e) * 3 + h) * nv * 6;
      for (index_t l = 0; l < L; ++l) {
        const index_t ev = begin + std::min<index_t>(l, n - 1);
        cplx w[6];
        external_wave(plan.ext_kind[e], momenta + (ev * np + plan.ext_particle[e]) * 4, plan.ext_mass[e], h - 1,
                      plan.ext_nsf[e], w);
        cv* d = dst + (l / LV) * 6;
        for (int k = 0; k < 6; ++k) {
          d[k].re[l % LV] = static_cast<E>(w[k].re);
          d[k].im[l % LV] = static_cast<E>(w[k].im);
        }
        if (use_den) {
          double* f = s.ext_flow.data() + (static_cast<index_t>(e) * L + l) * 4;
          f[0] = w[0].re;
          f[1] = w[1].re;
          f[2] = w[1].im;
          f[3] = w[0].im;
        }
      }
    }
  // single precision: each current's P^2 - M^2 from the external flows in double (no cancellation in float)
  for (std::size_t q = 0; use_den && q < plan.current_ext.size(); ++q)
    for (index_t l = 0; l < L; ++l) {
      double p[4] = {0.0, 0.0, 0.0, 0.0};
      for (const int e : plan.current_ext[q]) {
        const double* f = s.ext_flow.data() + (static_cast<index_t>(e) * L + l) * 4;
        for (int m = 0; m < 4; ++m) p[m] += f[m];
      }
      const double d = p[0] * p[0] - p[1] * p[1] - p[2] * p[2] - p[3] * p[3] - plan.current_mass2[q];
      s.den[q * nv + l / LV][l % LV] = static_cast<E>(d);
    }
  Ctx<V> c;
  c.store = s.store.data();
  c.ext = s.ext.data();
  c.coup = s.coup.data();
  c.jamp = s.jamp.data();
  c.amp2 = amp2 ? s.amp2.data() : nullptr;
  c.nv = nv;
  c.den = use_den ? s.den.data() : nullptr;
  c.xopen = open ? s.xopen.data() : nullptr;
  c.pw = s.pw.data();
  c.pspin = plan.open_spin;
  for (const auto& g : plan.groups) {
    c.hel = P.hel + static_cast<index_t>(g.row) * np;
    c.n_ph = static_cast<int>(g.hels.size());
    if (open) {
      for (int k = 0; k < c.n_ph; ++k)
        s.pw[k] = s.ext.data() + (static_cast<index_t>(plan.open_ext) * 3 + g.p_index[k]) * nv * 6;
      std::fill(s.xopen.begin(), s.xopen.end(), cv());
    } else {
      std::fill(s.jamp.begin(), s.jamp.end(), cv());
    }
    for (const int i : g.ops) fns[i](plan.ops[i], c);
    for (int k = 0; k < c.n_ph; ++k) {
      if (open) {
        switch (plan.open_spin) {
          case 3: close_open<3>(s.xopen.data(), s.pw[k], s.jamp.data(), nf, nv); break;
          case 2: close_open<2>(s.xopen.data(), s.pw[k], s.jamp.data(), nf, nv); break;
          default: close_open<1>(s.xopen.data(), s.pw[k], s.jamp.data(), nf, nv); break;
        }
      }
      // JAMP as vectors of doubles: vector v of V holds double vectors v R .. v R + R - 1
      const cvd* jd;
      if constexpr (R == 1) {
        jd = s.jamp.data();
      } else {
        for (index_t q = 0; q < static_cast<index_t>(nf) * nv; ++q) {
          vd re[R], im[R];
          simd::widen(s.jamp[q].re, re);
          simd::widen(s.jamp[q].im, im);
          for (int r = 0; r < R; ++r) s.jamp_d[q * R + r] = cvd(re[r], im[r]);
        }
        jd = s.jamp_d.data();
      }
      const int h = g.hels[k];
      for (int v = 0; v < nvd; ++v) {
        const vd mh = colour_sum(P, plan, jd, nvd, v);
        s.sum[v] += mh;
        if (flows)
          for (int f = 0; f < nf; ++f) {
            const cvd& j = jd[static_cast<index_t>(f) * nvd + v];
            s.flows[static_cast<index_t>(f) * nvd + v] += j.re * j.re + j.im * j.im;
          }
        if (hel_out)
          for (int l = 0; l < W; ++l) {
            const index_t q = static_cast<index_t>(v) * W + l;
            if (q < n) hel_out[(begin + q) * P.n_hel + h] = mh[l] * P.factor;
          }
      }
    }
  }
  for (index_t k = 0; k < n; ++k) me[begin + k] = s.sum[k / W][k % W] * P.factor;
  if (amp2)
    for (index_t k = 0; k < n; ++k)
      for (int d = 0; d < P.n_diagrams; ++d)
        amp2[(begin + k) * P.n_diagrams + d] = s.amp2[static_cast<index_t>(d) * nv + k / LV][k % LV];
  if (flows)
    for (index_t k = 0; k < n; ++k)
      for (int f = 0; f < nf; ++f)
        flows[(begin + k) * nf + f] = s.flows[static_cast<index_t>(f) * nvd + k / W][k % W] * P.factor;
}

/// Arithmetic precision of the CPU driver (see the header comment).
enum class Precision { kDouble, kSingle };

/// Evaluates n events with vectors V on the CPU threads of cpu::num_threads().
template <class V>
void evaluate_cpu_with(const ProgramView& P, const CpuPlan& plan, index_t n, const double* momenta,
                       const double* alpha_s, double* me, double* amp2, double* hel_out, double* flows) {
  const int nv = chunk_vectors<V>(P);
  const index_t L = static_cast<index_t>(nv) * simd::lanes<V>;
  const index_t nchunks = (n + L - 1) / L;
  const int nt = static_cast<int>(std::max<index_t>(1, std::min<index_t>(cpu::num_threads(), nchunks)));
  std::atomic<index_t> next{0};
  auto worker = [&] {
    cpu_detail::Scratch<V> scratch;
    for (;;) {
      const index_t c = next.fetch_add(1);
      if (c >= nchunks) break;
      const index_t b = c * L, e = std::min(n, b + L);
      evaluate_chunk<V>(P, plan, momenta, alpha_s, me, amp2, hel_out, flows, b, e, nv, scratch);
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

/// Evaluates n events: momenta (n, n_particles, 4) GeV, alpha_s (n,); writes me (n,) and, where not null,
/// amp2 (n, n_diagrams), hel_out (n, n_hel), flows (n, n_flows), all double, in the given precision.
inline void evaluate_cpu(const ProgramView& P, const CpuPlan& plan, index_t n, const double* momenta,
                         const double* alpha_s, double* me, double* amp2, double* hel_out, double* flows,
                         Precision precision = Precision::kDouble) {
  if (precision == Precision::kSingle)
    evaluate_cpu_with<cpu_detail::vf>(P, plan, n, momenta, alpha_s, me, amp2, hel_out, flows);
  else
    evaluate_cpu_with<cpu_detail::vd>(P, plan, n, momenta, alpha_s, me, amp2, hel_out, flows);
}

}  // namespace madnis::amplitudes
