#!/usr/bin/env bash
# The method's whole table on one CUDA GPU: benchmarks/seed_table.py with a real amount of training
# (4 pairs per concept and language, 3 epochs) and n >= 100 items per main cell.
#
#   bash benchmarks/gpu_table.sh MODEL_DIR [seed_table.py options...]     # any machine with a GPU
#   run: bash benchmarks/gpu_table.sh MODEL_DIR                           # the device tools, carry .device-carry-table
#
# MODEL_DIR is a model folder in the Hugging Face layout (the installed default model:
# ~/.local/share/TermLens/models/SmolLM2-135M-Instruct, or Qwen2.5-7B-Instruct); options after it
# are passed to seed_table.py and override the sizes below (e.g. --smoke for a quick check).
# The table, its JSON and the step log (every command with its wall time) are copied to $OUT.
#
# A machine with torch, transformers, peft and accelerate but not TermLens's other dependencies
# (the device tools' H200) installs them from wheels in .device-carry-table/, made here with
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
#       --platform any -d .device-carry-table ahocorasick_rs argon2-cffi argon2-cffi-bindings cffi pycparser \
#       cryptography defusedxml gguf keyring jaraco.classes jaraco.context jaraco.functools more-itertools \
#       platformdirs sqlcipher3-binary tomli_w simplemma PyStemmer OpenCC
#   pip wheel --no-deps -w .device-carry-table jieba==0.42.1     # jieba is published as a source archive only
# (about 49 MB; the device tools carry at most 64 MiB with the working tree, so a model folder
# cannot travel with them: the default model is 517 MB, its GGUF 98 MB).
set -u
OUT=${OUT:-/tmp/out}
MODEL=${1:?usage: gpu_table.sh MODEL_DIR [seed_table.py options]}
shift
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# No fast decode path: it compiles and captures CUDA graphs at every model load (once per eval
# process) and serves only free-text answers; the choices are scored on the plain model either way.
export TERMLENS_FAST=${TERMLENS_FAST:-0}
PY=${PYTHON:-python3}
if ls .device-carry-table/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .device-carry-table/*.whl || exit 1
  export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
$PY -c "import torch; print('torch', torch.__version__, 'GPU', torch.cuda.get_device_name(0))" || exit 1
RUN=${RUN_DIR:-/tmp/gpu-table}
start=$(date +%s)
set -o pipefail
$PY benchmarks/seed_table.py --model "$MODEL" --device cuda --out "$RUN" \
  --per-concept 4 --epochs 3 --n-l1 150 --n-l2 100 --positions system,inline,both --related 3 --whole "$@" \
  2>&1 | tee -i "$OUT/gpu-table.log"   # -i: timeout -s INT stops seed_table (then --resume), not the log
rc=$?
echo "seed_table exit $rc, wall time $(( $(date +%s) - start )) s" | tee -a "$OUT/gpu-table.log"
for f in table.md table.json steps.jsonl; do
  [ -f "$RUN/$f" ] && cp "$RUN/$f" "$OUT/$f"
done
exit $rc
