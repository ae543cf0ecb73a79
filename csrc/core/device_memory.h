// Device memory for tables that kernels read (defined in cuda/kernels.cu; only usable when built with CUDA).
#pragma once
#include <cstddef>

namespace madnis::cuda {
void* device_malloc(std::size_t bytes);
void device_free(void* ptr);
void copy_to_device(void* dst, const void* src, std::size_t bytes);
}  // namespace madnis::cuda
