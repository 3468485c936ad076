"""Reference side of the training-step benchmark, for chosen loss/precision pairs.

Run inside a checkout of the CDM reference code (its training/ package must be importable):
  B=128 N=100 python3 train_ref.py edm:fp16 cdm:fp16 [edm:fp32 ...]

The step is the reference's training step without the EMA: zero_grad(set_to_none=True), the loss
with the augment pipe, backward of sum/B, the nan/inf guard on every gradient, Adam. Network and
options as TrainBench (DDPM++ CIFAR-10, dropout 0.13, augment 0.12, Adam lr 1e-3); cuDNN autotuning
on and TF32 off, as the reference's train.py sets them. One JSON line per pair.
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

torch.backends.cudnn.benchmark = True
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device('cuda')
B = int(os.environ.get('B', 128))
N = int(os.environ.get('N', 50))
WARMUP = int(os.environ.get('WARMUP', 5))
EMA = os.environ.get('EMA', '0') == '1'


def network(fp16):
    return EDMPrecond(img_resolution=32, img_channels=3, label_dim=0, use_fp16=fp16,
                      model_type='SongUNet', embedding_type='positional', encoder_type='standard',
                      decoder_type='standard', channel_mult_noise=1, resample_filter=[1, 1],
                      model_channels=128, channel_mult=[2, 2, 2], augment_dim=9, dropout=0.13).to(dev)


def measure(loss_name, precision):
    torch.manual_seed(0)
    net = network(precision == 'fp16').train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = EDMLoss() if loss_name == 'edm' else MartingaleLoss(martingale_lambda=10.0, num_steps=6)
    aug = AugmentPipe(p=0.12, xflip=1e8, yflip=1, scale=1, rotate_frac=1, aniso=1, translate_frac=1)
    x = torch.rand(B, 3, 32, 32, device=dev) * 2 - 1
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

    for _ in range(WARMUP):
        step()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t = time.time()
    for _ in range(N):
        step()
    torch.cuda.synchronize()
    dt = (time.time() - t) / N
    print(json.dumps(dict(bench=f'ref_train_{loss_name}', precision=precision, batch=B, steps=N, ema=EMA,
                          ms_per_step=round(dt * 1e3, 2), img_per_s=round(B / dt, 1),
                          peak_allocated_gb=round(torch.cuda.max_memory_allocated() / 1e9, 2))),
          flush=True)
    del net, opt, ema


for pair in sys.argv[1:]:
    name, precision = pair.split(':')
    measure(name, precision)
