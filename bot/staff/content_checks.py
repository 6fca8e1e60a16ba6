"""The project's own content checks, run by `make validate` before Rasa's validator.

Each problem names the file, the line where it can, and how to fix it, in plain words for
clinic staff. Run: python -m bot.staff.content_checks [--root PROJECT_DIR] [--write-checklist]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import yaml

from bot.shared import names
from bot.shared.project import project_dir
from bot.shared.settings import ClinicSettings, load_settings
from bot.staff.checklist_domain import LENGTH_SLOT, ChecklistDomainError, render
from bot.staff.checklist_domain import write as write_checklist

MIN_TOPIC_EXAMPLES = 20
MIN_INTENT_EXAMPLES = 10
MAX_ANSWER_WORDS = 80
FAQ_PREFIX = "faq/"
ANSWER_PREFIX = "utter_faq/"
ANSWER_FIELDS = {
    "text",
    "buttons",
    "image",
    "custom",
    "condition",
    "channel",
    "metadata",
    "quick_replies",
    "elements",
    "attachment",
    "id",
}
# Words that do not change what a question asks, dropped when looking for near-duplicates.
FILLER_WORDS = {
    "a",
    "an",
    "the",
    "please",
    "pls",
    "hi",
    "hey",
    "hello",
    "so",
    "just",
    "ok",
    "okay",
    "um",
    "uh",
    "and",
}
CONTRACTIONS = {
    "what's": "what is",
    "whats": "what is",
    "it's": "it is",
    "its": "it is",
    "i'm": "i am",
    "im": "i am",
    "can't": "cannot",
    "don't": "do not",
    "dont": "do not",
    "doesn't": "does not",
    "isn't": "is not",
    "how's": "how is",
}


@dataclass(frozen=True)
class Problem:
    file: str
    line: Optional[int]
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{'ERROR' if self.blocking else 'WARNING'} {where}: {self.message}"


@dataclass
class Example:
    intent: str
    text: str
    file: str
    line: int


# ---------------------------------------------------------------- reading YAML in plain words


def yaml_problem(relative: str, text: str) -> Optional[Problem]:
    """A plain-words description of why a YAML file cannot be read, or None when it can."""
    for number, line in enumerate(text.splitlines(), 1):
        if "\t" in line[: len(line) - len(line.lstrip())] or line.lstrip().startswith("- \t"):
            return Problem(
                relative,
                number,
                "this line is indented with a tab. YAML files only allow "
                "spaces: replace the tab with spaces (2 per level, like the lines around it).",
            )
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        return Problem(relative, line, explain_yaml_error(error))
    return None


def explain_yaml_error(error: yaml.MarkedYAMLError) -> str:
    problem = (error.problem or "").lower()
    if "mapping values are not allowed" in problem:
        return (
            "a ':' here is read as a new 'name: value' pair. If this is text, put the whole text "
            "in double quotes; otherwise check that this line is indented like the lines around it."
        )
    if "expected '-'" in problem or "expected <block end>" in problem or "block mapping" in problem:
        return (
            "the indentation is broken around this line. Items of one list start at the same "
            "column with '- ' (a dash and a space); compare with the lines above and line them up."
        )
    if "could not find expected ':'" in problem:
        return "a 'name: value' line is missing its ':' (or an indented line is not lined up)."
    if "found character" in problem or "found unexpected" in problem:
        return "this line has a character YAML cannot read here; put the text in double quotes."
    if "quoted scalar" in problem or "found unexpected end of stream" in problem:
        return 'a quote (") is opened but not closed; add the closing quote at the end of the text.'
    return (
        f"the file cannot be read here ({error.problem}); "
        "compare this line with the lines around it."
    )


def read_yaml(root: Path, relative: str, problems: List[Problem]) -> Any:
    path = root / relative
    if not path.is_file():
        problems.append(Problem(relative, None, "the file is missing."))
        return None
    text = path.read_text(encoding="utf-8")
    problem = yaml_problem(relative, text)
    if problem:
        problems.append(problem)
        return None
    return yaml.safe_load(text)


@lru_cache(maxsize=64)
def file_lines(path: Path, modified_ns: int) -> Tuple[str, ...]:
    """A file's lines, read once per version of the file (the checks look up many lines)."""
    return tuple(path.read_text(encoding="utf-8").splitlines())


