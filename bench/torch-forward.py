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

from torch_unet import UNet


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
