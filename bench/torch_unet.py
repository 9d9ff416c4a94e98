"""The U-Net of `unet({ depth, baseFilters, padding, batchNorm })` in PyTorch, for the benchmark
scripts' side-by-side timings (bench/torch-forward.py, bench/torch-step.py): 3x3 convs (+ batch
norm) + ReLU, 2x2 max-pool, 2x2 stride-2 up-convolution, centre-cropped skips, 1x1 output conv, NCHW.
"""
import torch
from torch import nn


def block(cin, cout, pad, bn):
    layers = []
    for c in (cin, cout):
        layers += [nn.Conv2d(c, cout, 3, padding=pad)] + ([nn.BatchNorm2d(cout)] if bn else []) + [nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class UNet(nn.Module):
    def __init__(self, depth, base, pad=0, bn=False, channels=1):
        super().__init__()
        widths = [base * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList(block(channels if i == 0 else widths[i - 1], widths[i], pad, bn) for i in range(depth))
        self.bottom = block(widths[depth - 1], widths[depth], pad, bn)
        self.up = nn.ModuleList(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in reversed(range(depth)))
        self.merge = nn.ModuleList(block(2 * widths[i], widths[i], pad, bn) for i in reversed(range(depth)))
        self.head = nn.Conv2d(widths[0], 2, 1)

    def forward(self, x):
        skips = []
        for down in self.down:
            x = down(x)
            skips.append(x)
            x = nn.functional.max_pool2d(x, 2)
        x = self.bottom(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips)):
            x = up(x)
            d = (skip.shape[2] - x.shape[2]) // 2
            x = merge(torch.cat([skip[:, :, d : d + x.shape[2], d : d + x.shape[3]], x], 1))
        return self.head(x)


def train_for_minutes(model, batch, minutes, lr=1e-3):
    """Adam on unweighted cross-entropy over batches from `batch()` until `minutes` have passed; returns (steps, seconds)."""
    import time
    optimizer = torch.optim.Adam(model.parameters(), lr)
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    steps = 0
    model.train()
    while time.time() - start < minutes * 60:
        x, y = batch()
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        steps += 1
    return steps, time.time() - start
