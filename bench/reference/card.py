"""robustseg's model card (format robustseg-model-card/1) on the PyTorch side: write one next to a
TorchScript file, and load a card back as the module robustseg's import makes of it ([0,1] RGB
images in, logits at the input size out; reference.CardModel is that wrapping, written
independently of robustseg's Java so that the two can be compared).

    {"format": "robustseg-model-card/1", "torchscript": "model.pt", "classes": [...],
     "input": {"size": [H, W] (optional), "channel_order": "RGB"|"BGR", "mean": [3], "std": [3],
               "range": "0-1"|"0-255"},
     "output": {"kind": "tensor"|"tuple"|"dict", "index": 0, "key": "out"},
     "ignore_index": 255}

mean and std are in the network's channel order and value range: the network receives
((x flipped to BGR if asked) * range - mean) / std, exactly what it was trained on.
"""
import json
import os
import tempfile

import torch

import reference

FORMAT = "robustseg-model-card/1"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def input_block(channel_order="RGB", mean=IMAGENET_MEAN, std=IMAGENET_STD, value_range="0-1", size=None):
    if channel_order not in ("RGB", "BGR"):
        raise ValueError(f"channel_order must be RGB or BGR, got {channel_order!r}")
    if value_range not in ("0-1", "0-255"):
        raise ValueError(f"range must be 0-1 or 0-255, got {value_range!r}")
    block = {"channel_order": channel_order, "mean": [float(v) for v in mean], "std": [float(v) for v in std],
             "range": value_range}
    return block if size is None else {"size": list(size), **block}


def output_block(kind, index=0, key="out"):
    if kind == "tensor":
        return {"kind": "tensor"}
    if kind == "tuple":
        return {"kind": "tuple", "index": index}
    if kind == "dict":
        return {"kind": "dict", "key": key}
    raise ValueError(f"output kind must be tensor, tuple or dict, got {kind!r}")


def write_atomically(path, write):
    """Runs write(temporary path) in path's directory, then renames: a reader never sees half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=directory)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_text(path, text):
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(text)
    write_atomically(path, write)


def write_json(path, value):
    write_text(path, json.dumps(value, indent=2) + "\n")


def write_card(path, network_file, classes, inp, output, provenance=None, ignore_index=255, key="torchscript"):
    """The card at `path` for `network_file` (written relative to the card's folder) under `key`
    ("torchscript" or "onnx"); extra fields such as "provenance" are kept and ignored by robustseg."""
    card = {"format": FORMAT, key: os.path.relpath(network_file, os.path.dirname(os.path.abspath(path))),
            "classes": list(classes), "input": inp, "output": output, "ignore_index": ignore_index}
    if provenance is not None:
        card["provenance"] = provenance
    write_json(path, card)
    return card


def read_card(path):
    with open(path) as f:
        card = json.load(f)
    if card.get("format") != FORMAT:
        raise SystemExit(f"{path}: not a robustseg model card (format {card.get('format')!r}, expected {FORMAT!r})")
    if "torchscript" not in card:
        raise SystemExit(f"{path}: names no 'torchscript' file (PyTorch cannot run an ONNX card here)")
    return card


def load(card_path):
    """The card's TorchScript network under its card, in eval mode, parameters frozen; and the card."""
    card = read_card(card_path)
    net = torch.jit.load(os.path.join(os.path.dirname(os.path.abspath(card_path)), card["torchscript"]), map_location="cpu")
    model = reference.CardModel(net, card).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, card
