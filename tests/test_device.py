"""The per-event work on a torch device (run_card ``device``, ``launch --device cuda``).

The integrand works on torch tensors on every device, so the CPU tests below run the arithmetic the GPU runs;
the CUDA tests run only where a CUDA device is visible and the core was built with nvcc."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

import madnis_py
from madnis_py.cli import main
from madnis_py.core import _core
from madnis_py.generator import Generator
from madnis_py.run import RunOptions, launch
from madnis_py.setup import load_setup
from refdata_paths import PROJECT_ROOT, madgraph_cross_section

CUDA = _core.cuda_available() and torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA device, torch with CUDA and the core built with nvcc")


def channels(process: str, *settings: str):
    setup = load_setup(PROJECT_ROOT / "processes" / process, settings=settings)
    return Generator(setup, np.random.default_rng(0)).channels


def some_points(channel, n: int = 400, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).random((n, channel.integrand.dim))


@pytest.mark.parametrize("process", ["pp_ttj", "ee_mumu"])
def test_tensors_give_tensors_with_the_host_values(process):
    """Torch points give torch events with the values of numpy points: clustering scales, PDFs, cuts, alpha_s,
    |M|^2 and the enhancement weights all accept tensors and keep them where they are."""
    for c in channels(process, "me_precision=double")[::7]:
        r = some_points(c)
        events, enhancement = c.integrand.evaluate(r)
        on_torch, enhancement_t = c.integrand.evaluate(torch.as_tensor(r))
        assert isinstance(on_torch.weights, torch.Tensor) and isinstance(enhancement_t, torch.Tensor)
        assert np.count_nonzero(events.weights) > 20
        for field in ("momenta", "weights", "alpha_s", "scale", "mu_f", "x"):
            np.testing.assert_allclose(getattr(on_torch, field).numpy(), getattr(events, field), rtol=1e-13,
                                       atol=0, err_msg=field)  # torch and numpy may sum in another order
        np.testing.assert_allclose(enhancement_t.numpy(), enhancement, rtol=1e-13, atol=0)


def test_a_run_through_the_device_branch_gives_the_host_run():
    """The device branch of the integrand (numpy points sent to a torch device, the weighted events brought back),
    with the CPU as the device: the same cross section and events as the host path, seed for seed."""
    def run(device):
        gen = madnis_py.EventGenerator.from_cards(PROJECT_ROOT / "processes" / "pp_tt",
                                                  settings={"me_precision": "double"}, seed=5)
        for c in gen.sampler.channels:
            c.integrand.device = device
        return gen.integrate(), gen.generate(300)

    (xs_host, host), (xs_device, device) = run(None), run("cpu")
    assert xs_device.value == pytest.approx(xs_host.value, rel=1e-12)
    assert xs_device.error == pytest.approx(xs_host.error, rel=1e-9)
    np.testing.assert_allclose(device.momenta, host.momenta, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(device.weights, host.weights, rtol=1e-12)


@pytest.mark.skipif(CUDA, reason="checks the message on a machine without a usable GPU")
def test_device_cuda_without_a_gpu_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["launch", str(PROJECT_ROOT / "processes" / "ee_mumu"), "--device", "cuda", "-o", str(out)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and err.startswith("madnis-py: error: ") and "Traceback" not in err
    assert "device = cuda" in err and "set device = cpu" in err, err
    assert not out.exists() or not any(out.iterdir())


@needs_cuda
@pytest.mark.parametrize("process", ["pp_ttj", "ee_mumu"])
def test_cuda_weights_agree_with_the_cpu(process):
    """The same points weighed by the CUDA driver and by the CPU driver (both double precision)."""
    on_host, on_device = channels(process, "me_precision=double"), channels(process, "device=cuda")
    for host, device in list(zip(on_host, on_device))[::7]:
        r = some_points(host)
        expected, enhancement = host.integrand.evaluate(r)
        got, enhancement_d = device.integrand.evaluate(r)
        assert isinstance(got.weights, np.ndarray) and np.count_nonzero(expected.weights) > 20
        np.testing.assert_allclose(got.weights, expected.weights, rtol=1e-10, atol=0)
        np.testing.assert_allclose(enhancement_d, enhancement, rtol=1e-10, atol=1e-300)


@needs_cuda
def test_launch_on_cuda_matches_madgraph(tmp_path):
    """p p > t t~ generated with --device cuda: MadGraph's cross section within errors, the events written."""
    launch(RunOptions(process=PROJECT_ROOT / "processes" / "pp_tt", settings=("device=cuda", "nevents=2000"),
                      seed=7, output=tmp_path, force=True, verbose=False))
    result = json.loads((tmp_path / "results.json").read_text())
    sigma, error = result["cross_section_pb"], result["cross_section_error_pb"]
    mg_sigma, mg_error = madgraph_cross_section("pp_tt_rep__run_13TeV_10k_rep")
    assert result["n_events"] == 2000 and (tmp_path / "events.lhe.gz").is_file()
    assert abs(sigma - mg_sigma) <= 3 * math.hypot(error, mg_error), (sigma, error, mg_sigma, mg_error)
