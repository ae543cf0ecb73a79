// The amplitude program: Python builds it (madnis_py/amplitudes/program.py), this file runs it.
//
// PROGRAM FORMAT (all arrays C-contiguous; the Python side documents the same layout)
//
//   instructions  int32 (n_instr, kFields). Field meaning by opcode (field 0):
//     op = kExternal (0):  [1] out slot, [2] particle index (0-based, row of the momenta),
//                          [3] wavefunction kind (helas::WaveKind, or kMomentumKind: a vector whose
//                              polarisation is replaced by its own momentum, for gauge checks),
//                          [4] nsf / nsv / nss (+1 or -1). The helicity comes from the helicity table.
//     op = kCurrent (1):   [1] out slot, [2..5] input slots in leg order with the off-shell leg skipped
//                          (-1 unused), [6] number of terms (1..kMaxTerms), [7..9] Lorentz structures
//                          (helas::Lorentz), [10..12] coupling indices, [13] off-shell leg (0-based).
//     op = kAmplitude (2): [1] amplitude index, [2..5] input slots of all legs in order, [6..12] as above.
//   fparams       float64 (n_instr, 2): external: (mass, 0); current: (propagator mass M, width W);
//                 amplitude: (sign, 0) -- the fermion-flow sign (+1 or -1) multiplying the amplitude.
//   couplings     float64 (n_coup, 2) and int32 (n_coup,): coupling c = (re + i im) * G**k with k in {0,1,2}
//                 and G = sqrt(4 pi alpha_s) of the event (alpha_s is an input per event).
//   helicities    int32 (n_hel, n_particles): the helicity combinations that are summed.
//   amp_diagram   int32 (n_amps,): the diagram of each amplitude (for the per-diagram |A|^2, MadGraph's AMP2;
//                 a diagram with a four-gluon vertex has several amplitudes, their |A|^2 add).
//   amp_colour    float64 (n_amps, n_flows, 2): complex coefficient of each amplitude on each colour flow:
//                 JAMP_c = sum_a coef[a][c] * sign_a * A_a.
//   colour_matrix float64 (n_flows, n_flows): real colour matrix already divided by MadGraph's denominators:
//                 |M|^2_h = sum_cc' Re(conj(JAMP_c) CM[c][c'] JAMP_c').
//   factor        float64: 1 / (initial spin x colour average x identical-particle symmetry factor).
//
// EVALUATION: for every event and every helicity combination, run the instructions in order, form the
// colour-flow amplitudes JAMP, contract with the colour matrix, sum over helicities, multiply by factor.
// Also AMP2[d] = sum_h sum_{a in d} |A_a|^2 (not multiplied by factor).
//
// STORAGE (CUDA driver): wavefunctions and amplitudes live in a store laid out [slot][component][re/im][lane]
// with lane = event and stride = batch size; one thread runs all instructions of one event.
// The CPU driver (executor_cpu.h) keeps its own SIMD layout and calls the same HELAS templates with a vector
// of events as the real type.
#pragma once
#include <cmath>
#include <cstdint>
#include "core/complex.h"
#include "core/hostdevice.h"
#include "helas/vertices.h"
#include "helas/wavefunctions.h"

