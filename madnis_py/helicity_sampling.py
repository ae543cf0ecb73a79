"""Monte-Carlo sum over helicities (run_card ``nhel = 1``, MadEvent's helicity importance sampling).

Instead of summing |M_h|^2 over all helicity combinations h, each event evaluates one combination drawn with
probability p_h and weighs it by 1/p_h: E_h[|M_h|^2 / p_h] = sum_h |M_h|^2, so every estimate stays unbiased.
One combination costs a small fraction of the sum (g g > t t~ g g: 1/28), at the price of a larger variance,
which p_h proportional to each combination's share of the cross section keeps small (MadEvent's
DiscreteSampler does the same). The per-diagram |M_i|^2 of the single-diagram enhancement then come from the
drawn combination, as in MadEvent.
"""

from __future__ import annotations

import numpy as np

from madnis_py.amplitudes.program import MatrixElement

#: The share of the probability spread evenly over all combinations, so that none is starved.
UNIFORM_SHARE = 0.1


class HelicitySampler:
    """Draws one helicity combination per event for a matrix element and learns the probabilities.

    matrix_element: a ProcessMatrixElement (its program's helicity combinations are the ones summed);
    rng: numpy Generator for the draws.
    """

    def __init__(self, matrix_element, rng: np.random.Generator):
        self.matrix_element = matrix_element
        self.rng = rng
        self.helicities = matrix_element.program.helicities
        n = len(self.helicities)
        self.probabilities = np.full(n, 1.0 / n)
        self._programs: dict[int, MatrixElement] = {}
        self._collected = np.zeros(n)

    def _program(self, h: int) -> MatrixElement:
        if h not in self._programs:
            self._programs[h] = MatrixElement(self.matrix_element.program.with_helicities(self.helicities[[h]]))
        return self._programs[h]

    def evaluate(self, momenta: np.ndarray, alpha_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(|M_h|^2 / p_h (n,), per-diagram |M_i,h|^2 (n, n_diagrams)) with h drawn per event.

        momenta: float64 (n, n_particles, 4) GeV; alpha_s: (n,)."""
        n = len(momenta)
        chosen = np.minimum(np.searchsorted(np.cumsum(self.probabilities), self.rng.random(n) *
                                            self.probabilities.sum()), len(self.probabilities) - 1)
        me = np.empty(n)
        amp2 = np.empty((n, self.matrix_element.n_diagrams))
        for h in np.unique(chosen):
            rows = np.flatnonzero(chosen == h)
            value, per_diagram, _ = self._program(int(h)).evaluate(
                np.ascontiguousarray(momenta[rows]), np.ascontiguousarray(alpha_s[rows]), amp2=True,
                precision=self.matrix_element.precision)
            me[rows] = value / self.probabilities[h]
            amp2[rows] = per_diagram
            self._collected[h] += value.sum() / self.probabilities[h]
        return me, amp2

    def adapt(self) -> None:
        """Sets p_h proportional to each combination's share of |M|^2 seen since the last call (mixed with
        :data:`UNIFORM_SHARE` of the uniform distribution); nothing changes if nothing was seen."""
        total = self._collected.sum()
        if total > 0:
            n = len(self.probabilities)
            self.probabilities = (1 - UNIFORM_SHARE) * self._collected / total + UNIFORM_SHARE / n
        self._collected[:] = 0.0

    def state_dict(self) -> dict:
        return {"probabilities": self.probabilities.copy()}

    def load_state_dict(self, state: dict) -> None:
        p = np.asarray(state["probabilities"], dtype=np.float64)
        if p.shape != self.probabilities.shape:
            raise ValueError("the saved helicity probabilities belong to a different matrix element")
        self.probabilities = p
