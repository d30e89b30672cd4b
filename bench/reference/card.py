"""robustseg's model card (format robustseg-model-card/1) on the PyTorch side: write one next to a
TorchScript file, and load a card back as a module that takes images in [0,1] (RGB, N×3×H×W)
and returns logits — the same wrapping robustseg's Java import applies, written independently
here so the two can be compared.

    {"format": "robustseg-model-card/1", "torchscript": "model.pt", "classes": [...],
     "input": {"size": [H, W] (optional), "channel_order": "RGB"|"BGR", "mean": [3], "std": [3],
               "range": "0-1"|"0-255"},
     "output": {"kind": "tensor"|"tuple"|"dict", "index": 0, "key": "out"},
     "ignore_index": 255}

The scripted model receives normalised input exactly as it did in training:
channel order first, then scaling to the range, then (x - mean) / std.
"""
import json
import os
import tempfile

import torch
import torch.nn as nn

FORMAT = "robustseg-model-card/1"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class Normalisation:
    """The card's input block as a function from [0,1] RGB images to what the network was trained on."""

    def __init__(self, channel_order="RGB", mean=IMAGENET_MEAN, std=IMAGENET_STD, value_range="0-1", size=None):
        if channel_order not in ("RGB", "BGR"):
            raise ValueError(f"channel_order must be RGB or BGR, got {channel_order!r}")
        if value_range not in ("0-1", "0-255"):
            raise ValueError(f"range must be 0-1 or 0-255, got {value_range!r}")
        self.channel_order = channel_order
        self.mean = tuple(float(v) for v in mean)
        self.std = tuple(float(v) for v in std)
        self.value_range = value_range
        self.size = list(size) if size is not None else None

    def __call__(self, x):
        if self.channel_order == "BGR":
            x = x.flip(1)
        if self.value_range == "0-255":
            x = x * 255.0
        mean = torch.tensor(self.mean, dtype=x.dtype).view(1, 3, 1, 1)
        std = torch.tensor(self.std, dtype=x.dtype).view(1, 3, 1, 1)
        return (x - mean) / std

    def json(self):
        block = {"channel_order": self.channel_order, "mean": list(self.mean), "std": list(self.std), "range": self.value_range}
        if self.size is not None:
            block = {"size": self.size, **block}
        return block


def output_block(kind, index=0, key="out"):
    if kind == "tensor":
        return {"kind": "tensor"}
    if kind == "tuple":
        return {"kind": "tuple", "index": index}
    if kind == "dict":
        return {"kind": "dict", "key": key}
    raise ValueError(f"output kind must be tensor, tuple or dict, got {kind!r}")


def select(out, block):
    """The logits among a network's outputs, as the card's output block names them."""
    kind = block["kind"]
    if kind == "tensor":
        return out
    if kind == "tuple":
        return out[block.get("index", 0)]
    return out[block.get("key", "out")]


def write_atomically(path, write):
    """Runs write(temporary path) in path's directory, then renames: a reader never sees half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=directory)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_json(path, value):
    def write(tmp):
        with open(tmp, "w") as f:
            json.dump(value, f, indent=2)
            f.write("\n")
    write_atomically(path, write)


def write_text(path, text):
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(text)
    write_atomically(path, write)


def write_card(path, torchscript_file, classes, normalisation, output, provenance=None, ignore_index=255):
    """The card at `path`; `torchscript_file` is written relative to the card's directory."""
    card = {"format": FORMAT,
            "torchscript": os.path.relpath(torchscript_file, os.path.dirname(os.path.abspath(path))),
            "classes": list(classes),
            "input": normalisation.json(),
            "output": output,
            "ignore_index": ignore_index}
    if provenance is not None:
        card["provenance"] = provenance
    write_json(path, card)
    return card


def read_card(path):
    with open(path) as f:
        card = json.load(f)
    if card.get("format") != FORMAT:
        raise SystemExit(f"{path}: not a robustseg model card (format {card.get('format')!r}, expected {FORMAT!r})")
    return card


class CardModel(nn.Module):
    """A card's TorchScript network behind its normalisation and output selection: [0,1] images in, logits out."""

    def __init__(self, card_path):
        super().__init__()
        self.card = read_card(card_path)
        self.path = os.path.join(os.path.dirname(os.path.abspath(card_path)), self.card["torchscript"])
        self.net = torch.jit.load(self.path, map_location="cpu")
        self.net.eval()
        block = self.card["input"]
        self.normalisation = Normalisation(block.get("channel_order", "RGB"), block["mean"], block["std"],
                                           block.get("range", "0-1"), block.get("size"))
        self.output = self.card["output"]
        self.classes = self.card["classes"]
        self.ignore_index = self.card.get("ignore_index", 255)

    def forward(self, x):
        return select(self.net(self.normalisation(x)), self.output)
