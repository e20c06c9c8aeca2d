#!/usr/bin/env bash
# Makes the PyTorch (CPU) reference environment that writes nnbook's expected outputs (golden
# fixtures, notebook and lesson transcripts, .safetensors fixtures) into .venv-torch in the
# repository (git-ignored). Idempotent: an environment that already imports the pinned torch is
# only topped up. Only PyPI is used.
#
# usage: scripts/torch-venv.sh [--onnx] [DIR]      (DIR default: .venv-torch in the repository)
#   --onnx  also installs onnx, for bench/export_onnx.py
# Then run a generator with the environment's python, which every doc names through one
# variable, NNBOOK_TORCH_PYTHON (default .venv-torch/bin/python from the repository root):
#   "${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python}" tests/golden/gen.py
#
# The Linux torch wheel on PyPI is a CUDA build that cannot even be imported unless the CUDA
# runtime libraries it links against can be loaded (no GPU and no driver are needed for CPU
# use). So torch is installed without its dependency resolution, then its pure-Python deps and
# the NVIDIA runtime wheels, and what the CPU path never loads is deleted (dlopen-only cuDNN
# parts, nvshmem transports, cuSOLVER with the lazily loaded libtorch_cuda_linalg.so, headers):
# about 3.2 GB instead of 4.4 GB. It takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH=2.15.0
SAFETENSORS=0.8.0
ONNX=1.23.2
with_onnx=0
dir=.venv-torch
for a in "$@"; do
  case $a in
    --onnx) with_onnx=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "torch-venv: unknown option $a (see --help)" >&2; exit 2 ;;
    *) dir=$a ;;
  esac
done
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || { echo "torch-venv: $PY not found: install Python 3.10+ (with its venv module)" >&2; exit 1; }
command -v readelf >/dev/null || { echo "torch-venv: readelf not found: install binutils" >&2; exit 1; }

if [ ! -x "$dir/bin/python" ]; then
  echo "torch-venv: creating $dir"
  "$PY" -m venv "$dir" || { echo "torch-venv: '$PY -m venv' failed: install your Python's venv package (Debian: python3-venv)" >&2; exit 1; }
fi
pip=("$dir/bin/python" -m pip install --disable-pip-version-check -q)

if ! "$dir/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH')" 2>/dev/null; then
  echo "torch-venv: installing torch $TORCH and the CUDA runtime wheels it links against (several minutes)"
  "${pip[@]}" --no-deps "torch==$TORCH"
  "${pip[@]}" filelock 'typing-extensions>=4.13.0' 'setuptools>=77.0.3' 'sympy>=1.13.3' 'networkx>=2.5.1' \
      jinja2 'fsspec>=0.8.5' numpy
  "${pip[@]}" 'cuda-toolkit[cublas,cudart,cufft,cufile,cupti,cusolver,cusparse,nvjitlink,nvrtc,nvtx]==13.2.2' \
      'cuda-bindings<14,>=13.0.3' 'nvidia-cudnn-cu13==9.26.0.51' 'nvidia-cusparselt-cu13==0.8.1' \
      'nvidia-nccl-cu13==2.30.7' 'nvidia-nvshmem-cu13==3.7.2'
  # Keep only the shared objects reachable through DT_NEEDED from torch's own libraries.
  "$dir/bin/python" - <<'EOF'
import glob, os, subprocess, sysconfig
os.chdir(sysconfig.get_paths()["purelib"])
libs = {}
for p in glob.glob("nvidia/**/*.so*", recursive=True) + glob.glob("torch/lib/*.so*") + glob.glob("torch/*.so"):
    if os.path.isfile(p):
        libs.setdefault(os.path.basename(p), []).append(p)
def needed(p):
    out = subprocess.run(["readelf", "-d", p], capture_output=True, text=True).stdout
    return [l.split("[")[1].split("]")[0] for l in out.splitlines() if "(NEEDED)" in l]
roots = [os.path.basename(p) for p in glob.glob("torch/lib/*.so*") + glob.glob("torch/*.so")
         if not p.endswith("libtorch_cuda_linalg.so")]   # loaded lazily, only for CUDA linalg
seen, stack = set(), roots
while stack:
    n = stack.pop()
    if n in seen:
        continue
    seen.add(n)
    for p in libs.get(n, []):
        stack += needed(p)
freed = 0
for n, ps in libs.items():
    for p in ps:
        if (p.startswith("nvidia/") and n not in seen) or p.endswith("libtorch_cuda_linalg.so"):
            freed += os.path.getsize(p)
            os.remove(p)
for d in glob.glob("nvidia/*/include") + ["torch/include"]:
    subprocess.run(["rm", "-rf", d])
print("torch-venv: pruned %.0f MB of shared objects the CPU path never loads" % (freed / 1e6))
EOF
fi
"$dir/bin/python" -c "import safetensors" 2>/dev/null || "${pip[@]}" "safetensors==$SAFETENSORS"
if [ $with_onnx = 1 ]; then
  "$dir/bin/python" -c "import onnx" 2>/dev/null || "${pip[@]}" "onnx==$ONNX"
fi
"$dir/bin/python" -c 'import torch; x = torch.randn(2, 3, 8, 8, requires_grad=True); torch.nn.Conv2d(3, 4, 3)(x).sum().backward(); print("torch-venv: torch", torch.__version__, "works on the CPU")'
if [ "$dir" = .venv-torch ]; then
  echo "torch-venv: ready: .venv-torch/bin/python (the default of NNBOOK_TORCH_PYTHON)"
else
  echo "torch-venv: ready: export NNBOOK_TORCH_PYTHON=$(cd "$dir" && pwd)/bin/python"
fi
