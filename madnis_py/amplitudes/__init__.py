"""The amplitude engine: diagrams of any tree-level process, amplitude programs (built in Python, run by the
compiled core), colour algebra, and the user-facing :func:`matrix_element`."""

from madnis_py.amplitudes.api import (InvalidProcessError, NoDiagramsCardError, ProcessMatrixElement,
                                      build_matrix_element, build_matrix_elements, matrix_element, sample_momenta)
from madnis_py.amplitudes.builder import BuiltProgram, build_program
from madnis_py.amplitudes.diagrams import (Diagram, DiagramFilter, DiagramSet, NoDiagramsError, Propagator,
                                           generate_diagrams, minimal_weighted_order)
from madnis_py.amplitudes.program import LORENTZ, WAVE_KINDS, MatrixElement, Program, ProgramBuilder

__all__ = [
    "LORENTZ", "WAVE_KINDS", "MatrixElement", "Program", "ProgramBuilder",
    "BuiltProgram", "build_program",
    "Diagram", "DiagramFilter", "DiagramSet", "NoDiagramsError", "Propagator", "generate_diagrams",
    "minimal_weighted_order",
    "InvalidProcessError", "NoDiagramsCardError", "ProcessMatrixElement", "build_matrix_element",
    "build_matrix_elements", "matrix_element", "sample_momenta",
]
