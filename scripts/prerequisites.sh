#!/usr/bin/env bash
# What `npm test` needs outside npm, checked before any test runs (and by .ci/run).
# Each missing piece maps to the Debian package that provides it. As root with
# apt-get, those packages are installed; otherwise the script stops at once and
# prints the one command that installs them, so no test fails an hour in.
#   NETLOOM_PREREQUISITES=check   only check, never install (exit 1 if something is missing)
set -euo pipefail

missing=()   # what is absent, in words
packages=()  # the Debian packages that provide it

need() { missing+=("$1"); shift; packages+=("$@"); }

# A python among the ones the tests ask (env var, Debian's /usr/bin/python3, PATH) that imports $2.
python_with() {
  local override="$1" modules="$2" candidate
  for candidate in "$override" /usr/bin/python3 python3; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c "import $modules" >/dev/null 2>&1; then return 0; fi
  done
  return 1
}

# Mesa's EGL, GLES and llvmpipe: the `webgpu` package's Dawn runs on them without a GPU.
mesa_present() {
  if command -v dpkg >/dev/null 2>&1; then
    dpkg -s libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri >/dev/null 2>&1
  else
    local libs
    libs="$(ldconfig -p 2>/dev/null || true)"
    grep -q 'libEGL_mesa.so.0' <<<"$libs" && grep -q 'libGLESv2.so.2' <<<"$libs"
  fi
}

check() {
  missing=()
  packages=()
  local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$chromium" ] || need "Chromium at $chromium (the browser tests; CHROMIUM_PATH moves it)" chromium
  python_with "${PYTHON:-}" 'torch, numpy, PIL' || need "a Python with torch, numpy and Pillow (the PyTorch export's tests)" python3-torch python3-pil
  python_with "${NETLOOM_ONNX_PYTHON:-}" 'onnx' || need "a Python with onnx (ONNX's checker)" python3-onnx
  mesa_present || need "Mesa's EGL, GLES and llvmpipe (WebGPU in software)" libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri
  [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need "Fashion-MNIST in /usr/share/datasets/fashion-mnist (the import tests' outside data)" dataset-fashion-mnist
  return 0
}

report() {
  local item
  for item in "${missing[@]}"; do echo "  missing: $item" >&2; done
}

node_major="$(node -p 'process.versions.node.split(".").map(Number).join(" ")')"
read -r major minor _ <<<"$node_major"
if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
  echo "prerequisites: Node $(node --version) is too old: the tests need Node 20.19 or newer" >&2
  exit 1
fi

check
[ "${#missing[@]}" -eq 0 ] && exit 0

fix="apt-get update && apt-get install -y ${packages[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1 || [ "${NETLOOM_PREREQUISITES:-}" = check ]; then
  echo "prerequisites: the tests cannot run here yet" >&2
  report
  if command -v apt-get >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || fix="sudo apt-get update && sudo apt-get install -y ${packages[*]}"
    echo "fix: $fix" >&2
  else
    echo "fix: install Debian's ${packages[*]} (or their equivalents) and run npm test again" >&2
  fi
  exit 1
fi

echo "prerequisites: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" >/dev/null
check
if [ "${#missing[@]}" -ne 0 ]; then
  echo "prerequisites: still missing after installing ${packages[*]}" >&2
  report
  exit 1
fi
