// Bindings of the amplitude engine: HELAS test entry points and the MatrixElementProgram class.
#include <pybind11/complex.h>
#include <pybind11/stl.h>
#include <complex>
#include <memory>
#include <string>
#include <vector>
#include "amplitudes/executor_cpu.h"
#include "amplitudes/program.h"
#include "bindings/buffers.h"
#include "core/device_memory.h"
#include "helas/vertices.h"
#include "helas/wavefunctions.h"

namespace madnis::bind {

namespace {

using amplitudes::ProgramView;

/// Host copy of a program (and, on first use, a device copy).
class MatrixElementProgram {
 public:
  MatrixElementProgram(py::handle instructions, py::handle fparams, py::handle couplings, py::handle coupling_powers,
                       py::handle helicities, py::handle amp_diagram, py::handle amp_colour,
                       py::handle colour_matrix, double factor, int n_particles) {
    auto I = as_buffer<std::int32_t>(instructions, "instructions", 2);
    auto F = as_buffer<double>(fparams, "fparams", 2);
    auto C = as_buffer<double>(couplings, "couplings", 2);
    auto K = as_buffer<std::int32_t>(coupling_powers, "coupling_powers", 1);
    auto H = as_buffer<std::int32_t>(helicities, "helicities", 2);
    auto D = as_buffer<std::int32_t>(amp_diagram, "amp_diagram", 1);
    auto A = as_buffer<double>(amp_colour, "amp_colour", 3);
    auto M = as_buffer<double>(colour_matrix, "colour_matrix", 2);
    for (auto dev : {I.device, F.device, C.device, K.device, H.device, D.device, A.device, M.device})
      require(dev == Device::cpu, "MatrixElementProgram: the program arrays must be host (numpy) arrays");
    const index_t ni = I.dim(0), nc = C.dim(0), nh = H.dim(0), na = D.dim(0), nf = M.dim(0);
    require(I.dim(1) == amplitudes::kFields, "instructions must have shape (n_instr, " +
                                                 std::to_string(amplitudes::kFields) + ")");
    require(F.dim(0) == ni && F.dim(1) == 2, "fparams must have shape (n_instr, 2)");
    require(C.dim(1) == 2 && K.dim(0) == nc, "couplings must be (n_coup, 2) and coupling_powers (n_coup,)");
    require(H.dim(1) == n_particles && n_particles > 0, "helicities must have shape (n_hel, n_particles)");
    require(A.dim(0) == na && A.dim(1) == nf && A.dim(2) == 2, "amp_colour must have shape (n_amps, n_flows, 2)");
    require(M.dim(1) == nf && nf >= 1 && nf <= amplitudes::kMaxFlows,
            "colour_matrix must be square (n_flows, n_flows) with 1 <= n_flows <= " +
                std::to_string(amplitudes::kMaxFlows));
    instr_.assign(I.data, I.data + I.size());
    fparams_.assign(F.data, F.data + F.size());
    coup_.assign(C.data, C.data + C.size());
    coup_pow_.assign(K.data, K.data + K.size());
    hel_.assign(H.data, H.data + H.size());
    amp_diagram_.assign(D.data, D.data + D.size());
    amp_colour_.assign(A.data, A.data + A.size());
    colour_matrix_.assign(M.data, M.data + M.size());
    require(n_particles <= 64, "MatrixElementProgram: at most 64 particles");
    // validate and size the store; dependencies of each instruction on the particles' helicities
    int n_slots = 0, n_amps = 0, n_diag = 0;
    std::vector<char> written;
    std::vector<std::uint64_t> slot_deps;
    std::vector<int> slot_writes, amp_writes;
    deps_.assign(ni, 0);
    for (index_t i = 0; i < ni; ++i) {
      const std::int32_t* f = instr_.data() + i * amplitudes::kFields;
      const std::string at = "instruction " + std::to_string(i) + ": ";
      const int op = f[0];
      require(op >= 0 && op <= 2, at + "unknown opcode " + std::to_string(op));
      require(f[1] >= 0, at + "negative output index");
      if (op == amplitudes::kExternal) {
        require(f[2] >= 0 && f[2] < n_particles, at + "particle index out of range");
        require((f[3] >= 0 && f[3] <= 9) || f[3] == amplitudes::kMomentumKind, at + "unknown wavefunction kind");
        require(f[4] == 1 || f[4] == -1, at + "nsf must be +1 or -1");
        deps_[i] = static_cast<std::uint64_t>(1) << f[2];
      } else {
        const int nt = f[6];
        require(nt >= 1 && nt <= helas::kMaxTerms, at + "number of terms must be 1.." +
                                                        std::to_string(helas::kMaxTerms));
        for (int t = 0; t < nt; ++t) {
          require(f[7 + t] >= 0 && f[7 + t] < helas::kNumLorentz, at + "unknown Lorentz structure");
          require(f[10 + t] >= 0 && f[10 + t] < nc, at + "coupling index out of range");
          require(helas::lorentz_legs(f[7 + t]) == helas::lorentz_legs(f[7]), at + "terms with different legs");
        }
        const int nl = helas::lorentz_legs(f[7]);
        const int nin = op == amplitudes::kCurrent ? nl - 1 : nl;
        if (op == amplitudes::kCurrent) require(f[13] >= 0 && f[13] < nl, at + "off-shell leg out of range");
        for (int k = 0; k < nin; ++k) {
          const int s = f[2 + k];
          require(s >= 0 && s < static_cast<int>(written.size()) && written[s],
                  at + "input slot " + std::to_string(s) + " is read before it is written");
          deps_[i] |= slot_deps[s];
        }
      }
      if (op == amplitudes::kAmplitude) {
        n_amps = std::max(n_amps, f[1] + 1);
        if (static_cast<int>(amp_writes.size()) < f[1] + 1) amp_writes.resize(f[1] + 1, 0);
        ++amp_writes[f[1]];
      } else {
        n_slots = std::max(n_slots, f[1] + 1);
        if (static_cast<int>(written.size()) < f[1] + 1) {
          written.resize(f[1] + 1, 0);
          slot_deps.resize(f[1] + 1, 0);
          slot_writes.resize(f[1] + 1, 0);
        }
        written[f[1]] = 1;
        slot_deps[f[1]] = deps_[i];
        ++slot_writes[f[1]];
      }
    }
    require(n_amps == na, "amp_diagram must have one entry per amplitude (" + std::to_string(n_amps) + ")");
    for (auto d : amp_diagram_) {
      require(d >= 0, "amp_diagram entries must be >= 0");
      n_diag = std::max(n_diag, d + 1);
    }
    for (auto k : coup_pow_) require(k >= 0 && k <= 2, "coupling powers must be 0, 1 or 2");
    view_.n_instr = static_cast<int>(ni);
    view_.n_slots = n_slots;
    view_.n_amps = n_amps;
    view_.n_diagrams = n_diag;
    view_.n_flows = static_cast<int>(nf);
    view_.n_coup = static_cast<int>(nc);
    view_.n_particles = n_particles;
    view_.n_hel = static_cast<int>(nh);
    view_.factor = factor;
    bool once = true;
    for (int w : slot_writes) once = once && w <= 1;
    for (int w : amp_writes) once = once && w == 1;
    view_.reuse = once ? 1 : 0;
    if (!once)  // a slot rewritten by another instruction: run every instruction for every helicity
      for (auto& d : deps_) d = ~static_cast<std::uint64_t>(0);
    host_view_ = view_;
    host_view_.instr = instr_.data();
    host_view_.fparams = fparams_.data();
    host_view_.coup = coup_.data();
    host_view_.coup_pow = coup_pow_.data();
    host_view_.hel = hel_.data();
    host_view_.amp_diagram = amp_diagram_.data();
    host_view_.amp_colour = amp_colour_.data();
    host_view_.colour_matrix = colour_matrix_.data();
    host_view_.deps = deps_.data();
    plan_ = std::make_unique<amplitudes::CpuPlan>(host_view_);
  }

