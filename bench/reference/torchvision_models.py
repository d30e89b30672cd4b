#!/usr/bin/python3
"""Train torchvision segmentation networks on FashionScenes and export them as a user would:
TorchScript plus a robustseg model card — the models robustseg's import is validated against.

    /usr/bin/python3 bench/reference/torchvision_models.py train --data DATA --out DIR [--epochs N] [--models a,b]
    /usr/bin/python3 bench/reference/torchvision_models.py fixture --out DIR [--model lraspp] [--size 64]

DATA is a VOC-layout directory as `./run data fashion-scenes --out DATA` writes it. No pretrained
weights (weights=None, weights_backbone=None), num_classes from the data set (11 for FashionScenes),
trained from scratch on CPU with AdamW and a cosine schedule. Each model is trained on its own input
convention and exported in more than one way, so the import is exercised on every card field:

  lraspp_mobilenet_v3_large      RGB, range 0-1, ImageNet mean/std (torchvision's convention)
      lraspp.pt / .card.json             torch.jit.script, dict output, key "out"
      lraspp-traced.pt / .card.json      torch.jit.trace at 64x64, plain tensor output
  deeplabv3_mobilenet_v3_large   BGR, range 0-255, ImageNet mean/std x 255 (mmseg/Caffe's convention)
      deeplabv3.pt / .card.json          torch.jit.script, dict output, key "out"
      deeplabv3-traced.pt / .card.json   torch.jit.trace at 64x64, tuple (logits, probabilities), index 0
  fcn_resnet50 (--models fcn)    RGB, 0-1, ImageNet (slow on CPU: not in the default set)

`fixture` writes an untrained (seeded) model's scripted file and card, and expected.npz: images,
labels and PyTorch's logits, input gradient of the summed per-image pixel CE (float32, and float64 as
"gradient64"), and per-image loss, for robustseg-bench's TorchvisionParityTest (seconds, no data set).

Besides the files, DIR/<name>.json records the training (losses, seconds, the clean val mIoU measured
through the exported file, versions, data identity). Run with Debian's /usr/bin/python3 and
python3-torch + python3-torchvision (0.14).
"""
import argparse
import json
import math
import os
import platform
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models import segmentation

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import card  # noqa: E402
from card import IMAGENET_MEAN, IMAGENET_STD, input_block, output_block, write_atomically, write_card, write_json  # noqa: E402
from reference import CardModel  # noqa: E402
from voc import IGNORE, Confusion, VocSplit  # noqa: E402


class TensorOutput(nn.Module):
    """A deployment wrapper returning the logits tensor alone."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)["out"]


class TupleOutput(nn.Module):
    """A deployment wrapper returning (logits, probabilities): the card must pick index 0."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        out = self.net(x)["out"]
        return out, out.softmax(1)


MODELS = {
    "lraspp": dict(builder="lraspp_mobilenet_v3_large",
                   input=input_block("RGB", IMAGENET_MEAN, IMAGENET_STD, "0-1"),
                   trace=("tensor", TensorOutput)),
    "deeplabv3": dict(builder="deeplabv3_mobilenet_v3_large",
                      input=input_block("BGR", [255 * m for m in IMAGENET_MEAN[::-1]], [255 * s for s in IMAGENET_STD[::-1]],
                                        "0-255"),
                      trace=("tuple", TupleOutput)),
    "fcn": dict(builder="fcn_resnet50",
                input=input_block("RGB", IMAGENET_MEAN, IMAGENET_STD, "0-1"),
                trace=("tensor", TensorOutput)),
}
DEFAULT_MODELS = "lraspp,deeplabv3"


def build(name, classes):
    return getattr(segmentation, MODELS[name]["builder"])(weights=None, weights_backbone=None, num_classes=classes)


def versions():
    return {"torch": torch.__version__, "torchvision": torchvision.__version__, "python": platform.python_version(),
            "threads": torch.get_num_threads(), "cpu": platform.processor() or platform.machine()}


def evaluate(model, data, batch):
    """Clean mIoU and pixel accuracy of a [0,1]-in, logits-out module on a split."""
    conf = Confusion(len(data.classes))
    with torch.no_grad():
        for s in range(0, len(data), batch):
            x, y = data.tensors(s, s + batch)
            conf.add(model(x), y)
    return {"miou": conf.miou(), "pixel_accuracy": conf.pixel_accuracy()}


BN_RECALIBRATION_IMAGES = 1024


def recalibrate_batchnorm(model, train_set, batch, count):
    """BatchNorm's running statistics as the exact averages over the first `count` training images
    (torch.optim.swa_utils.update_bn), model left in eval mode. torchvision's MobileNetV3 keeps them
    with momentum 0.01: after a few hundred steps from scratch they are still mostly their initial
    values, and the network in eval mode predicts background everywhere."""
    loader = [train_set.tensors(s, min(s + batch, count))[0] for s in range(0, min(count, len(train_set)), batch)]
    torch.optim.swa_utils.update_bn(loader, model)
    model.eval()


