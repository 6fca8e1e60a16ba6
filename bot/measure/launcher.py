"""Starts a trained assistant (Rasa server + action server) on free ports, for tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningAssistant:
    url: str
    token: str
    processes: List[subprocess.Popen]
    seconds_to_ready: float = 0.0
    workdir: Optional[Path] = None  # holds endpoints.yml and the SQLite tracker store

    @property
    def server_pid(self) -> int:
        return self.processes[0].pid

    def say(self, sender: str, message: Any) -> List[Dict[str, Any]]:
        response = requests.post(f"{self.url}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": message}, timeout=60)
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, message: Any) -> List[str]:
        return [m.get("text", "") for m in self.say(sender, message)]

    async def parse(self, text: str) -> Dict[str, Any]:
        """What the NLU makes of a text (`/model/parse`), shaped like Agent.parse_message."""
        response = requests.post(f"{self.url}/model/parse", params={"token": self.token},
                                 json={"text": text}, timeout=30)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker",
                                params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def cors_arguments(environ: Dict[str, str]) -> List[str]:
    from bot.widget_channel import allowed_origins

    origins = allowed_origins(environ)
    return ["--cors", *origins] if origins else []


def start_assistant(workdir: Path, model: Path = DEFAULT_MODEL, env: Optional[Dict[str, str]] = None,
                    timeout: float = 300.0, rasa_command: Optional[List[str]] = None,
                    root: Path = ROOT) -> RunningAssistant:
    """Action server and Rasa server on free ports, with a fresh SQLite tracker store in workdir.

    The channels are those credentials.yml and the environment (`env`) switch on. `root` is the
    project to run (a copy's own bot/ and actions/ come first on the import path).
    """
    from bot.credentials import write_credentials

    started = time.monotonic()
    rasa_port, action_port = free_port(), free_port()
    token = "test-token"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://localhost:{action_port}/webhook"\n'
        f'tracker_store:\n  type: bot.tracker_store.StrictSQLTrackerStore\n  dialect: "sqlite"\n'
        f'  db: "{workdir / "tracker.db"}"\n'
    )
    environ = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
               "SANIC_REQUEST_MAX_SIZE": "1000000", **(env or {})}
    if root != ROOT:
        environ["PYTHONPATH"] = str(root)
    credentials = workdir / "credentials.yml"
    write_credentials(credentials, environ)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--port", str(action_port), "--actions", "actions"],
        cwd=root, env=environ, stdout=open(logs / "actions.log", "w"), stderr=subprocess.STDOUT)
    server = subprocess.Popen(
        [*(rasa_command or [str(BIN / "rasa")]), "run", "--model", str(model), "--endpoints", str(endpoints),
         "--credentials", str(credentials), "--port", str(rasa_port),
         "--enable-api", "--auth-token", token, *cors_arguments(environ)],
        cwd=root, env=environ, stdout=open(logs / "rasa.log", "w"), stderr=subprocess.STDOUT)
    running = RunningAssistant(f"http://localhost:{rasa_port}", token, [server, actions], workdir=workdir)
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
