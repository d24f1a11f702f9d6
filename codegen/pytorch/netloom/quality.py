"""Quality scores of generated samples, computed as Netloom computes them (its runtime's quality.ts, classifier.ts, diagnostics.ts).

- Fréchet distance between features of generated and held-out real images:
  the bundled MNIST classifier's penultimate layer on MNIST (FID-like),
  8x8-pooled pixels elsewhere; lower is better.
- Class entropy in bits of the classifier's predicted-class histogram (3.32
  when all 10 digits are drawn equally), and its mean confidence (the top
  class's probability): with the classifier only.
- Diversity: the mean distance between generated images over the same
  between real ones (near 0: the samples are near-identical).

Images are [n, h, w, c] in [0, 1]. Statistics are taken in float64; the
classifier runs in float32, as in the app.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from . import data as nd
from . import loop, ops

#: Generated pairs compared for diversity: enough for a stable mean, few enough for a quick n x n.
DIVERSITY_SAMPLES = 200
#: Side of the pooled image that pixel statistics compare.
POOLED_SIDE = 8
#: The most images (generated, and real) one evaluation compares.
MAX_SAMPLES = 10000
#: The classifier's files, in the project's quality/ folder.
CLASSIFIER_FILES = ("model.json", "weights.bin")
_CLASSIFIER_WEIGHTS = ("conv1/W", "conv1/b", "conv2/W", "conv2/b", "fc1/W", "fc1/b", "fc2/W", "fc2/b")


class Classifier:
    """The small MNIST classifier (tfjs weights format): conv 5x5 SAME, relu, max pool 2; twice; dense 64 relu (the features); dense 10 (the logits)."""

    def __init__(self, directory, device):
        def path(file):
            full = os.path.join(directory, file)
            if not os.path.exists(full):
                raise FileNotFoundError(f"{os.path.abspath(full)} is missing: the quality scores need the MNIST classifier this project was exported with")
            return full

        with open(path("model.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        if manifest.get("format") != "netloom-classifier" or manifest.get("version") != 1:
            raise ValueError("model.json: not a Netloom classifier (format \"netloom-classifier\", version 1)")
        raw = np.fromfile(path("weights.bin"), dtype="<f4")
        self.weights, offset = {}, 0
        for spec in manifest["weightsManifest"][0]["weights"]:
            if spec.get("dtype", "float32") != "float32":
                raise ValueError(f"model.json: weight {spec['name']} is {spec['dtype']}, only float32 is read")
            size = int(np.prod(spec["shape"], dtype=np.int64))
            if offset + size > raw.size:
                raise ValueError(f"weights.bin: too short for weight {spec['name']}")
            self.weights[spec["name"]] = torch.from_numpy(raw[offset : offset + size].astype(np.float32).reshape(spec["shape"])).to(device)
            offset += size
        missing = [name for name in _CLASSIFIER_WEIGHTS if name not in self.weights]
        if missing:
            raise ValueError(f"model.json: the classifier lacks {', '.join(missing)}")

    def __call__(self, images):
        """The penultimate layer [n, 64] and the class logits [n, 10] of images [n, 28, 28, 1] in [0, 1]."""
        w = self.weights
        h = images
        for layer in ("conv1", "conv2"):
            h = ops.max_pool(ops.conv2d(h, w[f"{layer}/W"], w[f"{layer}/b"], 1, "SAME", "relu"), 2, 2, "VALID")
        features = ops.dense(h.reshape(images.shape[0], -1), w["fc1/W"], w["fc1/b"], "relu")
        logits = ops.dense(features, w["fc2/W"], w["fc2/b"], "linear")
        return features, logits


def pixel_features(images):
    """Average-pooled pixels (about 8x8 per channel), tf.avgPool's SAME padding: a window's mean over its cells inside the image."""
    _, height, width, _ = images.shape
    size = max(1, math.ceil(max(height, width) / POOLED_SIDE))
    top, bottom = ops._same_padding(height, size, size)
    left, right = ops._same_padding(width, size, size)
    pad = (left, right, top, bottom)
    sums = F.avg_pool2d(F.pad(images.permute(0, 3, 1, 2), pad), size, size)
    cells = F.avg_pool2d(F.pad(torch.ones(1, 1, height, width, dtype=images.dtype, device=images.device), pad), size, size)
    return (sums / cells).permute(0, 2, 3, 1).reshape(images.shape[0], -1)


def _stats(features):
    """Mean and unbiased covariance of the rows of [n, d] features, in float64."""
    n = features.shape[0]
    if n < 2:
        raise ValueError(f"quality: at least 2 samples are needed for a covariance, got {n}")
    x = features.detach().double().cpu()
    mean = x.mean(0)
    centred = x - mean
    covariance = centred.T @ centred / (n - 1)
    return mean, (covariance + covariance.T) / 2


def _sqrt_psd(matrix):
    """Square root of a symmetric positive semi-definite matrix (negative rounding-error eigenvalues taken as 0)."""
    values, vectors = torch.linalg.eigh(matrix)
    return (vectors * values.clamp(min=0).sqrt()) @ vectors.T


def frechet_distance(a, b):
    """|m1 - m2|^2 + tr(S1 + S2 - 2 (S1^(1/2) S2 S1^(1/2))^(1/2)): the trace of (S1 S2)^(1/2) through a symmetric matrix with its eigenvalues."""
    (mean_a, cov_a), (mean_b, cov_b) = a, b
    mean_term = float(((mean_a - mean_b) ** 2).sum())
    root = _sqrt_psd(cov_a)
    product = root @ cov_b @ root
    eigenvalues = torch.linalg.eigvalsh((product + product.T) / 2)
    cross = float(eigenvalues.clamp(min=0).sqrt().sum())
    return max(0.0, mean_term + float(torch.trace(cov_a)) + float(torch.trace(cov_b)) - 2 * cross)


def class_scores(logits):
    """Entropy in bits of the predicted-class histogram, and the mean top-class probability."""
    labels = torch.argmax(logits, 1).cpu().numpy()
    counts = np.bincount(labels, minlength=logits.shape[1])
    n = len(labels)
    entropy = 0.0
    for c in counts.tolist():
        if c > 0:
            entropy -= (c / n) * math.log2(c / n)
    confidence = float(torch.softmax(logits, 1).max(1).values.double().mean())
    return {"entropy": entropy, "confidence": confidence}


def mean_distance(images):
    """Mean Euclidean distance between distinct pairs among the first images (pixel space), as the app sums it (diagonal included)."""
    m = min(images.shape[0], DIVERSITY_SAMPLES)
    if m < 2:
        return 0.0
    x = images[:m].reshape(m, -1).float()
    norms = (x * x).sum(1, keepdim=True)
    squared = torch.relu(norms + norms.T - 2 * (x @ x.T))
    return float(squared.sqrt().double().sum()) / (m * (m - 1))


class Evaluator:
    """Scores generated images against `reference` (held-out real images [n, h, w, c] in [0, 1]), whose statistics are taken once."""

    def __init__(self, features, reference, classifier_dir="quality"):
        self.classifier = Classifier(classifier_dir, reference.device) if features == "mnist-classifier" else None
        self.kind = "classifier" if self.classifier else "pixels"
        with torch.no_grad():
            self.real = _stats(self._features(reference)[0])
            self.real_spread = mean_distance(reference)

    def _features(self, images):
        return self.classifier(images) if self.classifier else (pixel_features(images), None)

    @torch.no_grad()
    def score(self, images):
        """{"frechet", "diversity"} and, with the classifier, {"entropy", "confidence"}: in the app's order."""
        features, logits = self._features(images)
        scores = {
            "frechet": frechet_distance(_stats(features), self.real),
            "diversity": mean_distance(images) / max(self.real_spread, 1e-12),
        }
        if logits is not None:
            scores.update(class_scores(logits))
        return scores