namespace madnis::amplitudes {

constexpr int kFields = 14;
constexpr int kMaxFlows = 128;
constexpr int kMomentumKind = 10;
enum Opcode : int { kExternal = 0, kCurrent = 1, kAmplitude = 2 };

/// Raw view of a program (host or device pointers).
struct ProgramView {
  int n_instr = 0, n_slots = 0, n_amps = 0, n_diagrams = 0, n_flows = 0, n_coup = 0, n_particles = 0, n_hel = 0;
  const std::int32_t* instr = nullptr;
  const double* fparams = nullptr;
  const double* coup = nullptr;  // (n_coup, 2)
  const std::int32_t* coup_pow = nullptr;
  const std::int32_t* hel = nullptr;
  const std::int32_t* amp_diagram = nullptr;
  const double* amp_colour = nullptr;
  const double* colour_matrix = nullptr;
  const std::uint64_t* deps = nullptr;  // (n_instr,): bit k set if the instruction depends on particle k's helicity
  int reuse = 0;  // 1 if every slot/amplitude is written once: instructions whose particles' helicities did not
                  // change since the previous combination keep their values and are skipped
  double factor = 1.0;
};

/// Bit mask of the particles whose helicity differs between combinations h-1 and h (all for h = 0).
MADNIS_HD MADNIS_INLINE std::uint64_t changed_particles(const ProgramView& P, int h) {
  if (h == 0 || !P.reuse) return ~static_cast<std::uint64_t>(0);
  const std::int32_t* a = P.hel + static_cast<index_t>(h - 1) * P.n_particles;
  const std::int32_t* b = a + P.n_particles;
  std::uint64_t m = 0;
  for (int k = 0; k < P.n_particles; ++k)
    if (a[k] != b[k]) m |= static_cast<std::uint64_t>(1) << k;
  return m;
}

/// Where the wavefunctions/amplitudes of one lane live: element (slot, comp) at base[(slot*12 + 2*comp) * stride + lane].
struct Store {
  double* ws;  // wavefunction store: n_slots * 12 * stride
  double* as;  // amplitude store: n_amps * 2 * stride
  index_t stride;
  MADNIS_HD MADNIS_INLINE void load(int slot, index_t lane, cplx* w) const {
    const double* b = ws + static_cast<index_t>(slot) * 12 * stride + lane;
    for (int k = 0; k < 6; ++k) w[k] = cplx(b[(2 * k) * stride], b[(2 * k + 1) * stride]);
  }
  MADNIS_HD MADNIS_INLINE void save(int slot, index_t lane, const cplx* w) const {
    double* b = ws + static_cast<index_t>(slot) * 12 * stride + lane;
    for (int k = 0; k < 6; ++k) {
      b[(2 * k) * stride] = w[k].re;
      b[(2 * k + 1) * stride] = w[k].im;
    }
  }
  MADNIS_HD MADNIS_INLINE cplx amp(int a, index_t lane) const {
    const double* b = as + static_cast<index_t>(a) * 2 * stride + lane;
    return cplx(b[0], b[stride]);
  }
  MADNIS_HD MADNIS_INLINE void set_amp(int a, index_t lane, cplx v) const {
    double* b = as + static_cast<index_t>(a) * 2 * stride + lane;
    b[0] = v.re;
    b[stride] = v.im;
  }
};

MADNIS_HD MADNIS_INLINE cplx coupling(const ProgramView& P, int c, double g) {
  const int k = P.coup_pow[c];
  const double f = k == 0 ? 1.0 : (k == 1 ? g : g * g);
  return cplx(P.coup[2 * c] * f, P.coup[2 * c + 1] * f);
}

/// External wavefunction of one event for a program's external instruction (kind: helas::WaveKind or
/// kMomentumKind); `p` is the particle's momentum.
MADNIS_HD MADNIS_INLINE void external_wave(int kind, const double* p, double mass, int hel, int nsf, cplx* w) {
  if (kind == kMomentumKind) {
    helas::vxxxxx(p, mass, 1, nsf, w);
    for (int m = 0; m < 4; ++m) w[2 + m] = cplx(p[m], 0.0);
  } else {
    helas::external_wavefunction(kind, p, mass, hel, nsf, w);
  }
}

/// Runs instruction `i` of the program for one lane. `mom`: this event's momenta (n_particles x 4),
/// `g`: this event's G, `hel`: the helicity combination (n_particles).
MADNIS_HD MADNIS_INLINE void run_instruction(const ProgramView& P, int i, const double* mom, double g,
                                             const std::int32_t* hel, const Store& st, index_t lane) {
  const std::int32_t* f = P.instr + static_cast<index_t>(i) * kFields;
  const int op = f[0];
  if (op == kExternal) {
    cplx w[6];
    const int ip = f[2];
    external_wave(f[3], mom + 4 * ip, P.fparams[2 * i], hel[ip], f[4], w);
    st.save(f[1], lane, w);
    return;
  }
  helas::VertexTerms vt;
  vt.nterms = f[6];
  cplx cp[helas::kMaxTerms];
  for (int t = 0; t < vt.nterms; ++t) {
    vt.lor[t] = f[7 + t];
    cp[t] = coupling(P, f[10 + t], g);
  }
  const int nlegs = helas::lorentz_legs(vt.lor[0]);
  cplx w[helas::kMaxLegs][6];
  const cplx* wp[helas::kMaxLegs];
  if (op == kCurrent) {
    const int leg = f[13];
    int j = 0;
    for (int k = 0; k < nlegs; ++k) {
      if (k == leg) {
        wp[k] = w[k];
        continue;
      }
      st.load(f[2 + j], lane, w[k]);
      wp[k] = w[k];
      ++j;
    }
    cplx out[6];
    helas::vertex_current(vt, cp, leg, P.fparams[2 * i], P.fparams[2 * i + 1], wp, out);
    st.save(f[1], lane, out);
  } else {
    for (int k = 0; k < nlegs; ++k) {
      st.load(f[2 + k], lane, w[k]);
      wp[k] = w[k];
    }
    const cplx a = helas::vertex_amplitude(vt, cp, wp);
    st.set_amp(f[1], lane, P.fparams[2 * i] * a);
  }
}

/// After all instructions of one helicity: returns |M|^2 of this helicity (colour summed, not multiplied by
/// factor), adds |A_a|^2 to amp2[d * amp2_stride] and |JAMP_c|^2 to flows[c] (each if not null).
MADNIS_HD MADNIS_INLINE double colour_sum(const ProgramView& P, const Store& st, index_t lane, double* amp2,
                                          index_t amp2_stride, double* flows) {
  cplx jamp[kMaxFlows];
  const int nf = P.n_flows;
  for (int c = 0; c < nf; ++c) jamp[c] = cplx();
  for (int a = 0; a < P.n_amps; ++a) {
    const cplx A = st.amp(a, lane);
    const double* cc = P.amp_colour + static_cast<index_t>(a) * nf * 2;
    for (int c = 0; c < nf; ++c) {
      const double cr = cc[2 * c], ci = cc[2 * c + 1];
      if (cr != 0.0 || ci != 0.0) jamp[c] += cplx(cr, ci) * A;
    }
    if (amp2) amp2[static_cast<index_t>(P.amp_diagram[a]) * amp2_stride] += norm2(A);
  }
  if (flows)
    for (int c = 0; c < nf; ++c) flows[c] += norm2(jamp[c]);
  double me = 0.0;
  for (int c = 0; c < nf; ++c) {
    double zr = 0.0, zi = 0.0;
    const double* row = P.colour_matrix + static_cast<index_t>(c) * nf;
    for (int d = 0; d < nf; ++d) {
      zr += row[d] * jamp[d].re;
      zi += row[d] * jamp[d].im;
    }
    me += jamp[c].re * zr + jamp[c].im * zi;
  }
  return me;
}

/// One event per call (the CUDA driver): all helicities, all instructions, colour sum. The store has
/// stride = batch size and lane = event. `hel_out` (n, n_hel) and `flows` (n, n_flows) may be null.
struct EvaluateEvents {
  ProgramView P;
  const double* momenta;  // (n, n_particles, 4)
  const double* alpha_s;  // (n,)
  double* me;             // (n,)
  double* amp2;           // (n, n_diagrams) or null
  double* hel_out;        // (n, n_hel) or null
  double* flows;          // (n, n_flows) or null: |JAMP_c|^2 summed over helicities, times factor
  Store st;

