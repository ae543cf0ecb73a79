"""Control plots are valid PNG files; the training panel appears only with a training history."""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py.output.lhe import LHEEvents
from madnis_py.output.plots import kinematics, make_plots, particle_label

pytest.importorskip("matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def two_to_two(n: int = 500, seed: int = 1) -> LHEEvents:
    """g g > t t~ at fixed partonic energy 400 GeV with random scattering angles, boosted along z."""
    rng = np.random.default_rng(seed)
    e, m = 200.0, 173.0
    p = np.sqrt(e * e - m * m)
    cos, phi = rng.uniform(-1, 1, n), rng.uniform(0, 2 * np.pi, n)
    sin = np.sqrt(1 - cos**2)
    k = np.stack([np.full(n, e), p * sin * np.cos(phi), p * sin * np.sin(phi), p * cos], axis=1)
    momenta = np.zeros((n, 4, 4))
    momenta[:, 0] = [e, 0, 0, e]
    momenta[:, 1] = [e, 0, 0, -e]
    momenta[:, 2] = k
    momenta[:, 3] = k * [1, -1, -1, -1]
    return LHEEvents(
        pdg=np.tile([21, 21, 6, -6], (n, 1)), status=np.tile([-1, -1, 1, 1], (n, 1)),
        mothers=np.tile([[0, 0], [0, 0], [1, 2], [1, 2]], (n, 1, 1)), colour=np.zeros((n, 4, 2), dtype=int),
        momenta=momenta, masses=np.tile([0, 0, m, m], (n, 1)), helicities=np.full((n, 4), 9.0),
        weights=np.full(n, 500.0), scale=np.full(n, m), alpha_qed=np.full(n, 1 / 132.5), alpha_s=np.full(n, 0.1),
        process_id=np.ones(n, dtype=int),
    )


def assert_png(path):
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def test_plots_are_pngs(tmp_path):
    history = [{"step": i, "loss": 1.0 / (i + 1), "cross_section_pb": 500 + 10 / (i + 1), "error_pb": 1.0}
               for i in range(20)]
    weighted = np.random.default_rng(2).lognormal(size=10_000)
    files = make_plots(tmp_path / "plots", two_to_two(), cross_section_pb=500.0, weighted_weights=weighted,
                       training_history=history, title="g g > t t~")
    assert [f.name for f in files] == ["weights.png", "kinematics.png", "training.png"]
    for f in files:
        assert_png(f)
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == sorted(f.name for f in files)


def test_no_training_panel_without_history(tmp_path):
    files = make_plots(tmp_path, two_to_two(), cross_section_pb=500.0)
    assert [f.name for f in files] == ["weights.png", "kinematics.png"]
    for f in files:
        assert_png(f)
    assert make_plots(tmp_path / "b", two_to_two(), cross_section_pb=1.0, training_history=[{"step": 1}])[-1].name \
        == "kinematics.png"


def test_kinematics():
    record = two_to_two(50)
    obs = kinematics(record)
    np.testing.assert_array_equal(obs["final"], [2, 3])
    np.testing.assert_allclose(obs["mass"], 400.0, rtol=1e-12)
    np.testing.assert_allclose(obs["pt"][:, 0], obs["pt"][:, 1], rtol=1e-12)
    np.testing.assert_allclose(obs["y"][:, 0], -obs["y"][:, 1], atol=1e-12)


def test_particle_labels():
    assert [particle_label(i) for i in (6, -6, 13, -13, 21, -24, 9999)] == ["t", "t~", "mu-", "mu+", "g", "w-",
                                                                             "pdg 9999"]
