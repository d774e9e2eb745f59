"""Writes the PyTorch-layout fixtures of WeightsFixtureTests without PyTorch.

torch.save writes a zip (archive/data.pkl, archive/data/<key>, archive/byteorder, archive/version) whose
pickle (protocol 2) names torch._utils._rebuild_tensor_v2 and torch.FloatStorage. Stand-in modules named
like PyTorch's make Python's own pickler write exactly those opcodes and globals, so the files are what
PyTorch writes, byte for byte in structure. Run once from this folder: python3 make_fixtures.py
"""
import collections
import io
import pickle
import struct
import sys
import types
import zipfile

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
nn = types.ModuleType("torch.nn.parameter")
sys.modules.update({"torch": torch, "torch._utils": utils, "torch.nn.parameter": nn})


def _rebuild_tensor_v2(*args):
    raise AssertionError("never called")


def _rebuild_parameter(*args):
    raise AssertionError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
_rebuild_parameter.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
utils._rebuild_parameter = _rebuild_parameter


class FloatStorage:
    def __init__(self, key, values):
        self.key, self.values = key, values


class UntypedStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage


class Tensor:
    def __init__(self, storage, size, offset=0, stride=None):
        self.storage, self.size, self.offset = storage, size, offset
        self.stride = stride or tuple(
            int(__import__("math").prod(size[i + 1:])) for i in range(len(size)))

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))


class Parameter(Tensor):
    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (Tensor(self.storage, self.size), True, collections.OrderedDict()))


class Net:  # a model saved whole: torch.save(model, path)
    pass


Net.__module__ = "__main__"


def save(obj, path, storages):
    data = io.BytesIO()
    pickler = pickle.Pickler(data, protocol=2)
    pickler.persistent_id = lambda o: ("storage", FloatStorage, o.key, "cpu", len(o.values)) if isinstance(o, FloatStorage) else None
    pickler.dump(obj)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", data.getvalue())
        archive.writestr("archive/byteorder", "little")
        for storage in storages:
            archive.writestr(f"archive/data/{storage.key}", struct.pack(f"<{len(storage.values)}f", *storage.values))
        archive.writestr("archive/version", "3\n")


weight = FloatStorage("0", [float(i) for i in range(24)])
bias = FloatStorage("1", [0.5, -0.5])

# A state dict as torch.save(model.state_dict(), path) writes it: an OrderedDict with _metadata; the
# transposed view reads the same storage with other strides.
state = collections.OrderedDict()
state["conv.weight"] = Tensor(weight, (2, 3, 2, 2))
state["conv.bias"] = Tensor(bias, (2,))
state["view.weight"] = Tensor(weight, (4, 3), offset=12, stride=(1, 4))
state._metadata = collections.OrderedDict({"": {"version": 1}, "conv": {"version": 1}})
save(state, "state-dict.pth", [weight, bias])

# torch.save(model, path): the model object, its parameters rebuilt as torch.nn.Parameter.
model = Net()
model.__dict__ = {"training": True, "_parameters": collections.OrderedDict({"weight": Parameter(weight, (2, 3, 2, 2))})}
save(model, "whole-model.pth", [weight])

# A training checkpoint: {'model': state_dict, 'epoch': 3}.
save({"model": state, "epoch": 3}, "checkpoint.pth", [weight, bias])
