#!/usr/bin/env bash
# Every GPU measurement of docs/gpu.md, in one script, for one H200 (the device tools' `run`):
#
#   run: bash benchmarks/gpu_round.sh STAGE...      (carry: .device-carry, holding the wheels below)
#
# Stages: spec (bf16 decode with drafting: speed off/on, verify cost k=2..8, cold warm-up),
# warm (the same again: warm start), int8 (8-bit decode, kernels profiled), kernels (8-bit
# product candidates), train (LoRA, the app's default path), tests (the CUDA tests of the
# fast path, of drafting and of the 8-bit kernel), warm8 (after int8: the 8-bit warm start). Each stage writes its JSON and log to $OUT.
# T_<STAGE>=seconds bounds a stage (one device call runs at most 10 minutes).
# Wheels the machine lacks (torchao, liger-kernel) travel in .device-carry/:
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux_2_28_x86_64 \
#       --platform any -d .device-carry torchao==0.18.0 liger-kernel==0.8.5
set -u
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 TERMLENS_HOME=/tmp/termlens-home PYTHONPATH=$PWD:${PYTHONPATH:-}
if ls .device-carry/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .device-carry/*.whl && export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
stage() { echo "=== $1 $(date +%T)"; }
for s in "$@"; do
  case $s in
    spec) stage spec
      timeout ${T_SPEC:-400} python3 -m desktop.engine.bench decode --speculate --verify-ks ${VERIFY_KS:-2,3,4,5,6,7,8} --new 128 --repeat 3 --turns 2 --json >"$OUT/spec.json" 2>"$OUT/spec.log"
      tail -5 "$OUT/spec.log"; python3 -c "import json;r=json.load(open('$OUT/spec.json'));print({k:r.get(k) for k in ('fast_tok_s','bound_fraction','warmup_s','warmup_by_graph_s','greedy_identical','plain_tok_s')});s=r.get('speculate') or {};v=s.pop('verify_cost',{});p=v.pop('profile',{});print(json.dumps(s)[:800]);print(json.dumps(v));[print(n,round(t['kernel_us']),*t['top'],sep='\n  ') for n,t in p.items()]";;
    warm) stage warm
      python3 -m desktop.engine.bench decode --new 128 --repeat 3 --turns 2 --json >"$OUT/warm.json" 2>"$OUT/warm.log"
      python3 -c "import json;r=json.load(open('$OUT/warm.json'));print({k:r.get(k) for k in ('fast_tok_s','bound_fraction','warmup_s','warmup_by_graph_s')})";;
    int8) stage int8
      timeout ${T_INT8:-400} python3 -m desktop.engine.bench decode --weights int8 --new 128 --repeat 3 --turns 2 --profile-kernels --json >"$OUT/int8.json" 2>"$OUT/int8.log"
      tail -3 "$OUT/int8.log"; python3 -c "import json;r=json.load(open('$OUT/int8.json'));print({k:r.get(k) for k in ('fast_tok_s','bound_tok_s','bound_fraction','warmup_s','greedy_same_tokens','greedy_identical')});kp=r.get('kernel_profile',{}).get('decode',{});print(kp.get('kernel_us_per_token'),kp.get('wall_us_per_token'));[print(t) for t in kp.get('top',[])[:10]]";;
    warm8) stage warm8  # after int8, same data folder: the 8-bit warm start (compiled kernels and tunings from disk)
      timeout ${T_WARM8:-120} python3 -m desktop.engine.bench decode --weights int8 --no-plain --new 128 --repeat 2 --turns 2 --json >"$OUT/warm8.json" 2>"$OUT/warm8.log"
      python3 -c "import json;r=json.load(open('$OUT/warm8.json'));print({k:r.get(k) for k in ('fast_tok_s','bound_fraction','warmup_s','warmup_by_graph_s','build_s','prepare_s')})";;
    kernels) stage kernels
      timeout ${T_KERNELS:-150} python3 benchmarks/bench_int8_kernels.py --json "$OUT/kernels.json" 2>&1 | tail -40;;
    train) stage train
      python3 -m desktop.engine.train_bench --paths liger --steps 12 --json "$OUT/train.json" 2>&1 | tail -8;;
    tests) stage tests
      timeout ${T_TESTS:-300} python3 -m pytest -x -q -p no:cacheprovider -m cuda ${TESTS:-tests/engine/test_int8_gemv.py tests/engine/test_speculate.py tests/engine/test_fastgen.py} 2>&1 | tail -15;;
  esac
done
stage done
