"""The HTML report: built from `joule compare --json`, self-contained, refuses bad input."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(__file__)
REPORT = os.path.join(HERE, "..", "..", "Tools", "report", "report.py")


def run_report(*args):
    return subprocess.run([sys.executable, REPORT, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def compare_json(joule, watch_net, tmp_path_factory):
    path = tmp_path_factory.mktemp("compare") / "compare.json"
    joule("compare", watch_net, "--images", "100", "--no-streaming", "--json", str(path))
    return path


def test_report_is_self_contained(compare_json, tmp_path):
    out = tmp_path / "report.html"
    r = run_report(str(compare_json), "-o", str(out))
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    doc = json.loads(compare_json.read_text())
    assert page.count('<figure class="chart"') == 5 and 'data-charts="5"' in page
    for name in ("energy-per-board", "layer-activity", "energy-breakdown", "breakeven", "battery"):
        assert f'data-chart="{name}"' in page
    for b in doc["boards"]:
        assert b["board"] in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "<script" not in page and "<link" not in page


def test_report_with_sweep(joule, watch_net, compare_json, tmp_path):
    sweep = tmp_path / "sweep.json"
    joule("sweep-t", watch_net, "--t-min", "1", "--t-max", "3", "--limit", "50", "--svg", str(tmp_path / "s.svg"),
          "--json", str(sweep))
    out = tmp_path / "r.html"
    r = run_report(str(compare_json), "--sweep", str(sweep), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert 'data-chart="sweep-t"' in out.read_text() and 'data-charts="6"' in out.read_text()


def test_report_refuses_to_overwrite_its_input(compare_json):
    before = compare_json.read_bytes()
    r = run_report(str(compare_json), "-o", str(compare_json))
    assert r.returncode == 1 and "refusing to overwrite" in r.stderr
    assert compare_json.read_bytes() == before


def test_report_names_file_line_and_column_of_bad_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format": "joule-compare",\n  "formatVersion": 1,,\n}\n')
    r = run_report(str(bad), "-o", str(tmp_path / "r.html"))
    assert r.returncode == 1
    assert f"{bad}: not valid JSON: line 3, column" in r.stderr
    assert not (tmp_path / "r.html").exists()


def test_report_refuses_another_format(tmp_path):
    other = tmp_path / "eval.json"
    other.write_text(json.dumps({"format": "joule-eval", "formatVersion": 1}))
    r = run_report(str(other), "-o", str(tmp_path / "r.html"))
    assert r.returncode == 1 and "expected 'joule-compare'" in r.stderr
