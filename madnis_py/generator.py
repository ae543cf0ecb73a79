"""Training, integration and unweighted generation over the phase-space channels of a process.

One channel per diagram of each subprocess group (MadEvent's single-diagram enhancement). VEGAS learns
each channel's grid in a survey; one integration sample then spends points where the variance is, for the
requested precision, and its points also give the unweighted events, drawn from each channel in proportion to its
cross section.

Channels that differ by an exchange of identical final-state particles have the same integrand point by point
(SubprocessGroup.channel_symmetry): as MadEvent (its ``symfact``), only the first channel of each such class,
its leader, is integrated, and the class counts it as many times as it has members; each event of the class is
one of the leader's with its particles reordered as a member, chosen uniformly, orders them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from madnis_py.channels import ChannelMapping, FixedEnergy, Luminosity
from madnis_py.channels.enhancement import PropagatorEnhancement
from madnis_py.core import _core
from madnis_py.errors import PhysicsSetupError, UserError
from madnis_py.helicity_sampling import HelicitySampler
from madnis_py.integrand import ChannelIntegrand, WeightedEvents
from madnis_py.integrator import IntegrationResult, VegasConfig, VegasSampler
from madnis_py.me_precision import PrecisionCheck
from madnis_py.unweighting import choose_joint_w_max, choose_w_max, unweight


@dataclass(eq=False)
class Channel:
    """A channel with its integrand, its sampler and what was learned about it."""

    group_index: int
    integrand: ChannelIntegrand
    sampler: VegasSampler
    survey: IntegrationResult | None = None
    #: the points drawn after the survey (for missing events, earlier integration samples): plan, never quote
    refine: IntegrationResult | None = None
    #: the integration sample's estimate: fresh points whose number was fixed before they were drawn
    final: IntegrationResult | None = None
    #: the weighted points of the survey's estimate (frozen grid), kept for the first unweighting
    pool: WeightedEvents | None = None
    #: the channel whose integrand this one's equals with the final-state particles relabelled (its class's
    #: leader, which alone is integrated; it shares the leader's sampler), or None for a leader
    leader: "Channel | None" = None
    #: the particle order that turns the leader's momenta into this channel's, int (n_particles,) (the identity
    #: for a leader)
    legs: np.ndarray | None = None
    #: the maximum weight (pb) every point of this leader is unweighted against, fixed once chosen
    w_max: float | None = None
    #: the points that survived unweighting against w_max and await generation, with their weights over w_max
    candidates: list[tuple[WeightedEvents, np.ndarray]] = field(default_factory=list)
    #: the weights (pb) of all points unweighted so far, float32 arrays (the efficiency; weights.png)
    unweighted: list[np.ndarray] = field(default_factory=list)

    @property
    def n_candidates(self) -> int:
        return sum(len(events) for events, _ in self.candidates)

    @property
    def efficiency(self) -> float:
        """mean(w) / w_max over the points unweighted so far (0 before any)."""
        n = sum(w.size for w in self.unweighted)
        return float(sum(w.sum(dtype=np.float64) for w in self.unweighted) / n / self.w_max) if n else 0.0

    @property
    def holds_survey_points(self) -> bool:
        """True while the survey's estimate points are kept and some pass the cuts (the first unweighting's)."""
        return self.pool is not None and self.pool.weights.max() > 0

    @property
    def result(self) -> IntegrationResult:
        """All this channel's points pooled (pb; its leader's for a member of a symmetry class): what plans the
        allocation of points and events."""
        if self.leader is not None:
            return self.leader.result
        parts = [r for r in (self.survey, self.refine, self.final) if r is not None and r.n_eval > 0]
        return IntegrationResult.pool(parts) if parts else IntegrationResult(0.0, 0.0)

    @property
    def estimate(self) -> IntegrationResult:
        """This channel's quoted cross section (pb): the integration sample's once drawn, else :attr:`result`.

        Pooling points with the later points whose number they chose is biased low on heavy-tailed weights: a
        sample that caught a large weight has a large error, draws more points and is diluted, one that missed
        the tail keeps its low value (p p > t t~ j j: 417.2 +- 1.8 pb pooled, 424.2 +- 1.9 pb from fresh points
        on the same grids)."""
        if self.leader is not None:
            return self.leader.estimate
        return self.final if self.final is not None else self.result


@dataclass(frozen=True)
class GeneratedEvents:
    """Unweighted events of all channels, in random order.

    momenta float64 (n, n_particles, 4) GeV; weights (n,) pb (mean = cross section); alpha_s, scale (n,) = mu_R;
    mu_f (n, 2) = mu_F per beam; x (n, 2); group (n,) int index into the setup's groups; channel (n,) int index
    into Generator.channels; diagram (n,) int, the channel's diagram within its group.
    """

    momenta: np.ndarray
    weights: np.ndarray
    alpha_s: np.ndarray
    scale: np.ndarray
    mu_f: np.ndarray
    x: np.ndarray
    group: np.ndarray
    channel: np.ndarray
    diagram: np.ndarray
    cross_section: IntegrationResult
    efficiency: float

    def __len__(self) -> int:
        return self.weights.size


def _energy(setup, group):
    beams = setup.beams
    if beams.has_pdfs:
        return Luminosity(beams.energy[0], beams.energy[1], group.cuts.sqrt_s_hat_min(group.masses[2:]))
    return FixedEnergy(beams.sqrt_s)


def _device(setup) -> str | None:
    """The torch device of the run_card's ``device``: None for cpu; "cuda" once checked that it can run."""
    if str(setup.run_card["device"]) != "cuda":
        return None
    import torch

    where = f"{setup.run_card_path}: device = cuda"
    if not _core.built_with_cuda:
        raise UserError(f"{where}, but madnis_py._core was built without CUDA: reinstall it with nvcc on PATH "
                        "(pip install -e .), or set device = cpu.")
    if torch.version.cuda is None:
        raise UserError(f"{where}, but torch {torch.__version__} is a CPU build: install a CUDA build of torch, or "
                        "set device = cpu.")
    if not (torch.cuda.is_available() and _core.cuda_available()):
        raise UserError(f"{where}, but no CUDA device is visible: run on a machine with an NVIDIA GPU (check "
                        "CUDA_VISIBLE_DEVICES), or set device = cpu.")
    return "cuda"