  ~MatrixElementProgram() { release_device(); }

  void evaluate(py::handle momenta, py::handle alpha_s, py::handle out_me, py::handle out_amp2,
                py::handle out_hel, py::handle out_flows, const std::string& precision) {
    require(precision == "double" || precision == "single",
            "MatrixElementProgram.evaluate: precision must be 'double' or 'single', not '" + precision + "'");
    const auto prec = precision == "single" ? amplitudes::Precision::kSingle : amplitudes::Precision::kDouble;
    auto P = as_buffer<double>(momenta, "momenta", 3);
    auto S = as_buffer<double>(alpha_s, "alpha_s", 1);
    auto E = as_buffer<double>(out_me, "out_me", 1);
    const index_t n = P.dim(0);
    require(P.dim(1) == host_view_.n_particles && P.dim(2) == 4,
            "momenta must have shape (n, " + std::to_string(host_view_.n_particles) + ", 4)");
    require(S.dim(0) == n && E.dim(0) == n, "alpha_s and out_me must have shape (n,)");
    double* amp2 = nullptr;
    double* hel = nullptr;
    double* flows = nullptr;
    Buffer<double> A2, HO, FO;
    if (!out_amp2.is_none()) {
      A2 = as_buffer<double>(out_amp2, "out_amp2", 2);
      require(A2.dim(0) == n && A2.dim(1) == host_view_.n_diagrams,
              "out_amp2 must have shape (n, " + std::to_string(host_view_.n_diagrams) + ")");
      require(A2.device == P.device, "out_amp2 must be on the same device as momenta");
      amp2 = A2.data;
    }
    if (!out_hel.is_none()) {
      HO = as_buffer<double>(out_hel, "out_hel", 2);
      require(HO.dim(0) == n && HO.dim(1) == host_view_.n_hel,
              "out_hel must have shape (n, " + std::to_string(host_view_.n_hel) + ")");
      require(HO.device == P.device, "out_hel must be on the same device as momenta");
      hel = HO.data;
    }
    if (!out_flows.is_none()) {
      FO = as_buffer<double>(out_flows, "out_flows", 2);
      require(FO.dim(0) == n && FO.dim(1) == host_view_.n_flows,
              "out_flows must have shape (n, " + std::to_string(host_view_.n_flows) + ")");
      require(FO.device == P.device, "out_flows must be on the same device as momenta");
      flows = FO.data;
    }
    const Device dev = common_device(P, S, E);
    if (n == 0) return;
    if (dev == Device::cpu) {
      py::gil_scoped_release release;
      amplitudes::evaluate_cpu(host_view_, *plan_, n, P.data, S.data, E.data, amp2, hel, flows, prec);
      return;
    }
#ifdef MADNIS_HAVE_CUDA
    // the CUDA driver runs in double precision (precision "single" applies to the CPU driver)
    ensure_device();
    const index_t per_lane = static_cast<index_t>(view_.n_slots) * 12 + static_cast<index_t>(view_.n_amps) * 2;
    double* scratch = static_cast<double*>(cuda::device_malloc(sizeof(double) * per_lane * n));
    amplitudes::Store st{scratch, scratch + static_cast<index_t>(view_.n_slots) * 12 * n, n};
    try {
      launch(Device::cuda, n, amplitudes::EvaluateEvents{device_view_, P.data, S.data, E.data, amp2, hel, flows, st});
    } catch (...) {
      cuda::device_free(scratch);
      throw;
    }
    cuda::device_free(scratch);
#else
    throw std::runtime_error("madnis_py._core was built without CUDA: install with a CUDA compiler (nvcc) on PATH");
#endif
  }

