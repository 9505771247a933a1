"""Export the fixture models to ONNX (run on the GPU machine with its python3 + PyTorch).

  python3 gpu/export_models.py OUTDIR

Writes OUTDIR/{cnn,cnn_dyn,mobilenet,transformer}.onnx (opset 17, TorchScript exporter so
TensorRT 8.5/8.6 can parse it) and OUTDIR/calib/<model>/batch_NN.npy calibration batches
(seeded random data: the fixtures are about build logs, not accuracy).
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn


class ConvBNReLU(nn.Sequential):
    def __init__(self, cin, cout, stride=1):
        super().__init__(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Block(nn.Module):
    """ResNet basic block: Conv+BN+ReLU, Conv+BN, shortcut, ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = ConvBNReLU(cin, cout, stride)
        self.b = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                      if stride != 1 or cin != cout else nn.Identity())
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.b(self.a(x)) + self.short(x))


class SmallResNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = ConvBNReLU(3, 32, 2)
        self.stages = nn.Sequential(Block(32, 32, 1), Block(32, 64, 2), Block(64, 128, 2), Block(128, 128, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(128, classes)

    def forward(self, x):
        return self.head(torch.flatten(self.pool(self.stages(self.stem(x))), 1))


class Encoder(nn.Module):
    def __init__(self, d_model=128, layers=2, classes=10):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=256, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, classes)

    def forward(self, x):
        return self.head(self.encoder(x).mean(dim=1))


def export(model, example, path, dynamic=None):
    model.eval()
    kw = dict(input_names=["input"], output_names=["output"], opset_version=17, dynamo=False,
              do_constant_folding=True, dynamic_axes=dynamic)
    with torch.no_grad():
        try:
            # PRESERVE (the model is in eval mode) keeps BatchNormalization nodes in the ONNX, so the
            # Conv+BN fusion happens in TensorRT and shows in its log; EVAL would fold BN here
            torch.onnx.export(model, example, str(path), training=torch.onnx.TrainingMode.PRESERVE, **kw)
        except TypeError:
            torch.onnx.export(model, example, str(path), **kw)
    print(f"exported {path.name}: {path.stat().st_size / 2**20:.2f} MiB, input {tuple(example.shape)}")


def calib(out, name, shape, n, seed):
    d = out / "calib" / name
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        np.save(d / f"batch_{i:02d}.npy", rng.standard_normal(shape).astype(np.float32))


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    if hasattr(torch.backends, "mha"):
        torch.backends.mha.set_fastpath_enabled(False)   # plain ops, not the fused fast path
    import torchvision
    jobs = [
        ("cnn.onnx", lambda: (SmallResNet(), torch.randn(1, 3, 128, 128), None)),
        ("cnn_dyn.onnx", lambda: (SmallResNet(), torch.randn(1, 3, 128, 128),
                                  {"input": {0: "batch", 2: "height", 3: "width"}, "output": {0: "batch"}})),
        ("mobilenet.onnx", lambda: (torchvision.models.mobilenet_v2(weights=None, num_classes=100),
                                    torch.randn(1, 3, 224, 224), None)),
        ("transformer.onnx", lambda: (Encoder(), torch.randn(1, 64, 128), None)),
    ]
    for name, make in jobs:
        torch.manual_seed(0)   # same weights on every machine, so two TensorRT versions build one model
        model, example, dynamic = make()
        try:
            export(model, example, out / name, dynamic)
        except Exception as exc:  # keep going: one model failing must not cost the others
            print(f"EXPORT FAILED {name}: {type(exc).__name__}: {exc}")
    calib(out, "cnn", (1, 3, 128, 128), 16, 1)
    calib(out, "mobilenet", (1, 3, 224, 224), 16, 2)
    calib(out, "transformer", (1, 64, 128), 16, 3)


if __name__ == "__main__":
    main()
