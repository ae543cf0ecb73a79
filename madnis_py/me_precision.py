"""Arithmetic precision of the matrix elements: run_card ``me_precision`` = ``double``, ``single`` or ``auto``.

``single``: the CPU driver computes wavefunctions, currents and amplitudes in float on twice the SIMD lanes, the
colour sum in double (madgraph4gpu's mixed mode ``FPTYPE=m``): about twice the events per second. The propagator
denominators are computed in double from the external momenta (from float momenta P^2 of a massless line cancels
at collinear points), so |M|^2 agrees with double precision to ~1e-6 (g g > t t~ g g: median 5e-7, largest 3e-6
on 4096 flat points without cuts).

``auto`` (the default): each matrix element starts in double precision; its first :data:`AUTO_POINTS` phase-space
points (those passing the cuts, from the survey) are evaluated in both precisions, and single precision is kept
only if the largest relative deviation of |M|^2 on them is below :data:`AUTO_TOLERANCE`, else double.
The weights of the events are then single-precision values; their bias on the cross section (~1e-6 relative)
is far below the Monte-Carlo error.
"""

from __future__ import annotations

import numpy as np

#: Values of the run_card entry ``me_precision``.
SETTINGS = ("auto", "double", "single")
#: Points evaluated in both precisions before ``auto`` decides.
AUTO_POINTS = 1000
#: Largest relative deviation |M_single / M_double - 1| on those points for which ``auto`` keeps single precision:
#: g g > t t~ g g on its survey points: 5e-5 (2e-3 if the propagator denominators were computed in float).
AUTO_TOLERANCE = 1e-3


class PrecisionCheck:
    """The ``auto`` choice for one matrix element.

    matrix_element: a ProcessMatrixElement (its compiled ``precision`` is set to "double" now, to the choice later);
    name: the subprocess, for the message; points, tolerance: see :data:`AUTO_POINTS`, :data:`AUTO_TOLERANCE`.
    """

    def __init__(self, matrix_element, name: str, points: int = AUTO_POINTS, tolerance: float = AUTO_TOLERANCE):
        self.matrix_element = matrix_element
        self.name = name
        self.points = points
        self.tolerance = tolerance
        self.n_points = 0
        self.max_deviation = 0.0
        self.decided = False
        matrix_element.compiled.precision = "double"

    def observe(self, momenta: np.ndarray, alpha_s: np.ndarray) -> None:
        """Evaluates the points in both precisions while undecided; decides once :attr:`points` were seen.
        momenta: float64 (n, n_particles, 4) GeV; alpha_s: (n,)."""
        if self.decided or len(momenta) == 0:
            return
        compiled = self.matrix_element.compiled
        double = compiled.evaluate(momenta, alpha_s, precision="double")[0]
        single = compiled.evaluate(momenta, alpha_s, precision="single")[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            deviation = np.where(double == single, 0.0, np.abs(single - double) / np.abs(double))
        deviation = np.where(np.isfinite(deviation), deviation, np.inf)
        self.max_deviation = max(self.max_deviation, float(deviation.max()))
        self.n_points += len(momenta)
        if self.n_points >= self.points:
            self.decide()

    def decide(self) -> str:
        """Chooses now (on the points seen so far; double if none) and returns the precision."""
        self.decided = True
        single = self.n_points > 0 and self.max_deviation < self.tolerance
        self.matrix_element.compiled.precision = "single" if single else "double"
        return self.matrix_element.precision

    def describe(self) -> str:
        """One line: the choice and why."""
        return (f"{self.name}: {self.matrix_element.precision} precision (|M|^2 single vs double on "
                f"{self.n_points} points: largest relative deviation {self.max_deviation:.1e}, tolerance "
                f"{self.tolerance:g})")
