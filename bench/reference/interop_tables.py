#!/usr/bin/python3
"""The tables of `./run interop` (bench/reference/interop.sh) from what its stages wrote in DIR:

    /usr/bin/python3 bench/reference/interop_tables.py DIR

DIR/interop.md and DIR/interop.json: the torchvision models as trained in PyTorch, the export
round trip, the parity table (parity.py) and the robustness of the imported models before and
after robustseg's PGD-AT fine-tuning (./run compare), each marked with the machine it ran on.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from card import write_json, write_text  # noqa: E402
from parity import cpu_name, git_commit  # noqa: E402


def load(path):
    if not os.path.isfile(path):
        raise SystemExit(f"{path}: missing (run ./run interop to make it)")
    with open(path) as f:
        return json.load(f)


def training_table(models_dir):
    lines = ["| model (torchvision) | parameters | epochs × images | training time | clean val mIoU (PyTorch, exported file) |",
             "|---|---|---|---|---|"]
    records = []
    for name in ("lraspp", "deeplabv3"):
        r = load(os.path.join(models_dir, name + ".json"))
        records.append(r)
        clean = r["clean_val_through_exported_file"][name + ".card.json"]["miou"]
        lines.append(f"| {r['torchvision_builder']} | {r['parameters'] / 1e6:.2f} M | {r['config']['epochs']} × "
                     f"{r['train_data']['images']} | {r['training_seconds'] / 60:.0f} min | {clean:.4f} |")
    return "\n".join(lines), records


def roundtrip_table(r):
    lines = ["| robustseg checkpoint → | max abs logit diff |", "|---|---|",
             f"| its reference.py twin in PyTorch (safetensors) | {r['robustseg_vs_twin_in_pytorch']:.1e} |",
             f"| TorchScript (export.py), imported back | {r['robustseg_vs_torchscript_imported_back']:.1e} |"]
    if "robustseg_vs_onnx_imported_back" in r:
        lines.append(f"| ONNX (export.py), imported back (ONNX Runtime) | {r['robustseg_vs_onnx_imported_back']:.1e} |")
    lines.append("")
    lines.append(f"On {r['images']} val images (largest logit {r['logits_max_abs']:.1f}); tolerance {r['tolerance']:g}: "
                 f"{'pass' if r['pass'] else 'FAIL'}. The input gradient survives the TorchScript round trip to a relative "
                 f"{r['input_gradient_max_relative_l2_torchscript_vs_original']:.1e}.")
    return "\n".join(lines)


def finetune_table(compare):
    rows = compare["rows"]
    lines = ["| model | PGD-10 8/255 mIoU before | after robustseg PGD-AT | raised |", "|---|---|---|---|"]
    verdicts = []
    for before, after in zip(rows[0::2], rows[1::2]):
        raised = after["pgd_8_miou"] > before["pgd_8_miou"]
        verdicts.append({"model": before["name"], "before": before["pgd_8_miou"], "after": after["pgd_8_miou"], "raised": raised})
        lines.append(f"| {before['name']} | {before['pgd_8_miou']:.4f} | {after['pgd_8_miou']:.4f} | {'yes' if raised else 'NO'} |")
    return "\n".join(lines), verdicts


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    machine = cpu_name()
    parity = load(os.path.join(out, "parity", "parity.json"))
    roundtrip = load(os.path.join(out, "export", "roundtrip.json"))
    compare = load(os.path.join(out, "compare", "compare.json"))
    with open(os.path.join(out, "parity", "parity.md")) as f:
        parity_md = f.read().strip()
    with open(os.path.join(out, "compare", "compare.md")) as f:
        compare_md = f.read().strip()
    training_md, training = training_table(os.path.join(out, "models"))
    finetune_md, verdicts = finetune_table(compare)
    md = "\n\n".join([
        f"# robustseg and PyTorch: interoperability ({machine}; commit {git_commit()})",
        "## torchvision models trained in PyTorch (bench/reference/torchvision_models.py)", training_md,
        "## Export round trip (./run export, bench/reference/export.py)", roundtrip_table(roundtrip),
        "## Parity of the import (bench/reference/parity.py)", parity_md,
        "## Robustness before and after robustseg's PGD-AT fine-tuning (./run train --init CARD --recipe pgd-at; ./run compare)",
        compare_md, finetune_md]) + "\n"
    write_text(os.path.join(out, "interop.md"), md)
    write_json(os.path.join(out, "interop.json"), {
        "machine": machine, "commit": git_commit(), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training": training, "roundtrip": roundtrip, "parity": parity, "compare": compare, "finetune": verdicts})
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
