"""Writes the checklist's part of domain.yml from conditions.yml, the one place a condition lives.

Rasa reads slots, forms and responses only from the domain, and so do `rasa data validate`, the
tests and the staff tools: the checklist is generated into the committed domain.yml (by
`make validate` and `make train`) rather than assembled at start-up, so every reader agrees.
Run `python -m bot.staff.checklist_domain` to write it, `--check` to only say if it is stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.shared.conditions import CONDITIONS_FILE
from bot.shared.names import CHECKLIST_LENGTH
from bot.shared.project import project_dir

DOMAIN_FILE = "domain.yml"
# The slot the intro answer reads ("Let's go through the {checklist_length} conditions").
LENGTH_SLOT = CHECKLIST_LENGTH
YES_NO_BUTTONS = (
    '    buttons:\n    - title: "Yes"\n      payload: "/affirm"\n'
    '    - title: "No"\n      payload: "/deny"\n'
)
NOTICE = "written from conditions.yml by `make validate`: edit conditions.yml, not these lines"


class ChecklistDomainError(ValueError):
    """conditions.yml or domain.yml cannot be used to write the checklist, in plain words."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file, self.message = file, message


def quoted(text: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar.
    return json.dumps(text, ensure_ascii=False)


def slot_lines(questions: Dict[str, str]) -> str:
    lines = [
        f"  {LENGTH_SLOT}:\n    type: text\n    influence_conversation: false\n"
        f"    initial_value: {quoted(str(len(questions)))}\n    mappings:\n    - type: custom\n"
    ]
    lines += [
        f"  {key}:\n    type: bool\n    influence_conversation: false\n"
        "    mappings:\n    - type: custom\n"
        for key in questions
    ]
    return "".join(lines)


def form_lines(questions: Dict[str, str]) -> str:
    return "".join(f"      - {key}\n" for key in questions)


def question_lines(questions: Dict[str, str]) -> str:
    total = len(questions)
    return "".join(
        f"  utter_ask_{key}:\n  - text: {quoted(f'({number}/{total}) {question}')}\n"
        + YES_NO_BUTTONS
        for number, (key, question) in enumerate(questions.items(), 1)
    )


# Each generated part sits between its two marker lines; the indent is the part's own.
PARTS = {
    "checklist slots": ("  ", slot_lines),
    "checklist form": ("      ", form_lines),
    "checklist questions": ("  ", question_lines),
}


def markers(part: str, indent: str) -> tuple:
    return (f"{indent}# >>> {part}, {NOTICE}\n", f"{indent}# <<< end of the {part}\n")


def read_questions(root: Path) -> Dict[str, str]:
    """Each condition's key and its question, in the order they are asked."""
    path = root / CONDITIONS_FILE
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("conditions")
    if not isinstance(entries, dict) or not entries:
        raise ChecklistDomainError(
            CONDITIONS_FILE, "it must start with 'conditions:' and one block per checklist item."
        )
    questions = {}
    for key, entry in entries.items():
        question = str((entry or {}).get("question") or "").strip()
        if not question:
            raise ChecklistDomainError(
                CONDITIONS_FILE,
                f"the checklist item '{key}' needs 'question:' with the "
                'question visitors are asked, in double quotes, e.g. question: "Do you have ...?"',
            )
        questions[str(key)] = question
    return questions


def render(domain_text: str, questions: Dict[str, str]) -> str:
    """domain.yml with each generated part rewritten from the questions."""
    for part, (indent, lines) in PARTS.items():
        begin, end = markers(part, indent)
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if len(pattern.findall(domain_text)) != 1:
            raise ChecklistDomainError(
                DOMAIN_FILE,
                f"the lines marking the {part} are missing or repeated; "
                f"restore '{begin.strip()}' and '{end.strip()}' from git.",
            )
        domain_text = pattern.sub(lambda _: begin + lines(questions) + end, domain_text)
    return domain_text


def stale(root: Path) -> bool:
    text = (root / DOMAIN_FILE).read_text(encoding="utf-8")
    return render(text, read_questions(root)) != text


def write(root: Path) -> bool:
    """Rewrites domain.yml's checklist part; True when it changed."""
    path = root / DOMAIN_FILE
    text = path.read_text(encoding="utf-8")
    written = render(text, read_questions(root))
    if written == text:
        return False
    path.write_text(written, encoding="utf-8")
    return True


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="only say whether it is stale")
    args = parser.parse_args(argv)
    root = args.root or project_dir()
    try:
        if args.check:
            if stale(root):
                print(f"{DOMAIN_FILE} is out of date with {CONDITIONS_FILE}: run make validate.")
                return 1
            return 0
        if write(root):
            print(f"{DOMAIN_FILE}: the checklist part was rewritten from {CONDITIONS_FILE}.")
    except (ChecklistDomainError, yaml.YAMLError, OSError) as error:
        print(f"ERROR {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
