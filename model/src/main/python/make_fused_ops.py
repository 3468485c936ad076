# Builds model/src/main/resources/dev/cdm/model/torch/fused-ops.pt (run once with PyTorch; the result is committed):
# a TorchScript module whose methods call fused PyTorch kernels (group_norm, silu) that DJL's JNI lacks.
#   python3 model/src/main/python/make_fused_ops.py model/src/main/resources/dev/cdm/model/torch/fused-ops.pt
import torch, os, sys
from typing import Optional

class FusedOps(torch.nn.Module):
    @torch.jit.export
    def group_norm(self, x: torch.Tensor, groups: int, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
        return torch.nn.functional.group_norm(x, groups, weight, bias, eps)

    @torch.jit.export
    def group_norm_silu(self, x: torch.Tensor, groups: int, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
        return torch.nn.functional.silu(torch.nn.functional.group_norm(x, groups, weight, bias, eps))

    @torch.jit.export
    def silu(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.silu(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.silu(x)

m = torch.jit.script(FusedOps())
out = sys.argv[1] if len(sys.argv) > 1 else 'fused-ops.pt'
torch.jit.save(m, out)
print('wrote', out, os.path.getsize(out))
