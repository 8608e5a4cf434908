"""Fault injection: damage a copy of data/ in every way a file can be damaged, including edits whose sha256 is
updated in the manifest too, and check that every command refuses with one line and exit status 2, and that the
files are never changed by the attempt. Works on copies (``--data-dir``), never on the real data/."""

from __future__ import annotations

import json
import shutil

import pytest

from analysis import cli
from analysis.cache import Cache, sha256_of

from conftest import snapshot



def _rewrite(folder, relative, mutate, *, update_checksum=True):
    """Apply ``mutate`` to the lines of a file; with ``update_checksum``, record the new sha256 in the manifest, as
    a careless (or malicious) edit would."""
    path = folder / relative
    lines = path.read_text().splitlines()
    path.write_text("\n".join(mutate(lines)) + "\n")
    if update_checksum:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["files"][relative]["sha256"] = sha256_of(path)
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))


def _nvda_row(lines, date):
    return next(i for i, line in enumerate(lines) if line.startswith(date))


def _negative_close(lines):
    i = _nvda_row(lines, "2025-01-27")
    cells = lines[i].split(",")
    cells[4] = "-" + cells[4]
    return lines[:i] + [",".join(cells)] + lines[i + 1:]


def _broken_ohlc(lines):
    i = _nvda_row(lines, "2025-01-27")
    cells = lines[i].split(",")
    cells[2] = str(float(cells[3]) * 0.5)  # high below low
    return lines[:i] + [",".join(cells)] + lines[i + 1:]


def _drop_session(lines):
    i = _nvda_row(lines, "2025-01-24")
    return lines[:i] + lines[i + 1:]


def _duplicate_date(lines):
    i = _nvda_row(lines, "2025-01-27")
    return lines[:i + 1] + [lines[i]] + lines[i + 1:]


def _reorder(lines):
    i = _nvda_row(lines, "2025-01-27")
    return lines[:i - 1] + [lines[i], lines[i - 1]] + lines[i + 1:]


def _truncate(folder):
    path = folder / "1d" / "NVDA.csv"
    path.write_bytes(path.read_bytes()[:700])


def _garbage(folder):
    _rewrite(folder, "1d/NVDA.csv", lambda lines: lines[:3] + ["\x00\x01garbage,,,"] + lines[4:])


def _missing_manifest(folder):
    (folder / "manifest.json").unlink()


def _corrupt_manifest(folder):
    (folder / "manifest.json").write_text('{"files": [1, 2')


def _symlink_out(folder):
    outside = folder.parent / "elsewhere.csv"
    shutil.copy(folder / "1d" / "NVDA.csv", outside)
    (folder / "1d" / "NVDA.csv").unlink()
    (folder / "1d" / "NVDA.csv").symlink_to(outside)


def _factor_duplicate(folder):
    _rewrite(folder, "factors/FF3_daily.csv", lambda lines: lines[:10] + [lines[10]] + lines[10:])


FAULTS = {
    "truncated": _truncate,
    "garbage bytes, checksum updated": _garbage,
    "negative close, checksum updated": lambda f: _rewrite(f, "1d/NVDA.csv", _negative_close),
    "high below low, checksum updated": lambda f: _rewrite(f, "1d/NVDA.csv", _broken_ohlc),
    "deleted session, checksum updated": lambda f: _rewrite(f, "1d/NVDA.csv", _drop_session),
    "duplicated date, checksum updated": lambda f: _rewrite(f, "1d/NVDA.csv", _duplicate_date),
    "reordered rows, checksum updated": lambda f: _rewrite(f, "1d/NVDA.csv", _reorder),
    "missing manifest": _missing_manifest,
    "corrupt manifest": _corrupt_manifest,
    "symlink out of data/": _symlink_out,
}

COMMANDS = {
    "moves": ["moves"],
    "claims": ["claims"],
    "study": ["study", "--json"],
    "groups": ["groups", "--json"],
    "robustness": ["robustness", "--tickers", "NVDA", "--json"],
    "report": ["report", "--json"],
}


