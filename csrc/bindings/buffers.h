// Arrays cross the Python boundary without copies: numpy arrays (and CPU torch tensors, which convert
// to numpy without a copy) through the buffer protocol, CUDA tensors through __cuda_array_interface__.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <string>
#include <vector>
#include "core/dispatch.h"

namespace madnis::bind {
namespace py = pybind11;

template <class T>
struct Buffer {
  T* data = nullptr;
  std::vector<index_t> shape;
  Device device = Device::cpu;
  py::object keep_alive;  // the numpy array that owns host memory, if any

  index_t dim(int i) const { return shape.at(i); }
  index_t size() const {
    index_t s = 1;
    for (auto d : shape) s *= d;
    return s;
  }
};

template <class T>
const char* typestr();
template <> inline const char* typestr<double>() { return "<f8"; }
template <> inline const char* typestr<float>() { return "<f4"; }
template <> inline const char* typestr<std::int32_t>() { return "<i4"; }
template <> inline const char* typestr<std::int64_t>() { return "<i8"; }
template <> inline const char* typestr<std::uint8_t>() { return "|u1"; }
template <> inline const char* typestr<std::int8_t>() { return "|i1"; }
template <> inline const char* typestr<std::uint64_t>() { return "<u8"; }
template <> inline const char* typestr<bool>() { return "|b1"; }

/// Wraps `obj` (numpy array, torch tensor) as a C-contiguous buffer of T, checking dtype and rank.
/// `name` names the argument in error messages.
template <class T>
Buffer<T> as_buffer(py::handle obj, const char* name, int ndim) {
  Buffer<T> buf;
  if (py::hasattr(obj, "__cuda_array_interface__")) {
    py::dict cai = obj.attr("__cuda_array_interface__");
    std::string ts = py::str(cai["typestr"]);
    if (ts != typestr<T>()) throw py::type_error(std::string(name) + ": expected dtype " + typestr<T>() + ", got " + ts);
    if (cai.contains("strides") && !cai["strides"].is_none())
      throw py::value_error(std::string(name) + ": CUDA array must be C-contiguous");
    buf.data = reinterpret_cast<T*>(py::cast<std::uintptr_t>(py::tuple(cai["data"])[0]));
    for (auto d : py::tuple(cai["shape"])) buf.shape.push_back(py::cast<index_t>(d));
    buf.device = Device::cuda;
  } else {
    py::object arr_obj = py::reinterpret_borrow<py::object>(obj);
    if (py::hasattr(obj, "__dlpack__") && !py::isinstance<py::array>(obj)) arr_obj = obj.attr("numpy")();
    auto arr = py::array::ensure(arr_obj);
    if (!arr) throw py::type_error(std::string(name) + ": expected a numpy array or torch tensor");
    if (!py::isinstance<py::array_t<T>>(arr) || !(arr.flags() & py::array::c_style))
      throw py::type_error(std::string(name) + ": expected a C-contiguous array of dtype " + typestr<T>() +
                           ", got " + std::string(py::str(arr.dtype())));
    buf.data = static_cast<T*>(arr.mutable_data());
    for (py::ssize_t i = 0; i < arr.ndim(); ++i) buf.shape.push_back(arr.shape(i));
    buf.keep_alive = arr;
  }
  if (ndim >= 0 && static_cast<int>(buf.shape.size()) != ndim)
    throw py::value_error(std::string(name) + ": expected " + std::to_string(ndim) + " dimensions, got " +
                          std::to_string(buf.shape.size()));
  return buf;
}

/// Checks that all buffers live on the same device and returns it.
template <class B, class... Bs>
Device common_device(const B& first, const Bs&... rest) {
  bool same = ((rest.device == first.device) && ... && true);
  if (!same) throw py::value_error("all arrays must be on the same device");
  return first.device;
}

inline void require(bool ok, const std::string& message) {
  if (!ok) throw py::value_error(message);
}

}  // namespace madnis::bind
