"""PyTorch CPU reference for `npm run bench` (optional: runs only where `import torch` works,
e.g. Debian's python3-torch; not a dependency of the project).

    python3 bench/torch-forward.py <depth> <baseFilters> <inputSize> <runs> <threads>

The same valid-padding U-Net as `unet({ depth, baseFilters })` (3x3 convs + ReLU, 2x2 max-pool,
2x2 stride-2 up-convolution, centre-cropped skips, 1x1 output conv), random weights, batch 1,
NCHW. Prints one JSON line: the median forward time of `runs` after a warm-up.
"""
import json
import statistics
import sys
import time

import torch
from torch import nn


def double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, depth, base):
        super().__init__()
        widths = [base * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList(double_conv(1 if i == 0 else widths[i - 1], widths[i]) for i in range(depth))
        self.bottom = double_conv(widths[depth - 1], widths[depth])
        self.up = nn.ModuleList(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in reversed(range(depth)))
        self.merge = nn.ModuleList(double_conv(2 * widths[i], widths[i]) for i in reversed(range(depth)))
        self.head = nn.Conv2d(widths[0], 2, 1)

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = nn.functional.max_pool2d(x, 2)
        x = self.bottom(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips)):
            x = up(x)
            d = (skip.shape[2] - x.shape[2]) // 2
            x = merge(torch.cat([skip[:, :, d : d + x.shape[2], d : d + x.shape[3]], x], 1))
        return self.head(x)


def main():
    depth, base, size, runs, threads = map(int, sys.argv[1:6])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = UNet(depth, base).eval()
    x = torch.randn(1, 1, size, size)
    times = []
    with torch.no_grad():
        for r in range(runs + 1):
            start = time.perf_counter()
            model(x)
            if r > 0:
                times.append(time.perf_counter() - start)
    print(json.dumps({
        "engine": f"PyTorch {torch.__version__}, {threads} thread(s)",
        "config": f"depth {depth}, base {base}, input {size}",
        "forwardSeconds": statistics.median(times),
        "runs": times,
    }))


main()
