#!/usr/bin/env bash
# ./run interop [--out DIR] [--data DIR] [--checkpoint CKPT] [--quick]
#
# robustseg against code nobody here wrote, end to end (issue 18), in stages that are skipped
# when their output exists (delete a stage's folder to redo it):
#   data        FashionScenes in VOC layout (./run data fashion-scenes), unless --data is given
#   models      torchvision's LR-ASPP and DeepLabV3 (MobileNetV3) trained from scratch on it in
#               PyTorch, scripted and traced, with model cards   (torchvision_models.py)
#   export      a robustseg checkpoint -> safetensors (./run export) -> reference.py twin ->
#               TorchScript and ONNX -> imported back by robustseg: same logits   (export.py)
#   parity      each card: logits, input gradients and PGD-10 mIoU, robustseg vs PyTorch (parity.py)
#   finetune    PGD-AT fine-tuning of each scripted torchvision model in robustseg (./run train --init CARD)
#   compare     ./run compare of the imported models before and after fine-tuning
#   tables      DIR/interop.md and DIR/interop.json: the three tables, with the machine
# Runs on Debian's /usr/bin/python3 with python3-torch and python3-torchvision (./run installs them).
# --quick sizes everything down to a smoke run of a few minutes (figures meaningless).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/reference"
PY=/usr/bin/python3
OUT="$ROOT/runs/interop"
DATA=""
CHECKPOINT=""
QUICK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --checkpoint) CHECKPOINT="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "error: interop: unknown option '$1' (see ./run interop --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
say() { echo "[interop] $*" >&2; }
run() { "$ROOT/run" "$@"; }

# Sizes. The full settings took hours on a shared 2-core machine (README, "Your own model").
if [ "$QUICK" = 1 ]; then
  EPOCHS=1 TRAIN_LIMIT=64 PARITY_IMAGES=4 PGD_IMAGES=8 FT_TRAIN=32 FT_EPOCHS=1 COMPARE_IMAGES=8 COMPARE_SUBSET=4 ROBUSTSEG_EPOCHS=1
else
  EPOCHS=4 TRAIN_LIMIT=2000 PARITY_IMAGES=12 PGD_IMAGES=64 FT_TRAIN=1000 FT_EPOCHS=1 COMPARE_IMAGES=32 COMPARE_SUBSET=8 ROBUSTSEG_EPOCHS=3
fi

if [ -z "$DATA" ]; then
  DATA="$OUT/data"
  if [ ! -f "$DATA/dataset.json" ]; then
    say "data: FashionScenes -> $DATA"
    if [ "$QUICK" = 1 ]; then run data fashion-scenes --out "$DATA" --train 200 --val 32; else run data fashion-scenes --out "$DATA"; fi
  fi
fi
DATA="$(cd "$DATA" && pwd)"

MODELS="$OUT/models"
if [ ! -f "$MODELS/deeplabv3.json" ] || [ ! -f "$MODELS/lraspp.json" ]; then
  say "models: torchvision LR-ASPP and DeepLabV3 (MobileNetV3), $EPOCHS epochs on $TRAIN_LIMIT images -> $MODELS"
  "$PY" "$HERE/torchvision_models.py" train --data "$DATA" --out "$MODELS" --epochs "$EPOCHS" --train-limit "$TRAIN_LIMIT"
fi

EXPORT="$OUT/export"
if [ ! -f "$EXPORT/roundtrip.json" ]; then
  if [ -z "$CHECKPOINT" ]; then
    CHECKPOINT="$OUT/robustseg-model"
    if [ ! -d "$CHECKPOINT/checkpoints" ]; then
      say "export: a pspnet-lite of robustseg's own to export ($ROBUSTSEG_EPOCHS epochs) -> $CHECKPOINT"
      run train --data "$DATA" --epochs "$ROBUSTSEG_EPOCHS" --no-val --out "$CHECKPOINT"
    fi
  fi
  say "export: $CHECKPOINT -> safetensors -> TorchScript, ONNX -> robustseg"
  run export --checkpoint "$CHECKPOINT" --format safetensors --out "$EXPORT"
  "$PY" "$HERE/export.py" "$EXPORT" --onnx --check "$CHECKPOINT" --data "$DATA"
fi

PARITY="$OUT/parity"
if [ ! -f "$PARITY/parity.json" ]; then
  say "parity: robustseg vs PyTorch on every card"
  "$PY" "$HERE/parity.py" --data "$DATA" --out "$PARITY" --images "$PARITY_IMAGES" --pgd-images "$PGD_IMAGES" \
    --card "$MODELS/lraspp.card.json" --card "$MODELS/lraspp-traced.card.json" \
    --card "$MODELS/deeplabv3.card.json" --card "$MODELS/deeplabv3-traced.card.json" || say "parity: a check failed (see the table)"
fi

# PGD-AT fine-tuning on the first FT_TRAIN training images (a VOC view of the data with a shorter train list)
FTDATA="$OUT/finetune-data"
if [ ! -f "$FTDATA/ImageSets/Segmentation/train.txt" ]; then
  mkdir -p "$FTDATA/ImageSets/Segmentation"
  for d in JPEGImages SegmentationClass; do ln -sfn "$DATA/$d" "$FTDATA/$d"; done
  cp "$DATA/dataset.json" "$FTDATA/dataset.json"
  cp "$DATA/ImageSets/Segmentation/val.txt" "$FTDATA/ImageSets/Segmentation/val.txt"
  head -n "$FT_TRAIN" "$DATA/ImageSets/Segmentation/train.txt" > "$FTDATA/ImageSets/Segmentation/train.txt"
fi
for m in lraspp deeplabv3; do
  if [ ! -d "$OUT/finetune/$m/checkpoints" ] || [ -z "$(ls "$OUT/finetune/$m/checkpoints")" ]; then
    say "finetune: $m, PGD-AT 8/255 x3, $FT_EPOCHS epoch(s) on $FT_TRAIN images"
    run train --init "$MODELS/$m.card.json" --recipe pgd-at --data "$FTDATA" --epochs "$FT_EPOCHS" --no-val \
      --overwrite --out "$OUT/finetune/$m"
  fi
done

COMPARE="$OUT/compare"
if [ ! -f "$COMPARE/compare.json" ]; then
  # SEA-300 took 25 min per model and eps on 64 images of a shared, busy 2-core machine: the comparison takes 32 images and SEA an evenly spaced 8 of them
  say "compare: before and after fine-tuning on $COMPARE_IMAGES val images (SEA-300 on $COMPARE_SUBSET of them)"
  run compare --data "$DATA" --limit "$COMPARE_IMAGES" --subset "$COMPARE_SUBSET" --out "$COMPARE" \
    --checkpoint "$MODELS/lraspp.card.json" --checkpoint "$OUT/finetune/lraspp" \
    --checkpoint "$MODELS/deeplabv3.card.json" --checkpoint "$OUT/finetune/deeplabv3"
fi

"$PY" "$HERE/interop_tables.py" "$OUT"
say "wrote $OUT/interop.md and $OUT/interop.json"
