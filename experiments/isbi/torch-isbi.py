"""A plain PyTorch U-Net trained on ISBI 2012 slices, for side-by-side accuracy per minute (optional:
runs where `import torch` works, e.g. Debian's python3-torch; not a dependency of the project).

    python3 experiments/isbi/torch-isbi.py --data DIR --out DIR [--minutes 20] [--seed 1] [--threads 2] [--fold 5]

The recipe the "results on your data" issue measured: same padding, batch norm, base 32, depth 4,
batch 4 of 256 px crops, flips / 90-degree rotations / gray jitter, cross-entropy without weights,
Adam 1e-3, trained on slices 00-15 for --minutes, last weights. Writes the cell probability of
slices 16-19 as raw float32 files (OUT/16.f32, ...) and OUT/run.json; --fold K (1-5) scores slices
4(K-1)..4K-1 and trains on the other 16 instead (bench:isbi's cross-validation); score them with
`npx tsx experiments/isbi/score-probabilities.ts --probabilities OUT`.
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
parser.add_argument('--minutes', type=float, default=20)
parser.add_argument('--seed', type=int, default=1)
parser.add_argument('--threads', type=int, default=2)
parser.add_argument('--fold', type=int, default=5, choices=range(1, 6))
args = parser.parse_args()
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
torch.set_num_threads(args.threads)


def load(i):
    image = np.asarray(Image.open(os.path.join(args.data, 'images', f'{i:02d}.png')).convert('L'), dtype=np.float32) / 255
    label = (np.asarray(Image.open(os.path.join(args.data, 'labels', f'{i:02d}.png')).convert('L')) > 127).astype(np.int64)
    return image, label


test_ids = range(4 * (args.fold - 1), 4 * args.fold)
train = [load(i) for i in range(20) if i not in test_ids]
test = [load(i) for i in test_ids]


def batch(size=4, crop=256):
    xs, ys = [], []
    for _ in range(size):
        image, label = train[rng.integers(len(train))]
        top, left = rng.integers(image.shape[0] - crop + 1), rng.integers(image.shape[1] - crop + 1)
        x, y = image[top:top + crop, left:left + crop], label[top:top + crop, left:left + crop]
        k = rng.integers(4)
        x, y = np.rot90(x, k), np.rot90(y, k)
        if rng.random() < 0.5:
            x, y = x[:, ::-1], y[:, ::-1]
        x = np.clip(x * rng.uniform(0.9, 1.1) + rng.uniform(-0.1, 0.1), 0, 1)
        xs.append(x.copy())
        ys.append(y.copy())
    return torch.from_numpy(np.stack(xs)[:, None]), torch.from_numpy(np.stack(ys))


model = UNet(4, 32, pad=1, bn=True)  # same padding, batch norm, base 32, depth 4
steps, train_seconds = train_for_minutes(model, batch, args.minutes)
os.makedirs(args.out, exist_ok=True)
model.eval()
with torch.no_grad():
    for i, (image, _) in zip(test_ids, test):
        probability = torch.softmax(model(torch.from_numpy(image)[None, None]), 1)[0, 1].numpy().astype(np.float32)
        probability.tofile(os.path.join(args.out, f'{i}.f32'))
with open(os.path.join(args.out, 'run.json'), 'w') as f:
    json.dump({'steps': steps, 'seconds': train_seconds, 'minutes': args.minutes, 'seed': args.seed, 'size': list(test[0][0].shape)}, f)
print(json.dumps({'steps': steps, 'seconds': round(train_seconds, 1)}))
