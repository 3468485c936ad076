"""Reference side of the evaluation benchmark (run on the GPU machine, in the CDM reference checkout).

  python3 eval_ref.py prepare OUT DETECTOR.pt   # random DDPM++ CIFAR-10 snapshot OUT/net.pkl
  python3 eval_ref.py ref OUT DETECTOR.pt IMAGES  # fid.py ref over IMAGES -> OUT/ref.npz (untimed)
  python3 eval_ref.py calc OUT DETECTOR.pt IMAGES NUM  # fid.py calc, timed

fid.py loads its detector as a pickle from NVIDIA's server, which cannot be reached there; this
wrapper hands it the given TorchScript detector instead (same call signature), so both sides
measure the same detector.
"""
import io, os, pickle, sys, time, json
sys.path.insert(0, os.getcwd())
import torch


def patch_detector(path, dim):
    """fid.py with its detector download replaced by `path` and its feature size by `dim`."""
    import types, dnnlib
    src = open('fid.py').read().replace('feature_dim = 2048', f'feature_dim = {dim}')
    # Recent SciPy releases dropped sqrtm's disp argument (and its error estimate); same square root.
    src = src.replace('s, _ = scipy.linalg.sqrtm(np.dot(sigma, sigma_ref), disp=False)',
                      's = scipy.linalg.sqrtm(np.dot(sigma, sigma_ref))')
    fid = types.ModuleType('fid')
    fid.__file__ = os.path.abspath('fid.py')
    sys.modules['fid'] = fid
    exec(compile(src, 'fid.py', 'exec'), fid.__dict__)
    open_url = dnnlib.util.open_url
    fid.dnnlib = types.SimpleNamespace(util=types.SimpleNamespace(
        open_url=lambda url, *a, **k: open(path, 'rb') if 'inception' in url else open_url(url, *a, **k)))
    def load(f):
        module = torch.jit.load(f)
        for p in module.parameters():
            p.requires_grad_(False)
        return module
    fid.pickle = types.SimpleNamespace(load=load)
    return fid


def main():
    cmd, out = sys.argv[1], sys.argv[2]
    if cmd == 'prepare':
        from training.networks import EDMPrecond
        torch.manual_seed(0)
        net = EDMPrecond(img_resolution=32, img_channels=3, label_dim=0, model_type='SongUNet',
                         embedding_type='positional', encoder_type='standard', decoder_type='standard',
                         channel_mult_noise=1, resample_filter=[1, 1], model_channels=128,
                         channel_mult=[2, 2, 2], augment_dim=9, dropout=0.13)
        with open(os.path.join(out, 'net.pkl'), 'wb') as f:
            pickle.dump(dict(ema=net.eval().requires_grad_(False)), f)
        return
    fid = patch_detector(sys.argv[3], int(os.environ.get('FEATURE_DIM', '256')))
    images = sys.argv[4]
    if cmd == 'ref':
        fid.ref.main(['--data', images, '--dest', os.path.join(out, 'ref.npz')], standalone_mode=False)
    elif cmd == 'calc':
        t = time.time()
        fid.calc.main(['--images', images, '--ref', os.path.join(out, 'ref.npz'), '--num', sys.argv[5]],
                      standalone_mode=False)
        print(json.dumps({'side': 'reference', 'step': 'fid.py calc', 'seconds': round(time.time() - t, 2)}), flush=True)


if __name__ == '__main__':
    main()