  int n_particles() const { return host_view_.n_particles; }
  int n_helicities() const { return host_view_.n_hel; }
  int n_diagrams() const { return host_view_.n_diagrams; }
  int n_amplitudes() const { return host_view_.n_amps; }
  int n_flows() const { return host_view_.n_flows; }
  int n_slots() const { return host_view_.n_slots; }
  int n_instructions() const { return host_view_.n_instr; }
  bool reuses_across_helicities() const { return host_view_.reuse != 0; }
  int open_leg_particle() const { return plan_->open_particle; }

 private:
  template <class T>
  T* upload(const std::vector<T>& v) {
#ifdef MADNIS_HAVE_CUDA
    void* d = cuda::device_malloc(sizeof(T) * std::max<std::size_t>(1, v.size()));
    device_blocks_.push_back(d);
    if (!v.empty()) cuda::copy_to_device(d, v.data(), sizeof(T) * v.size());
    return static_cast<T*>(d);
#else
    (void)v;
    return nullptr;
#endif
  }
  void ensure_device() {
    if (!device_blocks_.empty()) return;
    device_view_ = view_;
    device_view_.instr = upload(instr_);
    device_view_.fparams = upload(fparams_);
    device_view_.coup = upload(coup_);
    device_view_.coup_pow = upload(coup_pow_);
    device_view_.hel = upload(hel_);
    device_view_.amp_diagram = upload(amp_diagram_);
    device_view_.amp_colour = upload(amp_colour_);
    device_view_.colour_matrix = upload(colour_matrix_);
    device_view_.deps = upload(deps_);
  }
  void release_device() {
#ifdef MADNIS_HAVE_CUDA
    for (void* d : device_blocks_) cuda::device_free(d);
#endif
    device_blocks_.clear();
  }