def _run(folder, argv, capsys):
    code = cli.main(["--data-dir", str(folder), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_error_line(err):
    lines = [line for line in err.splitlines() if not line.startswith("note: ")]
    return len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_damaged_data_with_one_line(data_copy, fault, command, capsys):
    FAULTS[fault](data_copy)
    before = snapshot(data_copy)
    code, out, err = _run(data_copy, COMMANDS[command], capsys)
    assert code == 2, (code, out[:300], err)
    assert _one_error_line(err), err
    assert "shared/market-data" not in err  # a hint names only what a user's clone has
    assert snapshot(data_copy) == before  # the attempt changed nothing


@pytest.mark.parametrize("fault", list(FAULTS))
def test_verify_lists_the_problem_and_exits_2(data_copy, fault, capsys):
    FAULTS[fault](data_copy)
    before = snapshot(data_copy)
    code, out, err = _run(data_copy, ["cache", "verify"], capsys)
    if fault == "missing manifest":  # nothing to list: the one rule, one line
        assert code == 2 and _one_error_line(err) and "holds no manifest.json" in err, err
    else:
        assert code == 2 and "FAIL " in out and "Traceback" not in err, (out, err)
    assert snapshot(data_copy) == before


def test_factor_file_edited_with_its_checksum_is_refused(data_copy, capsys):
    _factor_duplicate(data_copy)
    code, out, err = _run(data_copy, ["study", "--model", "ff3", "--tickers", "NVDA"], capsys)
    assert code == 2 and _one_error_line(err) and "duplicated date" in err, err


def test_negative_close_is_named(data_copy, capsys):
    _rewrite(data_copy, "1d/NVDA.csv", _negative_close)
    code, _, err = _run(data_copy, ["moves"], capsys)
    assert code == 2 and "1d/NVDA.csv fails the cache's checks" in err and "price <= 0" in err
    assert "git checkout -- data/1d/NVDA.csv" in err


def test_deleted_session_is_named(data_copy, capsys):
    _rewrite(data_copy, "1d/NVDA.csv", _drop_session)
    code, _, err = _run(data_copy, ["study", "--tickers", "GOOGL,NVDA"], capsys)
    assert code == 2 and "session(s) missing, first 2025-01-24" in err


def test_symlink_is_refused_with_the_right_advice_and_verify_lists_it_with_the_others(data_copy, capsys):
    _symlink_out(data_copy)
    code, _, err = _run(data_copy, ["moves"], capsys)
    assert code == 2 and "symbolic link" in err and "plain ticker symbol" not in err
    googl = data_copy / "1d" / "GOOGL.csv"
    googl.write_bytes(googl.read_bytes()[:500])
    code, out, _ = _run(data_copy, ["cache", "verify"], capsys)
    assert code == 2
    assert "FAIL 1d/NVDA.csv: 1d/NVDA.csv is a symbolic link" in out and "FAIL 1d/GOOGL.csv" in out


@pytest.mark.parametrize("command", list(COMMANDS) + ["cache list"])
def test_missing_manifest_is_one_rule_for_every_command(data_copy, command, capsys):
    _missing_manifest(data_copy)
    argv = command.split() if command == "cache list" else COMMANDS[command]
    code, out, err = _run(data_copy, argv, capsys)
    assert code == 2 and _one_error_line(err) and out == ""
    assert "holds no manifest.json" in err and "cache import" in err


def test_missing_manifest_of_the_project_says_restore_or_rebuild(data_copy, monkeypatch):
    import analysis.cache as cache_module

    _missing_manifest(data_copy)
    monkeypatch.setattr(cache_module, "default_data_dir", lambda: data_copy)
    with pytest.raises(cache_module.ManifestMissingError) as info:
        Cache().tickers()
    assert "git checkout data/manifest.json" in str(info.value) and "cache import" in str(info.value)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_empty_or_foreign_data_dir_is_an_error(tmp_path, command, capsys):
    (tmp_path / "notes.txt").write_text("not a cache")
    code, out, err = _run(tmp_path, COMMANDS[command], capsys)
    assert code == 2 and _one_error_line(err) and "no_data" not in out
    code, out, err = _run(tmp_path / "absent", COMMANDS[command], capsys)
    assert code == 2 and "does not exist" in err


def test_good_data_reads_the_same_with_and_without_the_record_of_checked_files(data_copy):
    first = Cache(data_copy).read("NVDA")
    again = Cache(data_copy).read("NVDA")
    import pandas as pd

    pd.testing.assert_frame_equal(first, again)


def test_an_edit_after_the_check_is_caught(data_copy):
    """A file remembered as checked, then edited (with its checksum), is checked again."""
    import os
    import time

    path = data_copy / "1d" / "NVDA.csv"
    old = time.time() - 60
    os.utime(path, (old, old))
    cache = Cache(data_copy)
    cache.read("NVDA")
    assert "1d/NVDA.csv" in json.loads((data_copy / ".verified.json").read_text())
    _rewrite(data_copy, "1d/NVDA.csv", _negative_close)
    os.utime(path, (old + 5, old + 5))  # even with an old mtime: the size and the checksum moved
    from analysis.errors import CacheCorruptError

    with pytest.raises(CacheCorruptError, match="price <= 0"):
        Cache(data_copy).read("NVDA")


@pytest.mark.parametrize("mutate, message", [
    (lambda lines: lines[:3] + [lines[2]] + lines[3:], "repeats"),
    (lambda lines: [lines[0], lines[1].replace(",645.62,", ",-645.62,", 1)] + lines[2:], "line 2"),
])
def test_intraday_bars_edited_with_their_checksum_are_refused(data_copy, mutate, message, capsys):
    _rewrite(data_copy, "1m/META.csv", mutate)
    before = snapshot(data_copy)
    code, out, err = _run(data_copy, ["intraday", "META", "--interval", "1m"], capsys)
    assert code == 2 and _one_error_line(err) and "1m/META.csv fails the cache's checks" in err, err
    assert message in err
    assert snapshot(data_copy) == before
