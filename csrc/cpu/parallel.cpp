#include "cpu/parallel.h"
#include <atomic>

namespace madnis::cpu {
namespace {
std::atomic<int> g_threads{0};
}
int num_threads() {
  int n = g_threads.load();
  if (n > 0) return n;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}
void set_num_threads(int n) { g_threads.store(n < 0 ? 0 : n); }
}  // namespace madnis::cpu
