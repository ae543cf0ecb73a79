// Parton densities (LHAPDF6 grids) and the running strong coupling: grid packing and the batch kernels.
#include <pybind11/stl.h>
#include <cmath>
#include <string>
#include <vector>
#include "bindings/buffers.h"
#include "kernels/alpha_s.h"
#include "kernels/pdf.h"

namespace madnis::bind {
namespace {

/// A packed grid owned by a numpy array, with its PdfGrid view (offsets, flavour slots, grid-wide constants).
struct GridHolder {
  py::array_t<double> data;
  pdf::PdfGrid view;
  std::vector<int> pids;
  std::vector<double> q_edges;  // Q (GeV) of the subgrid boundaries: first knot of each subgrid, then the last knot

  /// The view with `data_override` (a device or host copy of `data`, same length) as its data pointer.
  pdf::PdfGrid view_on(const py::object& data_override, Device& device) const {
    pdf::PdfGrid g = view;
    device = Device::cpu;
    if (!data_override.is_none()) {
      auto D = as_buffer<double>(data_override, "data", 1);
      require(D.size() == static_cast<index_t>(data.size()),
              "data: expected a copy of the packed grid with " + std::to_string(data.size()) + " values, got " +
                  std::to_string(D.size()));
      g.data = D.data;
      device = D.device;
    }
    return g;
  }
};

/// Knots must not decrease and must span a range. Repeated knots are accepted as LHAPDF accepts them (CT14qed
/// repeats x = 1e-9); interpolation next to a repeated knot then divides by zero, as in LHAPDF.
bool increasing(const double* a, index_t n) {
  for (index_t i = 1; i < n; ++i)
    if (!(a[i] >= a[i - 1])) return false;
  return a[n - 1] > a[0];
}

/// Packs the blocks of an lhagrid1 member: xs[s] (nx,), qs[s] (nq,) in GeV, values[s] (n_flav, nx, nq) = x f,
/// columns ordered as `pids`. `source` names the file in error messages.
GridHolder build_grid(const std::vector<py::object>& xs, const std::vector<py::object>& qs,
                      const std::vector<py::object>& values, py::handle pids_obj, const std::string& source) {
  const std::string where = source.empty() ? std::string("PDF grid") : source;
  auto P = as_buffer<std::int32_t>(pids_obj, "pids", 1);
  require(P.device == Device::cpu, "pids must be a host array");
  const index_t n_sub = static_cast<index_t>(xs.size());
  const index_t n_flav = P.dim(0);
  require(n_sub >= 1 && qs.size() == xs.size() && values.size() == xs.size(),
          where + ": expected the same number (>= 1) of x-knot, Q-knot and value blocks");
  require(n_sub <= pdf::kMaxSubgrids, where + ": " + std::to_string(n_sub) + " Q subgrids, at most " +
                                          std::to_string(pdf::kMaxSubgrids) + " are supported");
  require(n_flav >= 1 && n_flav < 32767, where + ": no flavours");

  GridHolder h;
  pdf::PdfGrid& g = h.view;
  g.n_sub = static_cast<int>(n_sub);
  g.n_flav = static_cast<int>(n_flav);
  for (int k = 0; k < pdf::kPidSlots; ++k) g.slot[k] = -1;
  for (index_t f = 0; f < n_flav; ++f) {
    const int pid = P.data[f];
    require(pid >= -pdf::kPidRange && pid <= pdf::kPidRange && pid != 0,
            where + ": flavour code " + std::to_string(pid) + " is not supported (PDG codes -40..40, not 0)");
    require(g.slot[pid + pdf::kPidRange] < 0, where + ": flavour " + std::to_string(pid) + " listed twice");
    g.slot[pid + pdf::kPidRange] = static_cast<std::int16_t>(f);
    h.pids.push_back(pid);
  }

  std::vector<Buffer<double>> X, Q, V;
  index_t total = 0;
  for (index_t s = 0; s < n_sub; ++s) {
    X.push_back(as_buffer<double>(xs[s], "xs", 1));
    Q.push_back(as_buffer<double>(qs[s], "qs", 1));
    V.push_back(as_buffer<double>(values[s], "values", 3));
    const index_t nx = X[s].dim(0), nq = Q[s].dim(0);
    const std::string block = where + ", subgrid " + std::to_string(s) + ": ";
    require(X[s].device == Device::cpu && Q[s].device == Device::cpu && V[s].device == Device::cpu,
            "grid blocks must be host arrays");
    require(nx >= 4, block + "log-bicubic interpolation needs at least 4 x knots, got " + std::to_string(nx));
    require(nq >= 2, block + "interpolation needs at least 2 Q knots, got " + std::to_string(nq));
    require(V[s].dim(0) == n_flav && V[s].dim(1) == nx && V[s].dim(2) == nq,
            block + "values must have shape (n_flavours, n_x, n_q)");
    require(X[s].data[0] > 0.0 && increasing(X[s].data, nx), block + "x knots must be positive and increasing");
    require(Q[s].data[0] > 0.0 && increasing(Q[s].data, nq), block + "Q knots must be positive and increasing");
    if (s > 0)
      require(Q[s].data[0] > Q[s - 1].data[0], block + "subgrids must be ordered by increasing Q");
    total += 2 * nx + 2 * nq + n_flav * nx * nq;
  }

  h.data = py::array_t<double>(total);
  double* d = h.data.mutable_data();
  index_t off = 0;
  for (index_t s = 0; s < n_sub; ++s) {
    pdf::Subgrid& sg = g.sub[s];
    sg.nx = X[s].dim(0);
    sg.nq = Q[s].dim(0);
    sg.x = off;
    for (index_t i = 0; i < sg.nx; ++i) d[off++] = X[s].data[i];
    sg.logx = off;
    for (index_t i = 0; i < sg.nx; ++i) d[off++] = std::log(X[s].data[i]);
    sg.q2 = off;
    for (index_t i = 0; i < sg.nq; ++i) d[off++] = Q[s].data[i] * Q[s].data[i];  // as LHAPDF: Q -> Q^2
    sg.logq2 = off;
    for (index_t i = 0; i < sg.nq; ++i) d[off++] = std::log(d[sg.q2 + i]);
    sg.values = off;
    const index_t nv = n_flav * sg.nx * sg.nq;
    for (index_t i = 0; i < nv; ++i) d[off++] = V[s].data[i];
    sg.q2_lo = d[sg.q2];
    h.q_edges.push_back(Q[s].data[0]);
  }
  const pdf::Subgrid& first = g.sub[0];
  const pdf::Subgrid& last = g.sub[n_sub - 1];
  g.x_min = d[first.x];
  g.x_min1 = d[first.x + 1];
  g.x_max = d[first.x + first.nx - 1];
  g.q2_min = d[first.q2];
  g.q2_max = d[last.q2 + last.nq - 1];
  g.q2_max1 = d[last.q2 + last.nq - 2];
  h.q_edges.push_back(Q[n_sub - 1].data[last.nq - 1]);
  g.data = d;
  return h;
}

std::vector<int> slots_of(const pdf::PdfGrid& g, py::handle pids_obj, const char* name, bool conjugate) {
  auto P = as_buffer<std::int32_t>(pids_obj, name, 1);
  require(P.device == Device::cpu, std::string(name) + " must be a host array");
  require(P.dim(0) >= 1 && P.dim(0) <= kernels::kMaxPdfColumns,
          std::string(name) + ": between 1 and " + std::to_string(kernels::kMaxPdfColumns) + " PDG codes per call");
  std::vector<int> s;
  for (index_t c = 0; c < P.dim(0); ++c) {
    int pid = P.data[c];
    if (conjugate && pid > -20 && pid < 20) pid = -pid;  // antiproton: quarks and leptons conjugated
    s.push_back(pdf::flavour_slot(g, pid));
  }
  return s;
}

}  // namespace

void register_pdf(py::module_& m) {
  py::class_<GridHolder>(m, "PdfGrid",
                         "A packed LHAPDF6 lhagrid1 member (log-bicubic interpolation, continuation extrapolation).")
      .def(py::init(&build_grid), py::arg("xs"), py::arg("qs"), py::arg("values"), py::arg("pids"),
           py::arg("source") = "",
           "Packs the subgrids: xs[s] float64 (n_x,), qs[s] float64 (n_q,) GeV, values[s] float64 "
           "(n_flavours, n_x, n_q) = x f(x, Q), pids int32 (n_flavours,) PDG codes of the value columns.")
      .def_readonly("data", &GridHolder::data, "The packed grid, float64 (n,); copy it to a device to run there.")
      .def_readonly("pids", &GridHolder::pids, "PDG codes of the flavours, in column order.")
      .def_readonly("q_edges", &GridHolder::q_edges,
                    "Q (GeV) where the subgrids begin, followed by the last Q knot.")
      .def_property_readonly("n_subgrids", [](const GridHolder& h) { return h.view.n_sub; })
      .def_property_readonly("x_min", [](const GridHolder& h) { return h.view.x_min; })
      .def_property_readonly("x_max", [](const GridHolder& h) { return h.view.x_max; })
      .def_property_readonly("q_min", [](const GridHolder& h) { return std::sqrt(h.view.q2_min); })
      .def_property_readonly("q_max", [](const GridHolder& h) { return std::sqrt(h.view.q2_max); });

  m.def(
      "pdf_xfxq",
      [](const GridHolder& h, py::handle x, py::handle q, py::handle pids, py::handle out, py::object data) {
        Device gd;
        const pdf::PdfGrid g = h.view_on(data, gd);
        auto X = as_buffer<double>(x, "x", 1);
        auto Q = as_buffer<double>(q, "q", 1);
        auto O = as_buffer<double>(out, "out", 2);
        const std::vector<int> s = slots_of(g, pids, "pids", false);
        const index_t n = X.dim(0);
        require(Q.dim(0) == n && O.dim(0) == n && O.dim(1) == static_cast<index_t>(s.size()),
                "pdf_xfxq: shapes must be x (n,), q (n,), out (n, len(pids))");
        const Device dev = common_device(X, Q, O);
        require(dev == gd, "pdf_xfxq: the grid data must be on the same device as x, q and out");
        kernels::PdfXfxQ k{g, static_cast<int>(s.size()), {}, X.data, Q.data, O.data};
        for (size_t c = 0; c < s.size(); ++c) k.slots[c] = s[c];
        launch(dev, n, k);
      },
      py::arg("grid"), py::arg("x"), py::arg("q"), py::arg("pids"), py::arg("out"), py::arg("data") = py::none(),
      "out[i, c] = x f_{pids[c]}(x[i], q[i]); q in GeV. NaN for x outside (0, 1] or q < 0.");

  m.def(
      "pdf_xfxq_per_event",
      [](const GridHolder& h, py::handle x, py::handle q, py::handle pid, py::handle out, py::object data) {
        Device gd;
        const pdf::PdfGrid g = h.view_on(data, gd);
        auto X = as_buffer<double>(x, "x", 1);
        auto Q = as_buffer<double>(q, "q", 1);
        auto P = as_buffer<std::int32_t>(pid, "pid", 1);
        auto O = as_buffer<double>(out, "out", 1);
        const index_t n = X.dim(0);
        require(Q.dim(0) == n && P.dim(0) == n && O.dim(0) == n,
                "pdf_xfxq_per_event: shapes must be x, q, pid, out (n,)");
        const Device dev = common_device(X, Q, P, O);
        require(dev == gd, "pdf_xfxq_per_event: the grid data must be on the same device as the event arrays");
        launch(dev, n, kernels::PdfXfxQPerEvent{g, X.data, Q.data, P.data, O.data});
      },
      py::arg("grid"), py::arg("x"), py::arg("q"), py::arg("pid"), py::arg("out"), py::arg("data") = py::none(),
      "out[i] = x f_{pid[i]}(x[i], q[i]); q in GeV.");

  m.def(
      "pdf_two_beam",
      [](const GridHolder& h, py::handle x1, py::handle x2, py::handle mu_f, py::handle pdg1, py::handle pdg2,
         int lpp1, int lpp2, py::handle out, py::object data) {
        require(lpp1 >= -1 && lpp1 <= 1 && lpp2 >= -1 && lpp2 <= 1,
                "pdf_two_beam: lpp must be 1 (proton), -1 (antiproton) or 0 (no PDF)");
        Device gd;
        const pdf::PdfGrid g = h.view_on(data, gd);
        auto A = as_buffer<double>(x1, "x1", 1);
        auto B = as_buffer<double>(x2, "x2", 1);
        auto M = as_buffer<double>(mu_f, "mu_f", 1);
        auto O = as_buffer<double>(out, "out", 2);
        const std::vector<int> s1 = slots_of(g, pdg1, "pdg1", lpp1 == -1);
        const std::vector<int> s2 = slots_of(g, pdg2, "pdg2", lpp2 == -1);
        const index_t n = A.dim(0);
        require(s1.size() == s2.size(), "pdf_two_beam: pdg1 and pdg2 must have the same length");
        require(B.dim(0) == n && M.dim(0) == n && O.dim(0) == n && O.dim(1) == static_cast<index_t>(s1.size()),
                "pdf_two_beam: shapes must be x1, x2, mu_f (n,), out (n, len(pdg1))");
        const Device dev = common_device(A, B, M, O);
        require(dev == gd, "pdf_two_beam: the grid data must be on the same device as the event arrays");
        kernels::PdfTwoBeam k{g, lpp1, lpp2, static_cast<int>(s1.size()), {}, {}, A.data, B.data, M.data, O.data};
        for (size_t c = 0; c < s1.size(); ++c) {
          k.slots1[c] = s1[c];
          k.slots2[c] = s2[c];
        }
        launch(dev, n, k);
      },
      py::arg("grid"), py::arg("x1"), py::arg("x2"), py::arg("mu_f"), py::arg("pdg1"), py::arg("pdg2"),
      py::arg("lpp1"), py::arg("lpp2"), py::arg("out"), py::arg("data") = py::none(),
      "out[i, c] = f_{pdg1[c]}(x1[i], mu_f[i]) * f_{pdg2[c]}(x2[i], mu_f[i]) (densities, not x f); mu_f in GeV.");

  m.def(
      "alpha_s",
      [](py::handle q, py::handle out, double asmz, int nloop, double mz, double cmass, double bmass) {
        require(asmz > 0.0, "alpha_s: alpha_s(MZ) must be positive");
        require(nloop >= 1 && nloop <= 3, "alpha_s: nloop must be 1, 2 or 3");
        require(cmass > 0.3 && bmass > cmass && mz > bmass,
                "alpha_s: need 0.3 GeV < cmass < bmass < mz (MadGraph's limits)");
        auto Q = as_buffer<double>(q, "q", 1);
        auto O = as_buffer<double>(out, "out", 1);
        require(O.dim(0) == Q.dim(0), "alpha_s: q and out must have the same length");
        launch(common_device(Q, O), Q.dim(0),
               kernels::AlphaS{alphas::make_running(asmz, nloop, mz, cmass, bmass), Q.data, O.data});
      },
      py::arg("q"), py::arg("out"), py::arg("alphas_mz"), py::arg("nloop"), py::arg("mz") = alphas::kZMass,
      py::arg("cmass") = alphas::kCMass, py::arg("bmass") = alphas::kBMass,
      "out[i] = alpha_s(q[i]) with MadGraph's running (alfas_functions.f); q in GeV, NaN for q <= 0.");
}

}  // namespace madnis::bind
