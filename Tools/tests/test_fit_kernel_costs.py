"""Tools/fit-kernel-costs: the fitting core on synthetic data (known coefficients are recovered,
non-negative) and its errors on malformed `joule bench --json` documents."""
import importlib.machinery
import importlib.util
import json
import os

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_loader = importlib.machinery.SourceFileLoader("fit_kernel_costs", os.path.join(ROOT, "Tools", "fit-kernel-costs"))
_spec = importlib.util.spec_from_loader("fit_kernel_costs", _loader)
fit = importlib.util.module_from_spec(_spec)
_loader.exec_module(fit)


def synthetic(coef, rows=200, noise=0.02, seed=3):
    """Terms (some lanes unused) whose lanes each carry a share of the time varying independently
    over two decades, as layers of different shapes and inputs do, and times = terms · coef ·
    (1 + noise)."""
    rng = np.random.default_rng(seed)
    coef = np.asarray(coef, dtype=float)
    terms = np.zeros((rows, 8), dtype=np.int64)
    for lane in np.nonzero(coef)[0]:
        share = 10 ** rng.uniform(-1, 1, size=rows) * 1e7  # picoseconds this lane contributes
        terms[:, lane] = np.maximum(1, np.round(share / coef[lane])).astype(np.int64)
    ps = terms @ coef
    seconds = ps * (1 + noise * rng.standard_normal(rows)) * 1e-12
    return terms, seconds


@pytest.mark.parametrize("coef", [
    [2200, 220000, 0, 0, 0, 0, 0, 0],
    [660, 1000, 1520, 750, 1030, 0, 0, 0],
    [450, 2440, 1000, 300, 38500, 280, 0, 0],
])
def test_recovers_known_coefficients(coef):
    terms, seconds = synthetic(coef)
    got = fit.fit_relative(terms, seconds)
    assert (got >= 0).all()
    for want, have in zip(coef, got):
        if want == 0:
            assert have == 0  # unused lanes stay 0
        else:
            assert have == pytest.approx(want, rel=0.1)
    median, p90 = fit.error_summary(fit.relative_errors(terms, seconds, got))
    assert median < 0.03 and p90 < 0.06


def test_exact_data_is_fitted_exactly():
    coef = [30, 33000, 0, 0, 0, 0, 0, 0]
    terms, seconds = synthetic(coef, noise=0)
    assert fit.fit_relative(terms, seconds) == pytest.approx(coef, rel=1e-6)


def test_non_negative_where_least_squares_goes_negative():
    # Times that fall with the second term (500 · x0 − 100 · x1, x1 ≤ x0): plain least squares
    # gives it a negative coefficient.
    rng = np.random.default_rng(5)
    terms = np.zeros((100, 8), dtype=np.int64)
    terms[:, 0] = rng.integers(100, 10_000, size=100)
    terms[:, 1] = (terms[:, 0] * rng.random(100)).astype(np.int64)
    seconds = (500.0 * terms[:, 0] - 100.0 * terms[:, 1]) * 1e-12
    a = terms / (seconds * 1e12)[:, None]
    unconstrained = np.linalg.lstsq(a[:, :2], np.ones(len(a)), rcond=None)[0]
    assert unconstrained.min() < 0
    got = fit.fit_relative(terms, seconds)
    assert (got >= 0).all() and got[1] == 0 and got[0] > 0


def test_nnls_matches_closed_form_when_unconstrained():
    rng = np.random.default_rng(7)
    a = rng.random((50, 4))
    x = np.array([1.0, 2.0, 0.5, 3.0])
    assert fit.nnls(a, a @ x) == pytest.approx(x, rel=1e-8)


def test_round_coefficient():
    assert fit.round_coefficient(2201.7) == 2200
    assert fit.round_coefficient(38_512.0) == 38_500
    assert fit.round_coefficient(0.4) == 0 and fit.round_coefficient(-3) == 0 and fit.round_coefficient(7.26) == 7


