"""Writes legacy-state-dict.pth and zip-state-dict.pth with real PyTorch (Debian's python3-torch 1.13).

The same small state dict saved twice: in the pre-1.6 format (torch.save(..., _use_new_zipfile_serialization=False):
a magic-number pickle, a protocol pickle, a sys-info pickle, the state dict's pickle, the list of storage keys,
then each storage's element count and raw bytes) and in today's zip format. WeightsLegacyFormatTests checks
both read to identical tensors. Run once from this folder:
PYTHONPATH=/usr/lib/python3/dist-packages /usr/bin/python3 make_legacy_fixtures.py
"""
import collections

import torch

torch.manual_seed(0)
conv = torch.nn.Conv2d(3, 4, 3)
bn = torch.nn.BatchNorm2d(4)
bn.running_mean.uniform_(-1, 1)
bn.running_var.uniform_(0.5, 2)
bn.num_batches_tracked += 7
state = collections.OrderedDict()
for name, tensor in conv.state_dict().items():
    state["conv." + name] = tensor
for name, tensor in bn.state_dict().items():
    state["bn." + name] = tensor
# A view of another tensor's storage with its own offset and strides, as a transposed or sliced weight is saved.
state["view.weight"] = conv.weight.detach().reshape(4, 27)[1:3, 2:20:3].t()
state["half.weight"] = torch.arange(6, dtype=torch.float16).reshape(2, 3)
torch.save(state, "legacy-state-dict.pth", _use_new_zipfile_serialization=False)
torch.save(state, "zip-state-dict.pth")