#: The fewest points the integration sample spends on a channel class.
MIN_REFINE_POINTS = 100
#: The integration sample is sized for this many times the variance the target allows (the spread of the weights
#: is estimated from the points so far, which may have missed some of the tail).
REFINE_MARGIN = 1.25
#: Points drawn at once per channel (memory).
REFINE_CHUNK = 500_000


@dataclass(frozen=True)
class SurveyPlan:
    """MadEvent-like survey in two stages. First every channel adapts its grid on ``first_iterations`` small
    iterations of ``first_points``; then ``budget`` points (at most ``budget_per_channel`` times the number of
    channels) are shared among the channels by their first estimates (at least ``min_points`` each): each
    channel spends two thirds of its share adapting over ``iterations`` iterations and one third on an estimate
    with its grid frozen. Small channels stay cheap; the channels that carry the cross section get the points.

    With many channels (p p > t t~ j j: 1491) the fixed minima would dominate the cost, so both shrink with the
    channel count: the first stage spends at most ``first_budget`` points in all (but at least
    ``first_points_min`` per channel and iteration), and the minimum shares of the second stage take at most half
    of its budget (but at least ``min_points_floor`` each)."""

    first_iterations: int = 3
    first_points: int = 1_000
    first_budget: int = 1_000_000
    first_points_min: int = 250
    budget: int = 1_000_000
    budget_per_channel: int = 100_000
    iterations: int = 4
    min_points: int = 1_500
    min_points_floor: int = 300

    def first_points_for(self, n_channels: int) -> int:
        """Points per channel and iteration of the first stage."""
        spread = self.first_budget // max(self.first_iterations * n_channels, 1)
        return int(max(min(self.first_points, spread), min(self.first_points_min, self.first_points)))

    def shares(self, first_estimates: np.ndarray) -> np.ndarray:
        """Points of the second stage per channel (int array) from the first stage's estimates (pb)."""
        n = len(first_estimates)
        budget = min(self.budget, self.budget_per_channel * n)
        least = max(min(self.min_points, budget // (2 * n)), min(self.min_points_floor, self.min_points))
        positive = np.maximum(first_estimates, 0.0)
        fraction = positive / positive.sum() if positive.sum() > 0 else np.full(n, 1.0 / n)
        return np.maximum(least, np.round(budget * fraction)).astype(int)


class Generator:
    """Builds one channel per diagram of each subprocess group of ``setup`` and drives the VEGAS stages.

    config: a fixed VEGAS schedule for every channel; by default the two-stage :class:`SurveyPlan`.
    """

    #: whether the integration sample's unweighted points give the events (else generate draws its own)
    integration_gives_events = True

    def __init__(self, setup, rng: np.random.Generator, config: VegasConfig | None = None,
                 plan: SurveyPlan = SurveyPlan()):
        self.setup = setup
        self.rng = rng
        self.plan = plan
        self.fixed_schedule = config is not None
        self.config = config or VegasConfig()
        #: the cross section after each survey stage and refine iteration (for training.png)
        self.history: list[dict] = []
        #: w / <w> of the weighted points the last generation unweighted (for weights.png), float32 (n,)
        self.weighted_sample = np.empty(0, dtype=np.float32)
        #: one per subprocess group with run_card nhel = 1 (helicities sampled), else none
        self.helicity_samplers: list[HelicitySampler] = []
        #: one per subprocess group with run_card me_precision = auto, else none
        self.precision_checks: list[PrecisionCheck] = []
        precision = str(setup.run_card["me_precision"])
        sde_strategy = int(setup.run_card["sde_strategy"])
        #: the torch device of the per-event work ("cuda"), or None for the CPU driver
        self.device = _device(setup)
        pdf = setup.pdf.to(self.device) if self.device and setup.pdf is not None else setup.pdf
        self.sqrt_s = setup.beams.sqrt_s
        self.channels: list[Channel] = []
        members: dict[int, list[int]] = {}
        for g, group in enumerate(setup.groups):
            threshold = sum(group.masses[2:])
            if self.sqrt_s <= threshold:
                raise PhysicsSetupError(
                    f"{setup.run_card_path}: sqrt(s) = {self.sqrt_s:g} GeV (ebeam1 = {setup.beams.energy[0]:g}, "
                    f"ebeam2 = {setup.beams.energy[1]:g}) is below the threshold of {group.members[0].name}, "
                    f"{threshold:g} GeV; raise the beam energies."
                )
            energy = _energy(setup, group)
            cut_bound = group.cuts.sqrt_s_hat_min(group.masses[2:])
            if setup.beams.has_pdfs and cut_bound >= self.sqrt_s:
                raise PhysicsSetupError(
                    f"{setup.run_card_path}: the cuts of {group.members[0].name} need sqrt(s-hat) >= {cut_bound:g} "
                    f"GeV (from the pT and invariant-mass cuts), above sqrt(s) = {self.sqrt_s:g} GeV: the phase "
                    "space is empty; loosen the cuts (e.g. ptj, ptl, mmll) or raise the beam energies."
                )
            sampler = HelicitySampler(group.matrix_element, rng) if int(setup.run_card["nhel"]) == 1 else None
            if sampler is not None:
                self.helicity_samplers.append(sampler)
            check = None
            if self.device:
                group.matrix_element.compiled.precision = "double"  # the CUDA driver runs in double
            elif precision == "auto":
                check = PrecisionCheck(group.matrix_element, group.members[0].name)
                self.precision_checks.append(check)
            else:
                group.matrix_element.compiled.precision = precision
            first = len(self.channels)
            channel_weights = PropagatorEnhancement(group.topologies) if sde_strategy == 2 else None
            for d, topology in enumerate(group.topologies):
                integrand = ChannelIntegrand(group, d, ChannelMapping(topology, energy), setup.scales,
                                             setup.alpha_s, pdf, setup.beams.lpp, sampler, check, self.device,
                                             channel_weights)
                lead = first + group.channel_symmetry[d]
                leader = self.channels[lead] if group.channel_symmetry[d] != d else None
                members.setdefault(lead, []).append(len(self.channels))
                self.channels.append(Channel(g, integrand, leader.sampler if leader else
                                             VegasSampler(integrand.dim, self.config, rng), leader=leader,
                                             legs=np.array(group.channel_legs[d])))
        #: the classes of channels with one integrand: (leader's index, members' indices with the leader first)
        self.classes: list[tuple[int, np.ndarray]] = [(k, np.array(m)) for k, m in members.items()]

    @property
    def n_matrix_element_calls(self) -> int:
        return sum(c.integrand.n_matrix_element_calls for c in self.channels)

    @property
    def _diagrams(self) -> np.ndarray:
        """The diagram (within its group) of each channel, int (n_channels,)."""
        return np.array([c.integrand.diagram for c in self.channels], dtype=np.int64)

    @property
    def leaders(self) -> list[tuple[Channel, int]]:
        """The integrated channels, one per symmetry class, with the size of their class."""
        return [(self.channels[k], len(m)) for k, m in self.classes]

    def train(self, log=print) -> None:
        """Survey: adapts each class leader's VEGAS grid and estimates its cross section with the grid frozen."""
        leaders = self.leaders
        if self.fixed_schedule:
            for c, _ in leaders:
                c.survey = c.sampler.train(c.integrand)
        else:
            plan = self.plan
            points = plan.first_points_for(len(leaders))
            first = [c.sampler.adapt(c.integrand, plan.first_iterations, points) for c, _ in leaders]
            size = np.array([m for _, m in leaders])
            self._record("survey", IntegrationResult(float(sum(m * r.value for r, m in zip(first, size))),
                                                     math.sqrt(sum((m * r.error) ** 2 for r, m in zip(first, size)))))
            self._adapt_helicities()
            for (c, _), points in zip(leaders, plan.shares(size * np.array([r.value for r in first]))):
                per_iteration = max(points * 2 // (3 * plan.iterations), 100)
                c.sampler.adapt(c.integrand, plan.iterations, per_iteration)
                c.pool = self._weighted(c, max(points // 3, 100))
                c.survey = IntegrationResult.from_weights(c.pool.weights)
        self._check_nonzero()
        survey = Generator.integrate(self)
        self._record("survey", survey)
        log(f"  survey of {len(self.channels)} channel(s): {survey}")
        for check in self.precision_checks:
            if not check.decided:
                check.decide()
            log(f"  matrix element {check.describe()}")

    def _adapt_helicities(self) -> None:
        for sampler in self.helicity_samplers:
            sampler.adapt()

    def _record(self, kind: str, result: IntegrationResult) -> None:
        self.history.append({"step": len(self.history) + 1, "kind": kind, "cross_section_pb": result.value,
                             "error_pb": result.error})

    def _check_nonzero(self) -> None:
        if not sum(c.result.value for c in self.channels) > 0:
            raise PhysicsSetupError(
                f"the cross section is zero: no phase-space point passes the cuts of {self.setup.run_card_path}; "
                "loosen the cuts or check the beam energies."
            )

    def refine(self, target_relative_error: float, max_points: int, log=print, n_events: int = 0
               ) -> IntegrationResult:
        """The cross section from one integration sample of fresh points (frozen grids), planned by
        :meth:`plan_sample`, drawn in one go and quoted on its own (see :attr:`Channel.estimate`); its points that
        survive unweighting wait for :meth:`generate`. A sample that already meets the target is kept."""
        if self.meets(target_relative_error):
            return self.integrate()
        points = self.plan_sample(target_relative_error, max_points, n_events)
        total = self.quote(self.draw_sample(points))
        log(f"  integration sample of {int(points.sum())} points: {total}")
        return total

    def meets(self, target_relative_error: float) -> bool:
        """Whether every class leader has an integration sample and together they meet the target."""
        return all(c.final is not None for c, _ in self.leaders) and \
            self.integrate().relative_error <= target_relative_error

    def plan_sample(self, target_relative_error: float, max_points: int, n_events: int = 0) -> np.ndarray:
        """Points of the integration sample per class leader, int (n_leaders,), from the points so far (optimal
        stratification: a class gets points in proportion to its sigma_c = m error_c sqrt(n_c), at least
        :data:`MIN_REFINE_POINTS`) so that its relative error is about ``target_relative_error``, at least as
        many as all points so far (at most ``max_points``), and enough that unweighting them likely yields each
        class's share of ``n_events`` events (MadEvent's refine too writes the events of the points it integrates
        with). Fixes the maximum weights the sample is unweighted against (:meth:`_prepare_unweighting`)."""
        leaders = self.leaders
        expected_events = self._prepare_unweighting(n_events)
        value = sum(m * c.result.value for c, m in leaders)
        sigma = np.array([m * c.result.error * math.sqrt(max(c.result.n_eval, 1)) for c, m in leaders])
        wanted = REFINE_MARGIN * (sigma.sum() / (target_relative_error * value)) ** 2 if value > 0 else max_points
        wanted = max(wanted, sum(c.result.n_eval for c, _ in leaders))  # at least as precise as the points so far
        share = sigma / sigma.sum() if sigma.sum() > 0 else np.full(len(leaders), 1 / len(leaders))
        points = np.maximum(np.ceil(share * min(wanted, max_points)), MIN_REFINE_POINTS)
        for i, ((c, _), events) in enumerate(zip(leaders, expected_events)):
            if events > 0 and c.efficiency > 0:  # enough for its events within two standard deviations
                needed = (events + 2 * math.sqrt(events) - c.n_candidates) / c.efficiency
                points[i] = max(points[i], min(needed, max_points))
        return points.astype(int)

    def draw_sample(self, points: np.ndarray) -> list[IntegrationResult]:
        """Draws points[i] fresh points of class leader i (in chunks of :data:`REFINE_CHUNK`), unweighting them as
        they come (:meth:`_keep_unweighted`); returns each leader's estimate (pb; no points: n_eval 0)."""
        results = []
        for (c, _), n in zip(self.leaders, np.asarray(points).tolist()):
            sizes = [REFINE_CHUNK] * (n // REFINE_CHUNK) + ([n % REFINE_CHUNK] if n % REFINE_CHUNK else [])
            results.append(IntegrationResult.pool([IntegrationResult.from_weights(self._draw(c, k)) for k in sizes]))
        return results

    def quote(self, estimates: list[IntegrationResult]) -> IntegrationResult:
        """Makes ``estimates`` (one per class leader, pb) the integration sample the cross section is quoted from
        (an earlier sample only plans from now on); returns the total."""
        for (c, _), estimate in zip(self.leaders, estimates):
            if c.final is not None:
                c.refine = IntegrationResult.pool([r for r in (c.refine, c.final) if r is not None])
            c.final = estimate
        total = self.integrate()
        self._record("refine", total)
        return total

    def integrate(self) -> IntegrationResult:
        """The total cross section (pb): the sum over channels (a class counts its leader's estimate, and its
        error, once per member); the integration sample's once :meth:`refine` drew it."""
        return _class_sum(self.leaders)

    def _weighted(self, c: Channel, n: int) -> WeightedEvents:
        r, jac = c.sampler.sample(n)
        ev = c.integrand.events(r)
        return WeightedEvents(ev.momenta, ev.weights * jac, ev.alpha_s, ev.scale, ev.mu_f, ev.x)

    def _draw(self, c: Channel, n: int) -> np.ndarray:
        """Draws n points of leader c and unweights them (:meth:`_keep_unweighted`); returns their weights (pb)."""
        batch = self._weighted(c, n)
        self._keep_unweighted(c, batch)
        return batch.weights

    def _keep_unweighted(self, c: Channel, batch: WeightedEvents) -> None:
        """Unweights ``batch`` against c.w_max (chosen on it if c has none yet: the events above it carry at most
        0.1% of its cross section) and keeps the accepted points as candidate events of c."""
        c.unweighted.append(batch.weights.astype(np.float32))
        if c.w_max is None:
            if not batch.weights.max() > 0:
                return
            c.w_max = choose_w_max(batch.weights)
        res = unweight(batch.weights, self.rng, w_max=c.w_max)
        c.candidates.append((batch.take(res.indices), res.event_weights / c.w_max))

    def _prepare_unweighting(self, n_events: int) -> np.ndarray:
        """Fixes the maximum weights of the leaders that still hold their survey points, chosen together on those
        points (unweighting.choose_joint_w_max: the overweight events of all classes carry at most 0.1% of their
        cross section, spent where it saves the most points), and unweights those points; returns the number of
        the ``n_events`` events each leader expects, float (n_leaders,)."""
        held = [(c, m) for c, m in self.leaders if c.holds_survey_points]
        if held:
            w_max = choose_joint_w_max([c.pool.weights for c, _ in held], [m for _, m in held])
            for (c, _), w in zip(held, w_max):
                c.w_max = float(w)
                self._keep_unweighted(c, c.pool)
        for c, _ in self.leaders:
            c.pool = None
        fractions = np.array([m * max(c.estimate.value, 0.0) for c, m in self.leaders])
        return n_events * fractions / fractions.sum() if fractions.sum() > 0 else np.zeros(len(fractions))

    def _unweighted(self, c: Channel, n: int, log) -> tuple[WeightedEvents, np.ndarray, float, np.ndarray]:
        """n unweighted events of leader c: (events, their weights relative to w_max (>= 1), efficiency, the
        weights of all points unweighted).

        The candidates come first: the points of the survey's estimate and of the integration sample that
        survived unweighting. Where they are too few, more points are drawn (they plan, never quote: their number
        depends on their weights) against the same w_max -- chosen once, as MadEvent does, on the survey's points
        or else on a first sample of 4 n points (2000 to 50000): a heavy tail then yields a few overweight events
        (kept with their weight) instead of an ever larger w_max and an ever lower efficiency, and the cost per
        event does not grow with the number of events."""
        fresh = []
        if c.w_max is None:
            fresh.append(self._draw(c, min(max(2_000, 4 * n), 50_000)))
            while c.w_max is None and sum(map(len, fresh)) < 1_000_000:  # nothing passed the cuts yet
                fresh.append(self._draw(c, 10 * len(fresh[-1])))
            if c.w_max is None:
                raise PhysicsSetupError(f"{c.integrand.name}: no phase-space point of this channel passes the cuts")
        while c.n_candidates < n:
            missing = n - c.n_candidates
            size = int(min(1_000_000, max(1_000, 1.2 * missing / max(c.efficiency, 1e-5))))
            log(f"  {c.integrand.name}: {c.n_candidates} of {n} events, drawing {size} more points")
            fresh.append(self._draw(c, size))
        if fresh:
            c.refine = IntegrationResult.pool([r for r in (c.refine, IntegrationResult.from_weights(
                np.concatenate(fresh))) if r is not None])
        chosen = self.rng.choice(c.n_candidates, size=n, replace=False)
        picked = WeightedEvents.concatenate([e for e, _ in c.candidates]).take(chosen)
        relative = np.concatenate([r for _, r in c.candidates])[chosen]
        efficiency, w = c.efficiency, np.concatenate(c.unweighted)
        c.candidates, c.unweighted = [], []  # each point gives at most one event
        return picked, relative, efficiency, w

    def generate(self, n_events: int, log=print) -> GeneratedEvents:
        """Exactly n_events unweighted events, shared among the channel classes by their cross sections; each
        event of a class is given to one of its members, uniformly."""
        fractions = self._prepare_unweighting(n_events)
        counts = self.rng.multinomial(n_events, fractions / fractions.sum())
        parts, relative, effs, labels, samples = [], [], [], [], []
        for (k, members), n in zip(self.classes, counts):
            if n == 0:
                continue
            c = self.channels[k]
            ev, rel, eff, w = self._unweighted(c, int(n), log)
            pick = self.rng.integers(len(members), size=n)
            orders = np.stack([self.channels[j].legs for j in members])[pick]  # (n, n_particles)
            momenta = np.take_along_axis(ev.momenta, orders[:, :, None], axis=1)
            member = members[pick]
            samples.append(w / w.mean() if w.mean() > 0 else w)
            parts.append(replace(ev, momenta=momenta))
            relative.append(rel)
            effs.append(n * eff)
            labels.append(np.stack([np.full(n, c.group_index), member], axis=1))
        total = self.integrate()
        self.weighted_sample = np.concatenate(samples)
        order = self.rng.permutation(n_events)
        events = WeightedEvents.concatenate(parts).take(order)
        rel = np.concatenate(relative)[order]
        label = np.concatenate(labels)[order]
        return GeneratedEvents(events.momenta, total.value * rel / rel.mean(), events.alpha_s, events.scale,
                               events.mu_f, events.x, label[:, 0], label[:, 1], self._diagrams[label[:, 1]], total,
                               sum(effs) / n_events)

    def state_dict(self) -> dict:
        """The trained state: each channel's VEGAS grid and its integration results (picklable)."""
        return {"kind": "vegas", "channels": [
            {"map": c.sampler.map, "survey": c.survey, "refine": c.refine, "final": c.final, "w_max": c.w_max}
            for c in self.channels],
                "helicities": [s.state_dict() for s in self.helicity_samplers]}

    def load_state_dict(self, state: dict) -> None:
        if state.get("kind") != "vegas" or len(state["channels"]) != len(self.channels):
            raise ValueError("the saved state belongs to a different process or integrator")
        for c, saved in zip(self.channels, state["channels"]):
            c.sampler.map = saved["map"]
            c.survey, c.refine, c.final = saved["survey"], saved["refine"], saved.get("final")
            c.w_max = saved.get("w_max")
        for sampler, saved in zip(self.helicity_samplers, state.get("helicities", ())):
            sampler.load_state_dict(saved)

    def describe(self) -> tuple[dict, ...]:
        """Per-group summary for results.json."""
        out = []
        for g, group in enumerate(self.setup.groups):
            total = _class_sum([(c, m) for c, m in self.leaders if c.group_index == g])
            out.append({"subprocesses": [m.name for m in group.members], "channels": len(group.topologies),
                        "me_precision": group.matrix_element.precision,
                        "cross_section_pb": total.value, "error_pb": total.error})
        return tuple(out)


def _class_sum(leaders: list[tuple[Channel, int]]) -> IntegrationResult:
    """The cross section (pb) of the classes of these leaders: each leader's estimate times its class size."""
    results = [(c.estimate, m) for c, m in leaders]
    return IntegrationResult(sum(m * r.value for r, m in results), math.sqrt(sum((m * r.error) ** 2 for r, m in results)),
                             max((r.chi2_dof for r, _ in results), default=0.0), sum(r.n_eval for r, _ in results))


class MadnisGenerator(Generator):
    """The same channels, sampled by MadNIS: VEGAS pre-training, then normalising flows and learned channel
    weights trained together on all channels (madnis_py.madnis), integration and generation from the flows."""

    integration_gives_events = False  # the flows' generation draws its own points

    def __init__(self, setup, rng: np.random.Generator, config):
        import torch

        from madnis_py.madnis import MadnisIntegrator
        from madnis_py.madnis_bridge import PhysicsIntegrand

        super().__init__(setup, rng)
        seed = int(rng.integers(2**31))
        torch.manual_seed(seed)
        self.physics = PhysicsIntegrand([c.integrand for c in self.channels], self.sqrt_s)
        self.madnis = MadnisIntegrator(self.physics, replace(config, seed=seed))
        #: every estimate so far (training's, generation's, earlier integration samples): they plan, never quote
        self.results: list[IntegrationResult] = []
        #: the integration sample's estimate (see Channel.estimate), quoted once drawn
        self.final: IntegrationResult | None = None
        self.history: list[dict] = []
        #: how far training got: "new", "vegas" (VEGAS pre-training done) or "trained"
        self.phase = "new"

    def train(self, log=print, checkpoint=None) -> None:
        """The VEGAS survey, then flows (on the survey's grids) and channel weights, then a first integration.
        ``checkpoint()`` (if given) is called after each phase and seven times during the flows' training; a
        generator restored from a checkpoint continues where it stopped (MadnisIntegrator.train finishes a training
        call saved in its middle; after the survey the flows get what is left of the ``madnis_max_calls`` budget)."""
        def record(status) -> None:
            # the running estimate over the recent training batches (pb), for training.png
            means, sigma, counts = self.madnis.channel_statistics()
            error = float((sigma ** 2 / counts.clamp_min(1.0)).sum().sqrt())
            self.history.append({"step": int(status.step), "kind": status.kind, "loss": float(status.loss),
                                 "integrand_calls": int(status.n_calls), "cross_section_pb": float(means.sum()),
                                 "error_pb": error})

        if self.phase == "new":
            # the flows refine the survey's VEGAS grids (one per class of symmetric channels)
            super().train(log)
            self.madnis.install_vegas(*self._survey_state())
            self.phase = "vegas"
            if checkpoint is not None:
                checkpoint()
        budget = self.madnis.config.max_calls
        # the budget covers the flows' training: a resumed run spends only what is left
        max_calls = max(budget - self.madnis.n_calls, 1) if budget else None
        summary = self.madnis.train(max_calls=max_calls, callback=record, checkpoint=checkpoint)
        self.results.append(self.madnis.integrate(50_000))
        self._check_total()
        self.phase = "trained"
        log(f"  MadNIS training: {summary.steps} steps, "
            f"{summary.n_calls} integrand calls; {self.integrate()}")
        if checkpoint is not None:
            checkpoint()

    def _survey_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The survey as MadNIS starts from it: the grid of each class's channel with the largest cross section,
        (n_groups, dim, n_bins + 1) (VEGAS chooses each dimension's bins by its points: fewer are padded, see
        madnis_py.madnis.vegas_init.pad_grid); and each channel's estimate (pb), spread of its weights (pb) and
        number of points, (n_channels,) each."""
        from madnis_py.madnis.vegas_init import grid_from_adaptive_map

        results = [c.result for c in self.channels]
        maps = [self.channels[max(group, key=lambda k: results[k].value)].sampler.map
                for group in self.madnis.groups]
        n_bins = max(int(max(m.ninc)) for m in maps)
        grids = np.stack([grid_from_adaptive_map(m, n_bins) for m in maps])
        n = np.array([max(r.n_eval, 1) for r in results], dtype=np.float64)
        return (grids, np.array([r.value for r in results]), np.array([r.error for r in results]) * np.sqrt(n), n)

    def state_dict(self) -> dict:
        return {"kind": "madnis", "madnis": self.madnis.state_dict(), "results": list(self.results),
                "final": self.final, "history": list(self.history), "phase": self.phase}

    def load_state_dict(self, state: dict) -> None:
        if state.get("kind") != "madnis":
            raise ValueError("the saved state belongs to a different integrator")
        self.madnis.load_state_dict(state["madnis"])
        self.results, self.history = list(state["results"]), list(state["history"])
        self.final = state.get("final")
        self.phase = state.get("phase", "trained")

    def _check_total(self) -> None:
        if not self.integrate().value > 0:
            raise PhysicsSetupError(
                f"the cross section is zero: no phase-space point passes the cuts of {self.setup.run_card_path}; "
                "loosen the cuts or check the beam energies."
            )

    def integrate(self) -> IntegrationResult:
        if self.final is not None:
            return self.final
        return IntegrationResult.pool(self.results) if self.results else IntegrationResult(0.0, 0.0)

    def refine(self, target_relative_error: float, max_points: int, log=print, n_events: int = 0
               ) -> IntegrationResult:
        """The cross section from one integration sample of fresh points, sized by the spread of the weights so
        far for about ``target_relative_error`` and at least as large as all points so far (at most
        ``max_points``), quoted on its own (see :attr:`Channel.estimate`); a sample that already meets the
        target is kept. (The flows' generation draws its own points: ``n_events`` does not size the sample.)"""
        if self.final is not None and self.final.relative_error <= target_relative_error:
            return self.final
        if self.final is not None:
            self.results.append(self.final)
        planned = IntegrationResult.pool(self.results)
        n = max(REFINE_MARGIN * (planned.relative_error / target_relative_error) ** 2, 1.0) * planned.n_eval
        self.final = self.madnis.integrate(int(min(max(n, 20_000), max_points)))
        log(f"  integration sample of {self.final.n_eval} points: {self.final}")
        return self.final

    def _events_of(self, channels: np.ndarray, r: np.ndarray) -> tuple[WeightedEvents, np.ndarray]:
        """Events (momenta, scales, x) at points r of the given channels, and each event's group."""
        parts, order, groups = [], [], []
        for c in np.unique(channels):
            rows = np.flatnonzero(channels == c)
            events, _ = self.physics.physics(int(c), np.ascontiguousarray(r[rows]))
            parts.append(events)
            order.append(rows)
            groups.append(np.full(rows.size, self.channels[int(c)].group_index))
        inverse = np.argsort(np.concatenate(order))
        return WeightedEvents.concatenate(parts).take(inverse), np.concatenate(groups)[inverse]

    def generate(self, n_events: int, log=print) -> GeneratedEvents:
        """Exactly n_events unweighted events from weighted MadNIS samples."""
        pool_r, pool_ch, pool_w = [], [], []
        batch = max(20_000, 2 * n_events)
        while True:
            # channels drawn by their maximum weights: as efficient as unweighting each channel on its own
            s = self.madnis.sample(batch, allocation="max_weight")
            pool_r.append(s.r.detach().cpu().numpy().astype(np.float64))
            pool_ch.append(s.channel.cpu().numpy())
            pool_w.append(s.weight.detach().cpu().numpy().astype(np.float64))
            w = np.concatenate(pool_w)
            res = unweight(w, self.rng)
            if res.indices.size >= n_events:
                break
            missing = n_events - res.indices.size
            batch = int(min(5_000_000, max(batch, 1.2 * missing / max(res.efficiency, 1e-4))))
            log(f"  {res.indices.size} of {n_events} events, drawing {batch} more points")
        self.results.append(IntegrationResult.from_weights(w))
        self.weighted_sample = (w / w.mean()).astype(np.float32)
        chosen = res.indices[self.rng.choice(res.indices.size, size=n_events, replace=False)]
        channels = np.concatenate(pool_ch)[chosen]
        events, groups = self._events_of(channels, np.concatenate(pool_r)[chosen])
        relative = np.maximum(w[chosen] / res.w_max, 1.0)
        total = self.integrate()
        return GeneratedEvents(events.momenta, total.value * relative / relative.mean(), events.alpha_s,
                               events.scale, events.mu_f, events.x, groups, channels, self._diagrams[channels], total,
                               res.efficiency)
