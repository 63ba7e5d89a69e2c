#!/usr/bin/env bash
# The README's first command: set everything up, show a first assessment on the embedded default
# backend (a sentence spoken by espeak-ng, with one word misread), then start the daemon on
# http://127.0.0.1:8770 for the Anki add-on. Stop it with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
sample=$(mktemp --suffix=.wav)
trap 'rm -f "$sample"' EXIT
espeak-ng -v en-us -w "$sample" "We took the ban home"
echo
echo "First assessment: espeak-ng read 'We took the ban home' for the target 'We took the van home.'"
.venv/bin/python -m inference_daemon assess "$sample" "We took the van home." --native-language zh
echo
exec .venv/bin/python -m inference_daemon serve "$@"
