"""The one way the servers are started: their command lines and environment.

`make run` (bot.production.local), production (bot.production.serve) and the tests and
benchmark (bot.measure.launcher) all build their commands here, so the body limit, telemetry,
CORS and credentials are the same in every mode.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from bot.channels.credentials import write_credentials
from bot.shared.project import project_file
from bot.shared.settings import allowed_origins

DEFAULT_MODEL = "models/current.tar.gz"
# Sanic reads whole bodies up to 100 MB before the channel's 64 KB check: stop them at 1 MB.
REQUEST_MAX_BYTES = 1_000_000
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class ServerCommand:
    argv: List[str]
    env: Dict[str, str]


def server_environment(environ: Mapping[str, str]) -> Dict[str, str]:
    env = dict(environ)
    # No usage reports leave a health service unless the operator turns them on.
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_BYTES))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def default_model(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("MODEL") or project_file(DEFAULT_MODEL, environ))


def cors_arguments(environ: Mapping[str, str]) -> List[str]:
    """The clinic's web origins (WIDGET_ALLOWED_ORIGINS), never "*"."""
    origins = allowed_origins(environ)
    return ["--cors", *origins] if origins else []


def rasa_entry() -> List[str]:
    """Rasa's command line, serving without TensorFlow when the model allows it."""
    return [sys.executable, "-m", "bot.production.lean_rasa"]


def rasa_server_command(
    *,
    endpoints: Path,
    credentials: Path,
    port: int,
    token: str,
    environ: Mapping[str, str],
    model: Optional[Path] = None,
    entry: Optional[List[str]] = None,
) -> ServerCommand:
    """`rasa run` with the REST channel, the widget and the HTTP API behind the token.

    `entry` replaces the program only (tests wrap Rasa to fake the messaging providers).
    """
    argv = [
        *(entry or rasa_entry()),
        "run",
        "--model",
        str(model or default_model(environ)),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "--port",
        str(port),
        "--enable-api",
        "--auth-token",
        token,
        *cors_arguments(environ),
    ]
    return ServerCommand(argv, server_environment(environ))


def rasa_shell_command(
    *, endpoints: Path, environ: Mapping[str, str], model: Optional[Path] = None
) -> ServerCommand:
    argv = [
        *rasa_entry(),
        "shell",
        "--model",
        str(model or default_model(environ)),
        "--endpoints",
        str(endpoints),
    ]
    return ServerCommand(argv, server_environment(environ))


def action_server_command(
    *, port: int, environ: Mapping[str, str], package: str = "actions"
) -> ServerCommand:
    """The action server as the production image runs it (rasa-sdk alone, logs kept clean).

    `package` replaces the actions package (tests inject faults with it)."""
    argv = [sys.executable, "-m", "actions", "--actions", package, "--port", str(port)]
    return ServerCommand(argv, server_environment(environ))


def credentials_file(environ: Mapping[str, str], directory: Optional[Path] = None) -> Path:
    """credentials.yml plus each messaging channel whose environment variables are all set."""
    handle, name = tempfile.mkstemp(prefix="credentials-", suffix=".yml", dir=directory)
    os.close(handle)
    return write_credentials(Path(name), environ)
