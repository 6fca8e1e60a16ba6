"""Production entry point: refuses unsafe settings and missing services, then runs `rasa run`.

`make run` is the local mode (embedded SQLite, a generated token). Everything else starts
through here: python -m bot.serve
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import List, Mapping, Optional


ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENDPOINTS = ROOT / "deploy" / "endpoints.yml"
MIN_TOKEN_LENGTH = 32
# Tokens from Rasa's docs, Helm chart and our own tests: anyone could guess them.
KNOWN_DEFAULT_TOKENS = {"thisismysecret", "rasatoken", "rasa_token", "changeme", "change-me", "secret",
                        "token", "test-token", "mysecret", "password"}
REQUIRED_SETTINGS = ["ACTION_SERVER_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD",
                     "REDIS_HOST", "REDIS_PORT", "REDIS_DB"]
REDIS_TIMEOUT_SECONDS = 5
REQUEST_MAX_BYTES = 1_000_000


def configuration_problems(environ: Mapping[str, str]) -> List[str]:
    problems = []
    token = environ.get("RASA_API_TOKEN", "")
    if len(token) < MIN_TOKEN_LENGTH:
        problems.append(f"RASA_API_TOKEN must be set to a secret of at least {MIN_TOKEN_LENGTH} characters "
                        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))').")
    elif token.lower() in KNOWN_DEFAULT_TOKENS:
        problems.append("RASA_API_TOKEN is a well-known default; set a secret of your own.")
    from bot.widget_channel import allowed_origins

    listed = [o.strip() for o in environ.get("WIDGET_ALLOWED_ORIGINS", "").split(",")]
    if "*" in listed or not allowed_origins(environ):
        problems.append("WIDGET_ALLOWED_ORIGINS must list the clinic's web origins (https://clinic.example); "
                        "'*' would let any web page use the API from a visitor's browser.")
    missing = [name for name in REQUIRED_SETTINGS if not environ.get(name)]
    if missing:
        problems.append(f"Set {', '.join(missing)} (see docs/deploy.md).")
    if "REDIS_PASSWORD" not in environ:
        problems.append("Set REDIS_PASSWORD (it may be empty when Redis has no password).")
    return problems


def service_problems(environ: Mapping[str, str]) -> List[str]:
    """The database must exist and Redis must answer before the server takes traffic."""
    import redis

    from bot.tracker_store import DatabaseUnavailable, StrictSQLTrackerStore, check_database

    problems = []
    url = StrictSQLTrackerStore.get_db_url("postgresql", environ["DB_HOST"], int(environ["DB_PORT"]),
                                           environ["DB_NAME"], environ["DB_USER"], environ["DB_PASSWORD"])
    try:
        check_database(url)
    except DatabaseUnavailable as error:
        problems.append(str(error))
    client = redis.Redis(host=environ["REDIS_HOST"], port=int(environ["REDIS_PORT"]), db=int(environ["REDIS_DB"]),
                         password=environ.get("REDIS_PASSWORD") or None, socket_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        client.ping()
    except redis.RedisError as error:
        problems.append(f"Redis at {environ['REDIS_HOST']}:{environ['REDIS_PORT']} does not answer ({error}).")
    return problems


def rasa_arguments(environ: Mapping[str, str], credentials: Path) -> List[str]:
    from bot.widget_channel import allowed_origins

    return ["run", "--model", environ.get("MODEL", str(ROOT / "models" / "current.tar.gz")),
            "--endpoints", environ.get("ENDPOINTS", str(PRODUCTION_ENDPOINTS)),
            "--credentials", str(credentials), "--port", environ.get("RASA_PORT", "5005"),
            "--enable-api", "--auth-token", environ["RASA_API_TOKEN"], "--cors", *allowed_origins(environ)]


def write_credentials(environ: Mapping[str, str]) -> Path:
    from bot.credentials import write_credentials as write

    handle, name = tempfile.mkstemp(prefix="credentials-", suffix=".yml")
    os.close(handle)
    return write(Path(name), environ)


def main(argv: Optional[List[str]] = None, environ: Optional[Mapping[str, str]] = None) -> int:
    environ = dict(os.environ if environ is None else environ)
    problems = configuration_problems(environ)
    if not problems:
        problems = service_problems(environ)
    if problems:
        for problem in problems:
            print(f"Refusing to start: {problem}", file=sys.stderr)
        return 2
    rasa = str(Path(sys.executable).parent / "rasa")
    # No usage reports leave a health service unless the operator turns them on.
    environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # Sanic reads whole bodies up to 100 MB before the channel's 64 KB check: stop them at 1 MB.
    environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_BYTES))
    os.execve(rasa, [rasa, *rasa_arguments(environ, write_credentials(environ))], environ)
    return 0  # not reached: exec replaces this process


if __name__ == "__main__":
    sys.exit(main())
