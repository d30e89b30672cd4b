#!/usr/bin/python3
"""Parity of robustseg's import with PyTorch itself: for each model card, the same images through
robustseg (the CLI, from the repository root) and through PyTorch (the card's TorchScript file
behind the card's normalisation, written independently in card.py), compared on

  logits            max |robustseg - PyTorch| over all logits                      (pass: <= 1e-4)
  input gradients   of the summed per-image pixel CE; per image ||g_rs - g_pt|| / ||g_pt||
                    (pass: <= 1e-4 for every image, or, for an image where PyTorch's own float32
                    gradient is further than 1e-4 from its float64 one, <= twice that; counted)
  PGD-10 mIoU       at each budget (default 4/255 and 8/255): `./run attack --attack pgd
                    --no-random-start` against the PGD below, same images, steps, step size
                    (read back from robustness.json), loss and bookkeeping          (pass: |diff| <= 0.01)

The PyTorch PGD is plain PyTorch: L-inf, from the clean image, x <- clip_[0,1](clip_{x0 +- eps}
(x + a * sign(grad))), the loss per image the mean pixel CE over labels != 255, BatchNorm in eval
statistics; per image it keeps the iterate with the lowest pixel accuracy (ties: higher loss) among
the clean image and the 10 steps — robustseg's documented bookkeeping (MadryLab's `use_best`). The
last iterate's mIoU is reported beside it. A float64 run of the same TorchScript file shows how far
float32 itself is from exact.

    /usr/bin/python3 bench/reference/parity.py --card M.card.json [--card ...] --data DATA --out DIR

Writes DIR/parity.json and DIR/parity.md (one row per card) and each card's work under DIR/<name>/.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import card as cards  # noqa: E402
from card import write_atomically, write_json, write_text  # noqa: E402
from voc import IGNORE, Confusion, VocSplit  # noqa: E402

LOGIT_TOLERANCE = 1e-4
GRADIENT_TOLERANCE = 1e-4
MIOU_TOLERANCE = 0.01
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def per_sample_ce(logits, y):
    """robustseg's PixelCrossEntropy.perSample: mean CE over each image's valid pixels (0 for none)."""
    pixel = F.cross_entropy(logits, y, ignore_index=IGNORE, reduction="none")
    valid = (y != IGNORE).to(logits.dtype)
    return (pixel * valid).flatten(1).sum(1) / valid.flatten(1).sum(1).clamp(min=1)


def pixel_accuracy(logits, y):
    valid = (y != IGNORE).to(logits.dtype)
    hits = ((logits.argmax(1) == y).to(logits.dtype) * valid).flatten(1).sum(1)
    return hits / valid.flatten(1).sum(1).clamp(min=1)


def input_gradient(model, x, y):
    x = x.clone().requires_grad_(True)
    logits = model(x)
    loss = per_sample_ce(logits, y)
    grad, = torch.autograd.grad(loss.sum(), x)
    return logits.detach(), grad, loss.detach()


def pgd(model, x0, y, eps, steps, step_size):
    """L-inf PGD from x0; returns (best iterate per image, last iterate). See the module docstring."""
    x = x0.clone()
    best = best_acc = best_loss = None
    for t in range(steps + 1):
        if t < steps:
            logits, grad, loss = input_gradient(model, x, y)
        else:
            with torch.no_grad():
                logits = model(x)
                loss = per_sample_ce(logits, y)
        acc = pixel_accuracy(logits, y)
        if best is None:
            best, best_acc, best_loss = x.clone(), acc, loss
        else:
            take = (acc < best_acc) | ((acc == best_acc) & (loss > best_loss))
            best = torch.where(take.view(-1, 1, 1, 1), x, best)
            best_acc = torch.where(take, acc, best_acc)
            best_loss = torch.where(take, loss, best_loss)
        if t < steps:
            with torch.no_grad():
                x = torch.min(torch.max(x + step_size * grad.sign(), x0 - eps), x0 + eps).clamp(0, 1)
    return best, x


def pytorch_pgd_miou(model, data, classes, eps, steps, step_size, batch):
    best_conf, last_conf = Confusion(classes), Confusion(classes)
    for s in range(0, len(data), batch):
        x0, y = data.tensors(s, s + batch)
        best, last = pgd(model, x0, y, eps, steps, step_size)
        with torch.no_grad():
            best_conf.add(model(best), y)
            last_conf.add(model(last), y)
    return best_conf.miou(), last_conf.miou()


def run_robustseg(runner, args, log):
    cmd = [runner] + args
    log("$ " + " ".join(cmd))
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        err = [l for l in p.stderr.splitlines() if l.startswith("error")] or p.stderr.splitlines()[-5:]
        raise SystemExit(f"robustseg failed ({' '.join(cmd)}): {' / '.join(err)}")
    return time.perf_counter() - t0


def inputs_for(val, count, seed):
    """The first `count` val images plus four uniform-noise images (labels: the first four val maps)."""
    x, y = val.tensors(0, count)
    g = torch.Generator().manual_seed(seed)
    noise = torch.rand(4, *x.shape[1:], generator=g)
    return torch.cat([x, noise]), torch.cat([y, y[:4]])


def relative_l2(a, b):
    """Per image ||a - b|| / ||b|| (rows are images)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.linalg.norm(a - b, axis=1) / np.maximum(np.linalg.norm(b, axis=1), 1e-30)