def lines_of(path: Path) -> Tuple[str, ...]:
    return file_lines(path, path.stat().st_mtime_ns)


def line_of(root: Path, relative: str, pattern: str) -> Optional[int]:
    regex = re.compile(pattern)
    for number, line in enumerate(lines_of(root / relative), 1):
        if regex.search(line):
            return number
    return None


# ---------------------------------------------------------------- training examples


def data_files(root: Path, kind: str) -> List[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "data" / kind).glob("*.yml"))


def read_examples(root: Path, relative: str, data: Any, problems: List[Problem]) -> List[Example]:
    """Every example of an NLU file, with the line it is on."""
    blocks = data.get("nlu") if isinstance(data, dict) else None
    if not isinstance(blocks, list):
        problems.append(
            Problem(
                relative,
                line_of(root, relative, r"^nlu:"),
                "'nlu:' must be followed by a list of blocks, each starting with "
                "'- intent: <name>' (a dash, a space, then intent:).",
            )
        )
        return []
    lines = list(lines_of(root / relative))
    examples: List[Example] = []
    for block in blocks:
        if not isinstance(block, dict) or "intent" not in block:
            continue  # synonyms, lookups and regexes have no examples to check
        intent = str(block["intent"])
        start = line_of(root, relative, rf"^-\s+intent:\s*['\"]?{re.escape(intent)}['\"]?\s*$") or 1
        examples.extend(
            block_examples(relative, intent, block.get("examples"), lines, start, problems)
        )
    return examples


TRIAGE_MARK = re.compile(r"\[\[(.+?)\]\]")


def read_triage_examples(
    root: Path, relative: str, data: Any, problems: List[Problem]
) -> List[Example]:
    """Triage's examples (data/triage/), as '<level>/<category>' examples with their lines."""
    if not isinstance(data, dict):
        problems.append(
            Problem(
                relative,
                1,
                "a triage file lists messages under a level (emergency, urgent or none), then a "
                "category, then one message per line starting with '- '.",
            )
        )
        return []
    lines = list(lines_of(root / relative))
    examples: List[Example] = []
    number = 0
    for level, categories in data.items():
        for category, texts in (categories or {}).items() if isinstance(categories, dict) else []:
            for text in texts or []:
                text = str(text)
                while number < len(lines) and text not in lines[number].replace('\\"', '"'):
                    number += 1
                line = min(number + 1, len(lines))
                marked = "[[" in text or "]]" in text
                if marked and (level == "none" or text.count("[[") != text.count("]]")):
                    problems.append(
                        Problem(
                            relative,
                            line,
                            "[[double brackets]] mark the words of a red flag in an emergency or "
                            "urgent message, once opened and once closed; an ordinary message has "
                            "none. Fix or remove the brackets.",
                        )
                    )
                plain = TRIAGE_MARK.sub(lambda m: m.group(1), text)
                examples.append(Example(f"{level}/{category}", plain, relative, line))
    return examples


def block_examples(
    relative: str, intent: str, raw: Any, lines: List[str], start: int, problems: List[Problem]
) -> Iterator[Example]:
    if not isinstance(raw, str):
        problems.append(
            Problem(
                relative,
                start,
                f"'{intent}' has no examples. Add 'examples: |' under it, "
                "then one example per line, each starting with '- '.",
            )
        )
        return
    expected = [line for line in raw.splitlines() if line.strip()]
    number = start
    for wanted in expected:
        while number < len(lines) and lines[number].strip() != wanted.strip():
            number += 1
        number += 1
        if not wanted.lstrip().startswith("- "):
            problems.append(
                Problem(
                    relative,
                    number,
                    f"this example of '{intent}' does not start with '- '. "
                    "Every example is one line starting with a dash and a space.",
                )
            )
            continue
        yield Example(intent, wanted.strip()[2:].strip(), relative, number)


ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def plain_text(example: str) -> str:
    return ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example)


