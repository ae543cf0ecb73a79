"""Checkpoints of a MadNIS run and resuming from them: `madnis-py launch ... -o OUT` leaves OUT/madnis_state.pkl
(written after each training phase, after the integration and at the end); `--resume` continues from it.

A tiny MadNIS configuration on e+ e- > mu+ mu- keeps every run at a second or two."""

from __future__ import annotations

import json

import pytest
import torch

from madnis_py import EventGenerator
from madnis_py.errors import UserError
from madnis_py.run import STATE_FILE, RunOptions, launch
from madnis_py.setup import load_setup
from refdata_paths import PROJECT_ROOT

EE_MUMU = PROJECT_ROOT / "processes" / "ee_mumu"
TINY = ("use_madnis=True", "madnis_train_steps=16", "madnis_vegas_iterations=2", "madnis_vegas_points=512",
        "madnis_batch_size=256", "madnis_buffer_capacity=4096", "nevents=50")


class Interrupted(Exception):
    """Stands for a run killed after its first checkpoint."""


def _stop_after_first_checkpoint(generator, path):
    def checkpoint():
        generator.write_checkpoint(path)
        raise Interrupted

    return checkpoint


def test_checkpoint_restores_the_sampler_exactly(tmp_path):
    gen = EventGenerator(load_setup(EE_MUMU, settings=TINY), seed=4)
    path = tmp_path / STATE_FILE
    gen.train(checkpoint=path)
    again = EventGenerator.load(path, seed=4)
    assert again.trained and again.sampler.phase == "trained"
    assert again.sampler.integrate() == gen.sampler.integrate()
    # the training history carries the running cross section (training.png), close to the final estimate
    last, final = gen.sampler.history[-1], gen.sampler.integrate()
    assert abs(last["cross_section_pb"] - final.value) < 5 * (last["error_pb"] + final.error)
    # flows, channel weights, active channels and the random-number state are restored: the same points follow
    a, b = gen.sampler.madnis.integrate(4000), again.sampler.madnis.integrate(4000)
    assert a.value == b.value and a.error == b.error


def test_training_continues_after_the_vegas_phase(tmp_path):
    setup = load_setup(EE_MUMU, settings=TINY + ("madnis_max_calls=2000", "madnis_train_steps=40"))
    path = tmp_path / STATE_FILE
    gen = EventGenerator(setup, seed=5)
    with pytest.raises(Interrupted):
        gen.train(checkpoint=_stop_after_first_checkpoint(gen, path))
    # stopped between the VEGAS survey and the flows
    assert gen.sampler.phase == "vegas" and gen.sampler.madnis.step == 0 and gen.sampler.madnis.n_calls == 0

    resumed = EventGenerator.resume(setup, path, seed=6)
    assert not resumed.trained and resumed.sampler.phase == "vegas"
    assert torch.equal(resumed.sampler.madnis.density.vegas.grids, gen.sampler.madnis.density.vegas.grids)
    resumed.train(checkpoint=path)
    kinds = [h["kind"] for h in resumed.sampler.history]
    assert kinds.count("survey") == 2 and kinds[-1] != "survey"  # the survey is not repeated, the flows trained
    assert resumed.sampler.history[-1]["integrand_calls"] <= 2000  # the flows' budget
    assert EventGenerator.load(path).trained


def test_launch_writes_the_state_and_resume_skips_training(tmp_path):
    first = launch(RunOptions(process=EE_MUMU, settings=TINY, seed=7, output=tmp_path, verbose=False, plots=False))
    assert (tmp_path / STATE_FILE).is_file() and STATE_FILE in first.files
    saved = EventGenerator.load(tmp_path / STATE_FILE)
    assert saved.sampler.integrate() == first.cross_section

    second = launch(RunOptions(process=EE_MUMU, settings=TINY[:-1] + ("nevents=80",), seed=8, output=tmp_path,
                               verbose=False, plots=False, resume=True))
    assert second.n_events == 80
    # no training: the only matrix elements are those of the new events (the integration is already precise)
    assert second.n_matrix_element_calls < first.n_matrix_element_calls
    # the saved integration sample already meets the target: it stays the quoted estimate (the generation's
    # points only plan, see generator.Channel.estimate)
    assert second.cross_section == first.cross_section
    assert json.loads((tmp_path / "results.json").read_text())["n_events"] == 80


def test_launch_resumes_an_interrupted_training(tmp_path):
    setup = load_setup(EE_MUMU, settings=TINY)
    gen = EventGenerator(setup, seed=9)
    with pytest.raises(Interrupted):
        gen.train(checkpoint=_stop_after_first_checkpoint(gen, tmp_path / STATE_FILE))
    result = launch(RunOptions(process=EE_MUMU, settings=TINY, seed=9, output=tmp_path, verbose=False, plots=False,
                               resume=True))
    assert result.n_events == 50 and result.cross_section.value > 0
    state = EventGenerator.load(tmp_path / STATE_FILE)
    assert state.sampler.phase == "trained" and state.sampler.madnis.step > 0


def test_resume_needs_the_state_and_the_same_cards(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        launch(RunOptions(process=EE_MUMU, settings=TINY, output=tmp_path / "none", verbose=False, resume=True))
    gen = EventGenerator(load_setup(EE_MUMU, settings=TINY), seed=1)
    gen.train(checkpoint=tmp_path / STATE_FILE)
    with pytest.raises(UserError, match="ptl"):
        launch(RunOptions(process=EE_MUMU, settings=TINY + ("ptl=20",), output=tmp_path, verbose=False,
                          resume=True))
    with pytest.raises(UserError, match="--resume"):
        launch(RunOptions(process=EE_MUMU, settings=TINY, output=tmp_path, verbose=False))
