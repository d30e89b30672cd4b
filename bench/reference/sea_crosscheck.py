#!/usr/bin/python3
"""Cross-check of robustseg's APGD and SEA against code nobody on this project wrote: the SEA
authors' own PyTorch implementation (Croce, Singh & Hein, github.com/nmndeep/Robust-Segmentation),
run on robustseg's exported networks and on the same images that `./run compare` attacked.

Their code is not part of this repository. Get it yourself and pass the checkouts (a work tree or a
bare git directory, e.g. the output of `git clone --mirror`):

    git clone https://github.com/nmndeep/Robust-Segmentation  /tmp/xcheck/Robust-Segmentation
    git clone https://github.com/fra31/auto-attack              /tmp/xcheck/auto-attack
    ./run export --checkpoint runs/demo/models/robust --format safetensors --out /tmp/xcheck/robust
    ./run compare --checkpoint runs/demo/models/robust --data runs/demo/data \
        --attacks apgd-masked-ce,apgd-balanced-ce,apgd-js,apgd-masked-spherical,sea --subset 64 --out runs/cmp
    /usr/bin/python3 bench/reference/sea_crosscheck.py --authors /tmp/xcheck/Robust-Segmentation \
        --autoattack /tmp/xcheck/auto-attack --export robust=/tmp/xcheck/robust --data runs/demo/data \
        --ours runs/cmp/compare.json --out runs/xcheck

Or attack first and put robustseg's figures beside them once its compare.json exists (the images:
the first N of the split, what `./run compare --limit N --subset 0` attacks):

    /usr/bin/python3 bench/reference/sea_crosscheck.py ... --first 16 --eps 4/255,8/255 --out runs/xcheck
    /usr/bin/python3 bench/reference/sea_crosscheck.py --retable runs/xcheck/crosscheck.json \
        --ours runs/cmp/compare.json --out runs/xcheck

The files are read from pinned commits of those checkouts (`git show COMMIT:PATH`, into --work):

  ATTACKER    73cb461 semseg/utils/attacker.py  (June 2023, the arXiv version's attacker: APGD
              `apgd_train`, the progressive radius `apgd_largereps`, and SEA's four losses
              mask-ce-avg, segpgd-loss, js-avg, mask-norm-corrlog-avg; at their HEAD the file moved
              to semseg/attacker.py and SEA became three losses, see below)
  WORSE_ONLY  f8ff8e6 tools/worse_only.py       (their worst-case scoring: aACC as the mean of the
              per-image minimum accuracy over the losses, mIoU by their randomised image-wise
              coordinate descent from the first loss)
  OTHER_UTILS a392200 autoattack/other_utils.py (AutoAttack's Logger and norms, the only AutoAttack
              module their attacker imports; written as a package with an empty __init__ so that
              the rest of AutoAttack is not imported)

robustseg's loss names map onto theirs: masked-ce = mask-ce-avg, balanced-ce = segpgd-loss (SegPGD's
λ = t/2T), js = js-avg, masked-spherical = mask-norm-corrlog-avg.

What runs, per network and budget, on the images of --ours (its subset: same ids, same order):

  APGD-N per loss  their `apgd_train` at one radius, N steps (default: --ours' APGD steps), set up as
                   robustseg's `apgd-LOSS` column: no random start, the step-size checkpoints and the
                   restarts from the best point judged on the attack's own loss (track_loss = loss),
                   no early stop. Returned: per image the lowest-accuracy iterate (their x_best_adv).
  SEA-N            their `apgd_largereps` (2ε, 1.5ε, ε on 30/30/40% of N steps) per loss, then their
                   worst-case scoring over the losses. --sea-protocol authors (default) runs it as
                   their infer.py does: random start in the 2ε ball, checkpoints judged on the plain CE
                   (track_loss 'ce-avg'; 'norm-corrlog-avg' for the spherical loss), early stop when a
                   batch is at accuracy 0. --sea-protocol ours sets it up as robustseg's SEA: no random
                   start, the loss's own checkpoints, no early stop. `both` runs the two.

Adaptations to their code, all in this file, none to its logic:
  - labels: 255 (robustseg's ignore) becomes -1 (theirs); FashionScenes has no ignore pixels.
  - their infer.py names the track loss 'norm-corrlog-avg' for the spherical loss but their attacker
    at ATTACKER has no entry of that name: it is added as their own single_logits_loss(normalized=True)
    without the mask (the name's reading: 'mask-norm-corrlog-avg' is the same with masked=True).
  - worse_only.py's imports of rich, tqdm and their data-set wrappers are stood in for when missing
    (printing, a plain iterator, an empty module): only its two scoring methods are used.

Figures: pixel accuracy (aACC) and mIoU of the attacked images, theirs by their own compute_iou_acc
and evalSEA, robustseg's read from --ours (compare.json: the subset table's figures). The script
exits 0 when it ran; the gaps are for a person to read (random starts, float order and the
implementations' small differences make them non-zero), in DIR/crosscheck.md and .json.
"""
import argparse
import importlib.util
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import types

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402
from card import write_json, write_text  # noqa: E402
from voc import IGNORE, Confusion, VocSplit  # noqa: E402

