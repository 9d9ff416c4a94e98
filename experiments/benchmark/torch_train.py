"""A plain PyTorch U-Net script, the benchmark's side-by-side peer on every dataset (optional: runs
where `import torch` works, e.g. Debian's python3-torch; not a dependency of the project).

    /usr/bin/python3 experiments/benchmark/torch_train.py --data DIR --out DIR [--minutes 10] [--seed 1]

DIR holds train/images, train/masks, test/images (the benchmark's prepared layout). The recipe the
results issue measured: same padding, batch norm, base 32, depth 4, batch 4 of 256 px crops, flips /
90-degree rotations / gray jitter, cross-entropy without weights, Adam 1e-3, per-image z-score,
any non-zero mask value is foreground, last weights. Writes each test image's foreground
probability as raw float32 (OUT/NAME.f32) and OUT/run.json; the benchmark scores them.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'bench'))
from torch_unet import UNet, train_for_minutes  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('--data', required=True)
parser.add_argument('--out', required=True)
parser.add_argument('--minutes', type=float, default=10)
parser.add_argument('--seed', type=int, default=1)
parser.add_argument('--threads', type=int, default=2)
args = parser.parse_args()
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
torch.set_num_threads(args.threads)
CROP = 256


def image_of(path):
    array = np.asarray(Image.open(path), dtype=np.float32)
    if array.ndim == 2:
        array = array[None]
    else:
        array = array[:, :, :3].transpose(2, 0, 1)
    return (array - array.mean()) / (array.std() + 1e-6)


def mask_of(path):
    mask = np.asarray(Image.open(path))
    return ((mask.any(axis=2) if mask.ndim == 3 else mask) != 0).astype(np.int64)


def names(folder):
    return sorted(n for n in os.listdir(folder) if n.lower().endswith(('.png', '.tif', '.tiff')))


train_dir = os.path.join(args.data, 'train')
train = [(image_of(os.path.join(train_dir, 'images', n)), mask_of(os.path.join(train_dir, 'masks', n))) for n in names(os.path.join(train_dir, 'images'))]
channels = train[0][0].shape[0]


def pad_to(x, size):
    """Mirror-pads a C x H x W array so that H and W are at least `size`."""
    h, w = x.shape[-2:]
    ph, pw = max(0, size - h), max(0, size - w)
    widths = [(0, 0)] * (x.ndim - 2) + [(0, ph), (0, pw)]
    return np.pad(x, widths, mode='reflect') if ph or pw else x


def batch(size=4):
    xs, ys = [], []
    for _ in range(size):
        image, label = train[rng.integers(len(train))]
        image, label = pad_to(image, CROP), pad_to(label, CROP)
        top, left = rng.integers(image.shape[1] - CROP + 1), rng.integers(image.shape[2] - CROP + 1)
        x, y = image[:, top:top + CROP, left:left + CROP], label[top:top + CROP, left:left + CROP]
        k = rng.integers(4)
        x, y = np.rot90(x, k, axes=(1, 2)), np.rot90(y, k)
        if rng.random() < 0.5:
            x, y = x[:, :, ::-1], y[:, ::-1]
        x = x * rng.uniform(0.9, 1.1) + rng.uniform(-0.1, 0.1)
        xs.append(x.copy())
        ys.append(y.copy())
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))


model = UNet(4, 32, pad=1, bn=True, channels=channels)
steps, train_seconds = train_for_minutes(model, batch, args.minutes)
os.makedirs(args.out, exist_ok=True)
model.eval()
test_dir = os.path.join(args.data, 'test', 'images')
with torch.no_grad():
    for name in names(test_dir):
        image = image_of(os.path.join(test_dir, name))
        h, w = image.shape[1:]
        padded = np.pad(image, [(0, 0), (0, (-h) % 16), (0, (-w) % 16)], mode='reflect')
        probability = torch.softmax(model(torch.from_numpy(padded)[None]), 1)[0, 1, :h, :w].numpy().astype(np.float32)
        probability.tofile(os.path.join(args.out, os.path.splitext(name)[0] + '.f32'))
with open(os.path.join(args.out, 'run.json'), 'w') as f:
    json.dump({'steps': steps, 'seconds': train_seconds, 'minutes': args.minutes, 'seed': args.seed}, f)
print(json.dumps({'steps': steps, 'seconds': round(train_seconds, 1)}))
