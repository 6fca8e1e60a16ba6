"""`make run` and `make shell`: the assistant on this machine, on the embedded defaults.

Starts the action server and the Rasa server (SQLite conversations, in-memory locks), or
`rasa shell` with "shell". The API token is RASA_API_TOKEN, or one made for this run and
printed. Ctrl-C stops both servers.

Run: python -m bot.production.local [shell]
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List, Mapping, Optional

from bot.production.endpoints import write_local_endpoints
from bot.production.server_command import (
    ServerCommand,
    action_server_command,
    credentials_file,
    rasa_server_command,
    rasa_shell_command,
)
from bot.shared.project import project_dir

READY_POLL_SECONDS = 1.0


def start(command: ServerCommand, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(command.argv, env=command.env, cwd=project_dir(), **kwargs)


def is_ready(port: int, token: str) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://localhost:{port}/status?token={token}", timeout=2
        ) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def ready_message(port: int, token: str) -> str:
    return f"""
The assistant is ready.
  Try the chat widget in a browser:  http://localhost:{port}/webhooks/widget/demo
  Talk to it:  curl -s -XPOST http://localhost:{port}/webhooks/rest/webhook \\
                 -H 'Content-Type: application/json' -d '{{"sender": "me", "message": "hi"}}'
  HTTP API:    http://localhost:{port}/  (token: ?token={token})
  Stop:        Ctrl-C
"""


def stop(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def run(mode: str, environ: Mapping[str, str]) -> int:
    environ = dict(environ)
    rasa_port = int(environ.get("RASA_PORT", "5005"))
    action_port = int(environ.get("ACTION_PORT", "5055"))
    if not environ.get("RASA_API_TOKEN"):
        environ["RASA_API_TOKEN"] = secrets.token_urlsafe(24)
        print(f"RASA_API_TOKEN was not set; this run's API token is: {environ['RASA_API_TOKEN']}")
    token = environ["RASA_API_TOKEN"]
    with tempfile.TemporaryDirectory(prefix="cryo-run-") as tmp:
        endpoints = write_local_endpoints(Path(tmp) / "endpoints.yml", action_port)
        processes = [
            start(
                action_server_command(port=action_port, environ=environ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ]
        try:
            if mode == "shell":
                return start(rasa_shell_command(endpoints=endpoints, environ=environ)).wait()
            server = start(
                rasa_server_command(
                    endpoints=endpoints,
                    port=rasa_port,
                    token=token,
                    credentials=credentials_file(environ, Path(tmp)),
                    environ=environ,
                )
            )
            processes.append(server)
            while not is_ready(rasa_port, token):
                if server.poll() is not None:
                    print("The Rasa server stopped; see the messages above.", file=sys.stderr)
                    return 1
                time.sleep(READY_POLL_SECONDS)
            print(ready_message(rasa_port, token), flush=True)
            return server.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            stop(processes)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return run(argv[0] if argv else "server", os.environ)


if __name__ == "__main__":
    sys.exit(main())
