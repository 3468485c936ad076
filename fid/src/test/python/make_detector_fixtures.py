"""Builds the detector parity fixtures of fid/src/test/resources/fixtures (run where PyTorch is).

inception-shaped-detector.pt: a TorchScript network with Inception-v3's topology (stem, 3x A,
B, 4x C, D, 2x E blocks; BasicConv2d = conv without bias + batch norm eps 1e-3 + ReLU) at one
eighth of the width, random weights and batch-norm statistics, and the call signature of the
standard detector: forward(img uint8 [N,3,H,W], return_features) -> features [N,256] (pool of the
last block) or class probabilities [N,1008]. Images are resized to 299x299 (bilinear) and mapped
to [-1, 1] inside, as the standard detector does.

conv24-detector.pt: the small detector on which the CPU libtorch's batch-dependent 24-channel
convolution was seen (conv 5x5 stride 2 3->24, batch norm, GELU, conv 3x3 24->48, average pool,
linear, sigmoid), same call signature.

detector-parity.npz: images [64,3,32,32] uint8 and, for both networks, the features PyTorch
computes at batch 64 on the CPU in float32 and in float64 (`<name>_f32`, `<name>_f64`), and the
probabilities of the Inception-shaped one (`inception_probs_f64`); with CUDA also `<name>_cuda`.
"""
import sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, kernel_size, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class BlockA(nn.Module):
    def __init__(self, cin, pool, w):
        super().__init__()
        self.b1 = BasicConv2d(cin, 8 * w, 1)
        self.b5_1 = BasicConv2d(cin, 6 * w, 1)
        self.b5_2 = BasicConv2d(6 * w, 8 * w, 5, padding=2)
        self.b3_1 = BasicConv2d(cin, 8 * w, 1)
        self.b3_2 = BasicConv2d(8 * w, 12 * w, 3, padding=1)
        self.b3_3 = BasicConv2d(12 * w, 12 * w, 3, padding=1)
        self.bp = BasicConv2d(cin, pool, 1)

    def forward(self, x):
        b3 = self.b3_3(self.b3_2(self.b3_1(x)))
        bp = self.bp(F.avg_pool2d(x, 3, stride=1, padding=1))
        return torch.cat([self.b1(x), self.b5_2(self.b5_1(x)), b3, bp], 1)


class BlockB(nn.Module):
    def __init__(self, cin, w):
        super().__init__()
        self.b3 = BasicConv2d(cin, 48 * w, 3, stride=2)
        self.bd_1 = BasicConv2d(cin, 8 * w, 1)
        self.bd_2 = BasicConv2d(8 * w, 12 * w, 3, padding=1)
        self.bd_3 = BasicConv2d(12 * w, 12 * w, 3, stride=2)

    def forward(self, x):
        return torch.cat([self.b3(x), self.bd_3(self.bd_2(self.bd_1(x))), F.max_pool2d(x, 3, stride=2)], 1)


class BlockC(nn.Module):
    def __init__(self, cin, c7, w):
        super().__init__()
        self.b1 = BasicConv2d(cin, 24 * w, 1)
        self.b7_1 = BasicConv2d(cin, c7, 1)
        self.b7_2 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.b7_3 = BasicConv2d(c7, 24 * w, (7, 1), padding=(3, 0))
        self.bd_1 = BasicConv2d(cin, c7, 1)
        self.bd_2 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.bd_3 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.bd_4 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.bd_5 = BasicConv2d(c7, 24 * w, (1, 7), padding=(0, 3))
        self.bp = BasicConv2d(cin, 24 * w, 1)

    def forward(self, x):
        b7 = self.b7_3(self.b7_2(self.b7_1(x)))
        bd = self.bd_5(self.bd_4(self.bd_3(self.bd_2(self.bd_1(x)))))
        bp = self.bp(F.avg_pool2d(x, 3, stride=1, padding=1))
        return torch.cat([self.b1(x), b7, bd, bp], 1)


class BlockD(nn.Module):
    def __init__(self, cin, w):
        super().__init__()
        self.b3_1 = BasicConv2d(cin, 24 * w, 1)
        self.b3_2 = BasicConv2d(24 * w, 40 * w, 3, stride=2)
        self.b7_1 = BasicConv2d(cin, 24 * w, 1)
        self.b7_2 = BasicConv2d(24 * w, 24 * w, (1, 7), padding=(0, 3))
        self.b7_3 = BasicConv2d(24 * w, 24 * w, (7, 1), padding=(3, 0))
        self.b7_4 = BasicConv2d(24 * w, 24 * w, 3, stride=2)

    def forward(self, x):
        b7 = self.b7_4(self.b7_3(self.b7_2(self.b7_1(x))))
        return torch.cat([self.b3_2(self.b3_1(x)), b7, F.max_pool2d(x, 3, stride=2)], 1)


