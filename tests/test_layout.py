"""The code's layout holds: one concern per subpackage, imports only downwards, build files that
follow the folders, one endpoints file per mode, and a wheel that carries what the server needs."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

import yaml

from bot.shared.conditions import condition_keys

ROOT = Path(__file__).resolve().parent.parent
# Who may import whom: a package imports only from its own layer or the ones below it.
LAYERS = {
    "bot.shared": 0,
    "bot.nlu": 1,
    "bot.channels": 1,
    "bot.production": 2,
    "bot.measure": 3,
    "bot.staff": 4,
}
SERVER_FREE = ("rasa", "sanic", "sqlalchemy", "tensorflow")


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path) -> Iterator[str]:
    """Every module a file imports, at its top or inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def project_imports() -> Iterator[Tuple[str, str]]:
    for path in sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "actions").rglob("*.py")):
        for imported in imports(path):
            yield module_name(path), imported


def test_every_module_lives_in_one_concern_and_imports_only_downwards():
    upward = []
    for importer, imported in project_imports():
        if not imported.startswith("bot.") or importer == "bot":
            continue
        if importer.startswith("actions"):
            allowed = package_of(imported) == "bot.shared"  # the action server has no Rasa
        else:
            assert package_of(importer) in LAYERS, f"{importer} is outside every concern"
            allowed = package_of(imported) == package_of(importer) or (
                LAYERS[package_of(imported)] < LAYERS[package_of(importer)]
            )
        if not allowed:
            upward.append(f"{importer} imports {imported}")
    assert upward == []


def test_the_shared_code_and_the_actions_need_no_rasa_server():
    found = [
        (importer, imported)
        for importer, imported in project_imports()
        if (importer.startswith("bot.shared") or importer.startswith("actions"))
        and imported.split(".")[0] in SERVER_FREE
    ]
    assert found == []


def training_inputs() -> Set[str]:
    shown = subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", "Makefile", "-f", "-", "show-training-inputs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input="show-training-inputs:\n\t@echo $(TRAINING_INPUTS)\n",
        check=True,
    )
    return set(shown.stdout.split())


def test_training_depends_on_all_of_the_pipeline_and_nothing_else_of_the_code():
    inputs = training_inputs()
    pipeline = {
        str(p.relative_to(ROOT))
        for folder in ("bot/nlu", "bot/shared")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".py", ".yml")
    }
    assert pipeline <= inputs
    assert {"config.yml", "domain.yml", "conditions.yml"} <= inputs
    assert not [
        i
        for i in inputs
        if i.startswith(("bot/staff", "bot/production", "bot/measure", "bot/channels", "actions"))
    ]


def test_the_pipeline_imports_only_what_training_depends_on():
    outside = [
        (importer, imported)
        for importer, imported in project_imports()
        if importer.startswith("bot.nlu")
        and imported.startswith("bot.")
        and package_of(imported) not in ("bot.nlu", "bot.shared")
    ]
    assert outside == []


