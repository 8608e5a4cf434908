"""What a new user and a tester run into: a fetch that keeps its timeout, Ctrl-C, argument mistakes, imports that
race or cannot write, and one line with exit status 2 for every user-facing problem. Offline: the blackholed fetch
talks to a local listener on 127.0.0.1 that accepts and never answers, and stops by itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analysis import cli
from analysis.cache import Cache

from conftest import DATA_DIR, PROJECT_ROOT, snapshot



def _run(folder, argv, capsys):
    code = cli.main(["--data-dir", str(folder), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line(err):
    return err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


# --- a listener that never answers -----------------------------------------------------------------------------------
class Blackhole:
    """Accepts connections on 127.0.0.1 and never answers; stops by itself after ``lifetime`` seconds."""

    def __init__(self, lifetime: float = 30.0) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stop_at = time.monotonic() + lifetime
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while time.monotonic() < self.stop_at:
            try:
                conn, _ = self.sock.accept()
                self.accepted.append(conn)
            except OSError:
                continue
        self.close()

    def close(self) -> None:
        self.stop_at = 0
        for conn in self.accepted:
            conn.close()
        self.sock.close()

    def env(self) -> dict:
        proxy = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "all_proxy")}
        env.update(HTTPS_PROXY=proxy, HTTP_PROXY=proxy, https_proxy=proxy, http_proxy=proxy)
        return env


@pytest.fixture
def blackhole():
    hole = Blackhole()
    yield hole
    hole.close()


def _fetch_process(hole, folder, tickers, timeout):
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "--data-dir", str(folder), "fetch", *tickers, "--start", "2025-01-06",
         "--end", "2025-01-08", "--timeout", str(timeout), "--no-progress"],
        env=hole.env(), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("tickers", [["NVDA"], ["NVDA", "AMD"]])
def test_fetch_timeout_bounds_the_whole_work_of_each_ticker(blackhole, data_copy, tickers):
    before = snapshot(data_copy)
    timeout = 2.0
    started = time.monotonic()
    process = _fetch_process(blackhole, data_copy, tickers, timeout)
    out, err = process.communicate(timeout=60)
    elapsed = time.monotonic() - started
    assert blackhole.accepted, "the fetch never reached the local listener"
    # the interpreter and pandas take a few seconds to start on a busy machine; yfinance alone would take minutes
    assert elapsed < len(tickers) * timeout + 6, elapsed
    assert process.returncode == 2
    assert err.count("\n") == len(tickers) and all(line.startswith("error: ") for line in err.splitlines()), err
    assert "did not answer" in err and "Traceback" not in err
    assert snapshot(data_copy) == before


def test_ctrl_c_stops_a_fetch_within_a_second(blackhole, data_copy):
    before = snapshot(data_copy)
    process = _fetch_process(blackhole, data_copy, ["NVDA"], 60)
    deadline = time.monotonic() + 30
    while not blackhole.accepted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert blackhole.accepted, "the fetch never reached the local listener"
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert time.monotonic() - sent < 1.0
    assert process.returncode == 130
    assert err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err, err
    assert snapshot(data_copy) == before


# --- fetch arguments, checked before any request -----------------------------------------------------------------------
@pytest.mark.parametrize("start, end, extra, message", [
    ("2025-01-10", "2025-01-06", [], "ends before it starts"),
    ("2025-01-04", "2025-01-05", [], "no XNYS session"),
    ("2025-01-06", "2099-01-02", [], "is in the future"),
    ("2099-01-02", "2099-01-05", [], "is in the future"),
    ("2025-01-06", "2025-01-08", ["--timeout", "0"], "not a positive number of seconds"),
    ("2025-01-06", "2025-01-08", ["--timeout", "-3"], "not a positive number of seconds"),
    ("yesterday", "2025-01-08", [], "not a date"),
    ("2025-01-06T10:00", "2025-01-08", [], "not a date"),
])
def test_fetch_arguments_are_checked_before_any_request(data_copy, capsys, monkeypatch, start, end, extra, message):
    import analysis.market_data as md

    def no_request(*args, **kwargs):
        raise AssertionError("a request was made before the arguments were checked")

    monkeypatch.setattr(md, "_with_deadline", no_request)
    before = snapshot(data_copy)
    code, out, err = _run(data_copy, ["fetch", "NVDA", "--start", start, "--end", end, *extra], capsys)
    assert code == 2 and _one_line(err) and message in err, err
    assert snapshot(data_copy) == before


def test_a_failed_fetch_prints_one_line_and_exits_2(data_copy, capsys, monkeypatch):
    import analysis.market_data as md
    from fake_yfinance import FakeTicker

    class YFPricesMissingError(Exception):
        pass

    monkeypatch.setattr(md, "_yfinance_ticker", lambda symbol: FakeTicker(error=YFPricesMissingError(
        f"{symbol}: possibly delisted; no price data found")))
    code, out, err = _run(data_copy, ["fetch", "NVDA", "--start", "2025-01-06", "--end", "2025-01-08"], capsys)
    assert code == 2 and _one_line(err) and "no prices for NVDA" in err, err


def test_yfinance_log_lines_are_silenced():
    import logging

    import analysis.market_data as md

    md._load_yfinance()
    logger = logging.getLogger("yfinance")
    assert not logger.isEnabledFor(logging.CRITICAL) and not logger.propagate


# --- study and figures arguments ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("tickers", ["NVDA,NVDA", "NVDA,nvda", "nvda, NVDA"])
def test_duplicate_tickers_are_merged_with_a_note(tickers, capsys):
    assert cli.main(["study", "--json", "--tickers", tickers]) == 0
    captured = capsys.readouterr()
    assert list(json.loads(captured.out)["firms"]) == ["NVDA"]
    assert "note: duplicate tickers merged: NVDA" in captured.err and "Traceback" not in captured.err


def test_empty_tickers_is_an_error(capsys):
    assert cli.main(["study", "--tickers", ""]) == 2
    assert _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("make_out", [lambda tmp: Path("/etc/passwd"), lambda tmp: tmp / "afile" / "x",
                                      lambda tmp: tmp / "afile"])
def test_figures_out_that_cannot_be_a_folder(tmp_path, capsys, make_out):
    (tmp_path / "afile").write_text("a file")
    assert cli.main(["figures", "--out", str(make_out(tmp_path)), "--only", "event_path"]) == 2
    err = capsys.readouterr().err
    assert _one_line(err) and "not a folder" in err


@pytest.mark.parametrize("argv, message", [
    (["study", "--benchmark", "BTC-USD"], "cannot be the market proxy"),
    (["study", "--benchmark", "gspc"], "--benchmark ^GSPC"),
    (["groups", "--benchmark", "gspc"], "--benchmark ^GSPC"),
])
def test_argument_mistakes_are_one_line(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert _one_line(err) and message in err, err


@pytest.mark.parametrize("model", ["ff3", "constant-mean"])
def test_a_benchmark_the_model_does_not_use_is_not_silently_ignored(model, capsys):
    assert cli.main(["study", "--json", "--model", model, "--benchmark", "RSP", "--tickers", "NVDA"]) == 0
    assert "uses no benchmark; --benchmark RSP is not used" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["study", "--event", "2025-01-27T10:00"], ["moves", "--event", "yesterday"]])
def test_an_event_that_is_not_a_plain_date_is_refused(argv, capsys):
    with pytest.raises(SystemExit) as exited:  # argparse: usage and one error line, exit 2, no traceback
        cli.main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "is not a date" in err and "Traceback" not in err


def test_every_option_has_help():
    parser = cli.build_parser()
    missing = []
    for action in parser._subparsers._group_actions[0].choices.items():
        name, sub = action
        parsers = [sub]
        if sub._subparsers is not None:
            parsers = list(sub._subparsers._group_actions[0].choices.values())
        for p in parsers:
            for option in p._actions:
                if option.help is None and option.dest != "help":
                    missing.append(f"{name} {option.dest}")
    assert missing == []


def test_ctrl_c_is_one_line_and_130(capsys, monkeypatch):
    def stop(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_moves", stop)
    parser_func = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_func(parser_func(), "moves", stop))
    assert cli.main(["moves"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err


def _with_func(parser, command, func):
    parser._subparsers._group_actions[0].choices[command].set_defaults(func=func)
    return parser


# --- imports --------------------------------------------------------------------------------------------------------
@pytest.fixture
def source(tmp_path):
    """A market-data folder built from the committed cache (daily/ without the carets' underscores, factors/)."""
    root = tmp_path / "market-data"
    (root / "daily").mkdir(parents=True)
    for path in sorted((DATA_DIR / "1d").glob("*.csv")):
        shutil.copy(path, root / "daily" / path.name.lstrip("_"))
    (root / "factors").mkdir()
    shutil.copy(DATA_DIR / "factors" / "FF3_daily.csv", root / "factors" / "FF3_daily.csv")
    return root


def _import(folder, source, umask=None):
    return subprocess.run([sys.executable, "-m", "analysis", "--data-dir", str(folder), "cache", "import",
                           str(source)], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def test_two_imports_at_once_both_succeed(tmp_path, source):
    for attempt in range(3):
        target = tmp_path / f"data{attempt}"
        processes = [subprocess.Popen([sys.executable, "-m", "analysis", "--data-dir", str(target), "cache",
                                       "import", str(source)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.communicate(timeout=300)[1], p.returncode) for p in processes]
        results = [(code, err) for err, code in results]
        assert all(code == 0 for code, _ in results), results
        assert Cache(target).verify() == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_imported_files_honour_the_umask(tmp_path, source, umask, mode):
    target = tmp_path / "data"
    assert _import(target, source, umask).returncode == 0
    files = [target / "manifest.json", target / "1d" / "NVDA.csv", target / "factors" / "FF3_daily.csv"]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(mode)}


def test_reimporting_identical_data_changes_nothing(tmp_path, source):
    target = tmp_path / "data"
    assert _import(target, source).returncode == 0
    manifest = (target / "manifest.json").read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in target.rglob("*.csv")}
    time.sleep(1.1)  # written_at has a resolution of one second
    result = _import(target, source)
    assert result.returncode == 0 and "unchanged" in result.stdout
    assert (target / "manifest.json").read_bytes() == manifest
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*.csv")} == stamps


def test_import_into_a_read_only_folder_is_one_line(data_copy, source, capsys, monkeypatch):
    before = snapshot(data_copy)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == data_copy else True)
    code, out, err = _run(data_copy, ["cache", "import", str(source)], capsys)
    assert code == 2 and _one_line(err) and "read-only" in err, err
    assert snapshot(data_copy) == before


