#!/usr/bin/python3
"""PyTorch reference of robustseg's networks and of the four benchmarked operations.

The architectures here are robustseg's model zoo layer for layer (robustseg-core's
org.robustseg.model: ResNetBackbone, ResidualUnit, PyramidPoolingModule,
AtrousSpatialPyramidPooling, SegmentationHeads, SegmentationNetwork, Presets), written the way a
PyTorch user would write them, so that `./run bench` can time the same work on both sides.
A test (ReferenceParityTest) checks that parameter and FLOP counts match the Java zoo.

Commands
  params                 JSON: parameter and convolution-FLOP counts of every architecture
  serve                  JSON-lines server on stdin/stdout used by `./run bench` (see Server)
  export-check DIR X OUT  loads `./run export --format safetensors` output DIR (model.safetensors + card.json)
                         into its twin here (strict), runs it in eval mode on the tensor "x" of the
                         safetensors file X and writes "logits" to the safetensors file OUT (ExportParityTest)

Also used by other scripts: load_safetensors/save_safetensors (robustseg's export format, without
the safetensors package) and CardModel (a network wrapped as its robustseg model card says: [0,1]
RGB images in, the card's conversion, logits at the input size out; the same contract as
robustseg's org.robustseg.interop.TorchScriptNetwork).

Run it with Debian's interpreter (/usr/bin/python3) and python3-torch; install
libopenblas0-pthread too, or torch falls back to the slow reference BLAS.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
IGNORE = 255


def conv(cin, cout, k, stride=1, dilation=1):
    return nn.Conv2d(cin, cout, k, stride=stride, padding=dilation * (k - 1) // 2, dilation=dilation, bias=False)


def conv_bn(cin, cout, k, stride=1, dilation=1):
    return nn.Sequential(conv(cin, cout, k, stride, dilation), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1))


def conv_bn_relu(cin, cout, k, stride=1, dilation=1):
    return nn.Sequential(conv(cin, cout, k, stride, dilation), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1),
                         nn.ReLU(inplace=True))


class ResidualUnit(nn.Module):
    """relu(branch(x) + shortcut(x)); basic (two 3x3) or bottleneck (1x1, 3x3, 1x1; stride on the 3x3)."""

    def __init__(self, bottleneck, cin, width, stride, dilation):
        super().__init__()
        out = width * (4 if bottleneck else 1)
        if bottleneck:
            self.branch = nn.Sequential(conv_bn_relu(cin, width, 1), conv_bn_relu(width, width, 3, stride, dilation),
                                        conv_bn(width, out, 1))
        else:
            self.branch = nn.Sequential(conv_bn_relu(cin, width, 3, stride, dilation), conv_bn(width, out, 3, 1, dilation))
        self.shortcut = conv_bn(cin, out, 1, stride) if stride != 1 or cin != out else None
        self.out_channels = out

    def forward(self, x):
        s = x if self.shortcut is None else self.shortcut(x)
        return F.relu(self.branch(x) + s)


class Backbone(nn.Module):
    """Dilated ResNet, output stride 8; returns (layer4, layer3)."""

    def __init__(self, stem_channels, stem_kernel, max_pool, bottleneck, widths, depths, strides, dilations=(1, 1, 2, 4)):
        super().__init__()
        stem = [conv(3, stem_channels, stem_kernel, 2), nn.BatchNorm2d(stem_channels), nn.ReLU(inplace=True)]
        if max_pool:
            stem.append(nn.MaxPool2d(3, 2, 1))
        self.stem = nn.Sequential(*stem)
        layers = []
        cin = stem_channels
        for i in range(4):
            units = []
            for u in range(depths[i]):
                unit = ResidualUnit(bottleneck, cin, widths[i], strides[i] if u == 0 else 1, dilations[i])
                units.append(unit)
                cin = unit.out_channels
            layers.append(nn.Sequential(*units))
        self.layers = nn.ModuleList(layers)
        self.channels = [l[-1].out_channels for l in layers]

    def forward(self, x):
        x = self.stem(x)
        layer3 = None
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == 2:
                layer3 = x
        return x, layer3


def adaptive_avg_pool2d(x, bins):
    """F.adaptive_avg_pool2d, also when exported to ONNX, which has no adaptive pooling: there the
    same bin averages (bin i covers [floor(i*n/b), ceil((i+1)*n/b)), PyTorch's rule) as two matrix
    products, P_h x P_w^T, at the traced size (ONNX graphs of these nets have a fixed H×W)."""
    if not torch.onnx.is_in_onnx_export():
        return F.adaptive_avg_pool2d(x, bins)
    h, w = int(x.shape[2]), int(x.shape[3])
    return pooling_matrix(h, bins, x.dtype) @ x @ pooling_matrix(w, bins, x.dtype).t()


def pooling_matrix(n, bins, dtype):
    p = torch.zeros(bins, n, dtype=dtype)
    for i in range(bins):
        start, end = (i * n) // bins, -(-((i + 1) * n) // bins)
        p[i, start:end] = 1.0 / (end - start)
    return p


class PyramidPooling(nn.Module):
    def __init__(self, cin, bins, branch):
        super().__init__()
        self.bins = bins
        self.branches = nn.ModuleList([conv_bn_relu(cin, branch, 1) for _ in bins])

    def forward(self, x):
        h, w = x.shape[2:]
        parts = [x]
        for b, branch in zip(self.bins, self.branches):
            parts.append(F.interpolate(branch(adaptive_avg_pool2d(x, b)), size=(h, w), mode="bilinear", align_corners=False))
        return torch.cat(parts, 1)


class Aspp(nn.Module):
    def __init__(self, cin, channels, rates, dropout):
        super().__init__()
        self.branches = nn.ModuleList([conv_bn_relu(cin, channels, 1)] + [conv_bn_relu(cin, channels, 3, 1, r) for r in rates])
        self.image_pool = conv_bn_relu(cin, channels, 1)
        self.projection = nn.Sequential(conv_bn_relu((len(rates) + 2) * channels, channels, 1), nn.Dropout(dropout))

    def forward(self, x):
        h, w = x.shape[2:]
        parts = [b(x) for b in self.branches]
        parts.append(F.interpolate(self.image_pool(adaptive_avg_pool2d(x, 1)), size=(h, w), mode="bilinear",
                                   align_corners=False))
        return self.projection(torch.cat(parts, 1))


def classifier(cin, classes):
    return nn.Conv2d(cin, classes, 1, bias=True)


class SegmentationNetwork(nn.Module):
    """Images in [0,1] normalised inside; logits upsampled to the input size; aux logits in training only."""

    def __init__(self, backbone, head, aux):
        super().__init__()
        self.backbone = backbone
        self.head = head
        self.aux = aux
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x):
        h, w = x.shape[2:]
        f4, f3 = self.backbone((x - self.mean) / self.std)
        out = F.interpolate(self.head(f4), size=(h, w), mode="bilinear", align_corners=False)
        if self.training and self.aux is not None:
            return out, F.interpolate(self.aux(f3), size=(h, w), mode="bilinear", align_corners=False)
        return out


class CardModel(nn.Module):
    """`net` as robustseg runs it under its model card `card` (a dict; format robustseg-model-card/1)."""

    def __init__(self, net, card):
        super().__init__()
        self.net = net
        inp = card["input"]
        self.bgr = inp.get("channel_order", "RGB").upper() == "BGR"
        self.scale = 255.0 if inp.get("range", "0-1") == "0-255" else 1.0
        self.size = tuple(inp["size"]) if inp.get("size") else None
        self.output = card["output"]
        self.register_buffer("mean", torch.tensor(inp["mean"], dtype=torch.float32).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(inp["std"], dtype=torch.float32).view(1, 3, 1, 1), persistent=False)

    def forward(self, x):
        h, w = x.shape[2:]
        if self.bgr:
            x = x.flip(1)
        z = (x * self.scale - self.mean) / self.std
        if self.size is not None:
            z = F.interpolate(z, size=self.size, mode="bilinear", align_corners=False)
        y = self.net(z)
        kind = self.output["kind"]
        logits = y if kind == "tensor" else y[self.output.get("index", 0)] if kind == "tuple" else y[self.output["key"]]
        if tuple(logits.shape[2:]) != (h, w):
            logits = F.interpolate(logits, size=(h, w), mode="bilinear", align_corners=False)
        return logits


SAFETENSORS_DTYPES = {"F32": torch.float32, "I64": torch.int64}


def load_safetensors(path):
    """{name: tensor} of a safetensors file: 8-byte little-endian header length, JSON header, raw data."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=SAFETENSORS_DTYPES[t["dtype"]]).reshape(t["shape"]).clone()
    return out


def save_safetensors(path, tensors):
    names = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_export(directory):
    """The twin of a `./run export --format safetensors` directory, weights loaded (strict), in eval mode."""
    with open(f"{directory}/card.json") as f:
        card = json.load(f)
    model = build(card["architecture"], len(card["classes"]))
    model.load_state_dict(load_safetensors(f"{directory}/{card['safetensors']}"), strict=True)
    return model.eval(), card


LITE = dict(ppm_branch=32, psp=64, aspp=64, rates=(2, 4, 6), aspp_dropout=0.1, aux=64)
RESNET50 = dict(ppm_branch=512, psp=512, aspp=256, rates=(12, 24, 36), aspp_dropout=0.5, aux=256)


def lite_backbone():
    return Backbone(24, 3, False, False, (32, 64, 128, 128), (1, 1, 1, 1), (2, 2, 1, 1))


def resnet50_backbone():
    return Backbone(64, 7, True, True, (64, 128, 256, 512), (3, 4, 6, 3), (1, 2, 1, 1))


def build(name, classes=11):
    family, w = ("lite", LITE) if name.endswith("-lite") else ("resnet50", RESNET50)
    backbone = lite_backbone() if family == "lite" else resnet50_backbone()
    c4, c3 = backbone.channels[3], backbone.channels[2]
    if name.startswith("pspnet"):
        head = nn.Sequential(PyramidPooling(c4, (1, 2, 3, 6), w["ppm_branch"]),
                             conv_bn_relu(c4 + 4 * w["ppm_branch"], w["psp"], 3), nn.Dropout(0.1), classifier(w["psp"], classes))
        has_aux = True
    else:
        head = nn.Sequential(Aspp(c4, w["aspp"], w["rates"], w["aspp_dropout"]), conv_bn_relu(w["aspp"], w["aspp"], 3),
                             classifier(w["aspp"], classes))
        has_aux = family != "lite"
    aux = nn.Sequential(conv_bn_relu(c3, w["aux"], 3), nn.Dropout(0.1), classifier(w["aux"], classes)) if has_aux else None
    return SegmentationNetwork(backbone, head, aux)


MODELS = ("pspnet-lite", "deeplabv3-lite", "pspnet-resnet50", "deeplabv3-resnet50")


def conv_flops(model, shape, training):
    """Multiply-adds x 2 of every convolution in one forward pass (plus bias adds); the same rule as Java's FlopCounter."""
    total = [0]

    def hook(m, inputs, out):
        k = m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
        total[0] += 2 * out.numel() * k + (out.numel() if m.bias is not None else 0)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    model.train(training)
    with torch.no_grad():
        model(torch.rand(shape))
    for h in handles:
        h.remove()
    return total[0]


def versions():
    lines = [l.strip() for l in torch.__config__.show().splitlines()]
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "blas": [l for l in lines if "BLAS" in l or "LAPACK" in l],  # includes the build-settings line
        "blas_library_loaded": blas_library(),
        "onednn_available": torch.backends.mkldnn.is_available(),
        "onednn": [l for l in lines if ("oneDNN" in l or "MKLDNN" in l) and not l.startswith("- Build settings")],
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
    }