def dataset_images(dataset, count, device="cpu"):
    """The first `count` images of a dataset (values 0..255) as [n, h, w, c] float32 in [0, 1]."""
    n = min(count, dataset.count)
    pixels = (dataset.images[:n].astype(np.float64) / 255).astype(np.float32)
    return torch.from_numpy(pixels).reshape(n, dataset.height, dataset.width, dataset.channels).to(device)


def load_reference(data_dir, dataset_id, split):
    """The held-out images scores compare with: `split` (the test split), else the training split. Returns (dataset, split)."""
    try:
        dataset = nd.load_dataset(data_dir, dataset_id, split)
        if dataset.count < 2:
            raise ValueError("too few images")
        return dataset, split
    except (OSError, ValueError, KeyError):
        return nd.load_dataset(data_dir, dataset_id, "train"), "train"


def create_evaluator(data_dir, dataset_id, split, features, samples, classifier_dir="quality"):
    """An Evaluator over `samples` held-out images of dataset_id (fewer if it holds fewer), with how many it compares and a sentence on what."""
    reference, split = load_reference(data_dir, dataset_id, split)
    count = min(samples, reference.count)
    if count < 2:
        raise SystemExit(f"No quality scores: {dataset_id} holds fewer than 2 images.")
    evaluator = Evaluator(features, dataset_images(reference, count, loop.DEVICE), classifier_dir)
    evaluator.count = count
    if evaluator.classifier:
        evaluator.note = (
            f"Scores compare {count} samples with {count} MNIST {split} digits through the bundled MNIST classifier: Fréchet distance of its features "
            "(lower is better), class entropy (3.32 bits when all 10 digits are drawn equally), confidence, diversity."
        )
    else:
        evaluator.note = (
            f"This dataset has no bundled classifier: scores are pixel statistics only (Fréchet distance of 8x8-pooled pixels against {count} {split} images, "
            "and diversity), which say less than a classifier's."
        )
    return evaluator


