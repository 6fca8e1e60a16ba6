"""Against the cluster's real PostgreSQL and Redis: a missing database stops the start at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster
ROOT = Path(__file__).resolve().parents[2]


def cluster_settings(cluster):
    settings = {}
    for line in (Path(cluster.env["CLUSTER_STATE"]) / "env").read_text().splitlines():
        for pair in line.removeprefix("export ").split(" "):
            key, _, value = pair.partition("=")
            settings[key] = value
    return settings


def serve(cluster, **overrides) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **cluster_settings(cluster),
        "WIDGET_ALLOWED_ORIGINS": "https://clinic.example",
        "RASA_PORT": "55299",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.production.serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_database_that_does_not_exist_stops_the_server_before_it_starts(cluster):
    done = serve(cluster, DB_NAME="no_such_database")
    assert done.returncode == 2
    assert "Refusing to start: The tracker store database 'no_such_database'" in done.stderr
    assert "does not exist" in done.stderr


def test_an_unreachable_redis_stops_the_server_before_it_starts(cluster):
    done = serve(cluster, REDIS_PORT=str(int(cluster.env["REDIS_PORT"]) + 7))
    assert (
        done.returncode == 2
        and "Redis at 127.0.0.1" in done.stderr
        and "does not answer" in done.stderr
    )


def test_the_public_address_serves_only_the_webhooks(cluster):
    import requests

    for path in ("/model/train", "/conversations/x/tracker", "/status", "/model"):
        assert (
            requests.get(
                f"{cluster.url}{path}", params={"token": cluster.token}, timeout=10
            ).status_code
            == 404
        )
    assert (
        requests.put(
            f"{cluster.url}/model", params={"token": cluster.token}, timeout=10
        ).status_code
        == 404
    )


def test_the_public_health_check_does_not_tell_the_version(cluster):
    import requests

    response = requests.get(f"{cluster.url}/", timeout=10)
    assert response.status_code == 200 and response.json() == {"status": "ok"}
