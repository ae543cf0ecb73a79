// Batch functors of the multi-channel phase-space mappings (phasespace/channel.h) and of RAMBO
// (phasespace/rambo.h): one event per call, run by the CPU driver or the CUDA driver (core/dispatch.h).
// All arrays are C-contiguous float64: r (n, dim), momenta (n, n_final + 2, 4) GeV (E, px, py, pz),
// x (n, 2) = (x1, x2), weight (n,) in GeV^(2 n_final - 4) (see channel.h for the conventions).
#pragma once
#include "core/hostdevice.h"
#include "phasespace/channel.h"
#include "phasespace/rambo.h"
#include "phasespace/topology.h"

namespace madnis::kernels {

/// r -> momenta, x, weight for one channel.
struct ChannelMap {
  phasespace::ChannelTopology topo;
  phasespace::Collision collision;
  int dim;  ///< random numbers per event (3n - 4, +2 with a luminosity map)
  const double* r;
  double* momenta;
  double* x;
  double* weight;

  MADNIS_HD void operator()(index_t i) const {
    const int np = topo.n_final + 2;
    weight[i] = phasespace::channel_forward(topo, collision, r + dim * i, momenta + 4 * np * i, x + 2 * i);
  }
};

/// momenta -> r, x, weight for one channel (weight 0 outside the channel's support).
struct ChannelInverse {
  phasespace::ChannelTopology topo;
  phasespace::Collision collision;
  int dim;
  const double* momenta;
  double* r;
  double* x;
  double* weight;

  MADNIS_HD void operator()(index_t i) const {
    const int np = topo.n_final + 2;
    weight[i] = phasespace::channel_inverse(topo, collision, momenta + 4 * np * i, r + dim * i, x + 2 * i);
  }
};

/// RAMBO flat phase space: r (n, 4 n_final) -> momenta, weight.
struct RamboMap {
  phasespace::RamboSetup setup;
  const double* r;
  double* momenta;
  double* weight;

  MADNIS_HD void operator()(index_t i) const {
    const int nf = setup.n_final;
    weight[i] = phasespace::rambo_forward(setup, r + 4 * nf * i, momenta + 4 * (nf + 2) * i);
  }
};

}  // namespace madnis::kernels