def blas_library():
    """The BLAS shared library this process actually mapped (Debian's alternatives decide it)."""
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({l.split()[-1] for l in f if "blas" in l.lower() and ".so" in l})
        return libs
    except OSError:
        return []


def per_sample_ce(logits, y):
    pixel = F.cross_entropy(logits, y, ignore_index=IGNORE, reduction="none")
    valid = (y != IGNORE).float()
    return (pixel * valid).flatten(1).sum(1) / valid.flatten(1).sum(1).clamp(min=1)


def supervised_loss(out, y, aux_weight=0.4):
    main, aux = out if isinstance(out, tuple) else (out, None)
    loss = F.cross_entropy(main, y, ignore_index=IGNORE)
    if aux is not None:
        loss = loss + aux_weight * F.cross_entropy(aux, y, ignore_index=IGNORE)
    return loss


class Bench:
    """One model and batch; each operation runs as robustseg runs it (see AttackStepBench, RecipeStepBench)."""

    def __init__(self, name, batch, size, seed=0, torchscript=None, card=None):
        """A zoo twin by name, or an imported TorchScript network under its card (what `./run bench --models CARD` times)."""
        torch.manual_seed(seed)
        self.model = build(name) if torchscript is None else CardModel(torch.jit.load(torchscript), card)
        classes = 11 if card is None else len(card["classes"])
        self.x = torch.rand(batch, 3, size, size)
        self.y = torch.randint(0, classes, (batch, size, size))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.001, momentum=0.9, weight_decay=1e-4)
        self.params = [p for p in self.model.parameters()]

    def forward(self):
        self.model.eval()
        with torch.no_grad():
            self.model(self.x)

    def _freeze(self, frozen):
        for p in self.params:
            p.requires_grad_(not frozen)

    def _pgd(self, x0, steps, eps=8 / 255, alpha=None, random_start=False):
        """L-inf PGD on per-image pixel CE, parameters frozen; the model's mode is the caller's."""
        alpha = alpha if alpha is not None else 2.5 * eps / steps
        x = (x0 + torch.empty_like(x0).uniform_(-eps, eps)).clamp(0, 1) if random_start else x0.clone()
        self._freeze(True)
        try:
            for _ in range(steps):
                x.requires_grad_(True)
                out = self.model(x)
                logits = out[0] if isinstance(out, tuple) else out
                loss = per_sample_ce(logits, self.y)
                grad, = torch.autograd.grad(loss.sum(), x)
                with torch.no_grad():
                    x = torch.min(torch.max(x.detach() + alpha * grad.sign(), x0 - eps), x0 + eps).clamp(0, 1)
        finally:
            self._freeze(False)
        return x

    def attack_step(self):
        """One PGD step: input gradient (parameters frozen, BN eval statistics), sign step, projection."""
        self.model.eval()
        self._pgd(self.x, 1)

    def _train_on(self, x):
        self.model.train()
        self.opt.zero_grad(set_to_none=True)
        supervised_loss(self.model(x), self.y).backward()
        self.opt.step()

    def train_step(self):
        self._train_on(self.x)

    def pgd_at_step(self):
        """Madry PGD-AT as robustseg runs it: 3 steps of 8/255 crafted with batch statistics
        (running statistics restored afterwards), random start, then a training step on them. A TorchScript
        module's BatchNorms are not nn.BatchNorm2d here, so their statistics are not restored: robustseg
        cannot restore them either (DJL does not reach a module's buffers), and both sides do the same work."""
        self.model.train()
        saved = [(m, m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone())
                 for m in self.model.modules() if isinstance(m, nn.BatchNorm2d)]
        adv = self._pgd(self.x, 3, random_start=True)
        with torch.no_grad():
            for m, mean, var, n in saved:
                m.running_mean.copy_(mean)
                m.running_var.copy_(var)
                m.num_batches_tracked.copy_(n)
        self._train_on(adv)