  std::vector<std::int32_t> instr_, coup_pow_, hel_, amp_diagram_;
  std::vector<std::uint64_t> deps_;
  std::vector<double> fparams_, coup_, amp_colour_, colour_matrix_;
  ProgramView view_, host_view_, device_view_;
  std::unique_ptr<amplitudes::CpuPlan> plan_;
  std::vector<void*> device_blocks_;
};

using cvec = py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast>;

}  // namespace

void register_amplitudes(py::module_& m) {
  m.def(
      "helas_wavefunction",
      [](int kind, py::array_t<double, py::array::c_style | py::array::forcecast> momenta, double mass, int hel,
         int nsf) {
        require(momenta.ndim() == 2 && momenta.shape(1) == 4, "momenta must have shape (n, 4)");
        require((kind >= 0 && kind <= 9) || kind == amplitudes::kMomentumKind, "unknown wavefunction kind");
        const index_t n = momenta.shape(0);
        cvec out({n, static_cast<index_t>(6)});
        auto* o = reinterpret_cast<cplx*>(out.mutable_data());
        const double* p = momenta.data();
        for (index_t i = 0; i < n; ++i) helas::external_wavefunction(kind, p + 4 * i, mass, hel, nsf, o + 6 * i);
        return out;
      },
      py::arg("kind"), py::arg("momenta"), py::arg("mass"), py::arg("hel"), py::arg("nsf"),
      "HELAS external wavefunction (kind: 0 ixxxxx, 1 oxxxxx, 2 vxxxxx, 3 sxxxxx, 4 ipzxxx, 5 imzxxx, 6 ixzxxx,\n"
      "7 opzxxx, 8 omzxxx, 9 oxzxxx) for momenta (n, 4) (E, px, py, pz) GeV; returns complex (n, 6).");

  m.def(
      "helas_vertex",
      [](std::vector<int> lorentz, std::vector<std::complex<double>> couplings, int leg, double mass, double width,
         cvec wavefunctions) {
        const int nt = static_cast<int>(lorentz.size());
        require(nt >= 1 && nt <= helas::kMaxTerms && static_cast<int>(couplings.size()) == nt,
                "helas_vertex: give 1.." + std::to_string(helas::kMaxTerms) + " structures and as many couplings");
        helas::VertexTerms vt;
        vt.nterms = nt;
        for (int t = 0; t < nt; ++t) {
          require(lorentz[t] >= 0 && lorentz[t] < helas::kNumLorentz, "helas_vertex: unknown Lorentz structure");
          vt.lor[t] = lorentz[t];
        }
        const int nl = helas::lorentz_legs(vt.lor[0]);
        require(wavefunctions.ndim() == 3 && wavefunctions.shape(1) == nl && wavefunctions.shape(2) == 6,
                "helas_vertex: wavefunctions must have shape (n, n_legs, 6)");
        require(leg >= -1 && leg < nl, "helas_vertex: leg must be -1 (amplitude) or 0..n_legs-1");
        const index_t n = wavefunctions.shape(0);
        const auto* w = reinterpret_cast<const cplx*>(wavefunctions.data());
        cplx cp[helas::kMaxTerms];
        for (int t = 0; t < nt; ++t) cp[t] = cplx(couplings[t].real(), couplings[t].imag());
        cvec out(leg < 0 ? std::vector<index_t>{n} : std::vector<index_t>{n, 6});
        auto* o = reinterpret_cast<cplx*>(out.mutable_data());
        for (index_t i = 0; i < n; ++i) {
          const cplx* wp[helas::kMaxLegs];
          for (int k = 0; k < nl; ++k) wp[k] = w + (i * nl + k) * 6;
          if (leg < 0) o[i] = helas::vertex_amplitude(vt, cp, wp);
          else helas::vertex_current(vt, cp, leg, mass, width, wp, o + 6 * i);
        }
        return out;
      },
      py::arg("lorentz"), py::arg("couplings"), py::arg("leg"), py::arg("mass") = 0.0, py::arg("width") = 0.0,
      py::arg("wavefunctions"),
      "ALOHA vertex: amplitude (leg = -1, returns complex (n,)) or the off-shell current of leg `leg` (0-based;\n"
      "returns complex (n, 6), the input at that leg is ignored) for wavefunctions (n, n_legs, 6).");

  py::class_<MatrixElementProgram>(m, "MatrixElementProgram",
                                   "An amplitude program (see csrc/amplitudes/program.h for the format).")
      .def(py::init<py::handle, py::handle, py::handle, py::handle, py::handle, py::handle, py::handle, py::handle,
                    double, int>(),
           py::arg("instructions"), py::arg("fparams"), py::arg("couplings"), py::arg("coupling_powers"),
           py::arg("helicities"), py::arg("amp_diagram"), py::arg("amp_colour"), py::arg("colour_matrix"),
           py::arg("factor"), py::arg("n_particles"))
      .def("evaluate", &MatrixElementProgram::evaluate, py::arg("momenta"), py::arg("alpha_s"), py::arg("out_me"),
           py::arg("out_amp2") = py::none(), py::arg("out_hel") = py::none(), py::arg("out_flows") = py::none(),
           py::arg("precision") = "double",
           "Writes |M|^2 (helicity and colour summed, averaged) for momenta (n, n_particles, 4) and alpha_s (n,)\n"
           "into out_me (n,); optionally the per-diagram sum of |A|^2 into out_amp2 (n, n_diagrams) and each\n"
           "helicity combination's contribution into out_hel (n, n_helicities) and each colour flow's |JAMP|^2,\n"
           "summed over helicities and times the averaging factor, into out_flows (n, n_flows).\n"
           "precision: 'double', or 'single' (CPU only: amplitudes in float with twice the SIMD lanes, colour sum\n"
           "in double; |M|^2 to ~1e-6 relative; CUDA arrays are always evaluated in double).")
      .def_property_readonly("n_particles", &MatrixElementProgram::n_particles)
      .def_property_readonly("n_helicities", &MatrixElementProgram::n_helicities)
      .def_property_readonly("n_diagrams", &MatrixElementProgram::n_diagrams)
      .def_property_readonly("n_amplitudes", &MatrixElementProgram::n_amplitudes)
      .def_property_readonly("n_flows", &MatrixElementProgram::n_flows)
      .def_property_readonly("n_slots", &MatrixElementProgram::n_slots)
      .def_property_readonly("n_instructions", &MatrixElementProgram::n_instructions)
      .def_property_readonly("reuses_across_helicities", &MatrixElementProgram::reuses_across_helicities,
                             "True if instructions whose external helicities did not change between two summed "
                             "combinations are skipped (every slot and amplitude written once).")
      .def_property_readonly("open_leg_particle", &MatrixElementProgram::open_leg_particle,
                             "The particle whose helicities the CPU driver sums by contracting amplitudes computed "
                             "once with its leg open (it enters every amplitude directly), or -1.");
}

}  // namespace madnis::bind