  MADNIS_HD void operator()(index_t e) const {
    const double* mom = momenta + e * P.n_particles * 4;
    const double g = 2.0 * std::sqrt(alpha_s[e]) * std::sqrt(M_PI);
    double* a2 = amp2 ? amp2 + e * P.n_diagrams : nullptr;
    if (a2)
      for (int d = 0; d < P.n_diagrams; ++d) a2[d] = 0.0;
    double* fl = flows ? flows + e * P.n_flows : nullptr;
    if (fl)
      for (int c = 0; c < P.n_flows; ++c) fl[c] = 0.0;
    double sum = 0.0;
    for (int h = 0; h < P.n_hel; ++h) {
      const std::int32_t* hel = P.hel + static_cast<index_t>(h) * P.n_particles;
      const std::uint64_t changed = changed_particles(P, h);
      for (int i = 0; i < P.n_instr; ++i)
        if (P.deps[i] & changed) run_instruction(P, i, mom, g, hel, st, e);
      const double mh = colour_sum(P, st, e, a2, 1, fl);
      if (hel_out) hel_out[e * P.n_hel + h] = mh * P.factor;
      sum += mh;
    }
    me[e] = sum * P.factor;
    if (fl)
      for (int c = 0; c < P.n_flows; ++c) fl[c] *= P.factor;
  }
};

}  // namespace madnis::amplitudes