def exact_key(example: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", plain_text(example).lower()).split())


def near_key(example: str) -> str:
    words = (
        " ".join(CONTRACTIONS.get(w, w) for w in exact_key(example).split())
        .replace("'", "")
        .split()
    )
    meaningful = [w for w in words if w not in FILLER_WORDS]
    # A greeting or "ok" alone is all filler: compare it as it is.
    return " ".join(meaningful if len(meaningful) >= 2 else words)


def check_examples(examples: List[Example], problems: List[Problem]) -> None:
    counts: Dict[str, int] = defaultdict(int)
    first_seen: Dict[str, Example] = {}
    near_seen: Dict[str, Example] = {}
    for example in examples:
        counts[example.intent] += 1
        key = exact_key(example.text)
        earlier = first_seen.setdefault(key, example)
        if earlier is not example:
            problems.append(duplicate_problem(example, earlier))
            continue
        near = near_seen.setdefault(near_key(example.text), example)
        if near is not example and near.intent != example.intent:
            problems.append(
                Problem(
                    example.file,
                    example.line,
                    f'"{example.text}" ({example.intent}) is almost the same as "{near.text}" '
                    f"({near.intent}, {near.file} line {near.line}). "
                    "Two topics with the same question confuse "
                    "the assistant: reword one, or keep it under the topic it really belongs to.",
                    blocking=False,
                )
            )
    for intent, count in sorted(counts.items()):
        minimum = MIN_TOPIC_EXAMPLES if intent.startswith(FAQ_PREFIX) else MIN_INTENT_EXAMPLES
        if count < minimum:
            where = next(e for e in examples if e.intent == intent)
            problems.append(
                Problem(
                    where.file,
                    where.line - 1 if where.line > 1 else None,
                    f"'{intent}' has {count} examples; it needs at least {minimum}. Add "
                    f"{minimum - count} more ways a visitor might ask it, each worded differently.",
                )
            )


def duplicate_problem(example: Example, earlier: Example) -> Problem:
    if earlier.intent == example.intent:
        return Problem(
            example.file,
            example.line,
            f"\"{example.text}\" is listed twice under '{example.intent}' (also {earlier.file} "
            f"line {earlier.line}). Delete one of the two lines.",
            blocking=False,
        )
    return Problem(
        example.file,
        example.line,
        f"\"{example.text}\" is listed under both '{earlier.intent}' ({earlier.file} line "
        f"{earlier.line}) and '{example.intent}'. An example can belong to one intent only: "
        "delete it where it does not belong.",
    )


def measurement_texts(value: Any) -> Iterator[str]:
    """Every message text in a held-out or tuning file, whatever its shape."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("question", "means"):  # checklist answers: keep only the answer
                yield from measurement_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from measurement_texts(item)


def check_not_held_out(root: Path, examples: List[Example], problems: List[Problem]) -> None:
    """No training example may be one of the messages that measure the assistant."""
    owner: Dict[str, str] = {}
    for folder in ("heldout", "tuning"):
        for path in sorted((root / "tests" / folder).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for text in measurement_texts(data):
                owner.setdefault(exact_key(text), str(path.relative_to(root)))
    for example in examples:
        source = owner.get(exact_key(example.text))
        if source:
            problems.append(
                Problem(
                    example.file,
                    example.line,
                    f'"{example.text}" is one of the test messages ({source}), which '
                    "measure the assistant on messages it never learned from. Reword this "
                    "example or delete it.",
                )
            )


# ---------------------------------------------------------------- answers and settings


def response_texts(responses: Dict[str, Any]) -> Iterator[Tuple[str, Any]]:
    for name, variants in (responses or {}).items():
        for variant in variants if isinstance(variants, list) else [variants]:
            yield name, variant.get("text") if isinstance(variant, dict) else None


def clinic_slots(root: Path) -> Dict[str, str]:
    """The clinic's settings as the answers will show them (defaults if clinic.yml is broken)."""
    try:
        return load_settings(environ={}, path=root / "clinic.yml").as_slots()
    except (ValueError, yaml.YAMLError):
        return ClinicSettings().as_slots()


def expanded(text: str, slots: Dict[str, str]) -> str:
    """An answer as a visitor reads it: each {setting} replaced by the clinic's value."""
    return re.sub(r"{(\w+)}", lambda m: slots.get(m.group(1), m.group(0)), text)


def check_answers(
    root: Path, answer_files: Dict[str, Dict[str, Any]], problems: List[Problem]
) -> None:
    known = {f.name for f in fields(ClinicSettings)} | {LENGTH_SLOT}
    slots = {**clinic_slots(root), LENGTH_SLOT: str(checklist_length(root))}
    for relative, responses in answer_files.items():
        for name, variants in responses.items():
            line = line_of(root, relative, rf"^\s*{re.escape(name)}:\s*$")
            if not isinstance(variants, list):
                problems.append(
                    Problem(
                        relative,
                        line,
                        f"the answer '{name}' must be a list: start the line "
                        "under it with '- text: \"...\"' (a dash, a space, then text:).",
                    )
                )
                continue
            for variant in variants:
                for key in sorted(
                    set(variant) - ANSWER_FIELDS if isinstance(variant, dict) else []
                ):
                    problems.append(
                        Problem(
                            relative,
                            line_of(root, relative, rf"^\s+{re.escape(str(key))}:"),
                            f"'{key}' is indented as if it were part of the answer '{name}'. "
                            "If it is the name of another answer, line it up with the other "
                            "names (the same number of spaces from the left).",
                        )
                    )
            for _, text in response_texts({name: variants}):
                if not isinstance(text, str) or not text.strip():
                    problems.append(
                        Problem(
                            relative,
                            line,
                            f"the answer '{name}' has no text. Write it as "
                            "'- text: \"...\"' on the line under the name.",
                        )
                    )
                    continue
                words = len(expanded(text, slots).split())
                if words >= MAX_ANSWER_WORDS:
                    problems.append(
                        Problem(
                            relative,
                            line,
                            f"the answer '{name}' has {words} words with the clinic's "
                            f"settings written in; answers must stay under {MAX_ANSWER_WORDS} "
                            "to read well in a chat window. Shorten it (or the setting).",
                        )
                    )
                for placeholder in sorted(set(re.findall(r"{(\w+)}", text)) - known):
                    problems.append(
                        Problem(
                            relative,
                            line,
                            f"the answer '{name}' uses {{{placeholder}}}, which is "
                            "not a clinic setting. Use one of: "
                            + ", ".join(f"{{{k}}}" for k in sorted(known))
                            + " (their values are in clinic.yml).",
                        )
                    )


def check_clinic_settings(root: Path, settings: Any, problems: List[Problem]) -> None:
    if settings is None:
        return
    if not isinstance(settings, dict):
        problems.append(
            Problem(
                "clinic.yml",
                None,
                "each line must be 'setting: value', e.g. " "'clinic_phone: (555) 010-0199'.",
            )
        )
        return
    known = {f.name for f in fields(ClinicSettings)}
    for key in sorted(set(settings) - known):
        problems.append(
            Problem(
                "clinic.yml",
                line_of(root, "clinic.yml", rf"^{re.escape(str(key))}\s*:"),
                f"'{key}' is not a setting the assistant knows. Check the spelling; the "
                f"settings are: {', '.join(sorted(known))}.",
            )
        )


def check_faq_pairs(
    root: Path, examples: List[Example], answers: Dict[str, Dict[str, Any]], problems: List[Problem]
) -> None:
    topics = {e.intent[len(FAQ_PREFIX) :]: e for e in examples if e.intent.startswith(FAQ_PREFIX)}
    answered = {
        name[len(ANSWER_PREFIX) :]: relative
        for relative, responses in answers.items()
        for name in responses
        if name.startswith(ANSWER_PREFIX)
    }
    for topic in sorted(set(topics) - set(answered)):
        problems.append(
            Problem(
                topics[topic].file,
                line_of(root, topics[topic].file, rf"intent:\s*faq/{topic}\s*$"),
                f"the topic faq/{topic} has questions but no answer. Add 'utter_faq/{topic}:' "
                "with its '- text: \"...\"' to data/responses/faq.yml (or fix the spelling).",
            )
        )
    for topic in sorted(set(answered) - set(topics)):
        relative = answered[topic]
        problems.append(
            Problem(
                relative,
                line_of(root, relative, rf"utter_faq/{topic}:"),
                f"the answer utter_faq/{topic} has no questions. Add '- intent: faq/{topic}' "
                "with its examples to data/nlu/faq.yml (or fix the spelling).",
            )
        )


# ---------------------------------------------------------------- the checklist


def checklist_length(root: Path) -> int:
    try:
        entries = yaml.safe_load((root / "conditions.yml").read_text("utf-8")) or {}
        return len(entries.get("conditions") or {})
    except (OSError, yaml.YAMLError, AttributeError):
        return 0  # the file's own problem is reported by check_checklist


def check_checklist(root: Path, conditions: Any, problems: List[Problem]) -> None:
    """Each item has its plain name, synonyms and question; domain.yml's checklist follows it."""
    if conditions is None:
        return
    entries = conditions.get("conditions") if isinstance(conditions, dict) else None
    if not isinstance(entries, dict) or not entries:
        problems.append(
            Problem(
                "conditions.yml",
                None,
                "the file must start with 'conditions:' followed "
                "by one indented block per checklist item.",
            )
        )
        return
    for key, entry in entries.items():
        line = line_of(root, "conditions.yml", rf"^  {re.escape(str(key))}:")
        entry = entry if isinstance(entry, dict) else {}
        for field, how in (
            ("name", "plain words for it, e.g. 'name: kidney disease'"),
            ("question", 'the question visitors are asked, e.g. question: "Do you have ...?"'),
        ):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                problems.append(
                    Problem(
                        "conditions.yml",
                        line,
                        f"the checklist item '{key}' needs '{field}:' with {how}.",
                    )
                )
        synonyms = entry.get("synonyms")
        if (
            not isinstance(synonyms, list)
            or not all(isinstance(s, str) and s.strip() for s in synonyms)
            or not synonyms
        ):
            problems.append(
                Problem(
                    "conditions.yml",
                    line,
                    f"the checklist item '{key}' needs 'synonyms:' "
                    "with a list of words visitors use for it, one per line starting with '- '.",
                )
            )
    if not any(p.file == "conditions.yml" for p in problems):
        check_checklist_written(root, problems)


def check_checklist_written(root: Path, problems: List[Problem]) -> None:
    """domain.yml's slots, form and numbered questions are the ones conditions.yml gives."""
    from bot.staff.checklist_domain import read_questions

    text = (root / "domain.yml").read_text(encoding="utf-8")
    try:
        current = render(text, read_questions(root)) == text
    except ChecklistDomainError as error:
        problems.append(Problem(error.file, None, error.message))
        return
    if not current:
        problems.append(
            Problem(
                "domain.yml",
                line_of(root, "domain.yml", r"# >>> checklist"),
                "the checklist's questions, slots or form no longer match conditions.yml. "
                "Run `make validate`: it writes them from conditions.yml.",
            )
        )


def check_stated_count(
    root: Path, count: int, responses: Dict[str, Any], problems: List[Problem]
) -> None:
    """Messages that say how many conditions the checklist has must say the right number."""
    for name, text in response_texts(responses):
        for stated in re.findall(r"\b(\d+) conditions\b", text or ""):
            if int(stated) != count:
                problems.append(
                    Problem(
                        "domain.yml",
                        line_of(root, "domain.yml", rf"^  {re.escape(name)}:"),
                        f"'{name}' says {stated} conditions, but conditions.yml has {count} "
                        f"checklist items. Write {{{LENGTH_SLOT}}} instead of the number.",
                    )
                )


def checklist_rule_intents(rule_files: Dict[str, Any]) -> Dict[str, set]:
    """Per intent said during the checklist, what its rules do next: 'resumes' or 'ends'."""
    found: Dict[str, set] = defaultdict(set)
    for data in rule_files.values():
        for rule in (data or {}).get("rules") or []:
            during = {"active_loop": names.CHECKLIST_FORM} in (rule.get("condition") or [])
            steps = rule.get("steps") or []
            if not during or not steps or "intent" not in steps[0]:
                continue
            ends = {"active_loop": None} in steps
            found[steps[0]["intent"]].add("ends" if ends else "resumes")
    return found


def check_checklist_rules(rule_files: Dict[str, Any], problems: List[Problem]) -> None:
    """data/rules/ interrupts and ends the checklist for the intents the checklist reader hands
    back (bot/shared/checklist_answers.py), and for no other."""
    from bot.shared.checklist_answers import INTERRUPTIONS, LEAVES_THE_CHECKLIST

    expected = {i: {"resumes"} for i in INTERRUPTIONS - LEAVES_THE_CHECKLIST}
    expected.update({i: {"ends"} for i in LEAVES_THE_CHECKLIST})
    found = checklist_rule_intents(rule_files)
    reader = "bot/shared/checklist_answers.py"
    for intent in sorted(set(expected) | set(found)):
        want, have = expected.get(intent), found.get(intent)
        if want == have:
            continue
        if want is None:
            message = (
                f"during the checklist, '{intent}' has a rule, but the checklist reader does "
                f"not hand it back: add it to INTERRUPTIONS in {reader} or remove the rule."
            )
        else:
            message = (
                f"during the checklist, '{intent}' should have a rule that {min(want)} the "
                f"checklist ({reader}); the rules {'/'.join(sorted(have or {'have none'}))}."
            )
        problems.append(Problem("data/rules", None, message))


# ---------------------------------------------------------------- triage's rules

TRIAGE_FOLDER = Path("bot") / "nlu" / "triage"


def check_triage_rules(root: Path, problems: List[Problem]) -> None:
    """Every rule file names a category, and every rule reads and finds its own example."""
    from bot.nlu.triage.rules import LemmaText, PhraseError, compile_phrase, read_rule_files
    from bot.nlu.triage.words import Lemmatizer

    folder = root / TRIAGE_FOLDER
    categories = (read_yaml(root, str(TRIAGE_FOLDER / "categories.yml"), problems) or {}).get(
        "categories"
    ) or {}
    lemmatizer = Lemmatizer()
    try:
        phrases = [str(entry.get("phrase", "")) for _, entry in read_rule_files(folder / "rules")]
    except (yaml.YAMLError, AttributeError):
        phrases = []  # the file's own problem is reported below
    lemmatizer.known_words(w for phrase in phrases for w in re.findall(r"[a-z]+", phrase.lower()))
    for path in sorted((folder / "rules").glob("*.yml")):
        relative = str(path.relative_to(root))
        data = read_yaml(root, relative, problems)
        if data is None:
            continue
        if path.stem not in categories:
            problems.append(
                Problem(
                    relative,
                    None,
                    f"'{path.stem}' is not a category: add it to {TRIAGE_FOLDER}/categories.yml "
                    "with its level (emergency or urgent), or rename the file after one.",
                )
            )
        for number, entry in enumerate(data.get("rules") or [], 1):
            line = line_of(root, relative, r"^\s*- phrase:") if number == 1 else None
            phrase, example = (entry or {}).get("phrase"), (entry or {}).get("example")
            if not phrase or not example:
                problems.append(
                    Problem(relative, line, f"rule {number} needs a 'phrase:' and an 'example:'.")
                )
                continue
            try:
                pattern = compile_phrase(phrase, lemmatizer)
                unless = [compile_phrase(u, lemmatizer) for u in entry.get("unless") or []]
            except PhraseError as error:
                problems.append(Problem(relative, None, f'rule "{phrase}": {error}'))
                continue
            lemmas = LemmaText(lemmatizer.words(str(example))).string
            if not pattern.search(lemmas) or any(u.search(lemmas) for u in unless):
                problems.append(
                    Problem(
                        relative,
                        None,
                        f'rule "{phrase}" does not find its own example "{example}": '
                        "change the phrase or the example so they agree.",
                    )
                )


# ---------------------------------------------------------------- all together


def check_project(root: Path) -> List[Problem]:
    problems: List[Problem] = []
    nlu = {relative: read_yaml(root, relative, problems) for relative in data_files(root, "nlu")}
    triage = {
        relative: read_yaml(root, relative, problems) for relative in data_files(root, "triage")
    }
    answers = {
        relative: read_yaml(root, relative, problems) for relative in data_files(root, "responses")
    }
    domain = read_yaml(root, "domain.yml", problems)
    conditions = read_yaml(root, "conditions.yml", problems)
    settings = read_yaml(root, "clinic.yml", problems)
    rules = {
        relative: read_yaml(root, relative, problems) for relative in data_files(root, "rules")
    }
    for relative in data_files(root, "stories") + test_conversation_files(root):
        read_yaml(root, relative, problems)
    if any(p.blocking for p in problems):
        return problems  # later checks would only repeat an unreadable file's problem
    examples = [
        e for relative, data in nlu.items() for e in read_examples(root, relative, data, problems)
    ]
    examples += [
        e
        for relative, data in triage.items()
        for e in read_triage_examples(root, relative, data, problems)
    ]
    answer_files = {rel: (data or {}).get("responses") or {} for rel, data in answers.items()}
    answer_files["domain.yml"] = domain.get("responses") or {}
    check_examples(examples, problems)
    check_not_held_out(root, examples, problems)
    check_faq_pairs(
        root, examples, {k: v for k, v in answer_files.items() if k != "domain.yml"}, problems
    )
    check_answers(root, answer_files, problems)
    check_checklist(root, conditions, problems)
    check_stated_count(root, checklist_length(root), domain.get("responses") or {}, problems)
    check_clinic_settings(root, settings, problems)
    check_triage_rules(root, problems)
    check_checklist_rules(rules, problems)
    return problems


def test_conversation_files(root: Path) -> List[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "tests").glob("test_*.yml"))


def report(problems: Iterable[Problem]) -> Tuple[str, bool]:
    problems = list(problems)
    errors = [p for p in problems if p.blocking]
    lines = [str(p) for p in errors] + [str(p) for p in problems if not p.blocking]
    if errors:
        lines.append(f"{len(errors)} problem(s) to fix before the assistant can be trained.")
    else:
        lines.append(
            "Content checks passed"
            + (f" ({len(problems)} warning(s) to look at)." if problems else ".")
        )
    return "\n".join(lines), not errors


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=project_dir(), help="the project folder")
    parser.add_argument(
        "--write-checklist",
        action="store_true",
        help="first write domain.yml's checklist part from conditions.yml (make validate does)",
    )
    args = parser.parse_args(argv)
    if args.write_checklist:
        try:
            if write_checklist(args.root):
                print(
                    "domain.yml: the checklist's questions, slots and form follow conditions.yml."
                )
        except (ChecklistDomainError, yaml.YAMLError, OSError):
            pass  # check_project says what is wrong, in plain words
    text, ok = report(check_project(args.root))
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
