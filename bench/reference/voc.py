"""FashionScenes (or any data set) as robustseg writes it, in Pascal VOC layout, read the way
robustseg's VocLayout reads it, and the mIoU robustseg reports, computed the way its
ConfusionMatrix computes it. Shared by the interoperability scripts in bench/reference.

    root/ImageSets/Segmentation/<split>.txt   one id per line
    root/JPEGImages/<id>.png (or .jpg)        RGB image; robustseg's pixels are value/255
    root/SegmentationClass/<id>.png           palette or grayscale PNG of class ids, 255 = ignore
    root/dataset.json                         class names and content hash (written by ./run data)
"""
import json
import os

import numpy as np
import torch
from PIL import Image

IGNORE = 255


class VocSplit:
    """All images of one split in memory: images uint8 N×3×H×W (RGB), labels uint8 N×H×W."""

    def __init__(self, root, split, limit=None):
        self.root = root
        self.split = split
        ids_file = os.path.join(root, "ImageSets", "Segmentation", split + ".txt")
        if not os.path.isfile(ids_file):
            raise SystemExit(f"{ids_file}: no such split file (is {root} a VOC-layout data directory? './run data fashion-scenes --out DIR' writes one)")
        with open(ids_file) as f:
            self.ids = [line.strip() for line in f if line.strip()]
        if limit is not None:
            self.ids = self.ids[:limit]
        images, labels = [], []
        for i in self.ids:
            images.append(np.asarray(Image.open(self._image_path(i)).convert("RGB"), dtype=np.uint8).transpose(2, 0, 1))
            label_path = os.path.join(root, "SegmentationClass", i + ".png")
            lab = Image.open(label_path)
            if lab.mode not in ("P", "L"):
                raise SystemExit(f"{label_path}: label map must be a palette or grayscale PNG, got mode {lab.mode}")
            labels.append(np.asarray(lab, dtype=np.uint8))
        self.images = np.stack(images)
        self.labels = np.stack(labels)
        manifest = os.path.join(root, "dataset.json")
        self.manifest = json.load(open(manifest)) if os.path.isfile(manifest) else {}
        self.classes = self.manifest.get("classes")

    def _image_path(self, i):
        for d in ("JPEGImages", "images"):
            for ext in (".png", ".jpg", ".jpeg"):
                p = os.path.join(self.root, d, i + ext)
                if os.path.isfile(p):
                    return p
        raise SystemExit(f"{os.path.join(self.root, 'JPEGImages', i + '.png')}: image not found (nor .jpg, nor under images/)")

    def __len__(self):
        return len(self.ids)

    def tensors(self, start=0, end=None):
        """Images float32 in [0,1] and labels int64, as robustseg's batches hold them."""
        x = torch.from_numpy(self.images[start:end]).float().div_(255.0)
        y = torch.from_numpy(self.labels[start:end]).long()
        return x, y

    def identity(self):
        """What provenance records of the data: name, split, size, content hashes."""
        split = self.manifest.get("splits", {}).get(self.split, {})
        return {"root": os.path.abspath(self.root), "name": self.manifest.get("name"), "split": self.split,
                "images": len(self), "split_content_hash": split.get("contentHash"),
                "content_hash": self.manifest.get("contentHash")}


class Confusion:
    """Data-set-level confusion matrix; mIoU averages the IoU of classes present in labels or predictions."""

    def __init__(self, classes):
        self.classes = classes
        self.m = np.zeros((classes, classes), dtype=np.int64)

    def add(self, logits, labels):
        pred = logits.argmax(1).flatten().cpu().numpy()
        truth = labels.flatten().cpu().numpy()
        keep = truth != IGNORE
        self.m += np.bincount(truth[keep] * self.classes + pred[keep], minlength=self.classes ** 2).reshape(self.classes, self.classes)

    def iou(self):
        tp = np.diag(self.m).astype(np.float64)
        union = self.m.sum(0) + self.m.sum(1) - tp
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(union == 0, np.nan, tp / union)

    def miou(self):
        return float(np.nanmean(self.iou()))

    def pixel_accuracy(self):
        total = self.m.sum()
        return float(np.diag(self.m).sum() / total) if total else float("nan")
