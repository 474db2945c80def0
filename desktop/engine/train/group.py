"""The processes of one training run: one, or several started by ``accelerate launch``.

Each process trains on its share of every batch; the LoRA gradients are averaged across
them, a stop is agreed by all, and only the first writes files. Knows nothing of Qt.
"""

from __future__ import annotations

import os


class ProcessGroup:
    """One process, or one of several started by ``accelerate launch`` (or ``torchrun``).

    The launcher describes the group in the environment (``WORLD_SIZE``, ``RANK``,
    ``MASTER_ADDR``...); the process group is joined here once per process, with NCCL
    on GPUs and Gloo on CPUs, so rank and world size always come from the group itself.
    """

    def __init__(self, device: str) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = 0
        self.device = device
        if self.world > 1:
            import torch
            import torch.distributed as dist

            if device.startswith("cuda"):
                torch.cuda.set_device(torch.device(device))
            if not dist.is_initialized():
                dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
            self.rank = dist.get_rank()
            self.world = dist.get_world_size()

    @property
    def main(self) -> bool:
        return self.rank == 0

    def any(self, flag: bool, device: str) -> bool:
        """True on every process when ``flag`` is true on any: a stop must be agreed, or the others
        would wait forever for the one that left the loop."""
        if self.world == 1:
            return flag
        import torch
        import torch.distributed as dist

        t = torch.tensor([1.0 if flag else 0.0], device=device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def all_sum(self, tensor):
        if self.world > 1:
            import torch.distributed as dist

            dist.all_reduce(tensor)
        return tensor

    def average_grads(self, params) -> None:
        if self.world == 1:
            return
        import torch
        import torch.distributed as dist

        grads = [p.grad for p in params if p.grad is not None]
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        flat /= self.world
        offset = 0
        for g in grads:
            g.copy_(flat[offset:offset + g.numel()].view_as(g))
            offset += g.numel()

    def close(self) -> None:
        """Leave the group (the launcher's processes end cleanly, without NCCL's warning)."""
        if self.world > 1:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()

    def barrier(self) -> None:
        if self.world > 1:
            import torch
            import torch.distributed as dist

            if self.device.startswith("cuda"):
                dist.barrier(device_ids=[torch.cuda.current_device()])
            else:
                dist.barrier()