ATTACKER = ("73cb461", "semseg/utils/attacker.py")
WORSE_ONLY = ("f8ff8e6", "tools/worse_only.py")
OTHER_UTILS = ("a392200", "autoattack/other_utils.py")
THEIR_LOSS = {"masked-ce": "mask-ce-avg", "balanced-ce": "segpgd-loss", "js": "js-avg",
              "masked-spherical": "mask-norm-corrlog-avg", "ce": "ce-avg"}
SEA_LOSSES = ("masked-ce", "balanced-ce", "js", "masked-spherical")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def git_show(checkout, commit, path):
    """The text of PATH at COMMIT in a work tree or a bare git directory."""
    bare = not os.path.exists(os.path.join(checkout, ".git")) and os.path.isfile(os.path.join(checkout, "HEAD"))
    cmd = ["git", "--git-dir", checkout] if bare else ["git", "-C", checkout]
    try:
        return subprocess.run(cmd + ["show", f"{commit}:{path}"], check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"{checkout}: cannot read {path} at commit {commit} ({e.stderr.strip()}); "
                         "is it a clone with full history of the right repository?")


def load_their_code(authors, autoattack, work):
    """Writes their three files under WORK and imports them: (attacker module, worse_only module)."""
    pkg = os.path.join(work, "autoattack")
    os.makedirs(pkg, exist_ok=True)
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write("")
    with open(os.path.join(pkg, "other_utils.py"), "w") as f:
        f.write(git_show(autoattack, *OTHER_UTILS))
    for name, (commit, path) in (("their_attacker", ATTACKER), ("their_worse_only", WORSE_ONLY)):
        with open(os.path.join(work, name + ".py"), "w") as f:
            f.write(git_show(authors, commit, path))
    sys.path.insert(0, work)
    stand_in_missing_imports()
    attacker = import_file("their_attacker", os.path.join(work, "their_attacker.py"))
    from functools import partial
    attacker.criterion_dict.setdefault(
        "norm-corrlog-avg", partial(attacker.single_logits_loss, normalized=True, reduction="none"))
    worse_only = import_file("their_worse_only", os.path.join(work, "their_worse_only.py"))
    return attacker, worse_only


def stand_in_missing_imports():
    """rich, tqdm and their data-set wrappers, only where missing: worse_only.py imports them at the top."""
    try:
        import rich.console  # noqa: F401
    except ImportError:
        rich = types.ModuleType("rich")
        console = types.ModuleType("rich.console")

        class Console:
            def print(self, *a, **k):
                print(*a)

        console.Console = Console
        rich.console = console
        sys.modules["rich"] = rich
        sys.modules["rich.console"] = console
    try:
        import tqdm  # noqa: F401
    except ImportError:
        tq = types.ModuleType("tqdm")
        tq.tqdm = lambda it, **k: it
        sys.modules["tqdm"] = tq
    for name in ("semseg", "semseg.datasets", "semseg.datasets.dataset_wrappers"):
        sys.modules.setdefault(name, types.ModuleType(name))