def unit_images(values, value_range, image):
    """A preview's values [n, ...] as images [n, h, w, c] in [0, 1], as the grids show them."""
    x = values.detach().float()
    if value_range == "-1..1":
        x = (x + 1) / 2
    return x.clamp(0, 1).reshape(-1, *image)


def to_precision(value, digits=3):
    """JavaScript's Number.prototype.toPrecision."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0" if digits == 1 else "0." + "0" * (digits - 1)
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    exponent = int(exponent)
    if exponent < -6 or exponent >= digits:
        return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    return f"{value:.{digits - 1 - exponent}f}"


#: How scores are named in logs, in the app's order.
SCORE_NAMES = {"frechet": "Fréchet distance", "entropy": "class entropy (bits)", "confidence": "confidence", "diversity": "diversity"}


def score_line(scores):
    """`Fréchet distance 12.3, class entropy (bits) 3.21, confidence 0.970, diversity 0.940`"""
    return ", ".join(f"{name} {to_precision(scores[key])}" for key, name in SCORE_NAMES.items() if key in scores)


#: Mode collapse: the classifier sees fewer than about 3 digits in equal shares, and is this sure of them; or the
#: samples are this close to one another, relative to real images; at this many evaluations in a row.
RULES = {"entropyBits": 1.6, "confidence": 0.5, "diversity": 0.15, "evaluations": 2}

TEXT = {
    "mode-collapse": {
        "title": "Mode collapse",
        "meaning": "The generator draws only a few kinds of image whatever the noise: it found outputs the discriminator accepts and stopped exploring.",
        "remedy": "Try Adam with learning rate 2e-4 and beta1 0.5 for both networks, one-sided label smoothing (real targets 0.9), batch norm in the generator, or a WGAN-GP critic; the tuned templates show each.",
    },
}


class Diagnostician:
    """Failure modes recognised from the scores, each said once per run with what it means and what to try (the app's mode-collapse rule)."""

    def __init__(self):
        self.found = set()
        self.collapsed_evaluations = 0

    def scores(self, step, scores):
        """After an evaluation: collapse must show at RULES["evaluations"] evaluations in a row, none of them the first (before any training)."""
        entropy = scores.get("entropy")
        few_modes = entropy is not None and entropy < RULES["entropyBits"] and (scores.get("confidence") or 0) >= RULES["confidence"]
        alike = scores["diversity"] < RULES["diversity"]
        self.collapsed_evaluations = self.collapsed_evaluations + 1 if step > 0 and (few_modes or alike) else 0
        if self.collapsed_evaluations < RULES["evaluations"]:
            return []
        evidence = []
        if few_modes:
            evidence.append(
                f"class entropy {entropy:.2f} bits at confidence {scores['confidence']:.2f} "
                f"(below {RULES['entropyBits']} bits; 3.32 when all 10 classes are drawn equally)"
            )
        if alike:
            evidence.append(f"diversity {scores['diversity']:.2f} (samples this close to one another, relative to real images; below {RULES['diversity']})")
        return self._say("mode-collapse", step, f"{'; '.join(evidence)}, at {self.collapsed_evaluations} evaluations in a row")

    def _say(self, diagnosis, step, evidence):
        if diagnosis in self.found:
            return []
        self.found.add(diagnosis)
        return [{"id": diagnosis, "step": step, "evidence": evidence, **TEXT[diagnosis]}]


def diagnosis_line(d):
    """`Diagnosis at iteration 2000: Mode collapse (class entropy 0.41 bits ...). The generator ... Try ...`"""
    return f"Diagnosis at iteration {d['step']}: {d['title']} ({d['evidence']}). {d['meaning']} {d['remedy']}"


class ScoreLog:
    """A run's scores and diagnoses: printed as they come (a line, or with --json an object), and kept for summary.json."""

    def __init__(self, json_lines):
        self.json = json_lines
        self.scores = []
        self.diagnoses = []
        self.diagnostician = Diagnostician()

    def add(self, step, scores):
        self.scores.append({"step": step, "scores": scores})
        loop.log(json.dumps({"step": step, "scores": scores}) if self.json else f"Quality at iteration {step}: {score_line(scores)}")
        for diagnosis in self.diagnostician.scores(step, scores):
            self.diagnoses.append(diagnosis)
            loop.log(json.dumps({"diagnosis": diagnosis}) if self.json else diagnosis_line(diagnosis))

    def summary(self):
        return {"scores": self.scores, "diagnoses": self.diagnoses}
