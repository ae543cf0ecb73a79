"""The amplitude engine: amplitude programs (built in Python, run by the compiled core) and colour algebra."""

from madnis_py.amplitudes.program import LORENTZ, WAVE_KINDS, MatrixElement, Program, ProgramBuilder

__all__ = ["LORENTZ", "WAVE_KINDS", "MatrixElement", "Program", "ProgramBuilder"]
