"""Reference side of the training-step benchmark, for chosen loss/precision pairs.

Run inside a checkout of the CDM reference code (its training/ package must be importable):
  B=128 N=100 python3 train_ref.py edm:fp16 cdm:fp16 [edm:fp32 ...]

The step is the reference's training step without the EMA: zero_grad(set_to_none=True), the loss
with the augment pipe, backward of sum/B, the nan/inf guard on every gradient, Adam. Network and
options as TrainBench (DDPM++ CIFAR-10, dropout 0.13, augment 0.12, Adam lr 1e-3); cuDNN autotuning
on and TF32 off, as the reference's train.py sets them (CUDNN_BENCHMARK=0: autotuning off). One JSON
line per pair.
DEVICE=cpu runs it on the CPU (RES, CBASE: image size and base channels, defaults 32 and 128) and adds
resident memory before the network is made (base), after the warm-up (rest) and at its peak during the
timed steps (the kernel's high-water mark, reset after the warm-up); peak - base is what training holds
(run with MALLOC_MMAP_THRESHOLD_=131072 so that every tensor is its own
mapping, returned when freed; TrainBench rss=1 measures the Java side the same way).
EMA=1 adds what the reference's training loop does after every optimizer step: an EMA copy of the
network on the device, updated parameter by parameter with the ramped half-life of its defaults
(500 kimg, ramp-up 0.05), so that time and memory compare with the Java training loop, which has it.
"""
import copy, json, os, sys, time
sys.path.insert(0, os.getcwd())
import torch
from training.networks import EDMPrecond
from training.loss import EDMLoss, MartingaleLoss
from training.augment import AugmentPipe

torch.backends.cudnn.benchmark = os.environ.get('CUDNN_BENCHMARK', '1') == '1'  # as the training loop; 0: off
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device(os.environ.get('DEVICE', 'cuda'))
RES = int(os.environ.get('RES', 32))
CBASE = int(os.environ.get('CBASE', 128))
B = int(os.environ.get('B', 128))
N = int(os.environ.get('N', 50))
WARMUP = int(os.environ.get('WARMUP', 5))
EMA = os.environ.get('EMA', '0') == '1'


def network(fp16):
    return EDMPrecond(img_resolution=RES, img_channels=3, label_dim=0, use_fp16=fp16,
                      model_type='SongUNet', embedding_type='positional', encoder_type='standard',
                      decoder_type='standard', channel_mult_noise=1, resample_filter=[1, 1],
                      model_channels=CBASE, channel_mult=[2, 2, 2], augment_dim=9, dropout=0.13).to(dev)


def rss_mib(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return int(line.split()[1]) / 1024
    return float('nan')


def measure(loss_name, precision):
    torch.manual_seed(0)
    base = rss_mib('VmRSS')
    net = network(precision == 'fp16').train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = EDMLoss() if loss_name == 'edm' else MartingaleLoss(martingale_lambda=10.0, num_steps=6)
    aug = AugmentPipe(p=0.12, xflip=1e8, yflip=1, scale=1, rotate_frac=1, aniso=1, translate_frac=1)
    x = torch.rand(B, 3, RES, RES, device=dev) * 2 - 1
    labels = torch.zeros(B, 0, device=dev)
    ema = copy.deepcopy(net).eval().requires_grad_(False) if EMA else None
    nimg = [0]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net=net, images=x, labels=labels, augment_pipe=aug)
        loss.sum().mul(1 / B).backward()
        for p in net.parameters():
            if p.grad is not None:
                torch.nan_to_num(p.grad, nan=0, posinf=1e5, neginf=-1e5, out=p.grad)
        opt.step()
        if ema is not None:
            half_life = min(500 * 1000, nimg[0] * 0.05)  # images seen before this step
            beta = 0.5 ** (B / max(half_life, 1e-8))
            for p_ema, p_net in zip(ema.parameters(), net.parameters()):
                p_ema.copy_(p_net.detach().lerp(p_ema, beta))
        nimg[0] += B

    cuda = dev.type == 'cuda'
    for _ in range(WARMUP):
        step()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    else:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # the high-water mark starts again from the resident size now
        rest = rss_mib('VmRSS')
    t = time.time()
    for _ in range(N):
        step()
    if cuda:
        torch.cuda.synchronize()
    dt = (time.time() - t) / N
    out = dict(bench=f'ref_train_{loss_name}', precision=precision, batch=B, steps=N, ema=EMA,
               ms_per_step=round(dt * 1e3, 2), img_per_s=round(B / dt, 1))
    if cuda:
        out['peak_allocated_gb'] = round(torch.cuda.max_memory_allocated() / 1e9, 2)
    else:
        out.update(res=RES, cbase=CBASE, rss_base_mib=round(base, 1), rss_rest_mib=round(rest, 1),
                   rss_peak_mib=round(rss_mib('VmHWM'), 1))
    print(json.dumps(out), flush=True)
    del net, opt, ema


for pair in sys.argv[1:]:
    name, precision = pair.split(':')
    measure(name, precision)