def test_a_write_refused_by_the_system_is_one_line(data_copy, source, capsys, monkeypatch):
    import tempfile

    (data_copy / "1d" / "NVDA.csv").write_bytes((data_copy / "1d" / "NVDA.csv").read_bytes()[:-100])
    before = snapshot(data_copy)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir", "?")))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, out, err = _run(data_copy, ["cache", "import", str(source)], capsys)
    assert code == 2 and _one_line(err) and "Permission denied" in err, err
    assert snapshot(data_copy) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_import_into_a_truly_read_only_folder(data_copy, source):
    mode = data_copy.stat().st_mode
    data_copy.chmod(0o555)
    try:
        result = _import(data_copy, source)
    finally:
        data_copy.chmod(mode)
    assert result.returncode == 2 and _one_line(result.stderr)


# --- small groups, single firms, and how tables print -------------------------------------------------------------------
def test_groups_say_what_a_two_firm_group_cannot_compute(capsys):
    assert cli.main(["groups"]) == 0
    out = capsys.readouterr().out
    power = [line for line in out.splitlines() if line.strip().startswith("power ")]
    assert len(power) == 3 and all(" n/a " in line for line in power), power
    assert "-293" not in out and "note: power has N = 2 firms: KP-BMP t needs at least 3" in out


def test_a_one_firm_study_prints_no_group_statistics(capsys):
    assert cli.main(["study", "--tickers", "NVDA"]) == 0
    out = capsys.readouterr().out
    assert "1 firms" not in out and "nan" not in out and "generalized sign z" not in out
    assert "Group: one firm (NVDA)" in out and "not computed" in out


@pytest.mark.parametrize("argv", [["study"], ["groups"], ["moves"]])
def test_printed_tables_use_words_and_one_p_value_format(argv, capsys):
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    for raw in ("return_pct", "kp_bmp_t", "portfolio_t", "grank_t", "wald_p", "close_pct", "n_estimation",
                "0.0000", "a XNYS"):
        assert raw not in out, raw
    if argv != ["moves"]:
        assert "<0.0001" in out