class BlockE(nn.Module):
    def __init__(self, cin, w):
        super().__init__()
        self.b1 = BasicConv2d(cin, 40 * w, 1)
        self.b3_1 = BasicConv2d(cin, 48 * w, 1)
        self.b3_2a = BasicConv2d(48 * w, 48 * w, (1, 3), padding=(0, 1))
        self.b3_2b = BasicConv2d(48 * w, 48 * w, (3, 1), padding=(1, 0))
        self.bd_1 = BasicConv2d(cin, 56 * w, 1)
        self.bd_2 = BasicConv2d(56 * w, 48 * w, 3, padding=1)
        self.bd_3a = BasicConv2d(48 * w, 48 * w, (1, 3), padding=(0, 1))
        self.bd_3b = BasicConv2d(48 * w, 48 * w, (3, 1), padding=(1, 0))
        self.bp = BasicConv2d(cin, 24 * w, 1)

    def forward(self, x):
        b3 = self.b3_1(x)
        bd = self.bd_2(self.bd_1(x))
        bp = self.bp(F.avg_pool2d(x, 3, stride=1, padding=1))
        return torch.cat([self.b1(x), self.b3_2a(b3), self.b3_2b(b3), self.bd_3a(bd), self.bd_3b(bd), bp], 1)


class InceptionShaped(nn.Module):
    """Inception-v3's layer graph with every width divided by 8 (w = 1 unit = 8 full-width channels)."""

    def __init__(self, w=1):
        super().__init__()
        self.stem = nn.Sequential(
            BasicConv2d(3, 4 * w, 3, stride=2), BasicConv2d(4 * w, 4 * w, 3),
            BasicConv2d(4 * w, 8 * w, 3, padding=1), nn.MaxPool2d(3, stride=2),
            BasicConv2d(8 * w, 10 * w, 1), BasicConv2d(10 * w, 24 * w, 3), nn.MaxPool2d(3, stride=2))
        self.mixed = nn.Sequential(
            BlockA(24 * w, 4 * w, w), BlockA(32 * w, 8 * w, w), BlockA(36 * w, 8 * w, w),
            BlockB(36 * w, w),
            BlockC(96 * w, 16 * w, w), BlockC(96 * w, 20 * w, w), BlockC(96 * w, 20 * w, w),
            BlockC(96 * w, 24 * w, w),
            BlockD(96 * w, w), BlockE(160 * w, w), BlockE(256 * w, w))
        self.fc = nn.Linear(256 * w, 1008)

    def forward(self, img: torch.Tensor, return_features: bool = False) -> torch.Tensor:
        x = img.to(self.fc.weight.dtype)
        x = F.interpolate(x, size=(299, 299), mode='bilinear', align_corners=False)
        x = (x - 128) / 128
        features = F.adaptive_avg_pool2d(self.mixed(self.stem(x)), 1).flatten(1)
        if return_features:
            return features
        return F.softmax(self.fc(features), dim=1)


class Conv24(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 24, 5, stride=2, padding=2)
        self.bn = nn.BatchNorm2d(24)
        self.conv2 = nn.Conv2d(24, 48, 3, padding=1, bias=False)
        self.fc = nn.Linear(48, 32)

    def forward(self, img: torch.Tensor, return_features: bool = False) -> torch.Tensor:
        x = img.to(self.fc.weight.dtype) / 255
        x = self.conv2(F.gelu(self.bn(self.conv1(x))))
        return torch.sigmoid(self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1)))


def randomise(net, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.2 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(1 + 0.5 * torch.rand(m.running_var.shape, generator=g))
    return net.eval()


def main(outdir):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(64, 3, 32, 32), dtype=np.uint8)
    # Half of them smooth ramps with a little noise, so that not every image looks like noise.
    images[32:] = images[32:] // 8 + (np.arange(32, dtype=np.uint8) * 7)[None, None, :, None]
    out = dict(images=images)
    nets = dict(inception=randomise(InceptionShaped(), 1), conv24=randomise(Conv24(), 2))
    x = torch.from_numpy(images)
    for name, net in nets.items():
        torch.jit.script(net).save(f'{outdir}/{"inception-shaped" if name == "inception" else name}-detector.pt')
        with torch.no_grad():
            out[f'{name}_f32'] = net(x, True).numpy()
            out[f'{name}_f64'] = net.double()(x, True).numpy()
            if name == 'inception':
                out['inception_probs_f64'] = net(x, False).numpy()
            net.float()
            if torch.cuda.is_available():
                out[f'{name}_cuda'] = net.cuda()(x.cuda(), True).cpu().numpy()
                net.cpu()
        f32, f64 = out[f'{name}_f32'], out[f'{name}_f64']
        print(name, 'features', f32.shape, 'f32 vs f64 max rel', float(np.abs(f32 - f64).max() / np.abs(f64).max()))
        if f'{name}_cuda' in out:
            c = out[f'{name}_cuda']
            print(name, 'cuda vs f64 max rel', float(np.abs(c - f64).max() / np.abs(f64).max()))
    np.savez(f'{outdir}/detector-parity.npz', **out)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
