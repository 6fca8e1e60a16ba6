"""One cluster (scripts/cluster.sh) for the load, concurrency and fault tests, on its own ports."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
STATE = (
    ROOT / ".run" / "test-cluster"
)  # PostgreSQL must be able to reach it: not under a 0700 tmp dir
PORTS = {
    "CLUSTER_PORT": "28180",
    "ADMIN_PORT": "28181",
    "PG_PORT": "25532",
    "REDIS_PORT": "26479",
    "ACTION_PORT": "25155",
    "FIRST_REPLICA_PORT": "25200",
}
# The load generator is one IP (127.0.0.1): per-IP limits would measure themselves, not the cluster.
LOAD_SETTINGS = {"RATE_LIMIT_PER_IP": "off", "NGINX_RATE": "1000r/s", "NGINX_BURST": "2000"}


@dataclass
class Cluster:
    env: Dict[str, str]
    token: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{PORTS['CLUSTER_PORT']}"

    @property
    def admin(self) -> str:
        return f"http://127.0.0.1:{PORTS['ADMIN_PORT']}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{int(PORTS['FIRST_REPLICA_PORT']) + index}"

    def run(self, *args: str) -> None:
        done = subprocess.run(
            ["bash", "scripts/cluster.sh", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def say(self, sender: str, message: str, base: str = "") -> List[Dict[str, Any]]:
        response = requests.post(
            f"{base or self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=90,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def texts(self, sender: str, message: str, base: str = "") -> List[str]:
        return [m.get("text", "") for m in self.say(sender, message, base)]

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(
            f"{self.admin}/conversations/{sender}/tracker",
            params={"token": self.token, "include_events": "ALL"},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()


def read_secret(name: str) -> str:
    """A secret the cluster script generated (`export NAME=value` lines in its env file)."""
    for line in (STATE / "env").read_text().splitlines():
        if line.startswith(f"export {name}="):
            return line.split("=", 1)[1]
    raise AssertionError(f"no {name} in the cluster's env file")


@pytest.fixture(scope="package")  # stopped as soon as the cluster tests are done
def cluster():
    env = {**os.environ, **PORTS, **LOAD_SETTINGS, "CLUSTER_STATE": str(STATE), "REPLICAS": "2"}
    if STATE.exists():
        subprocess.run(
            ["bash", "scripts/cluster.sh", "stop"], cwd=ROOT, env=env, capture_output=True
        )
        shutil.rmtree(STATE)
    running = Cluster(env, "")
    try:
        running.run("start")
        running.token = read_secret("RASA_API_TOKEN")
        yield running
    finally:
        subprocess.run(
            ["bash", "scripts/cluster.sh", "stop"], cwd=ROOT, env=env, capture_output=True
        )
