# Builds model/src/main/resources/dev/cdm/model/torch/fused-ops.pt (run with PyTorch; the result is committed):
# a TorchScript module whose methods call PyTorch kernels that DJL's JNI lacks: the fused group_norm and
# silu, scaled_dot_product_attention, and a host-to-GPU copy through pinned memory that does not wait for the device.
#   python3 model/src/main/python/make_fused_ops.py model/src/main/resources/dev/cdm/model/torch/fused-ops.pt
# The methods call the aten ops directly (torch.group_norm, torch.silu), not torch.nn.functional: the
# functional wrappers check the input's shape in interpreted TorchScript at every call, which cost about
# 15 us per call on the host. The committed archive holds this module's code without the debug tables
# (code/__torch__.py, data.pkl, constants.pkl, version), the form torch.jit.save writes.
import torch, os, sys


class FusedOps(torch.nn.Module):
    @torch.jit.export
    def group_norm(self, x: torch.Tensor, groups: int, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
        return torch.group_norm(x, groups, weight, bias, eps)

    @torch.jit.export
    def group_norm_silu(self, x: torch.Tensor, groups: int, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
        return torch.silu(torch.group_norm(x, groups, weight, bias, eps))

    @torch.jit.export
    def silu(self, x: torch.Tensor) -> torch.Tensor:
        return torch.silu(x)

    @torch.jit.export
    def attention(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        # q, k, v in the reference's layout [N, c, L]; one head per batch entry; out [N, c, L]
        q0 = torch.transpose(q, 1, 2).unsqueeze(1).contiguous()
        k0 = torch.transpose(k, 1, 2).unsqueeze(1).contiguous()
        v0 = torch.transpose(v, 1, 2).unsqueeze(1).contiguous()
        a = torch.scaled_dot_product_attention(q0, k0, v0)
        return torch.transpose(a.squeeze(1), 1, 2)

    @torch.jit.export
    def upload(self, x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        # pinned staging (PyTorch's caching host allocator keeps it until the copy is done), then an
        # asynchronous copy on the current stream
        return torch.pin_memory(x).to(like.device, None, True, False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.silu(x)


m = torch.jit.script(FusedOps())
out = sys.argv[1] if len(sys.argv) > 1 else 'fused-ops.pt'
torch.jit.save(m, out)
print('wrote', out, os.path.getsize(out))