def bench_document():
    lanes = {f: [1, 1, 0, 0, 0, 0, 0, 0] for f in fit.FUNCTIONS}
    variant = {"mode": "qnn", "kernel": "gather", "layerKernels": {"c1": "eventGather", "p": "pooling"},
               "layerCosts": {"c1": {"function": "eventGather", "terms": [10, 5, 0, 0, 0, 0, 0, 0]}, "p": None},
               "layerSeconds": {"c1": 2e-6, "p": 1e-7}, "uncountedLayerSeconds": {"c1": 1.9e-6, "p": 1e-7}}
    return {"format": "joule-bench", "formatVersion": 1, "denseBlock": "avx2", "costCoefficients": lanes,
            "modes": [variant]}


def test_well_formed_document_is_collected(tmp_path):
    p = tmp_path / "b.json"
    p.write_text(json.dumps(bench_document()))
    rows = fit.collect([("b", fit.load_bench_json(str(p)))])
    assert len(rows) == 2 and [r["function"] for r in rows if r["terms"]] == ["eventGather"]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(format="joule-eval"), "not a joule-bench document"),
    (lambda d: d.pop("costCoefficients"), "costCoefficients"),
    (lambda d: d["modes"][0].pop("layerCosts"), "missing 'layerCosts'"),
    (lambda d: d["modes"][0]["layerCosts"].update(c1={"function": "warp", "terms": [1] * 8}), "layer 'c1': malformed cost"),
    (lambda d: d["modes"][0]["layerCosts"].update(c1={"function": "dense", "terms": [1, 2]}), "layer 'c1': malformed cost"),
    (lambda d: d["modes"][0]["uncountedLayerSeconds"].pop("c1"), "layer 'c1' has terms but no time"),
])
def test_malformed_document_names_file_and_fault(tmp_path, mutate, message):
    doc = bench_document()
    mutate(doc)
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(fit.FitError) as e:
        fit.load_bench_json(str(p))
    assert str(e.value).startswith(str(p)) and message in str(e.value)


def test_not_json_and_cli_exit_status(tmp_path, capsys):
    p = tmp_path / "broken.json"
    p.write_text("{ nope")
    with pytest.raises(fit.FitError, match=r"broken.json: not valid JSON: line 1"):
        fit.load_bench_json(str(p))
    assert fit.main(["--from-json", str(p)]) == 1
    assert "broken.json: not valid JSON" in capsys.readouterr().err
    missing = str(tmp_path / "no-joule")
    assert fit.main([str(p), "--joule", missing]) == 1
    assert f"{missing}: no joule binary" in capsys.readouterr().err


def test_bad_model_path_is_named(tmp_path, capsys):
    joule = tmp_path / "joule"
    joule.write_text("#!/bin/sh\nexit 1\n")
    joule.chmod(0o755)
    model = str(tmp_path / "missing.jmod")
    assert fit.main([model, "--joule", str(joule)]) == 1
    assert f"{model}: cannot read the packed model" in capsys.readouterr().err


def test_report_ranks_and_prints_literal(tmp_path):
    doc = bench_document()
    # A second forced policy on the same layer with another kernel: the scatter, slower.
    slow = json.loads(json.dumps(doc["modes"][0]))
    slow.update(kernel="scatter", layerKernels={"c1": "eventScatter", "p": "pooling"},
                layerCosts={"c1": {"function": "eventScatter", "terms": [100, 5, 0, 0, 0, 0, 0, 0]}, "p": None},
                uncountedLayerSeconds={"c1": 9e-6, "p": 1e-7})
    doc["modes"].append(slow)
    rows = fit.collect([("b", doc)])
    text, result = fit.report(rows, doc["costCoefficients"], "avx2")
    assert "public static var fitted: KernelCoefficients {" in text and "eventGather: SIMD8(" in text
    assert result["ranking"]["layers"] == 1 and result["ranking"]["fitted"]["agree"] == 1
    assert all(v >= 0 for f in fit.FUNCTIONS for v in result["fitted"][f])
