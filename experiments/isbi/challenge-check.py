"""An independent cross-check of the ISBI 2012 challenge scores (numpy and Pillow only; optional).

    python3 experiments/isbi/challenge-check.py DATA_DIR PROBABILITY_DIR [thresholds]

PROBABILITY_DIR holds cell probabilities of slices 16-19 as raw float32 (`16.f32` ...), e.g. from
experiments/isbi/torch-isbi.py. Labels 4-connected regions with a breadth-first search, thins the predicted
borders with the challenge's reference procedure (a 3x3 maximum filter applied to the zero pixels
until none is left), and computes 1 - V_rand with the N^2 normalisation over the true foreground.
Compare with `npx tsx experiments/isbi/score-probabilities.ts --probabilities PROBABILITY_DIR`.
"""
import sys
from collections import deque

import numpy as np
from PIL import Image


def label4(mask):
    h, w = mask.shape
    labels = np.zeros((h, w), np.int64)
    count = 0
    for y in range(h):
        for x in range(w):
            if mask[y, x] and labels[y, x] == 0:
                count += 1
                labels[y, x] = count
                queue = deque([(y, x)])
                while queue:
                    a, b = queue.popleft()
                    for c, d in ((a - 1, b), (a + 1, b), (a, b - 1), (a, b + 1)):
                        if 0 <= c < h and 0 <= d < w and mask[c, d] and labels[c, d] == 0:
                            labels[c, d] = count
                            queue.append((c, d))
    return labels


def maximum_filter(image):
    padded = np.pad(image, 1, constant_values=0)
    h, w = image.shape
    return np.max(np.stack([padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)]), axis=0)


def thin(labels):
    labels = labels.copy()
    if (labels > 0).sum() == 0:
        return np.ones_like(labels)
    while (labels == 0).sum() > 0:
        zeros = labels == 0
        labels[zeros] = maximum_filter(labels)[zeros]
    return labels


def v_rand(predicted, truth):
    keep = truth > 0
    p, t = predicted[keep], truth[keep]
    n = keep.sum()
    joint = {}
    for a, b in zip(t.tolist(), p.tolist()):
        joint[(a, b)] = joint.get((a, b), 0) + 1
    sum_p2 = sum((c / n) ** 2 for c in joint.values())
    sum_s2 = ((np.unique(p, return_counts=True)[1] / n) ** 2).sum()
    sum_t2 = ((np.unique(t, return_counts=True)[1] / n) ** 2).sum()
    return sum_p2 / (0.5 * sum_s2 + 0.5 * sum_t2)


data, probabilities = sys.argv[1], sys.argv[2]
thresholds = [float(t) for t in (sys.argv[3] if len(sys.argv) > 3 else '0.5,0.7,0.9').split(',')]
for threshold in thresholds:
    errors = []
    for i in range(16, 20):
        truth = label4(np.asarray(Image.open(f'{data}/labels/{i:02d}.png').convert('L')) > 127)
        cell = np.fromfile(f'{probabilities}/{i}.f32', dtype=np.float32).reshape(truth.shape)
        errors.append(1 - v_rand(thin(label4(cell > threshold)), truth))
    print(f'threshold {threshold}: Rand error per slice {[round(e, 4) for e in errors]}, mean {sum(errors) / len(errors):.4f}')