def test_a_changed_pipeline_module_retrains_the_model():
    """A model trained before a change to bot/nlu/ (or before the move) is not reused."""
    plan = subprocess.run(
        ["make", "-n", "-W", "bot/nlu/triage/rules/cold_burn.yml", "models/current.tar.gz"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "rasa train" in plan


def test_the_action_image_copies_the_shared_package_and_the_main_image_trains_first():
    actions = (ROOT / "deploy/Dockerfile.actions").read_text(encoding="utf-8")
    assert "COPY bot/shared/ bot/shared/" in actions
    assert not [
        line
        for line in actions.splitlines()
        if line.startswith("COPY") and ".py" in line and "__init__" not in line
    ]
    main = (ROOT / "deploy/Dockerfile").read_text(encoding="utf-8").splitlines()
    training = next(i for i, line in enumerate(main) if "rasa train" in line)
    assert main.index("COPY bot/ bot/") > training
    assert {"COPY bot/nlu/ bot/nlu/", "COPY bot/shared/ bot/shared/"} <= set(main[:training])


def read_yaml(relative: str) -> Dict:
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def test_the_helm_values_say_what_the_production_endpoints_say():
    endpoints = read_yaml("deploy/endpoints.yml")
    chart = read_yaml("deploy/helm/values.yml")["applicationSettings"]
    for chart_key, section in (("trackerStore", "tracker_store"), ("lockStore", "lock_store")):
        rendered = {
            k: v
            for k, v in chart["endpoints"][chart_key].items()
            if k != "enabled" and v is not None
        }
        assert rendered == endpoints[section], chart_key
    channels = chart["credentials"]["additionalChannelCredentials"]
    assert set(channels) == set(read_yaml("credentials.yml"))


def test_the_local_endpoints_are_derived_from_endpoints_yml(tmp_path):
    from bot.production.endpoints import write_local_endpoints

    derived = yaml.safe_load(
        write_local_endpoints(tmp_path / "e.yml", 5999, tmp_path / "t.db").read_text(
            encoding="utf-8"
        )
    )
    local = read_yaml("endpoints.yml")
    assert derived["action_endpoint"]["url"] == "http://localhost:5999/webhook"
    assert derived["tracker_store"] == {**local["tracker_store"], "db": str(tmp_path / "t.db")}
    assert set(derived) == set(local)


def test_a_wheel_carries_every_subpackage_and_the_widgets_files_and_runs_without_the_source(
    tmp_path,
):
    source = tmp_path / "source"  # built from a copy: the build writes into its source folder
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    for package in ("bot", "actions"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("cryo_assistant-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {
        f"{p.relative_to(ROOT).as_posix()}/__init__.py"
        for p in (ROOT / "bot").rglob("*")
        if (p / "__init__.py").is_file()
    }
    widget = {
        f"bot/channels/widget_files/{p.name}"
        for p in (ROOT / "bot/channels/widget_files").iterdir()
    }
    assert packages | widget | {"actions/__init__.py"} <= names
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    project = tmp_path / "project"  # the content a clinic runs it with, without the code
    project.mkdir()
    for name in ("clinic.yml", "conditions.yml", "credentials.yml", "domain.yml"):
        shutil.copy(ROOT / name, project / name)
    check = (
        "import bot, bot.channels.widget as w\n"
        "from bot.shared.conditions import condition_keys\n"
        "from bot.channels.credentials import build_credentials\n"
        "print(bot.__file__)\n"
        "print(len(w.widget_file('widget.js')) > 0, len(condition_keys()))\n"
        "print(sorted(build_credentials({})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(installed)}
    env.pop("CRYO_PROJECT_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    where, widget_and_conditions, channels = done.stdout.splitlines()
    assert where.startswith(str(installed))
    assert widget_and_conditions == f"True {len(condition_keys())}"
    assert channels == str(sorted(read_yaml("credentials.yml")))


def test_the_action_server_runs_with_only_what_its_image_installs():
    """deploy/Dockerfile.actions installs rasa-sdk, PyYAML and rapidfuzz (from pyproject.toml)."""
    installed = set(
        re.findall(
            r"\((?:[\w-]+\|)*[\w-]+\)",
            (ROOT / "deploy/Dockerfile.actions").read_text(encoding="utf-8"),
        )[0]
        .strip("()")
        .split("|")
    )
    assert installed == {"rasa-sdk", "pyyaml", "rapidfuzz"}
    check = (
        "import importlib.abc, sys\n"
        "class NotInTheImage(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('rasa', 'sanic_cors', 'spacy', 'sqlalchemy',\n"
        "                                  'sklearn', 'tensorflow', 'numpy', 'scipy', 'redis'):\n"
        "            raise ImportError(name + ' is not in the action image')\n"
        "sys.meta_path.insert(0, NotInTheImage())\n"
        "from rasa_sdk.executor import ActionExecutor\n"
        "executor = ActionExecutor(); executor.register_package('actions')\n"
        "from bot.shared.checklist_answers import read_answer\n"
        "print(read_answer('seizure_history', 'yes, epilepssy').value, len(executor.actions) > 5)\n"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-2:] == ["True", "True"]
