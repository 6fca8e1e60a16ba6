#!/usr/bin/env bash
# Prints a Python 3.10 interpreter (Rasa 3.6 needs >=3.8,<3.11) or explains what is missing.
set -u
for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/3.10.13/bin/python" \
                 /root/.pyenv/versions/3.10.*/bin/python /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "No Python 3.10 found. Rasa 3.6 needs Python 3.8-3.10, and this project pins 3.10." >&2
echo "Install one (for example 'pyenv install 3.10.13', or Debian's python3.10 and python3.10-venv)" >&2
echo "or point PYTHON310 at it: make run PYTHON310=/path/to/python3.10" >&2
exit 1
