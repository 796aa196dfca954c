"""Shared fixtures: the release `joule` and `packmodel` binaries and watch-net packed once."""
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="session")
def bin_dir():
    path = os.environ.get("JOULE_BIN") or subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
        text=True).stdout.strip()
    path = os.path.abspath(path)
    for tool in ("joule", "packmodel"):
        if not os.access(os.path.join(path, tool), os.X_OK):
            pytest.fail(f"{path}/{tool} is missing: run swift build -c release first")
    return path


@pytest.fixture(scope="session")
def watch_net(bin_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "watch-net.jmod"
    subprocess.run([os.path.join(bin_dir, "packmodel"), os.path.join(ROOT, "Models", "watch-net.json"), "-o", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    return str(out)


@pytest.fixture(scope="session")
def joule(bin_dir):
    """Runs `joule ARGS` in the repository root; returns stdout (fails the test on a non-zero exit)."""
    def run(*args):
        r = subprocess.run([os.path.join(bin_dir, "joule"), *args], cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0, f"joule {' '.join(args)} exited {r.returncode}: {r.stderr}"
        return r.stdout
    return run
