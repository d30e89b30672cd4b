#!/usr/bin/python3
"""A robustseg model for deployment: the safetensors that `./run export --format safetensors`
writes, loaded into the model's PyTorch twin (reference.py) and saved as TorchScript and ONNX.

    ./run export --checkpoint runs/demo/models/robust --format safetensors --out DIR
    /usr/bin/python3 bench/reference/export.py DIR [--onnx] [--check CHECKPOINT]

DIR holds model.safetensors and card.json (its "architecture" names the twin, "torchscript" the
file this script writes). Written beside them:

  model.pt                 torch.jit.trace of the twin in eval mode (a plain logits tensor; the
                           card's input conversion is the identity: the twin normalises inside)
  model.onnx               with --onnx: ONNX (opset 13), batch dimension dynamic, H×W fixed at the
  model-onnx.card.json     size given by --size (ONNX has no adaptive pooling of a free size), and
                           its own card naming that size

--check CHECKPOINT runs the round trip: robustseg's logits of CHECKPOINT (the exported one), of
DIR/card.json (the TorchScript made here, imported back) and of the ONNX card, against the twin's
in PyTorch, on the same images (`./run bench parity-dump`). Pass: max |diff| <= 1e-4. The figures
go to DIR/roundtrip.json and the exit status.

The safetensors are read by reference.load_safetensors (Debian ships no python3-safetensors).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402
from card import write_atomically, write_card, write_json  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 1e-4


def twin(export_dir):
    """The twin network with the exported weights (strict: every name must match), in eval mode, and the card."""
    card_path = os.path.join(export_dir, "card.json")
    with open(card_path) as f:
        arch = json.load(f).get("architecture")
    if arch not in reference.MODELS:
        raise SystemExit(f"{card_path}: 'architecture' is {arch!r}; reference.py has twins of {', '.join(reference.MODELS)}")
    try:
        net, card = reference.load_export(export_dir)
    except (RuntimeError, KeyError, OSError) as e:
        raise SystemExit(f"{export_dir}: the safetensors do not load into reference.py's {arch}: {' '.join(str(e).split())[:400]}")
    return net, card


def export(export_dir, size, onnx, log):
    net, card = twin(export_dir)
    example = torch.rand(1, 3, size[0], size[1], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        traced = torch.jit.trace(net, example, check_trace=True)
    pt = os.path.join(export_dir, card["torchscript"])
    write_atomically(pt, lambda tmp: torch.jit.save(traced, tmp))
    log(f"wrote {pt} (torch.jit.trace of reference.py's {card['architecture']})")
    written = {"torchscript": pt}
    if onnx:
        path = os.path.join(export_dir, "model.onnx")
        write_atomically(path, lambda tmp: torch.onnx.export(
            net, example, tmp, opset_version=13, input_names=["images"], output_names=["logits"],
            dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}}))
        card_path = os.path.join(export_dir, "model-onnx.card.json")
        write_card(card_path, path, card["classes"], {"size": list(size), **card["input"]}, card["output"],
                   {"made_by": "bench/reference/export.py (torch.onnx.export, opset 13)", "from": card.get("provenance")},
                   card.get("ignore_index", 255), key="onnx")
        log(f"wrote {path} and {card_path} (ONNX opset 13, inputs N×3×{size[0]}×{size[1]})")
        written["onnx_card"] = card_path
    return net, card, written


def robustseg_dump(runner, checkpoint, inputs, out, log):
    cmd = [runner, "bench", "parity-dump", "--checkpoint", checkpoint, "--inputs", inputs, "--out", out]
    log("$ " + " ".join(cmd))
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        err = [l for l in p.stderr.splitlines() if l.startswith("error")] or p.stderr.splitlines()[-5:]
        raise SystemExit(f"robustseg failed ({' '.join(cmd)}): {' / '.join(err)}")
    return np.load(os.path.join(out, "robustseg.npz"))


def round_trip(export_dir, net, classes, written, checkpoint, runner, data, size, log):
    """robustseg's logits of the original checkpoint, of the TorchScript and ONNX files imported back, and the twin's."""
    if data:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from voc import VocSplit
        x, y = VocSplit(data, "val", 8).tensors()
    else:
        g = torch.Generator().manual_seed(0)
        x = torch.rand(8, 3, size[0], size[1], generator=g)
        y = torch.randint(0, classes, (8, size[0], size[1]), generator=g)
    work = os.path.join(export_dir, "roundtrip")
    os.makedirs(work, exist_ok=True)
    inputs = os.path.join(work, "inputs.npz")

    def save(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, images=x.numpy(), labels=y.numpy().astype(np.int64))
    write_atomically(inputs, save)
    with torch.no_grad():
        pytorch = net(x).numpy()
    dump = robustseg_dump(runner, os.path.abspath(checkpoint), inputs, os.path.join(work, "original"), log)
    back = robustseg_dump(runner, os.path.abspath(os.path.join(export_dir, "card.json")), inputs,
                            os.path.join(work, "torchscript"), log)
    original = dump["logits"]
    figures = {"images": len(x), "logits_max_abs": float(np.abs(original).max()),
               "robustseg_vs_twin_in_pytorch": float(np.abs(original - pytorch).max()),
               "robustseg_vs_torchscript_imported_back": float(np.abs(original - back["logits"]).max())}
    if "onnx_card" in written:
        onnx = robustseg_dump(runner, os.path.abspath(written["onnx_card"]), inputs, os.path.join(work, "onnx"), log)
        figures["robustseg_vs_onnx_imported_back"] = float(np.abs(original - onnx["logits"]).max())
    figures["pass"] = all(v <= TOLERANCE for k, v in figures.items() if k.startswith("robustseg_vs"))
    # context, not a criterion: the input gradient (pixel CE) survives the round trip too
    g, h = dump["gradient"].reshape(len(x), -1), back["gradient"].reshape(len(x), -1)
    figures["input_gradient_max_relative_l2_torchscript_vs_original"] = float(
        (np.linalg.norm(g - h, axis=1) / np.maximum(np.linalg.norm(g, axis=1), 1e-30)).max())
    return figures


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="what ./run export --format safetensors --out DIR wrote")
    p.add_argument("--onnx", action="store_true", help="also write model.onnx and model-onnx.card.json")
    p.add_argument("--size", default="64,64", help="H,W the trace and the ONNX graph are made at (default 64,64)")
    p.add_argument("--check", metavar="CHECKPOINT", help="the round trip against this (the exported) checkpoint")
    p.add_argument("--data", help="with --check: take 8 val images of this data directory (default: uniform noise)")
    p.add_argument("--run", default=os.path.join(REPO, "run"), help="robustseg's entry script (default: this repository's ./run)")
    a = p.parse_args(argv[1:])
    size = [int(v) for v in a.size.split(",")]
    if len(size) != 2 or min(size) < 1:
        p.error(f"--size must be H,W, got {a.size!r}")
    torch.set_num_threads(2)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    net, card, written = export(a.dir, size, a.onnx, log)
    if not a.check:
        return 0
    figures = round_trip(a.dir, net, len(card["classes"]), written, a.check, a.run, a.data, size, log)
    figures.update({"checkpoint": os.path.abspath(a.check), "export_dir": os.path.abspath(a.dir), "tolerance": TOLERANCE,
                    "torch": torch.__version__, "script": "bench/reference/export.py",
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    write_json(os.path.join(a.dir, "roundtrip.json"), figures)
    print(json.dumps(figures, indent=1))
    return 0 if figures["pass"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
