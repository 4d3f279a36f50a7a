#!/usr/bin/env bash
# GPU check, run on a machine with CUDA (the device tool's H200), from the repository root:
#   bash tests/gpu/check.sh            (results under $OUT, default /tmp/gpu-check)
# 1. the GNN-LRP unit tests, the CUDA ones included (tests/unit/lrp/test_cuda.py);
# 2. the GNN-LRP benchmark on CUDA, and the same benchmark on that machine's CPU cores.
# That machine has torch but not SchNetPack and friends: with a .whl/ folder of wheels
# (README of tests/gpu) they are installed into /tmp/site first. Nothing is downloaded.
set -uo pipefail
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
# the published methane model, carried as .gpu_shared/data (the tests look in ../shared/data)
if [ -d .gpu_shared/data ] && [ ! -e ../shared/data ]; then
  mkdir -p ../shared && ln -s "$PWD/.gpu_shared/data" ../shared/data
fi
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD/workflow/lib" PYTHONUNBUFFERED=1
PY=${PYTHON:-python3}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" | tee -a "$OUT/gpu.txt"
timeout 240 $PY -m pytest -q -p no:cacheprovider -o addopts="" tests/unit/lrp 2>&1 | tail -15 | tee "$OUT/tests.log"
timeout 200 $PY tests/benchmarks/bench_lrp.py --device cuda --threads 16 2>&1 | grep -v INFO | tee "$OUT/bench_cuda.log"
timeout 120 $PY tests/benchmarks/bench_lrp.py --device cpu --threads 16 --frames methane,water,ntl9 2>&1 | grep -v INFO | tee "$OUT/bench_cpu16.log"