def import_file(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def predictions(model, x, batch):
    with torch.no_grad():
        return torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, len(x), batch)])


def figures(attacker, pred, y, classes):
    """aACC and mIoU by their compute_iou_acc, and robustseg's ConfusionMatrix figures beside them (voc.py)."""
    _, a_acc, m_iou = attacker.compute_iou_acc(pred.clone(), y.clone(), classes, ignore_index=-1)
    conf = Confusion(classes)
    conf.add(torch.nn.functional.one_hot(pred, classes).permute(0, 3, 1, 2), torch.where(y < 0, IGNORE, y))
    per_image = ((pred == y) | (y < 0)).float().flatten(1).mean(1)
    return {"pixel_accuracy": float(a_acc), "miou": float(m_iou), "robustseg_pixel_accuracy": conf.pixel_accuracy(),
            "robustseg_miou": conf.miou(), "per_image_accuracy": [round(float(v), 6) for v in per_image]}


def attack_batches(fn, x, y, batch):
    return torch.cat([fn(x[i:i + batch], y[i:i + batch]) for i in range(0, len(x), batch)])


def run_apgd(attacker, model, x, y, eps, steps, loss, batch, seed):
    """Their apgd_train at one radius, set up like robustseg's apgd-LOSS column (see the module doc)."""
    torch.manual_seed(seed)
    logger = attacker.Logger(None)

    def one(xb, yb):
        return attacker.apgd_train(model, xb, yb, norm="Linf", eps=eps, n_iter=steps, use_rs=False, loss=THEIR_LOSS[loss],
                                   early_stop=False, track_loss=None, logger=logger, ignore_index=-1)[3]
    return attack_batches(one, x, y, batch)


def run_sea_member(attacker, model, x, y, eps, steps, loss, batch, seed, protocol):
    """Their apgd_largereps for one loss, as their infer.py runs it ('authors') or as robustseg's SEA ('ours')."""
    torch.manual_seed(seed)
    theirs = THEIR_LOSS[loss]
    if protocol == "authors":
        kw = dict(use_rs=True, early_stop=True, track_loss="norm-corrlog-avg" if theirs == "mask-norm-corrlog-avg" else "ce-avg")
    else:
        kw = dict(use_rs=False, early_stop=False, track_loss=None)

    def one(xb, yb):
        return attacker.apgd_largereps(model, xb, yb, norm="Linf", eps=eps, n_iter=steps, loss=theirs, ignore_index=-1, **kw)[0]
    return attack_batches(one, x, y, batch)


def worst_case(worse_only, preds, x, y, classes, eps, work):
    """Their evalSEA on the members' predictions: worst-case aACC and mIoU, as they report SEA."""
    out = os.path.join(work, "sea-stats")
    os.makedirs(os.path.join(out, "test_results"), exist_ok=True)
    val = [(x[i], y[i]) for i in range(len(x))]
    save = {}
    ev = worse_only.evalSEA(val_data=val, l_outs=[p.clone() for p in preds], eps=eps, n_cls=classes, addendum="xcheck",
                            saveDir=out, saveDict=save, modelName="xcheck")
    random.seed(worse_only.SEED)  # their module seeds `random` at import; reseed so that every call starts alike
    ev.worst_case_miou()
    ev.worse_case_eval(bs=16)
    return {"miou": float(save["final_miou"]), "pixel_accuracy": float(save["worst_Acc"])}


def ours_figures(ours, name, attack, eps):
    """robustseg's figures on the subset for column ATTACK at EPS from compare.json (None if absent)."""
    for row in ours["rows"]:
        if row["name"] != name:
            continue
        figs = row["subset"]["figures"]
        key = attack.replace("-", "_") + "_" + eps_key(eps)
        if key in figs:
            f = figs[key]
            return {"miou": f["miou"], "pixel_accuracy": f["pixel_accuracy"]}
    return None


