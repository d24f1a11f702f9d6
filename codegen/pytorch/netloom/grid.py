"""4x4 (or one-row-per-class) grids of images as PNG files, drawn as the app draws them (Pillow writes the file)."""

import numpy as np
from PIL import Image

GAP = 2


def _unit(values, value_range, image):
    """Values [n, ...] as images [n, h, w, c] in [0, 1]."""
    x = values.detach().float().cpu().numpy().astype(np.float64)
    if value_range == "-1..1":
        x = (x + 1) / 2
    height, width, channels = image
    return np.clip(x, 0, 1).reshape(-1, height, width, channels)


def _grid(images, columns):
    count, height, width, channels = images.shape
    rows = -(-count // columns)
    out = np.full((rows * height + (rows - 1) * GAP, columns * width + (columns - 1) * GAP, channels), 255, dtype=np.uint8)
    # Math.round(v * 255), as the app rounds (halves up).
    pixels = np.floor(images * 255 + 0.5).astype(np.uint8)
    for i in range(count):
        top, left = (i // columns) * (height + GAP), (i % columns) * (width + GAP)
        out[top : top + height, left : left + width] = pixels[i]
    return out


def _save(path, picture):
    Image.fromarray(picture[:, :, 0] if picture.shape[2] == 1 else picture).save(path)


def write_grid(path, values, value_range, image, columns):
    _save(path, _grid(_unit(values, value_range, image), columns))


def write_pairs(path, inputs, outputs, value_range, image, columns):
    """Inputs beside their reconstructions: x1, x1', x2, x2', ..."""
    a, b = _unit(inputs, value_range, image), _unit(outputs, value_range, image)
    count = min(len(a), len(b))
    pairs = np.empty((2 * count, *a.shape[1:]))
    pairs[0::2], pairs[1::2] = a[:count], b[:count]
    _save(path, _grid(pairs, columns))
