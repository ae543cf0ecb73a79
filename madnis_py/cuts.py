"""MadGraph's generation-level cuts from the run_card, evaluated in the compiled core.

The run_card entries (ptj, etal, drll, mmll, ... and their max counterparts) become a
:class:`CutSpec` per subprocess; :meth:`CutSpec.passes` evaluates them on a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from madnis_py.arrays import contiguous, empty
from madnis_py.core import _core

JET, BOTTOM, PHOTON, LEPTON = 1, 2, 3, 4
N_CLASSES = 5
_CLASS_LETTER = {JET: "j", BOTTOM: "b", PHOTON: "a", LEPTON: "l"}

#: run_card entries this module reads (the cards module lists the others as ignored).
CUT_ENTRIES = frozenset(
    [f"pt{c}" for c in "jbal"]
    + [f"pt{c}max" for c in "jbal"]
    + [f"eta{c}" for c in "jbal"]
    + [f"eta{c}min" for c in "jbal"]
    + [f"dr{a}{b}" for a, b in ("jj", "bb", "ll", "aa", "bj", "aj", "jl", "ab", "bl", "al")]
    + [f"dr{a}{b}max" for a, b in ("jj", "bb", "ll", "aa", "bj", "aj", "jl", "ab", "bl", "al")]
    + [f"mm{c}{c}" for c in "jbal"]
    + [f"mm{c}{c}max" for c in "jbal"]
    + ["maxjetflavor"]
)


def cut_class(pdg: int, maxjetflavor: int = 4) -> int:
    """MadGraph's cut class of a final-state particle: jet, b, photon, charged lepton or none."""
    a = abs(pdg)
    if a == 21 or 1 <= a <= maxjetflavor:
        return JET
    if a == 5:
        return BOTTOM
    if a == 22:
        return PHOTON
    if a in (11, 13, 15):
        return LEPTON
    return 0


def _entry(card, name: str, default: float) -> float:
    value = card[name]
    return default if value is None else float(value)


@dataclass(frozen=True)
class CutSpec:
    """Cuts of one subprocess.

    classes, pdg: int32, shape (n_final,); single: float64 (4, 5) rows pt_min, pt_max, eta_min, eta_max
    per class (GeV, |eta|; a max of -1 means none); pair: float64 (4, 5, 5) rows dr_min, dr_max,
    m_min, m_max per pair of classes (m in GeV).
    """

    classes: np.ndarray
    pdg: np.ndarray
    single: np.ndarray
    pair: np.ndarray

    @classmethod
    def from_run_card(cls, card, final_pdgs) -> "CutSpec":
        """Builds the cuts of a subprocess with final-state PDG codes ``final_pdgs`` from a RunCard."""
        maxjet = int(card["maxjetflavor"])
        classes = np.array([cut_class(p, maxjet) for p in final_pdgs], dtype=np.int32)
        single = np.zeros((4, N_CLASSES))
        single[1, :] = single[3, :] = -1.0
        pair = np.zeros((4, N_CLASSES, N_CLASSES))
        pair[1] = pair[3] = -1.0
        for k, c in _CLASS_LETTER.items():
            single[0, k] = _entry(card, f"pt{c}", 0.0)
            single[1, k] = _entry(card, f"pt{c}max", -1.0)
            single[2, k] = _entry(card, f"eta{c}min", 0.0)
            single[3, k] = _entry(card, f"eta{c}", -1.0)
            pair[2, k, k] = _entry(card, f"mm{c}{c}", 0.0)
            pair[3, k, k] = _entry(card, f"mm{c}{c}max", -1.0)
        for name in ("jj", "bb", "ll", "aa", "bj", "aj", "jl", "ab", "bl", "al"):
            a, b = (next(k for k, v in _CLASS_LETTER.items() if v == ch) for ch in name)
            for i, j in ((a, b), (b, a)):
                pair[0, i, j] = _entry(card, f"dr{name}", 0.0)
                pair[1, i, j] = _entry(card, f"dr{name}max", -1.0)
        return cls(classes, np.asarray(final_pdgs, dtype=np.int32), single, pair)

    @property
    def is_trivial(self) -> bool:
        """True if no cut can remove an event."""
        active = self.classes[self.classes > 0]
        if active.size == 0:
            return True
        s = self.single[:, active]
        p = self.pair[:, active][:, :, active]
        return bool(np.all(s[0] <= 0) and np.all(s[1] < 0) and np.all(s[2] <= 0) and np.all(s[3] < 0)
                    and np.all(p[0] <= 0) and np.all(p[1] < 0) and np.all(p[2] <= 0) and np.all(p[3] < 0))

    def sqrt_s_hat_min(self, final_masses) -> float:
        """A lower bound (GeV) on sqrt(s-hat) implied by the cuts: the sum of the final-state m_T at the pT
        cuts (each particle's energy in the partonic frame is at least its m_T), or the pair-mass cut of a
        two-particle final state, whichever is larger."""
        masses = np.asarray(final_masses, dtype=float)
        pt_min = np.where(self.classes > 0, self.single[0, self.classes], 0.0)
        bound = float(np.sqrt(masses**2 + pt_min**2).sum())
        if len(masses) == 2 and self.classes[0] == self.classes[1] > 0:
            c = self.classes[0]
            if c != LEPTON or self.pdg[0] == -self.pdg[1]:
                bound = max(bound, float(self.pair[2, c, c]))
        return bound

    def passes(self, momenta: np.ndarray) -> np.ndarray:
        """momenta: float64 (n, n_particles, 4), final state last (numpy, or a torch tensor on any device);
        returns bool (n,) of the same kind."""
        out = empty(momenta, (momenta.shape[0],), np.uint8)
        _core.apply_cuts(contiguous(momenta), self.classes, self.pdg, self.single, self.pair, out)
        return out != 0
