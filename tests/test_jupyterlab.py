"""JupyterLab, for real: start ``jupyter lab`` on 127.0.0.1 with a token, open every notebook through the REST API,
start a kernel for it (a session), check over its websocket that it answers, stop it cleanly, and shut the server
down.

Every wait is bounded. The server reads the project's notebooks and writes nothing into the project: its runtime,
config, data, workspace and settings folders are temporary.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from analysis.notebooks import NOTEBOOKS, _root

pytestmark = pytest.mark.slow

START_TIMEOUT = 90.0
KERNEL_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A ``jupyter lab`` process and a tiny REST client for it."""

    def __init__(self, root_dir: Path, tmp: Path, settings: dict[str, dict] | None = None) -> None:
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.root_dir = root_dir
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "jupyter-lab.log"
        settings_dir = tmp / "user-settings"
        for plugin, values in (settings or {}).items():
            package, name = plugin.split(":")
            target = settings_dir / package / f"{name}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = dict(os.environ)
        for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "MPLBACKEND"):
            env.pop(key, None)
        env.update({
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "JUPYTER_CONFIG_DIR": str(tmp / "config"),
            "JUPYTER_DATA_DIR": str(tmp / "data"),
            "IPYTHONDIR": str(tmp / "ipython"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        })
        self.command = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
            f"--port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root_dir}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
            f"--LabApp.user_settings_dir={settings_dir}", "--ServerApp.open_browser=False",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        cwd=str(root_dir))

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 30.0):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            payload = response.read()
            return response.status, (json.loads(payload) if payload else None)

    def wait_until_up(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyter lab exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = self.request("GET", "/api/status", timeout=5)
                if status == 200:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise AssertionError(f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def shutdown(self, timeout: float = 30.0) -> int:
        """POST /api/shutdown, then wait for the process to end (terminate, then kill, if it does not)."""
        if self.process.poll() is None:
            try:
                self.request("POST", "/api/shutdown", timeout=10)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        self.log.close()
        return self.process.returncode


def ask_kernel(lab: LabServer, kernel_id: str, code: str, timeout: float = KERNEL_TIMEOUT) -> tuple[dict, str]:
    """Over the kernel's websocket: a kernel_info request (the kernel is alive when it answers), then ``code``;
    returns the kernel_info reply's content and what the code printed."""
    import asyncio
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    def message(msg_type: str, content: dict) -> str:
        return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test",
                                      "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                           "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
                           "buffers": []})

    async def talk() -> tuple[dict, str]:
        request = HTTPRequest(f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels",
                              headers={"Authorization": f"token {lab.token}"})
        connection = await asyncio.wait_for(websocket_connect(request), timeout)
        try:
            info_request = message("kernel_info_request", {})
            await connection.write_message(info_request)
            info_id = json.loads(info_request)["header"]["msg_id"]
            info = None
            printed, execute_id, replied, idle = [], None, False, False
            while not (replied and idle):  # outputs come on iopub before its "idle"; the reply on shell
                raw = await asyncio.wait_for(connection.read_message(), timeout)
                assert raw is not None, "the kernel's websocket closed"
                msg = json.loads(raw)
                parent = msg.get("parent_header", {}).get("msg_id")
                kind = msg.get("msg_type") or msg["header"]["msg_type"]
                if kind == "kernel_info_reply" and parent == info_id and info is None:
                    info = msg["content"]
                    execute = message("execute_request", {"code": code, "silent": False, "store_history": False,
                                                          "user_expressions": {}, "allow_stdin": False})
                    execute_id = json.loads(execute)["header"]["msg_id"]
                    await connection.write_message(execute)
                elif parent == execute_id and kind == "stream":
                    printed.append(msg["content"]["text"])
                elif parent == execute_id and kind == "error":
                    raise AssertionError(f"{msg['content']['ename']}: {msg['content']['evalue']}")
                elif parent == execute_id and kind == "execute_reply":
                    replied = True
                elif parent == execute_id and kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
            return info, "".join(printed)
        finally:
            connection.close()
            try:  # wait for the close handshake, so that no socket is left for the garbage collector
                while await asyncio.wait_for(connection.read_message(), 5) is not None:
                    pass
            except asyncio.TimeoutError:
                pass

    return asyncio.run(talk())


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = LabServer(_root(), tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.wait_until_up()
        yield server
    finally:
        server.shutdown()


def test_the_lab_page_is_served_and_needs_the_token(lab):
    status, info = lab.request("GET", "/api/status")
    assert status == 200 and "kernels" in info
    with urllib.request.urlopen(f"{lab.url}/lab?token={lab.token}", timeout=30) as response:
        assert response.status == 200 and b"JupyterLab" in response.read()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{lab.url}/api/contents/notebooks", timeout=30)
    refused.value.close()
    assert refused.value.code == 403


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_opens_and_its_kernel_starts_and_stops(lab, name):
    path = f"notebooks/{name}.ipynb"
    status, model = lab.request("GET", f"/api/contents/{path}?type=notebook&content=1")
    assert status == 200 and model["type"] == "notebook"
    content = model["content"]
    assert content["metadata"]["kernelspec"]["name"] == "python3"
    assert any("parameters" in cell["metadata"].get("tags", []) for cell in content["cells"])
    assert all(not cell.get("outputs") for cell in content["cells"] if cell["cell_type"] == "code")

    status, session = lab.request("POST", "/api/sessions", {"path": path, "type": "notebook", "name": f"{name}.ipynb",
                                                            "kernel": {"name": "python3"}})
    assert status == 201, session
    kernel_id = session["kernel"]["id"]
    try:
        info, printed = ask_kernel(lab, kernel_id, "import analysis.config as c; print(c.find_project_root())")
        assert info["status"] == "ok" and info["language_info"]["name"] == "python"
        assert printed.strip() == str(_root()), "the kernel does not find the project root"
        _, kernel = lab.request("GET", f"/api/kernels/{kernel_id}")
        assert kernel["execution_state"] in ("idle", "busy")
        _, sessions = lab.request("GET", "/api/sessions")
        assert session["id"] in {s["id"] for s in sessions}
    finally:
        status, _ = lab.request("DELETE", f"/api/sessions/{session['id']}")
    assert status == 204
    _, kernels = lab.request("GET", "/api/kernels")
    assert kernel_id not in {k["id"] for k in kernels}, "the kernel was not stopped with its session"


def test_paired_script_opens_as_a_notebook(lab):
    """jupytext's contents manager serves the py:percent script as a notebook with the same cells."""
    _, from_script = lab.request("GET", "/api/contents/notebooks/01_data.py?type=notebook&content=1")
    _, from_ipynb = lab.request("GET", "/api/contents/notebooks/01_data.ipynb?type=notebook&content=1")
    cells = [(c["cell_type"], c["source"]) for c in from_script["content"]["cells"]]
    assert cells == [(c["cell_type"], c["source"]) for c in from_ipynb["content"]["cells"]]


def test_server_shuts_down_cleanly(tmp_path):
    server = LabServer(_root(), tmp_path)
    try:
        server.wait_until_up()
        _, session = server.request("POST", "/api/sessions", {"path": "notebooks/02_claims_vs_market.ipynb",
                                                              "type": "notebook", "name": "02",
                                                              "kernel": {"name": "python3"}})
    finally:
        code = server.shutdown()
    assert code == 0, server.log_path.read_text()[-3000:]
    assert not any((tmp_path / "runtime").glob("kernel-*.json")), "a kernel connection file was left behind"
