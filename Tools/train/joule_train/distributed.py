"""Data-parallel training under `torchrun` (gloo on CPU, NCCL on CUDA), and the single-process
case as the same code with a world of one.

Contract:
- `init(dev_arg)` reads torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK). With WORLD_SIZE > 1
  it joins the process group; otherwise it returns a world of one and touches nothing.
- Every rank sees the same permutation and flips of each global batch and trains on its own
  slice of it (`shard`). The loss a rank back-propagates is scaled so that DistributedDataParallel's
  gradient average equals the single-process gradient of the whole batch.
- `batch_norm(x, bn)`: training-mode batch norm whose statistics are those of the whole global
  batch (sums all-reduced with gradients flowing through the reduction); in eval mode, or with a
  world of one, it is `bn(x)`. torch's SyncBatchNorm runs only on GPUs, so this one is ours.
- `agree(value)`: rank 0's float, on every rank (decisions taken on a clock must agree).
"""
import os

import torch
import torch.distributed as dist


class World:
    def __init__(self, rank=0, size=1, local_rank=0):
        self.rank, self.size, self.local_rank = rank, size, local_rank
        self.local_size = 1          # ranks on this machine (torchrun's LOCAL_WORLD_SIZE)

    @property
    def main(self):
        return self.rank == 0

    @property
    def active(self):
        return self.size > 1


_WORLD = World()


def world():
    return _WORLD


def init(backend_for):
    """backend_for: the torch.device the rank trains on ('cuda' → nccl, else gloo)."""
    global _WORLD
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        _WORLD = World()
        return _WORLD
    rank = int(os.environ["RANK"])
    local = int(os.environ.get("LOCAL_RANK", rank))
    if not dist.is_initialized():
        if backend_for == "cuda":
            torch.cuda.set_device(local)
            # CPU tensors (the rank-0 decisions) over gloo, CUDA tensors over NCCL
            dist.init_process_group("cpu:gloo,cuda:nccl")
        else:
            dist.init_process_group("gloo")
    _WORLD = World(rank, size, local)
    _WORLD.local_size = int(os.environ.get("LOCAL_WORLD_SIZE", size))
    return _WORLD


def finish():
    if _WORLD.active and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def barrier():
    if _WORLD.active:
        dist.barrier()


def shard(idx):
    """This rank's slice of a global batch's indices (interleaved: sizes differ by at most 1)."""
    return idx[_WORLD.rank::_WORLD.size] if _WORLD.active else idx


def agree(value, dev=torch.device("cpu")):
    if not _WORLD.active:
        return value
    t = torch.tensor([float(value)], dtype=torch.float64, device=dev)
    dist.broadcast(t, 0)
    return float(t.item())


def _all_reduce_with_grad(t):
    from torch.distributed.nn.functional import all_reduce
    return all_reduce(t)


def batch_norm(x, bn):
    if not (bn.training and _WORLD.active):
        return bn(x)
    dims = [0] + list(range(2, x.dim()))
    xf = x.float()
    c = x.shape[1]
    count = torch.tensor([float(x.numel() // c)], device=x.device)
    stats = _all_reduce_with_grad(torch.cat([xf.sum(dims), (xf * xf).sum(dims), count]))
    n = stats[-1]
    mean = stats[:c] / n
    var = (stats[c:2 * c] / n - mean * mean).clamp(min=0.0)
    with torch.no_grad():
        m = bn.momentum if bn.momentum is not None else 1.0 / float(bn.num_batches_tracked + 1)
        bn.running_mean.mul_(1 - m).add_(m * mean.detach())
        bn.running_var.mul_(1 - m).add_(m * var.detach() * n / (n - 1).clamp(min=1.0))
        bn.num_batches_tracked += 1
    shape = (1, c) + (1,) * (x.dim() - 2)
    y = (xf - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + bn.eps)
    y = y * bn.weight.reshape(shape) + bn.bias.reshape(shape)
    return y.to(x.dtype) if not torch.is_autocast_enabled() else y