def ours_seconds(ours, name, attack, eps):
    for row in ours["rows"]:
        if row["name"] == name:
            for c in row["columns"]:
                if c["attack"] == attack and abs(c["eps"] - eps) < 1e-7:
                    return c["seconds"]
    return None


def eps_key(eps):
    k = eps * 255
    return str(round(k)) if abs(k - round(k)) < 1e-3 else f"{eps:.4g}".replace(".", "p")


def budget(eps):
    k = eps * 255
    return f"{round(k)}/255" if abs(k - round(k)) < 1e-3 else f"{eps:.4g}"


def parse_eps(text):
    out = []
    for part in text.split(","):
        part = part.strip()
        if "/" in part:
            a, b = part.split("/")
            out.append(float(a) / float(b))
        else:
            out.append(float(part))
    return out


def markdown(results, machine):
    lines = ["| model | eps | attack | theirs mIoU | ours mIoU | Δ mIoU | theirs aACC | ours aACC | Δ aACC | theirs s | ours s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        o = r.get("ours") or {}
        d_m = f"{r['theirs']['miou'] - o['miou']:+.4f}" if o else "n/a"
        d_a = f"{r['theirs']['pixel_accuracy'] - o['pixel_accuracy']:+.4f}" if o else "n/a"
        lines.append(f"| {r['model']} | {budget(r['eps']) if r['eps'] else '–'} | {r['label']} | {r['theirs']['miou']:.4f} | "
                     f"{o.get('miou', float('nan')):.4f} | {d_m} | {r['theirs']['pixel_accuracy']:.4f} | "
                     f"{o.get('pixel_accuracy', float('nan')):.4f} | {d_a} | {r['seconds']:.0f} | "
                     f"{'' if r.get('ours_seconds') is None else round(r['ours_seconds'])} |")
    lines.append("")
    lines.append(f"Machine: {machine}. Theirs: {ATTACKER[1]}@{ATTACKER[0]} (nmndeep/Robust-Segmentation), "
                 f"{WORSE_ONLY[1]}@{WORSE_ONLY[0]}, {OTHER_UTILS[1]}@{OTHER_UTILS[0]} (fra31/auto-attack); "
                 "ours: compare.json's subset figures. Seconds: theirs in PyTorch (this script), ours the Java column's wall time.")
    return "\n".join(lines) + "\n"


def git_commit():
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], check=True, capture_output=True,
                              text=True).stdout.strip()
    except (subprocess.CalledProcessError, OSError):
        return "unknown"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--authors", help="checkout of nmndeep/Robust-Segmentation (work tree or bare git dir)")
    p.add_argument("--autoattack", help="checkout of fra31/auto-attack (work tree or bare git dir)")
    p.add_argument("--export", action="append", metavar="NAME=DIR",
                   help="a `./run export --format safetensors` directory, named as its row in --ours (repeatable)")
    p.add_argument("--data", help="the data directory --ours was evaluated on (VOC layout)")
    p.add_argument("--split", default="val")
    p.add_argument("--ours", help="compare.json of `./run compare` on the same networks: images, budgets, figures")
    p.add_argument("--first", type=int, help="without --ours: the first N images of the split (what `compare --limit N "
                   "--subset 0` attacks); --retable puts robustseg's figures beside them later")
    p.add_argument("--retable", metavar="CROSSCHECK_JSON", help="attack nothing: put --ours' figures beside the results "
                   "of an earlier run (same images) and write --out again")
    p.add_argument("--eps", help="budgets, e.g. 4/255,8/255 (default: those of --ours)")
    p.add_argument("--losses", default=",".join(SEA_LOSSES), help="APGD losses, robustseg's names (default: SEA's four)")
    p.add_argument("--apgd-steps", type=int, help="steps of each APGD run (default: the APGD steps of --ours, else 100)")
    p.add_argument("--sea-steps", type=int, help="steps of each SEA member (default: --ours' SEA steps, else 300); 0: no SEA")
    p.add_argument("--sea-protocol", choices=("authors", "ours", "both"), default="authors")
    p.add_argument("--images", type=int, help="only the first N images of --ours' subset (smoke runs)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--work", help="where their files are written and imported from (default: a temporary directory)")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    ours = None
    if a.ours:
        with open(a.ours) as f:
            ours = json.load(f)
    if a.retable:
        if ours is None:
            p.error("--retable needs --ours")
        retable(a.retable, ours, a.ours, a.out)
        return
    for need in ("authors", "autoattack", "export", "data"):
        if getattr(a, need) is None:
            p.error(f"--{need} is required")
    if (ours is None) == (a.first is None):
        p.error("give either --ours (its images) or --first N")
    if ours is None and not a.eps:
        p.error("--first needs --eps")

    torch.set_num_threads(a.threads)
    settings = ours.get("settings", {}) if ours else {}
    eps_list = parse_eps(a.eps) if a.eps else [float(e) for e in settings.get("eps", [])]
    apgd_steps = a.apgd_steps or next((m.get("steps") for k, m in (ours or {}).get("attacks", {}).items()
                                       if k.startswith("apgd")), 100)
    sea_steps = a.sea_steps if a.sea_steps is not None else settings.get("seaSteps", 300)
    losses = [s.strip() for s in a.losses.split(",") if s.strip()]
    for loss in losses:
        if loss not in THEIR_LOSS:
            raise SystemExit(f"--losses: unknown loss '{loss}' (known: {', '.join(THEIR_LOSS)})")
    work = a.work or tempfile.mkdtemp(prefix="sea-crosscheck-")
    os.makedirs(work, exist_ok=True)
    attacker, worse_only = load_their_code(a.authors, a.autoattack, work)

    val = VocSplit(a.data, a.split)
    index = {i: k for k, i in enumerate(val.ids)}
    ids = ours["rows"][0]["subset"]["ids"] if ours else val.ids[:a.first]
    missing = [i for i in ids if i not in index]
    if missing:
        raise SystemExit(f"{a.data}: images {missing[:3]} of {a.ours} are not in its {a.split} split")
    if a.images:
        ids = ids[:a.images]
    x_all, y_all = val.tensors()
    sel = torch.tensor([index[i] for i in ids])
    x, y = x_all[sel].contiguous(), y_all[sel].contiguous()
    y = torch.where(y == IGNORE, torch.full_like(y, -1), y)
    machine = f"{cpu_name()}, {os.cpu_count()} logical CPUs, torch {torch.__version__} with {a.threads} threads"
    protocols = ["authors", "ours"] if a.sea_protocol == "both" else [a.sea_protocol]
    record = {"results": [], "images": ids, "data": val.identity(), "apgd_steps": apgd_steps, "sea_steps": sea_steps,
              "sea_protocols": protocols, "seed": a.seed,
              "their_code": {"attacker": ATTACKER, "worse_only": WORSE_ONLY, "other_utils": OTHER_UTILS},
              "ours": os.path.abspath(a.ours) if a.ours else None, "commit": git_commit(), "machine": machine,
              "command": " ".join([os.path.basename(sys.argv[0])] + list(argv))}
    results = record["results"]

    def add(result):  # written after every result: a run cut short keeps what it measured
        results.append(result)
        attach_ours(result, ours, ids)
        write(record, a.out)
        print(f"{result['model']} {budget(result['eps']) if result['eps'] else ''} {result['label']}: theirs "
              f"{result['theirs']['miou']:.4f} mIoU / {result['theirs']['pixel_accuracy']:.4f} aACC, ours {result['ours']} "
              f"({result['seconds']:.0f} s)", flush=True)

    for spec in a.export:
        if "=" not in spec:
            raise SystemExit(f"--export {spec}: expected NAME=DIR (NAME as the row's name in --ours)")
        name, directory = spec.split("=", 1)
        model, card = reference.load_export(directory)
        classes = len(card["classes"])
        add({"model": name, "eps": 0.0, "label": "clean", "attack": "clean",
             "theirs": figures(attacker, predictions(model, x, a.batch), y, classes), "seconds": 0.0})
        for eps in eps_list:
            for loss in losses:
                t = time.time()
                adv = run_apgd(attacker, model, x, y, eps, apgd_steps, loss, a.batch, a.seed)
                seconds = time.time() - t
                assert (adv - x).abs().max() <= eps + 1e-6, "their APGD left the budget"
                add({"model": name, "eps": eps, "label": f"APGD-{apgd_steps} {loss}", "attack": "apgd-" + loss, "steps": apgd_steps,
                     "theirs": figures(attacker, predictions(model, adv, a.batch), y, classes), "seconds": seconds})
            for protocol in protocols if sea_steps else []:
                preds, members, t = [], [], time.time()
                for loss in SEA_LOSSES:
                    tm = time.time()
                    adv = run_sea_member(attacker, model, x, y, eps, sea_steps, loss, a.batch, a.seed, protocol)
                    assert (adv - x).abs().max() <= eps + 1e-6, "their SEA left the budget"
                    pred = predictions(model, adv, a.batch)
                    preds.append(pred)
                    members.append({"loss": loss, "seconds": time.time() - tm, **figures(attacker, pred, y, classes)})
                label = f"SEA-{sea_steps}" + (" (their protocol)" if protocol == "authors" else " (our protocol)")
                add({"model": name, "eps": eps, "label": label, "attack": "sea", "protocol": protocol, "steps": sea_steps,
                     "theirs": worst_case(worse_only, preds, x, y, classes, eps, work), "members": members,
                     "seconds": time.time() - t})
    print(markdown(results, machine))


