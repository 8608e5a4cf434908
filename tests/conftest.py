"""Shared fixtures. Tests never touch the network: yfinance is replaced by stand-ins (see ``fake_yfinance``)."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # plain unit tests only; notebooks are executed with their inline backend

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def real_cache():
    """The committed cache in data/ (read-only use)."""
    from analysis.cache import Cache

    return Cache(DATA_DIR)


@pytest.fixture
def tmp_cache(tmp_path):
    """A writable copy of the committed cache, in a temporary folder."""
    from analysis.cache import Cache

    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns(".*.tmp", ".*.bak"))
    return Cache(target)


@pytest.fixture(autouse=True)
def _no_yfinance_network(monkeypatch, tmp_path_factory):
    """Make any accidental real yfinance call fail loudly instead of reaching the network."""
    import analysis.market_data as md

    def refuse(symbol):
        raise AssertionError(f"a test tried to reach Yahoo Finance for {symbol}; pass a stand-in ticker_factory")

    monkeypatch.setattr(md, "_yfinance_ticker", refuse)


#: Anything that would reach the network fails fast in the kernels the main job starts.
OFFLINE_ENV = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "ALL_PROXY":
               "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
               "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture(scope="session")
def main_job(tmp_path_factory):
    """``run_main_job`` once, into a temporary folder, with the network made unreachable for the kernels."""
    tmp = tmp_path_factory.mktemp("main-job")
    saved = {key: os.environ.get(key) for key in OFFLINE_ENV}
    os.environ.update(OFFLINE_ENV)
    stream = io.StringIO()
    try:
        from analysis.events import flagship
        from analysis.runner import run_main_job

        result = run_main_job(flagship(), tmp / "build", tmp / "figures", stream=stream)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"result": result, "build": tmp / "build", "figures": tmp / "figures", "output": stream.getvalue()}


#: Files the cache keeps for itself (its lock, the record of verified files): not data, left out of snapshots.
BOOKKEEPING = (".lock", ".verified.json")


def snapshot(folder):
    """Every data file below ``folder`` with its bytes, to prove that a command changed nothing."""
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in BOOKKEEPING}


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of data/ (without bookkeeping files), for fault injection."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns(".*.tmp", ".*.bak", *BOOKKEEPING))
    return target
