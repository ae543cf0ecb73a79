"""Beams from the run_card: particle type (lpp), energies (ebeam1/2) and polarisation.

Lepton beams without PDF (lpp = 0) collide the process's initial-state particles directly at
sqrt(s) = the centre-of-mass energy of the two beams; proton (lpp = 1) and antiproton (lpp = -1) beams
collide partons drawn from the parton densities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from madnis_py.errors import UserError


@dataclass(frozen=True)
class Beams:
    """Two beams: LHE beam ids (PDG), energies in GeV (lab frame, beam 1 along +z), lpp types."""

    pdg: tuple[int, int]
    energy: tuple[float, float]
    lpp: tuple[int, int]

    @property
    def has_pdfs(self) -> bool:
        return self.lpp != (0, 0)

    @property
    def sqrt_s(self) -> float:
        """Centre-of-mass energy of the two beams in GeV (massless beams)."""
        return 2.0 * math.sqrt(self.energy[0] * self.energy[1])

    @property
    def rapidity(self) -> float:
        """Rapidity of the centre-of-mass frame in the lab frame."""
        return 0.5 * math.log(self.energy[0] / self.energy[1])

    @classmethod
    def from_run_card(cls, card, initial_pdgs: tuple[int, int], card_name: str = "run_card") -> "Beams":
        """Beams for a process with initial-state PDG codes ``initial_pdgs``."""
        lpp = (int(card["lpp1"]), int(card["lpp2"]))
        energy = (float(card["ebeam1"]), float(card["ebeam2"]))
        for i, e in enumerate(energy, start=1):
            if not e > 0:
                raise UserError(f"{card_name}: ebeam{i} = {e} GeV; beam energies must be positive.")
        if lpp != (0, 0) and not (abs(lpp[0]) == 1 and abs(lpp[1]) == 1):
            raise UserError(
                f"{card_name}: lpp1 = {lpp[0]}, lpp2 = {lpp[1]}: madnis-py collides two lepton beams without PDF "
                "(lpp1 = lpp2 = 0) or two (anti)protons (lpp = 1 or -1 on both beams); change lpp1/lpp2."
            )
        for i in (1, 2):
            if float(card[f"polbeam{i}"]) != 0.0:
                raise UserError(f"{card_name}: polbeam{i} = {card[f'polbeam{i}']}: polarised beams are not supported "
                                "yet; set polbeam1 = polbeam2 = 0.")
        pdg = tuple(initial_pdgs) if lpp == (0, 0) else tuple(2212 * l for l in lpp)
        return cls(pdg=pdg, energy=energy, lpp=lpp)
