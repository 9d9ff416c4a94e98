"""PyTorch CPU training step for `npm run bench:engines` (optional: runs only where `import torch` works).

    python3 bench/torch-step.py <depth> <baseFilters> <inputSize> <batch> <valid|same> <batchNorm 0|1> <runs> <threads>

The U-Net of `unet({ depth, baseFilters, padding, batchNorm })`: 3x3 convs (+ batch norm) + ReLU,
2x2 max-pool, 2x2 stride-2 up-convolution, centre-cropped skips, 1x1 output conv; one step is
forward, weighted softmax cross-entropy, backward and an SGD-with-momentum update on random data.
Prints one JSON line: the median step time of `runs` after a warm-up step, and the peak RSS.
"""
import json
import resource
import statistics
import sys
import time

import torch
from torch import nn

from torch_unet import UNet


def main():
    depth, base, size, batch = map(int, sys.argv[1:5])
    padding = sys.argv[5]
    bn = sys.argv[6] == "1"
    runs, threads = map(int, sys.argv[7:9])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = UNet(depth, base, 1 if padding == "same" else 0, bn).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.99)
    x = torch.randn(batch, 1, size, size)
    out = model(x).shape[2]
    labels = torch.randint(0, 2, (batch, out, out))
    weights = torch.ones(batch, out, out)
    times = []
    for r in range(runs + 1):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = (nn.functional.cross_entropy(model(x), labels, reduction="none") * weights).mean()
        loss.backward()
        optimizer.step()
        loss.item()
        if r > 0:
            times.append(time.perf_counter() - start)
    print(json.dumps({
        "engine": f"PyTorch {torch.__version__}, {threads} thread(s)",
        "stepSeconds": statistics.median(times),
        "runs": times,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


main()
