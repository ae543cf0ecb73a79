"""Training, integration and unweighted generation over the subprocesses of a process.

One channel per subprocess for now: each has its integrand and its VEGAS grid; cross sections add,
and unweighted events are drawn from each subprocess in proportion to its cross section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from madnis_py.errors import PhysicsSetupError
from madnis_py.integrand import FixedEnergyIntegrand, WeightedEvents
from madnis_py.integrator import IntegrationResult, VegasConfig, VegasSampler
from madnis_py.unweighting import unweight


@dataclass
class Channel:
    """A subprocess with its integrand, its sampler and what was learned about it."""

    subprocess: object
    integrand: FixedEnergyIntegrand
    sampler: VegasSampler
    training_result: IntegrationResult | None = None
    generation_result: IntegrationResult | None = None

    @property
    def result(self) -> IntegrationResult:
        parts = [r for r in (self.training_result, self.generation_result) if r is not None]
        return IntegrationResult.combine(parts)


@dataclass(frozen=True)
class GeneratedEvents:
    """Unweighted events of all subprocesses, in random order.

    momenta float64 (n, n_particles, 4) GeV; weights (n,) pb (mean = cross section); alpha_s, scale (n,);
    channel (n,) int index into Generator.channels.
    """

    momenta: np.ndarray
    weights: np.ndarray
    alpha_s: np.ndarray
    scale: np.ndarray
    channel: np.ndarray
    cross_section: IntegrationResult
    efficiency: float
    w_max: tuple[float, ...]

    def __len__(self) -> int:
        return self.weights.size


class Generator:
    """Builds one channel per subprocess of ``setup`` and drives training and generation."""

    def __init__(self, setup, rng: np.random.Generator, config: VegasConfig | None = None):
        self.setup = setup
        self.rng = rng
        self.config = config or VegasConfig()
        self.sqrt_s = setup.beams.sqrt_s
        self.channels: list[Channel] = []
        for sub in setup.subprocesses:
            masses_in, masses_out = sub.masses[:2], sub.masses[2:]
            if self.sqrt_s <= sum(masses_out) or self.sqrt_s <= sum(masses_in):
                raise PhysicsSetupError(
                    f"{setup.run_card_path}: sqrt(s) = {self.sqrt_s:g} GeV (ebeam1 = {setup.beams.energy[0]:g}, "
                    f"ebeam2 = {setup.beams.energy[1]:g}) is below the threshold of {sub.name}, "
                    f"{sum(masses_out):g} GeV; raise the beam energies."
                )
            integrand = FixedEnergyIntegrand(
                phase_space=sub.phase_space(self.sqrt_s),
                matrix_element=sub.matrix_element,
                cuts=sub.cuts,
                sqrt_s=self.sqrt_s,
                masses_in=masses_in,
                alpha_s=setup.alpha_s,
                scale=setup.renormalisation_scale(self.sqrt_s),
            )
            self.channels.append(Channel(sub, integrand, VegasSampler(integrand.dim, self.config, rng)))

    @property
    def n_matrix_element_calls(self) -> int:
        return sum(c.integrand.n_matrix_element_calls for c in self.channels)

    def train(self, log=print) -> None:
        """Adapts each channel's VEGAS grid and records its frozen-grid estimate."""
        for c in self.channels:
            c.training_result = c.sampler.train(c.integrand)
            log(f"  {c.subprocess.name}: {c.training_result}")

    def integrate(self) -> IntegrationResult:
        """The total cross section (pb): the sum over channels."""
        results = [c.result for c in self.channels]
        value = sum(r.value for r in results)
        if not value > 0:
            raise PhysicsSetupError(
                f"the cross section is zero: no phase-space point passes the cuts of {self.setup.run_card_path}; "
                "loosen the cuts or check the beam energies."
            )
        error = math.sqrt(sum(r.error**2 for r in results))
        return IntegrationResult(value, error, max(r.chi2_dof for r in results), sum(r.n_eval for r in results))

    def _weighted(self, c: Channel, n: int) -> WeightedEvents:
        x, jac = c.sampler.sample(n)
        ev = c.integrand.events(x)
        return WeightedEvents(ev.momenta, ev.weights * jac, ev.alpha_s, ev.scale)

    def _unweighted(self, c: Channel, n: int, log) -> tuple[WeightedEvents, float, float]:
        """n unweighted events of one channel; returns (events, efficiency, w_max)."""
        batch = max(20_000, 2 * n)
        pool: list[WeightedEvents] = []
        while True:
            pool.append(self._weighted(c, batch))
            w = np.concatenate([p.weights for p in pool])
            c.generation_result = IntegrationResult.from_weights(w)
            res = unweight(w, self.rng)
            if res.indices.size >= n:
                break
            missing = n - res.indices.size
            batch = int(min(5_000_000, max(batch, 1.2 * missing / max(res.efficiency, 1e-4))))
            log(f"  {c.subprocess.name}: {res.indices.size} of {n} events, drawing {batch} more points")
        chosen = self.rng.choice(res.indices.size, size=n, replace=False)
        all_events = WeightedEvents(*(np.concatenate([getattr(p, f) for p in pool])
                                      for f in ("momenta", "weights", "alpha_s", "scale")))
        picked = all_events.take(res.indices[chosen])
        relative = np.maximum(picked.weights / res.w_max, 1.0)  # overweight events keep w / w_max
        return (WeightedEvents(picked.momenta, relative, picked.alpha_s, picked.scale), res.efficiency, res.w_max)

    def generate(self, n_events: int, log=print) -> GeneratedEvents:
        """Exactly n_events unweighted events, shared among channels by their cross sections."""
        total = self.integrate()
        fractions = np.array([c.result.value for c in self.channels]) / total.value
        counts = self.rng.multinomial(n_events, fractions)
        parts, effs, wmaxes = [], [], []
        for k, (c, n) in enumerate(zip(self.channels, counts)):
            if n == 0:
                continue
            ev, eff, wmax = self._unweighted(c, int(n), log)
            parts.append((k, ev))
            effs.append((n, eff))
            wmaxes.append(wmax)
        total = self.integrate()  # now including the generation samples
        order = self.rng.permutation(n_events)
        cat = lambda f: np.concatenate([getattr(ev, f) for _, ev in parts])[order]
        relative = cat("weights")
        weights = total.value * relative / relative.mean()
        channel = np.concatenate([np.full(len(ev), k) for k, ev in parts])[order]
        efficiency = sum(n * e for n, e in effs) / n_events
        return GeneratedEvents(cat("momenta"), weights, cat("alpha_s"), cat("scale"), channel, total, efficiency,
                               tuple(wmaxes))

    def describe(self) -> tuple[dict, ...]:
        """Per-subprocess summary for results.json."""
        return tuple(
            {"process": c.subprocess.name, "cross_section_pb": c.result.value, "error_pb": c.result.error}
            for c in self.channels
        )