def train(name, train_set, val_set, epochs, batch, lr, seed, log):
    """Trains from scratch under the model's input convention; returns the network, the card's input block and the history."""
    torch.manual_seed(seed)
    net = build(name, len(train_set.classes))
    inp = MODELS[name]["input"]
    model = CardModel(net, {"input": inp, "output": output_block("dict", key="out")})  # [0,1] RGB in, as robustseg feeds it
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    total = epochs * math.ceil(len(train_set) / batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 * (1 + math.cos(math.pi * min(k, total) / total)))
    gen = torch.Generator().manual_seed(seed)
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.perf_counter()
        order = torch.randperm(len(train_set), generator=gen)
        flips = torch.rand(len(train_set), generator=gen) < 0.5
        losses = []
        for s in range(0, len(train_set), batch):
            idx = order[s:s + batch]
            x = torch.from_numpy(train_set.images[idx.numpy()]).float().div_(255.0)
            y = torch.from_numpy(train_set.labels[idx.numpy()]).long()
            f = flips[idx]
            x[f] = x[f].flip(-1)
            y[f] = y[f].flip(-1)
            loss = F.cross_entropy(model(x), y, ignore_index=IGNORE)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        recalibrate_batchnorm(model, train_set, batch, BN_RECALIBRATION_IMAGES)
        seconds = time.perf_counter() - t0
        val = evaluate(model, val_set, 64)
        history.append({"epoch": epoch, "loss": sum(losses) / len(losses), "seconds": seconds, "val_miou": val["miou"]})
        log(f"{name}: epoch {epoch}/{epochs} loss {history[-1]['loss']:.4f} val mIoU {val['miou']:.4f} ({seconds:.0f} s)")
    net.eval()
    return net, inp, history


def export(name, net, inp, classes, out_dir, size, provenance, traced=True):
    """TorchScript by script (dict output) and, if `traced`, by trace (the model's wrapper), with a card each; returns the card paths."""
    scripted = torch.jit.script(net)
    pt = os.path.join(out_dir, name + ".pt")
    write_atomically(pt, lambda tmp: torch.jit.save(scripted, tmp))
    cards = [os.path.join(out_dir, name + ".card.json")]
    write_card(cards[0], pt, classes, inp, output_block("dict", key="out"), {**provenance, "export": "torch.jit.script"})
    if not traced:
        return cards

    kind, wrapper = MODELS[name]["trace"]
    sized = {"size": list(size), **inp}  # a trace is made at one size; the card says so and robustseg resizes to it
    example = CardModel(nn.Identity(), {"input": sized, "output": output_block("tensor")})(
        torch.rand(1, 3, size[0], size[1], generator=torch.Generator().manual_seed(0)))
    with torch.no_grad():
        traced = torch.jit.trace(wrapper(net).eval(), example, check_trace=True)
    pt = os.path.join(out_dir, name + "-traced.pt")
    write_atomically(pt, lambda tmp: torch.jit.save(traced, tmp))
    cards.append(os.path.join(out_dir, name + "-traced.card.json"))
    write_card(cards[1], pt, classes, sized, output_block(kind, index=0),
               {**provenance, "export": f"torch.jit.trace at {size[0]}x{size[1]}, {wrapper.__name__}"})
    return cards


def fixture(out, name, size, images, seed):
    """An untrained, seeded network under its card with PyTorch's figures on random images (expected.npz)."""
    import numpy as np
    from parity import input_gradient
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    classes = [f"class {c}" for c in range(11)]
    net = build(name, len(classes))
    model = CardModel(net, {"input": MODELS[name]["input"], "output": output_block("dict", key="out")})
    # BatchNorm statistics moved off their initial 0 and 1, so that eval mode is not the identity
    torch.optim.swa_utils.update_bn([torch.rand(4, 3, size, size, generator=g) for _ in range(2)], model)
    net.eval()
    cards = export(name, net, MODELS[name]["input"], classes, out, [size, size],
                   {"script": "bench/reference/torchvision_models.py fixture", "seed": seed}, traced=False)
    m, _ = card.load(cards[0])
    x = torch.rand(images, 3, size, size, generator=g)
    y = torch.randint(0, len(classes), (images, size, size), generator=g)
    y[0, :2] = IGNORE  # two rows without a class: the loss must skip them as robustseg's does
    logits, grad, loss = input_gradient(m, x, y)
    # the same in float64: how far float32 itself is from exact (near a ReLU/hardswish kink, far)
    grad64 = input_gradient(m.double(), x.double(), y)[1]

    def save(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, images=x.numpy(), labels=y.numpy(), logits=logits.numpy(), gradient=grad.numpy(), loss=loss.numpy(),
                     gradient64=grad64.numpy())
    write_atomically(os.path.join(out, "expected.npz"), save)
    return cards[0]


