// Channel weights from propagator denominators (MadEvent's sde_strategy = 2), one event per call.
#pragma once
#include <cmath>
#include <cstdint>
#include "core/hostdevice.h"
#include "core/lorentz.h"

namespace madnis::kernels {

/// alpha_c = P_c / sum_d P_d over the channels of a subprocess group, P_c the product over channel c's propagators
/// of 1 / ((q^2 - m^2)^2 + m^2 Gamma^2).
/// In: momenta (n, n_particles, 4), incoming first; per distinct propagator k (n_props): legs[k], a bit mask of the
/// final legs whose momenta it sums (bit j: particle j + 2), t_channel[k] (1: q = p_a minus that sum), mass2[k]
/// (GeV^2), mass_width2[k] (GeV^4); columns (n_channels, width): each channel's propagators, n_props where it has
/// no more. Scratch: log_den (n, n_props). Out: alpha (n, n_channels), rows summing to 1.
struct PropagatorWeights {
  const double* momenta;
  int n_particles;
  int n_props;
  const std::int32_t* legs;
  const std::int32_t* t_channel;
  const double* mass2;
  const double* mass_width2;
  int n_channels;
  int width;
  const std::int32_t* columns;
  double* log_den;
  double* alpha;

  MADNIS_HD void operator()(index_t i) const {
    const double* p = momenta + 4 * n_particles * i;
    double* ld = log_den + static_cast<index_t>(n_props) * i;
    for (int k = 0; k < n_props; ++k) {
      double q[4] = {0.0, 0.0, 0.0, 0.0};
      for (int j = 0; j + 2 < n_particles; ++j) {
        if ((legs[k] >> j) & 1) {
          for (int c = 0; c < 4; ++c) q[c] += p[4 * (j + 2) + c];
        }
      }
      if (t_channel[k]) {
        for (int c = 0; c < 4; ++c) q[c] = p[c] - q[c];
      }
      const double d = dot4(q, q) - mass2[k];
      ld[k] = std::log(std::fmax(d * d + mass_width2[k], 1e-300));
    }
    double* a = alpha + static_cast<index_t>(n_channels) * i;
    double top = -1e300;
    for (int ch = 0; ch < n_channels; ++ch) {
      double log_p = 0.0;
      for (int w = 0; w < width; ++w) {
        const int k = columns[ch * width + w];
        if (k < n_props) log_p -= ld[k];
      }
      a[ch] = log_p;
      top = std::fmax(top, log_p);
    }
    double sum = 0.0;
    for (int ch = 0; ch < n_channels; ++ch) {
      a[ch] = std::exp(a[ch] - top);
      sum += a[ch];
    }
    for (int ch = 0; ch < n_channels; ++ch) a[ch] /= sum;
  }
};

}  // namespace madnis::kernels