def attach_ours(result, ours, ids):
    """robustseg's figures and seconds for the result's column, when --ours covers exactly these images."""
    result["ours"], result["ours_seconds"] = None, None
    if ours is None or ours["rows"][0]["subset"]["ids"] != list(ids):
        return
    if result["attack"] == "clean":
        result["ours"] = ours_clean(ours, result["model"])
    elif result.get("steps") == ours_steps(ours, result["attack"]):  # the same budget of iterations, or no comparison
        result["ours"] = ours_figures(ours, result["model"], result["attack"], result["eps"])
        result["ours_seconds"] = ours_seconds(ours, result["model"], result["attack"], result["eps"])


def ours_steps(ours, attack):
    """The iterations of robustseg's column ATTACK in compare.json: APGD steps, or SEA's steps per member."""
    if attack == "sea":
        return ours.get("settings", {}).get("seaSteps")
    return ours.get("attacks", {}).get(attack, {}).get("steps")


def retable(path, ours, ours_path, out):
    with open(path) as f:
        record = json.load(f)
    if ours["rows"][0]["subset"]["ids"] != record["images"]:
        raise SystemExit(f"{ours_path}: its images are not those of {path} "
                         f"({len(ours['rows'][0]['subset']['ids'])} vs {len(record['images'])}; first "
                         f"{ours['rows'][0]['subset']['ids'][:2]} vs {record['images'][:2]})")
    for r in record["results"]:
        attach_ours(r, ours, record["images"])
    record["ours"] = os.path.abspath(ours_path)
    write(record, out)
    print(markdown(record["results"], record["machine"]))


def write(record, out):
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "crosscheck.json"), record)
    write_text(os.path.join(out, "crosscheck.md"), markdown(record["results"], record["machine"]))


def ours_clean(ours, name):
    for row in ours["rows"]:
        if row["name"] == name:
            f = row["subset"]["figures"]["clean"]
            return {"miou": f["miou"], "pixel_accuracy": f["pixel_accuracy"]}
    return None


if __name__ == "__main__":
    main(sys.argv[1:])
