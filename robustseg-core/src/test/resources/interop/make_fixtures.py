#!/usr/bin/python3
"""Writes the few-KB networks robustseg's import tests load (run with Debian's python3-torch;
the files are committed, so the tests need no Python):

  tiny.pt          torch.jit.script of Tiny: returns {"out": logits at half resolution, "aux": ...}
  tiny.card.json   its card: 11 classes, ImageNet mean/std, BGR, range 0-255, output dict key "out"
  tiny_raw.card.json  the same module with an identity card (to feed it normalised input by hand)
  tiny_traced.pt   torch.jit.trace of the same weights: returns a tuple (aux, logits)
  tiny_traced.card.json  output tuple index 1
  tiny.onnx        torch.onnx.export of the same weights, outputs "out" and "aux" (dynamic N, H, W)
  tiny_onnx.card.json    its card (card names "onnx": "tiny.onnx")
  tiny_sized.card.json   tiny.pt with input.size [6, 5]: images are shrunk before the module
  expected.json    PyTorch's logits and input gradient at a fixed input, through the card's conversion

Conversion the card asks for, as robustseg applies it: z = (x[:, [2,1,0]] * 255 - mean) / std.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ["background", "t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
           "ankle boot"]
MEAN = [123.675, 116.28, 103.53]   # ImageNet mean/std in 0-255 units, BGR order below
STD = [58.395, 57.12, 57.375]


class Tiny(nn.Module):
    def __init__(self, classes=11):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.drop = nn.Dropout(0.1)
        self.classifier = nn.Conv2d(8, classes, 1)
        self.aux = nn.Conv2d(8, classes, 1)

    def forward(self, x):
        f = self.drop(F.relu(self.bn(self.conv(x))))
        return {"out": self.classifier(f), "aux": self.aux(f)}


class TupleTiny(nn.Module):
    def __init__(self, tiny):
        super().__init__()
        self.tiny = tiny

    def forward(self, x):
        d = self.tiny(x)
        return d["aux"], d["out"]


class OutOnly(nn.Module):
    def __init__(self, tiny):
        super().__init__()
        self.tiny = tiny

    def forward(self, x):
        d = self.tiny(x)
        return d["out"], d["aux"]


def card(**kw):
    c = {"format": "robustseg-model-card/1", "classes": CLASSES,
         "input": {"channel_order": "BGR", "mean": MEAN, "std": STD, "range": "0-255"},
         "output": {"kind": "dict", "key": "out"}, "ignore_index": 255}
    c.update(kw)
    return c


def write_json(name, value, indent=2):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(value, f, indent=indent)
        f.write("\n")


def main():
    torch.manual_seed(0)
    tiny = Tiny()
    with torch.no_grad():  # non-trivial BatchNorm statistics, so eval and train mode differ
        tiny.bn.running_mean.uniform_(-0.5, 0.5)
        tiny.bn.running_var.uniform_(0.5, 2.0)
        tiny.bn.weight.uniform_(0.5, 1.5)
        tiny.bn.bias.uniform_(-0.2, 0.2)
    tiny.eval()
    torch.jit.script(tiny).save(os.path.join(HERE, "tiny.pt"))
    write_json("tiny.card.json", card(torchscript="tiny.pt"))
    write_json("tiny_raw.card.json", card(torchscript="tiny.pt",
                                          input={"channel_order": "RGB", "mean": [0, 0, 0], "std": [1, 1, 1], "range": "0-1"}))
    example = torch.rand(1, 3, 8, 8)
    torch.jit.trace(TupleTiny(tiny).eval(), example).save(os.path.join(HERE, "tiny_traced.pt"))
    write_json("tiny_traced.card.json", card(torchscript="tiny_traced.pt", output={"kind": "tuple", "index": 1}))
    torch.onnx.export(OutOnly(tiny).eval(), example, os.path.join(HERE, "tiny.onnx"), input_names=["images"],
                      output_names=["out", "aux"], opset_version=13,
                      dynamic_axes={"images": {0: "n", 2: "h", 3: "w"}, "out": {0: "n", 2: "h2", 3: "w2"},
                                    "aux": {0: "n", 2: "h2", 3: "w2"}})
    write_json("tiny_onnx.card.json", card(onnx="tiny.onnx"))

    # expected values: the card's conversion, the module in eval mode, bilinear upsampling to 8x8
    g = torch.Generator().manual_seed(1)
    x = torch.rand(2, 3, 8, 8, generator=g)
    r = torch.rand(2, 11, 8, 8, generator=g)
    x.requires_grad_(True)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    z = (x[:, [2, 1, 0]] * 255 - mean) / std
    logits = F.interpolate(tiny(z)["out"], size=(8, 8), mode="bilinear", align_corners=False)
    (logits * r).sum().backward()
    # a card with a fixed input size: the image is shrunk to 6x5 (plain bilinear, as F.interpolate does by default)
    sized = card(torchscript="tiny.pt")
    sized["input"]["size"] = [6, 5]
    write_json("tiny_sized.card.json", sized)
    with torch.no_grad():
        small = F.interpolate(z.detach(), size=(6, 5), mode="bilinear", align_corners=False)
        sized_logits = F.interpolate(tiny(small)["out"], size=(8, 8), mode="bilinear", align_corners=False)
    write_json("expected.json", {"x": floats(x.detach()), "r": floats(r), "logits": floats(logits.detach()),
                                 "input_gradient": floats(x.grad), "sized_logits": floats(sized_logits)}, indent=None)


def floats(t):
    # 9 significant digits round-trip float32 exactly
    return [float("%.9g" % v) for v in t.flatten().tolist()]


if __name__ == "__main__":
    main()
