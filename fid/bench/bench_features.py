# Feature-extraction throughput of an Inception-v3-shaped TorchScript detector, timed with the
# reference's batch loop (fid.py: calculate_inception_stats): uint8 images -> device ->
# detector(images, return_features=True) -> float64 mu/sigma sums. Also saves the detector so the
# Java side (dev.cdm.bench.fid.FeatureBench) times the very same module in the same device call.
#
# The real detector (inception-2015-12-05.pt) cannot be downloaded on the device machine; this
# builds a randomly initialised stand-in with the real shapes: torchvision's Inception-v3 trunk
# (2048 pooled features), inputs resized to 299x299 inside forward() as the real detector does.
#
#   python3 bench_features.py --out /tmp/inception-standin.pt [--batch 64] [--res 32] [--iters 20]
import argparse, time, torch, torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--out', default='inception-standin.pt')
p.add_argument('--batch', type=int, default=64)
p.add_argument('--res', type=int, default=32)
p.add_argument('--warmup', type=int, default=3)
p.add_argument('--iters', type=int, default=20)
p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
a = p.parse_args()
torch.backends.cudnn.allow_tf32 = False  # the reference's setting
torch.backends.cuda.matmul.allow_tf32 = False

def trunk():
    try:
        import torchvision
        net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True)
        net.fc = torch.nn.Identity()
        return net.eval(), 'torchvision inception_v3 trunk'
    except Exception as e:  # no torchvision: a plain conv stack with 2048 pooled features
        print('torchvision unavailable (%s); using a conv stand-in' % e)
        layers, c = [], 3
        for co, s in [(32, 2), (64, 1), (192, 2), (288, 2), (768, 2), (1280, 2), (2048, 1)]:
            layers += [torch.nn.Conv2d(c, co, 3, stride=s, padding=1), torch.nn.BatchNorm2d(co), torch.nn.ReLU()]
            c = co
        layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()]
        return torch.nn.Sequential(*layers).eval(), 'conv stand-in'

class Detector(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
    def forward(self, img: torch.Tensor, return_features: bool = False) -> torch.Tensor:
        x = img.to(torch.float32)
        x = F.interpolate(x, size=[299, 299], mode='bilinear', align_corners=False)
        x = (x - 128) / 128
        f = self.net(x)
        return f if return_features else torch.softmax(f, dim=1)

torch.manual_seed(0)
net, kind = trunk()
with torch.no_grad():
    traced = torch.jit.trace(net, torch.zeros(2, 3, 299, 299))
det = torch.jit.script(Detector(traced).eval())
det.save(a.out)
print('saved %s (%s)' % (a.out, kind))

dev = torch.device(a.device)
det = torch.jit.load(a.out, map_location=dev).eval()
images = torch.randint(0, 256, (a.batch, 3, a.res, a.res), dtype=torch.uint8)  # host, as a DataLoader yields
mu = torch.zeros([2048], dtype=torch.float64, device=dev)
sigma = torch.zeros([2048, 2048], dtype=torch.float64, device=dev)
with torch.no_grad():
    for i in range(a.warmup + a.iters):
        if i == a.warmup:
            if dev.type == 'cuda': torch.cuda.synchronize()
            t0 = time.perf_counter()
        features = det(images.to(dev), return_features=True).to(torch.float64)
        mu += features.sum(0)
        sigma += features.T @ features
    mu.cpu(); sigma.cpu()  # wait for the device, as the reference's final .cpu()
secs = time.perf_counter() - t0
print('python-torch %s torch=%s batch=%d res=%d dim=%d: %.2f ms/batch, %.1f img/s' % (
    dev, torch.__version__, a.batch, a.res, features.shape[1], 1000 * secs / a.iters, a.iters * a.batch / secs))