def main(argv):
    if len(argv) > 1 and argv[1] == "fixture":
        p = argparse.ArgumentParser(prog="torchvision_models.py fixture", description="an untrained model, its card and PyTorch's figures")
        p.add_argument("--out", required=True)
        p.add_argument("--model", default="lraspp", choices=sorted(MODELS))
        p.add_argument("--size", type=int, default=64)
        p.add_argument("--images", type=int, default=2)
        p.add_argument("--seed", type=int, default=0)
        a = p.parse_args(argv[2:])
        torch.set_num_threads(1)
        print(fixture(a.out, a.model, a.size, a.images, a.seed))
        return 0
    if len(argv) < 2 or argv[1] != "train":
        print(__doc__, file=sys.stderr)
        return 2
    p = argparse.ArgumentParser(prog="torchvision_models.py train", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="VOC-layout data directory (./run data fashion-scenes --out DATA)")
    p.add_argument("--out", required=True, help="directory for the .pt files, cards and training records")
    p.add_argument("--models", default=DEFAULT_MODELS, help=f"comma-separated, of {', '.join(MODELS)} (default {DEFAULT_MODELS})")
    p.add_argument("--epochs", type=int, default=8, help="training epochs (default 8)")
    p.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    p.add_argument("--lr", type=float, default=2e-3, help="AdamW learning rate, cosine-decayed to 0 (default 2e-3)")
    p.add_argument("--train-limit", type=int, help="use only the first N training images")
    p.add_argument("--val-limit", type=int, help="evaluate on the first N validation images only")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    a = p.parse_args(argv[2:])
    names = [n.strip() for n in a.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        p.error(f"--models: unknown model {unknown[0]!r} (known: {', '.join(MODELS)})")
    if a.epochs < 1:
        p.error(f"--epochs must be at least 1, got {a.epochs}")
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    train_set = VocSplit(a.data, "train", a.train_limit)
    val_set = VocSplit(a.data, "val", a.val_limit)
    if not train_set.classes:
        raise SystemExit(f"{a.data}/dataset.json: missing or without 'classes' (class names go into the card)")
    size = list(val_set.images.shape[2:])
    os.makedirs(a.out, exist_ok=True)
    summary = []
    for name in names:
        t0 = time.perf_counter()
        net, inp, history = train(name, train_set, val_set, a.epochs, a.batch, a.lr, a.seed, log)
        seconds = time.perf_counter() - t0
        provenance = {"script": "bench/reference/torchvision_models.py", "torchvision_builder": MODELS[name]["builder"],
                      "epochs": a.epochs, "seed": a.seed, "train_data": train_set.identity(), "software": versions(),
                      "val_miou": history[-1]["val_miou"]}
        cards = export(name, net, inp, train_set.classes, a.out, size, provenance)
        figures = {os.path.basename(c): evaluate(card.load(c)[0], val_set, 64) for c in cards}
        record = {"model": name, "torchvision_builder": MODELS[name]["builder"], "weights": None, "weights_backbone": None,
                  "num_classes": len(train_set.classes),
                  "parameters": sum(p.numel() for p in net.parameters()),
                  "config": {"epochs": a.epochs, "batch": a.batch, "optimizer": "adamw", "lr": a.lr, "weight_decay": 1e-4,
                             "schedule": "cosine per step", "augment": "horizontal flip p=0.5", "seed": a.seed,
                             "batchnorm": f"running statistics recomputed after each epoch over the first {BN_RECALIBRATION_IMAGES} training images",
                             "loss": "pixel CE, ignore 255 (no aux head: torchvision's default without weights)"},
                  "cards": [os.path.basename(c) for c in cards],
                  "training_seconds": seconds, "history": history,
                  "clean_val_through_exported_file": figures,
                  "train_data": train_set.identity(), "val_data": val_set.identity(),
                  "software": versions(), "script": "bench/reference/torchvision_models.py",
                  "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        write_json(os.path.join(a.out, name + ".json"), record)
        for c, m in figures.items():
            log(f"{c}: clean val mIoU {m['miou']:.4f}, pixel accuracy {m['pixel_accuracy']:.4f}")
        summary.append(record)
    print(json.dumps([{"model": r["model"], "cards": r["cards"], "clean": r["clean_val_through_exported_file"],
                       "training_seconds": round(r["training_seconds"], 1)} for r in summary], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
