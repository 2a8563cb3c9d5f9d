#!/usr/bin/env bash
# Build the project's environment from nothing in .venv/ at the repository root.
#
#   bash tools/setup_env.sh          # create or update .venv (a quick no-op when up to date)
#
# Versions live in requirements/pinned.txt. mmcv 2.1.0 has no wheel for this
# torch, so it is built from its sdist with compiled ops (C++20, as torch 2.14
# headers require); the built wheel is cached in $POSEWARPER_CACHE (default
# ~/.cache/mmpose-posewarper) so the ~30 minute build happens once per machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${POSEWARPER_VENV:-$ROOT/.venv}"
CACHE="${POSEWARPER_CACHE:-$HOME/.cache/mmpose-posewarper}"
PINNED="$ROOT/requirements/pinned.txt"
PYTHON="${PYTHON:-python3}"

die() { echo "setup_env: ERROR: $*" >&2; exit 1; }
log() { echo "setup_env: $*" >&2; }
pin() { grep -E "^$1([=<>]|$)" "$PINNED" | head -n1; }

# ---- preconditions, each with what to do about it -------------------------
command -v "$PYTHON" >/dev/null || die "no '$PYTHON' found. Install Python 3.11 or set PYTHON=/path/to/python3.11."
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$PYVER" = "3.11" ] || die "Python $PYVER is not supported: torch 2.14.1 and mmcv 2.1.0 are pinned for Python 3.11. Set PYTHON=/path/to/python3.11."

STAMP_INPUTS="$(cat "$PINNED" "$ROOT/requirements/runtime.txt" "$ROOT/requirements/tests.txt" "$ROOT/setup.cfg" "$0" | sha256sum | cut -c1-16)"
STAMP="$VENV/.posewarper-env-$STAMP_INPUTS"

verify() {
  "$VENV/bin/python" - "$ROOT/mmpose_posewarper/utils/environment.py" <<'PY'
import importlib.util
import sys
# loaded by path: importing the package would fail first on a broken stack
spec = importlib.util.spec_from_file_location('posewarper_environment', sys.argv[1])
environment = importlib.util.module_from_spec(spec)
spec.loader.exec_module(environment)
EnvironmentProblem, check_environment = environment.EnvironmentProblem, environment.check_environment
try:
    check_environment(require_mmcv_ops=True)
except EnvironmentProblem as problem:
    sys.exit(f'setup_env: ERROR: {problem}')
import numpy, torch, mmcv, mmdet, mmengine, mmpose, xtcocotools  # noqa: F401
import os.path as osp
from mim.utils import get_installed_path
assert numpy.__version__.startswith('1.'), f'numpy {numpy.__version__}: need numpy<2'
assert osp.isfile(osp.join(get_installed_path('mmpose_posewarper'), '.mim', 'tools', 'train.py')), \
    'mim cannot find mmpose_posewarper/.mim/tools/train.py'
print(f'setup_env: OK python {sys.version.split()[0]}, torch {torch.__version__}, '
      f'mmcv {mmcv.__version__} (ops compiled), mmengine {mmengine.__version__}, '
      f'mmdet {mmdet.__version__}, mmpose {mmpose.__version__}, numpy {numpy.__version__}',
      file=sys.stderr)
PY
}

if [ -f "$STAMP" ] && verify 2>/dev/null; then
  log "environment in $VENV is up to date"
  exit 0
fi

command -v g++ >/dev/null || die "no C++ compiler (g++) found: mmcv's ops are compiled from source. Install one, e.g. 'apt-get install g++' (Debian/Ubuntu)."

# ---- venv and pinned base packages ----------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV" || die "could not create a venv: install the venv module (e.g. 'apt-get install python3.11-venv')."
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
CONSTRAINTS=(-c "$PINNED")
"${PIP[@]}" install -q --upgrade pip >/dev/null
log "installing torch, numpy, mmengine and build tools"
"${PIP[@]}" install -q "${CONSTRAINTS[@]}" "$(pin torch)" "$(pin torchvision)" "$(pin numpy)" \
  "$(pin setuptools)" wheel ninja "$(pin mmengine)"

# ---- mmcv with compiled ops, built once per machine -----------------------
MMCV_PIN="$(pin mmcv)"; MMCV_VERSION="${MMCV_PIN#mmcv==}"
TORCH_VERSION=$("$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])')
WHEEL_DIR="$CACHE/wheels/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-cp${PYVER/./}-$(uname -m)"
if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
  log "building mmcv $MMCV_VERSION with ops from source (15 minutes on 2 idle cores here, up to 36 on busy ones; cached in $WHEEL_DIR)"
  BUILD="$(mktemp -d)"
  trap 'rm -rf "$BUILD"' EXIT
  "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "$MMCV_PIN" -d "$BUILD" \
    || die "could not download the mmcv $MMCV_VERSION sdist from PyPI."
  tar xzf "$BUILD"/mmcv-*.tar.gz -C "$BUILD"
  SRC="$(ls -d "$BUILD"/mmcv-*/)"
  # torch 2.14's headers need C++20; mmcv's setup.py hard-codes c++14/17.
  sed -i -E 's/std=c\+\+1[47]/std=c++20/g; s#/std:c\+\+1[47]#/std:c++20#g' "$SRC/setup.py"
  # a progress line every minute: the build is silent for 10-30 minutes
  TOTAL=$(find "$SRC/mmcv/ops/csrc" -name '*.cpp' | { grep -Ev '/(cuda|mlu|mps|npu|musa|diopi|ascend)' || true; } | wc -l)
  START=$SECONDS
  ( while sleep 60; do
      DONE=$(find "$SRC" -name '*.o' 2>/dev/null | wc -l)
      log "building mmcv: $DONE of about $TOTAL sources compiled, $(( (SECONDS - START) / 60 )) min elapsed"
    done ) &
  PROGRESS=$!
  trap 'kill $PROGRESS 2>/dev/null; rm -rf "$BUILD"' EXIT
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "${PIP[@]}" wheel -q --no-build-isolation --no-deps \
    -w "$BUILD/dist" "$SRC" || die "mmcv build failed (see the compiler output above). It needs g++ with C++20 support and the Python headers."
  kill $PROGRESS 2>/dev/null || true
  log "built mmcv in $(( (SECONDS - START) / 60 )) min"
  mkdir -p "$WHEEL_DIR"
  mv "$BUILD"/dist/mmcv-*.whl "$WHEEL_DIR/"
  rm -rf "$BUILD"; trap - EXIT
fi
log "installing mmcv from $WHEEL_DIR"
"${PIP[@]}" install -q "${CONSTRAINTS[@]}" "$WHEEL_DIR"/mmcv-*.whl

# ---- the rest of the OpenMMLab stack and the plugin -----------------------
log "installing mmdet, mmpose (without chumpy), xtcocotools, openmim, test tools"
"${PIP[@]}" install -q "${CONSTRAINTS[@]}" "$(pin mmdet)" "$(pin xtcocotools)" "$(pin openmim)" \
  -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"
"${PIP[@]}" install -q --no-deps "$(pin mmpose)"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT"
# `mim train/test` look for <site-packages>/mmpose_posewarper/.mim/tools; a
# PEP 660 editable install has no such directory, so point it at the checkout.
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ln -sfn "$ROOT/mmpose_posewarper" "$SITE/mmpose_posewarper"

verify || die "the environment was built but does not import cleanly (see above)."
rm -f "$VENV"/.posewarper-env-*
touch "$STAMP"
