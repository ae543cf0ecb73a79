// The CPU driver of the amplitude program: chunk-major. Each thread takes chunks of events; for each helicity
// it runs one instruction over all events of the chunk before the next instruction (the same per-lane function
// as the CUDA driver, amplitudes/program.h), so the wavefunctions of a chunk stay in cache.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <utility>
#include <thread>
#include <vector>
#include "amplitudes/program.h"
#include "cpu/parallel.h"

namespace madnis::amplitudes {

namespace detail {

using LaneLoop = void (*)(const Decoded&, const ProgramView&, const double* mom, index_t mstride, const double* gs,
                          const std::int32_t* hel, const Store&, index_t n);

template <int LOR, int LEG>
void vertex_lanes(const Decoded& d, const ProgramView& P, const double*, index_t, const double* gs,
                  const std::int32_t*, const Store& st, index_t n) {
  for (index_t l = 0; l < n; ++l) run_vertex_fixed<LOR, LEG>(d, P, gs[l], st, l);
}

template <int KIND>
void external_lanes(const Decoded& d, const ProgramView&, const double* mom, index_t mstride, const double*,
                    const std::int32_t* hel, const Store& st, index_t n) {
  const int h = hel[d.particle];
  const double m = d.f0;
  const double* p = mom + 4 * d.particle;
  for (index_t l = 0; l < n; ++l) {
    cplx w[6];
    helas::external_wavefunction(KIND, p + l * mstride, m, h, d.nsf, w);
    st.save(d.out, l, w);
  }
}

template <int LOR, int... LEGS>
constexpr void fill_lor(LaneLoop (&table)[helas::kNumLorentz][5], std::integer_sequence<int, LEGS...>) {
  ((table[LOR][LEGS] = &vertex_lanes<LOR, LEGS - 1>), ...);
}
template <int... LORS>
struct VertexTable {
  LaneLoop t[helas::kNumLorentz][5] = {};
  VertexTable() { (fill_lor<LORS>(t, std::make_integer_sequence<int, (LORS >= helas::VVVV1 ? 5 : 4)>{}), ...); }
};
template <int... L>
VertexTable<L...> make_table(std::integer_sequence<int, L...>) { return {}; }

inline const auto& vertex_table() {
  static const auto table = make_table(std::make_integer_sequence<int, helas::kNumLorentz>{});
  return table.t;
}

template <int... K>
constexpr std::array<LaneLoop, sizeof...(K)> make_ext_table(std::integer_sequence<int, K...>) {
  return {&external_lanes<K>...};
}

/// Runs instruction i over the n lanes of a chunk: specialised loops for single-term vertices and externals.
inline void run_instruction_lanes(const ProgramView& P, int i, const double* mom, index_t mstride, const double* gs,
                                  const std::int32_t* hel, const Store& st, index_t n) {
  const Decoded d = decode(P, i);
  if (d.op == kExternal) {
    static const auto ext = make_ext_table(std::make_integer_sequence<int, 10>{});
    if (d.kind >= 0 && d.kind < 10) {
      ext[d.kind](d, P, mom, mstride, gs, hel, st, n);
      return;
    }
  } else if (d.nterms == 1) {
    const int leg = d.op == kCurrent ? d.leg : -1;
    if (LaneLoop f = vertex_table()[d.vt.lor[0]][leg + 1]) {
      f(d, P, mom, mstride, gs, hel, st, n);
      return;
    }
  }
  for (index_t l = 0; l < n; ++l) run_instruction(P, i, mom + l * mstride, gs[l], hel, st, l);
}

}  // namespace detail

/// Events per chunk: as many as fit in ~256 KiB of store, between 8 and 256.
inline index_t chunk_size(const ProgramView& P) {
  const index_t per_lane = (static_cast<index_t>(P.n_slots) * 12 + static_cast<index_t>(P.n_amps) * 2) * 8;
  index_t L = (256 * 1024) / std::max<index_t>(per_lane, 1);
  L = std::max<index_t>(8, std::min<index_t>(256, L));
  return L & ~static_cast<index_t>(7);
}

/// Evaluates events [begin, end) in one chunk (end - begin <= L) with the given scratch store (size >= L * per lane).
inline void evaluate_chunk(const ProgramView& P, const double* momenta, const double* alpha_s, double* me,
                           double* amp2, double* hel_out, index_t begin, index_t end, index_t L,
                           std::vector<double>& scratch) {
  const index_t n = end - begin;
  const index_t need = (static_cast<index_t>(P.n_slots) * 12 + static_cast<index_t>(P.n_amps) * 2) * L + 2 * L;
  if (static_cast<index_t>(scratch.size()) < need) scratch.assign(need, 0.0);
  Store st{scratch.data(), scratch.data() + static_cast<index_t>(P.n_slots) * 12 * L, L};
  double* gs = scratch.data() + need - 2 * L;
  double* sum = gs + L;
  for (index_t l = 0; l < n; ++l) {
    gs[l] = 2.0 * std::sqrt(alpha_s[begin + l]) * std::sqrt(M_PI);
    sum[l] = 0.0;
  }
  if (amp2)
    for (index_t k = 0; k < n * P.n_diagrams; ++k) amp2[begin * P.n_diagrams + k] = 0.0;
  const index_t mstride = static_cast<index_t>(P.n_particles) * 4;
  for (int h = 0; h < P.n_hel; ++h) {
    const std::int32_t* hel = P.hel + static_cast<index_t>(h) * P.n_particles;
    const std::uint64_t changed = changed_particles(P, h);
    for (int i = 0; i < P.n_instr; ++i)
      if (P.deps[i] & changed) detail::run_instruction_lanes(P, i, momenta + begin * mstride, mstride, gs, hel, st, n);
    for (index_t l = 0; l < n; ++l) {
      double* a2 = amp2 ? amp2 + (begin + l) * P.n_diagrams : nullptr;
      const double mh = colour_sum(P, st, l, a2, 1);
      if (hel_out) hel_out[(begin + l) * P.n_hel + h] = mh * P.factor;
      sum[l] += mh;
    }
  }
  for (index_t l = 0; l < n; ++l) me[begin + l] = sum[l] * P.factor;
}

/// Evaluates n events on the CPU threads of cpu::num_threads().
inline void evaluate_cpu(const ProgramView& P, index_t n, const double* momenta, const double* alpha_s, double* me,
                         double* amp2, double* hel_out) {
  const index_t L = chunk_size(P);
  const index_t nchunks = (n + L - 1) / L;
  const int nt = static_cast<int>(std::max<index_t>(1, std::min<index_t>(cpu::num_threads(), nchunks)));
  std::atomic<index_t> next{0};
  auto worker = [&] {
    std::vector<double> scratch;
    for (;;) {
      const index_t c = next.fetch_add(1);
      if (c >= nchunks) break;
      const index_t b = c * L, e = std::min(n, b + L);
      evaluate_chunk(P, momenta, alpha_s, me, amp2, hel_out, b, e, L, scratch);
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