def save_npz(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def float64(card_path, x, y):
    """Logits and input gradient of the same TorchScript file run in float64 (how far float32 itself is
    from exact), or (None, None) when the module refuses (e.g. float32 constants inside)."""
    try:
        m = cards.load(card_path)[0].double()
        logits, grad, _ = input_gradient(m, x.double(), y)
        return logits, grad
    except Exception:  # noqa: BLE001 - the float64 figures are context; the checks do not need them
        return None, None


def check_card(card_path, val, pgd_set, a, log, pgd):
    name = os.path.basename(card_path)[:-len(".card.json")] if card_path.endswith(".card.json") else os.path.basename(card_path)
    work = os.path.join(a.out, name)
    os.makedirs(work, exist_ok=True)
    model, card = cards.load(card_path)
    classes = len(card["classes"])
    row = {"model": name, "card": os.path.abspath(card_path), "output": card["output"]["kind"],
           "channel_order": card["input"].get("channel_order", "RGB"), "range": card["input"].get("range", "0-1"),
           "size": card["input"].get("size")}

    # logits and input gradients on the same images
    x, y = inputs_for(val, a.images, a.seed)
    inputs = os.path.join(work, "inputs.npz")
    write_atomically(inputs, lambda tmp: save_npz(tmp, images=x.numpy(), labels=y.numpy().astype(np.int64)))
    run_robustseg(a.run, ["bench", "parity-dump", "--checkpoint", os.path.abspath(card_path), "--inputs", inputs,
                          "--out", os.path.join(work, "robustseg")], log)
    rs = np.load(os.path.join(work, "robustseg", "robustseg.npz"))
    logits, grad, loss = input_gradient(model, x, y)
    logits, grad, loss = logits.numpy(), grad.numpy(), loss.numpy()
    if rs["logits"].shape != logits.shape:
        raise SystemExit(f"{card_path}: robustseg's logits have shape {rs['logits'].shape}, PyTorch's {logits.shape}")
    g_rs = rs["gradient"].reshape(len(x), -1).astype(np.float64)
    g_pt = grad.reshape(len(x), -1).astype(np.float64)
    rel = relative_l2(g_rs, g_pt)
    l64, g64 = float64(card_path, x, y)
    # PyTorch's own float32 error per image; near a ReLU/hardswish kink a float32 gradient can be far from exact,
    # and two float32 implementations may then differ by up to twice that: the tolerance widens there (counted)
    own = relative_l2(g_pt, g64.reshape(len(x), -1).numpy()) if g64 is not None else np.zeros(len(x))
    tolerance = np.maximum(GRADIENT_TOLERANCE, 2 * own)
    row.update({"images": len(x), "logits_max_abs_diff": float(np.abs(rs["logits"] - logits).max()),
                "logits_max_abs": float(np.abs(logits).max()),
                "pytorch_float32_vs_float64_logits": None if l64 is None else float((torch.from_numpy(logits).double() - l64).abs().max()),
                "loss_max_abs_diff": float(np.abs(rs["loss"] - loss).max()),
                "gradient_relative_l2": rel.tolist(),
                "gradient_max_relative_l2": float(rel.max()),
                "gradient_median_relative_l2": float(np.median(rel)),
                "pytorch_float32_vs_float64_gradient": None if g64 is None else own.tolist(),
                "gradient_images_above_tolerance": int((rel > GRADIENT_TOLERANCE).sum()),
                "gradient_max_abs_diff_over_max_abs": float(np.abs(g_rs - g_pt).max() / np.abs(g_pt).max())})
    row["logits_pass"] = row["logits_max_abs_diff"] <= LOGIT_TOLERANCE
    row["gradient_pass"] = bool((rel <= tolerance).all())
    log(f"{name}: logits max |diff| {row['logits_max_abs_diff']:.2e}, gradient max rel. L2 {row['gradient_max_relative_l2']:.2e}")

    # PGD-10 without random start: robustseg's attack command against the PyTorch PGD above
    if pgd and a.pgd_images > 0:
        attack_dir = os.path.join(work, "attack")
        seconds = run_robustseg(a.run, ["attack", "--checkpoint", os.path.abspath(card_path), "--data", os.path.abspath(a.data),
                                        "--split", "val", "--limit", str(a.pgd_images), "--attack", "pgd", "--no-random-start",
                                        "--steps", str(a.steps), "--eps", "0," + a.eps, "--batch", str(a.batch),
                                        "--examples", "0", "--out", attack_dir], log)
        entries = json.load(open(os.path.join(attack_dir, "robustness.json")))
        clean = Confusion(classes)
        with torch.no_grad():
            for s in range(0, len(pgd_set), a.batch):
                xb, yb = pgd_set.tensors(s, s + a.batch)
                clean.add(model(xb), yb)
        row["pgd_images"] = len(pgd_set)
        row["robustseg_attack_seconds"] = seconds
        row["clean_miou_robustseg"] = entries[0]["miou"]
        row["clean_miou_pytorch"] = clean.miou()
        row["pgd"] = []
        for e in entries[1:]:
            settings = e["attack"]
            if settings["random_start"] or settings["steps"] != a.steps or settings["restarts"] != 1:
                raise SystemExit(f"{attack_dir}/robustness.json: the attack ran with {settings}, not PGD-{a.steps} from the clean image")
            eps, step = float(np.float32(settings["eps"])), float(np.float32(settings["step_size"]))
            t0 = time.perf_counter()
            best, last = pytorch_pgd_miou(model, pgd_set, classes, eps, settings["steps"], step, a.batch)
            point = {"eps": eps, "eps_255": round(eps * 255, 3), "step_size": step, "miou_robustseg": e["miou"],
                     "miou_pytorch": best, "miou_pytorch_last_iterate": last, "diff": abs(e["miou"] - best),
                     "pytorch_seconds": time.perf_counter() - t0}
            point["pass"] = point["diff"] <= MIOU_TOLERANCE
            row["pgd"].append(point)
            log(f"{name}: PGD-{a.steps} {point['eps_255']:g}/255 mIoU robustseg {e['miou']:.4f}, PyTorch {best:.4f} (last iterate {last:.4f})")
    row["pass"] = row["logits_pass"] and row["gradient_pass"] and all(p["pass"] for p in row.get("pgd", []))
    return row


def markdown(rows, machine):
    attacked = [r for r in rows if r.get("pgd")]
    eps = [p["eps_255"] for p in attacked[0]["pgd"]] if attacked else []
    head = ["model", "output", "input", "logits max abs diff (largest logit; pt f32 vs f64)",
            "gradient rel. diff max (median; pt f32 vs f64)", "clean mIoU rs / pt"]
    head += [f"PGD-10 {e:g}/255 mIoU rs / pt (diff)" for e in eps] + ["pass"]
    lines = [f"Parity of robustseg's import with PyTorch ({machine}). rs: robustseg, pt: PyTorch {torch.__version__}; "
             f"tolerances: logits {LOGIT_TOLERANCE:g}, gradients {GRADIENT_TOLERANCE:g} (relative L2 per image), "
             f"mIoU {MIOU_TOLERANCE:g}.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        own = r["pytorch_float32_vs_float64_gradient"]
        own_logits = r["pytorch_float32_vs_float64_logits"]
        cells = [r["model"], r["output"], f"{r['channel_order']} {r['range']}" + (" @{}x{}".format(*r["size"]) if r.get("size") else ""),
                 f"{r['logits_max_abs_diff']:.1e} ({r['logits_max_abs']:.0f}; " + ("-" if own_logits is None else f"{own_logits:.1e}") + ")",
                 f"{r['gradient_max_relative_l2']:.1e} ({r['gradient_median_relative_l2']:.1e}; "
                 + ("-" if own is None else f"{max(own):.1e}") + ")"]
        cells.append(f"{r['clean_miou_robustseg']:.4f} / {r['clean_miou_pytorch']:.4f}" if "clean_miou_robustseg" in r else "-")
        for p in r.get("pgd") or [None] * len(eps):
            cells.append("-" if p is None else f"{p['miou_robustseg']:.4f} / {p['miou_pytorch']:.4f} ({p['diff']:.4f})")
        cells.append("yes" if r["pass"] else "NO")
        lines.append("| " + " | ".join(cells) + " |")
    if rows:
        above = sum(r["gradient_images_above_tolerance"] for r in rows)
        total = sum(r["images"] for r in rows)
        lines += ["", f"Logits and gradients on {rows[0]['images']} images each ({rows[0]['images'] - 4} val images and 4 of "
                      f"uniform noise); 'pt f32 vs f64': how far PyTorch's own float32 result is from the same file run in "
                      f"float64 (max over the images). Gradients: "
                      + (f"all {total} images within {GRADIENT_TOLERANCE:g}." if above == 0 else
                         f"{above} of {total} images above {GRADIENT_TOLERANCE:g}, each within twice PyTorch's own float32 error "
                         f"(an input near a ReLU/hardswish kink), which the check allows.")]
        if attacked:
            lines.append(f"PGD on the first {attacked[0]['pgd_images']} val images: L-inf, 10 steps of 2.5·eps/10, no random start, "
                         f"pixel CE, per image the iterate with the lowest pixel accuracy; robustseg: `./run attack --attack pgd "
                         f"--no-random-start`, PyTorch: parity.py's own loop. PyTorch's last-iterate mIoU is in parity.json.")
    return "\n".join(lines) + "\n"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--card", action="append", default=[], help="model card: all checks (repeat for several)")
    p.add_argument("--card-no-pgd", action="append", default=[],
                   help="model card checked on logits and gradients only (e.g. another export of a network whose PGD is checked)")
    p.add_argument("--data", required=True, help="VOC-layout data directory; its val split is used")
    p.add_argument("--out", required=True)
    p.add_argument("--run", default=os.path.join(REPO, "run"), help="robustseg's entry script (default: this repository's ./run)")
    p.add_argument("--images", type=int, default=12, help="val images for the logits/gradient check, plus 4 noise images (default 12)")
    p.add_argument("--pgd-images", type=int, default=100, help="val images attacked on both sides (default 100; 0: no PGD check)")
    p.add_argument("--eps", default="4/255,8/255", help="PGD budgets as ./run attack takes them (default 4/255,8/255)")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seed", type=int, default=0, help="seed of the noise images")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--machine", default=None, help="how the tables name the machine (default: CPU model and core count)")
    a = p.parse_args(argv[1:])
    torch.set_num_threads(a.threads)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    val = VocSplit(a.data, "val", max(a.images, a.pgd_images))
    if len(val) < a.images:
        p.error(f"--images {a.images}: the val split of {a.data} has only {len(val)} images")
    pgd_set = VocSplit(a.data, "val", a.pgd_images) if a.pgd_images > 0 else None
    machine = a.machine or cpu_name()
    os.makedirs(a.out, exist_ok=True)
    if not a.card and not a.card_no_pgd:
        p.error("give at least one --card (or --card-no-pgd)")
    rows = [check_card(c, val, pgd_set, a, log, pgd=True) for c in a.card]
    rows += [check_card(c, val, pgd_set, a, log, pgd=False) for c in a.card_no_pgd]
    result = {"rows": rows, "machine": machine, "data": val.identity(),
              "tolerances": {"logits": LOGIT_TOLERANCE, "gradient_relative_l2": GRADIENT_TOLERANCE, "miou": MIOU_TOLERANCE},
              "software": {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads()},
              "commit": git_commit(), "script": "bench/reference/parity.py", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_json(os.path.join(a.out, "parity.json"), result)
    md = markdown(rows, machine)
    write_text(os.path.join(a.out, "parity.md"), md)
    print(md)
    return 0 if all(r["pass"] for r in rows) else 1


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), platform.machine())
    except OSError:
        model = platform.machine()
    return f"{model}, {os.cpu_count()} cores"


def git_commit():
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main(sys.argv))
