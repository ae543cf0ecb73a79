// The CPU batch driver: runs a per-event functor `f(i)` for i in [0, n) on a pool of threads.
// Each thread gets one contiguous block, so inner loops stay vectorisable and cache-friendly.
#pragma once
#include <algorithm>
#include <thread>
#include <vector>
#include "core/hostdevice.h"

namespace madnis::cpu {

/// Number of threads used by the CPU driver (0 = hardware concurrency).
int num_threads();
void set_num_threads(int n);

template <class F>
void parallel_for(index_t n, const F& f, index_t min_per_thread = 256) {
  int nt = std::max<index_t>(1, std::min<index_t>(num_threads(), n / std::max<index_t>(1, min_per_thread)));
  if (nt <= 1) {
    for (index_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(nt);
  index_t block = (n + nt - 1) / nt;
  for (int t = 0; t < nt; ++t) {
    index_t begin = t * block, end = std::min(n, begin + block);
    pool.emplace_back([&f, begin, end] {
      for (index_t i = begin; i < end; ++i) f(i);
    });
  }
  for (auto& th : pool) th.join();
}

}  // namespace madnis::cpu
