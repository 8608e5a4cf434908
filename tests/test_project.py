"""Project-level guards: seeds unchanged, environment.yml in step with pyproject.toml, one yfinance importer,
data/ holding real market data only, and the README's commands."""

from __future__ import annotations

import ast
import hashlib
import re
import tomllib

import pytest

SEED_SHA256 = {
    "000_ff3231606969c270.txt": "d091d97b4f2879ca22246713c6ba3ddba14cdf72e17e6148c45e851edcbf4aaf",
    "001_23e0f1237aee4439.txt": "670f467e310e293fb7599211e8dc0f9b2d81645c06afa1c3b7a565d761264c1a",
    "002_244939996ee0344e.txt": "297aab0517c1480de8c02eae9380bdaf470ef31cc9892fc688ccf01fef78cda7",
    "003_483dd4a77c085c7b.txt": "8f37c6de95eb13e8e5ab42051de1defdea6f5ca57a15d054c5e726a1361bec79",
    "004_ed0e823291b80614.txt": "3d78d331558534320692060cccc6484e036c2fbf7615e4afe5c03033fff99dd9",
}


def test_seeds_are_byte_for_byte_copies(project_root):
    seeds = project_root / "seeds"
    assert sorted(p.name for p in seeds.glob("*.txt")) == sorted(SEED_SHA256)
    for name, digest in SEED_SHA256.items():
        assert hashlib.sha256((seeds / name).read_bytes()).hexdigest() == digest, name
    readme = (seeds / "README.md").read_text()
    for name, digest in SEED_SHA256.items():
        assert f"{digest}  {name}" in readme and f"`{name}`" in readme


def _requirement(text: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9][0-9.]*)?", text)
    assert match, text
    name = match.group(1).lower().replace("_", "-")
    return name, (match.group(2) or "").replace(" ", "")


def test_environment_yml_agrees_with_pyproject(project_root):
    pyproject = tomllib.loads((project_root / "pyproject.toml").read_text())
    declared = dict(_requirement(r) for r in pyproject["project"]["dependencies"])
    conda = {}
    in_deps = False
    for line in (project_root / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        item = re.match(r"^  - (?!pip:)([^#]+)$", line)
        if in_deps and item and item.group(1).strip() != "pip":
            name, bound = _requirement(item.group(1))
            conda[name] = bound
    python = conda.pop("python")
    assert python == ">=" + pyproject["project"]["requires-python"].lstrip(">=")
    assert conda == declared, "environment.yml and pyproject.toml list different packages or lower bounds"


def test_exactly_one_module_imports_yfinance(project_root):
    importers = []
    for path in sorted((project_root / "analysis").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "yfinance" or n.startswith("yfinance.") for n in names):
                importers.append(path.name)
    assert sorted(set(importers)) == ["market_data.py"]


def test_data_holds_real_market_data_only(project_root, real_cache):
    data = project_root / "data"
    for path in data.rglob("*"):
        assert not re.search(r"synthetic|fake|dummy|sample|random", path.name, re.I), path
    listed = set(real_cache.manifest())
    for path in (data / "1d").glob("*.csv"):
        assert f"1d/{path.name}" in listed, f"{path} is not in the manifest"


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_readme_gives_the_two_commands(project_root, command):
    assert command in (project_root / "README.md").read_text()


def test_ci_runs_the_readme_test_command(project_root):
    script = (project_root / ".ci" / "run").read_text()
    assert "make test" in script


def test_readme_claims_table_is_what_the_cli_prints(project_root):
    """The README shows the claims table; a change of data or verdict logic must update it."""
    from analysis.claims import check_claims

    readme = (project_root / "README.md").read_text()
    block = readme.split("<code>python -m analysis claims</code> prints it</summary>\n\n```\n", 1)[1].split("\n```", 1)[0]
    assert block == check_claims().table().rstrip()


def test_no_event_is_pinned_in_the_package(project_root):
    """The flagship lives in events/ and data/: no string or number of the package (docstrings aside) names its date,
    DeepSeek, or the reported figures."""
    import ast

    hits = []
    for path in sorted((project_root / "analysis").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and id(node) not in docstrings:
                if isinstance(node.value, str) and re.search(r"2025-01-2[047]|DeepSeek|\b589\b|\b593\b", node.value):
                    hits.append(f"{path.name}:{node.lineno}")
                elif node.value in (589e9, 593e9):
                    hits.append(f"{path.name}:{node.lineno}")
    assert not hits, f"event facts pinned in analysis/: {hits}; they belong in an event file"