OPERATIONS = {"forward": Bench.forward, "attack-step": Bench.attack_step, "train-step": Bench.train_step,
              "pgd-at-step": Bench.pgd_at_step}


def time_ms(fn, reps):
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def matmul_ms(n, reps):
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    torch.mm(a, b)
    return time_ms(lambda: torch.mm(a, b), reps)


class Server:
    """JSON lines: {"cmd": "info"|"setup"|"time"|"matmul"|"flops"|"quit", ...} -> one JSON line per request.
    Only one side computes at a time: while Java runs, this process waits on stdin."""

    def __init__(self, threads):
        torch.set_num_threads(threads)
        self.bench = None

    def handle(self, req):
        cmd = req["cmd"]
        if cmd == "info":
            return versions()
        if cmd == "setup":
            self.bench = Bench(req["model"], req["batch"], req["size"], req.get("seed", 0), req.get("torchscript"), req.get("card"))
            return {"parameters": sum(p.numel() for p in self.bench.model.parameters())}
        if cmd == "time":
            fn = OPERATIONS[req["op"]]
            return {"ms": time_ms(lambda: fn(self.bench), req["reps"])}
        if cmd == "matmul":
            return {"ms": matmul_ms(req["n"], req["reps"])}
        if cmd == "flops":
            shape = (req["batch"], 3, req["size"], req["size"])
            return {"forward": conv_flops(build(req["model"]), shape, False),
                    "training_forward": conv_flops(build(req["model"]), shape, True)}
        raise ValueError("unknown command " + cmd)

    def serve(self, inp, out):
        for line in inp:
            if not line.strip():
                continue
            req = json.loads(line)
            if req["cmd"] == "quit":
                break
            try:
                reply = {"ok": True, **self.handle(req)}
            except Exception as e:  # noqa: BLE001 - reported to the Java side, which names the request
                reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            out.write(json.dumps(reply) + "\n")
            out.flush()


def main(argv):
    if len(argv) < 2 or argv[1] not in ("params", "serve", "export-check"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "export-check":
        torch.set_num_threads(1)
        model, _ = load_export(argv[2])
        with torch.no_grad():
            save_safetensors(argv[4], {"logits": model(load_safetensors(argv[3])["x"])})
        return 0
    if argv[1] == "params":
        torch.set_num_threads(1)
        rows = []
        for name in MODELS:
            m = build(name)
            rows.append({"model": name, "parameters": sum(p.numel() for p in m.parameters()),
                         "forward_flops_64": conv_flops(m, (1, 3, 64, 64), False)})
        print(json.dumps(rows))
        return 0
    threads = int(argv[2]) if len(argv) > 2 else 2
    torch.set_num_interop_threads(1)
    Server(threads).serve(sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
