"""Where the project's own files are: the content staff edit and the settings the servers read.

A checkout (or an editable install) finds them beside the `bot` package. An installed wheel
has no project folder of its own: it reads them from the folder it runs in, as Rasa reads
config.yml and data/. CRYO_PROJECT_DIR overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

SOURCE_ROOT = Path(__file__).resolve().parents[2]


def project_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get("CRYO_PROJECT_DIR"):
        return Path(environ["CRYO_PROJECT_DIR"])
    if (SOURCE_ROOT / "domain.yml").is_file():
        return SOURCE_ROOT
    return Path.cwd()


def project_file(name: str, environ: Optional[Mapping[str, str]] = None) -> Path:
    return project_dir(environ) / name
