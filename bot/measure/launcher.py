"""Starts a trained assistant (Rasa and action servers) on free ports, for tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests

from bot.channels.credentials import write_credentials
from bot.production.endpoints import write_local_endpoints
from bot.production.server_command import DEFAULT_MODEL as DEFAULT_MODEL_PATH
from bot.production.server_command import (
    ServerCommand,
    action_server_command,
    rasa_server_command,
)
from bot.shared.project import SOURCE_ROOT

ROOT = SOURCE_ROOT
DEFAULT_MODEL = ROOT / DEFAULT_MODEL_PATH


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(command: ServerCommand, root: Path, log: Path, mode: str = "w") -> subprocess.Popen:
    """A server process writing to `log` (mode "a" adds to it, for a restart)."""
    return subprocess.Popen(
        command.argv, cwd=root, env=command.env, stdout=open(log, mode), stderr=subprocess.STDOUT
    )


def wait_for_action_server(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://localhost:{port}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("The action server did not become ready in time.")


@dataclass
class RunningAssistant:
    url: str
    token: str
    processes: List[subprocess.Popen]
    seconds_to_ready: float = 0.0
    workdir: Optional[Path] = None  # holds endpoints.yml and the SQLite tracker store
    # How the action server was started, to start it again after actions_stopped().
    action_command: Optional[ServerCommand] = None
    action_port: int = 0
    root: Path = ROOT

    @property
    def server_pid(self) -> int:
        return self.processes[0].pid

    def say(self, sender: str, message: Any) -> List[Dict[str, Any]]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, message: Any) -> List[str]:
        return [m.get("text", "") for m in self.say(sender, message)]

    def parse(self, text: str) -> Dict[str, Any]:
        """What the NLU makes of a text (`/model/parse`), shaped like Agent.parse_message."""
        response = requests.post(
            f"{self.url}/model/parse", params={"token": self.token}, json={"text": text}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    @contextmanager
    def actions_stopped(self) -> Iterator[None]:
        """The action server stopped for a while (a fault to answer), then started again."""
        actions = self.processes[1]
        actions.terminate()
        actions.wait(timeout=20)
        try:
            yield
        finally:
            log = Path(self.workdir or ".") / "logs" / "actions.log"
            self.processes[1] = spawn(self.action_command, self.root, log, mode="a")
            wait_for_action_server(self.action_port)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def start_assistant(
    workdir: Path,
    model: Path = DEFAULT_MODEL,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 300.0,
    root: Path = ROOT,
    rasa_entry: Optional[List[str]] = None,
    actions_package: str = "actions",
) -> RunningAssistant:
    """Action server and Rasa server on free ports, with a fresh SQLite tracker store in workdir.

    The commands are the ones `make run` and production use (bot.production.server_command).
    The channels are those credentials.yml and the environment (`env`) switch on. `root` is the
    project to run (a copy's own bot/ and actions/ come first on the import path).
    """
    started = time.monotonic()
    rasa_port, action_port = free_port(), free_port()
    token = "test-token"
    environ = {**os.environ, **(env or {})}
    if root != ROOT:
        environ["PYTHONPATH"] = str(root)
        environ["CRYO_PROJECT_DIR"] = str(root)
    endpoints = write_local_endpoints(
        workdir / "endpoints.yml", action_port, workdir / "tracker.db"
    )
    credentials = write_credentials(workdir / "credentials.yml", environ)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    action_command = action_server_command(
        port=action_port, environ=environ, package=actions_package
    )
    processes = [
        spawn(
            rasa_server_command(
                endpoints=endpoints,
                credentials=credentials,
                port=rasa_port,
                token=token,
                environ=environ,
                model=model,
                entry=rasa_entry,
            ),
            root,
            logs / "rasa.log",
        ),
        spawn(action_command, root, logs / "actions.log"),
    ]
    server = processes[0]
    running = RunningAssistant(
        f"http://localhost:{rasa_port}",
        token,
        processes,
        workdir=workdir,
        action_command=action_command,
        action_port=action_port,
        root=root,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            running.stop()
            raise RuntimeError(f"Rasa server exited: {(logs / 'rasa.log').read_text()[-3000:]}")
        try:
            ready = requests.get(f"{running.url}/status", params={"token": token}, timeout=2)
            actions_ready = requests.get(f"http://localhost:{action_port}/health", timeout=2)
            if ready.status_code == 200 and ready.json().get("model_id") and actions_ready.ok:
                running.seconds_to_ready = time.monotonic() - started
                return running
        except requests.RequestException:
            pass
        time.sleep(0.5)
    running.stop()
    raise RuntimeError("The assistant did not become ready in time.")
