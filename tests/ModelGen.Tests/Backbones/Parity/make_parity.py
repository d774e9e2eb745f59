"""Reference tensors for TorchVisionParityTests, written with Debian's torchvision 0.14 (python3-torchvision).

For each architecture in ARCHS it builds torchvision's model, fills every parameter and batch-norm statistic with
deterministic values (no random generator: a splitmix64 hash of the tensor's name and the element's index, which
ParityWeights.cs computes the same way in C#), runs two images at each of two input sizes and writes
References/<arch>.safetensors with:
  input.<size>          the images, [2, 3, size, size]
  output.<size>         the output of the convolutional base (the default cut) at that size
  cut.<path>.<size>     the features at each named cut (a torchvision module path), at the smaller size
and References/<arch>.keys.txt: every state_dict entry of the whole torchvision model, "name shape" per line.
CI needs no Python: the files are committed. Run from this folder after changing an architecture:
  PYTHONPATH=/usr/lib/python3/dist-packages /usr/bin/python3 make_parity.py [arch ...]
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision

MASK = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def name_seed(name):
    """FNV-1a, 64 bits, over the UTF-8 bytes of the name."""
    h = FNV_OFFSET
    for b in name.encode("utf-8"):
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def unit_values(name, count):
    """count values in [-1, 1), exact in float32: splitmix64(seed + i * golden), top 24 bits."""
    with np.errstate(over="ignore"):
        z = np.uint64(name_seed(name)) + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    top = (z >> np.uint64(40)).astype(np.float64)
    return top * (2.0 ** -23) - 1.0


def parity_values(name, shape):
    """The value of every element of the tensor `name` (the same rules as ParityWeights.Values)."""
    count = int(np.prod(shape)) if len(shape) > 0 else 1
    u = unit_values(name, count)
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_var":
        v = 1.0 + 0.5 * u
    elif leaf == "running_mean":
        v = 0.1 * u
    elif leaf.endswith("weight") and len(shape) >= 2:
        fan_in = count // shape[0]
        v = u * np.sqrt(6.0 / fan_in)  # He-uniform: variance 2 / fan_in
    elif leaf.endswith("weight"):
        v = 1.0 + 0.1 * u
    elif leaf.endswith("bias"):
        v = 0.1 * u
    else:
        v = 0.5 * u
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def fill(model):
    """Every parameter, and every batch-norm running mean and variance; other buffers keep their built values."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.copy_(parameter_values(name, parameter))
        for name, buffer in model.named_buffers():
            if name.endswith(".running_mean") or name.endswith(".running_var"):
                buffer.copy_(parameter_values(name, buffer))
    return model.eval()


def parameter_values(name, tensor):
    return parity_values(name, tuple(tensor.shape))


def write_safetensors(path, tensors):
    header = {}
    offset = 0
    blobs = []
    for name, tensor in tensors.items():
        double = tensor.dtype == torch.float64
        data = tensor.detach().contiguous().numpy().astype("<f8" if double else "<f4").tobytes()
        header[name] = {"dtype": "F64" if double else "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


class Arch:
    """An architecture: how to build it filled for an input size, its base module path, the cuts to check."""

    def __init__(self, build, base, cuts, sizes=(40, 64), transform=None, extra=None, double=False):
        self.build = build          # size -> filled model in eval mode
        self.base = base            # module path whose output is the convolutional base's output
        self.cuts = cuts            # module paths of the named cuts
        self.sizes = sizes
        self.transform = transform or (lambda path, output: output)  # e.g. NHWC -> NCHW
        self.extra = extra or (lambda: {})  # further reference tensors, by name
        # Run in float64 (and store float64): for networks whose hashed weights make the activations grow so much
        # that float32 rounding differences between two correct kernels (PyTorch 1.13's and LibTorch 2.10's, or
        # AVX2 and AVX-512) reach the tolerance; the test then runs ModelGen's network in float64 too.
        self.double = double


def torchvision_model(name, **kwargs):
    return lambda size: fill(getattr(torchvision.models, name)(**kwargs))


RESNET_CUTS = ["layer1", "layer2", "layer3", "layer4"]
VGG_CUTS = {  # the end of each block (its pooling layer): the block<N>_pool aliases
    "vgg11": [2, 5, 10, 15, 20], "vgg13": [4, 9, 14, 19, 24], "vgg16": [4, 9, 16, 23, 30], "vgg19": [4, 9, 18, 27, 36],
    "vgg11_bn": [3, 7, 14, 21, 28], "vgg13_bn": [6, 13, 20, 27, 34], "vgg16_bn": [6, 13, 23, 33, 43], "vgg19_bn": [6, 13, 26, 39, 52],
}

ARCHS = {}
for vgg, pools in VGG_CUTS.items():
    ARCHS[vgg] = Arch(torchvision_model(vgg), "features", [f"features.{i}" for i in pools])
for resnet in ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
               "wide_resnet50_2", "wide_resnet101_2"]:
    ARCHS[resnet] = Arch(torchvision_model(resnet), "layer4", RESNET_CUTS)
ARCHS["alexnet"] = Arch(torchvision_model("alexnet"), "features", ["features.1", "features.2", "features.5", "features.12"], sizes=(64, 96))
ARCHS["mobilenet_v2"] = Arch(torchvision_model("mobilenet_v2"), "features", ["features.3", "features.6", "features.13", "features.18"])
# MobileNetV3, EfficientNet, ConvNeXt: the cuts are the stage1..stage4 aliases (the last module at stride 4, 8, 16, 32).
ARCHS["mobilenet_v3_small"] = Arch(torchvision_model("mobilenet_v3_small"), "features", ["features.1", "features.3", "features.8", "features.12"])
ARCHS["mobilenet_v3_large"] = Arch(torchvision_model("mobilenet_v3_large"), "features", ["features.3", "features.6", "features.12", "features.16"])
for efficientnet in ["efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4"]:
    ARCHS[efficientnet] = Arch(torchvision_model(efficientnet), "features", ["features.2", "features.3", "features.5", "features.8"])
# efficientnet_v2_s: with the hashed weights its activations reach 1e5 by features.5 and float32 results of two
# correct implementations part there by several percent; it is compared in float64.
ARCHS["efficientnet_v2_s"] = Arch(torchvision_model("efficientnet_v2_s"), "features", ["features.2", "features.3", "features.5", "features.7"],
                                  double=True)
for convnext in ["convnext_tiny", "convnext_small", "convnext_base"]:
    ARCHS[convnext] = Arch(torchvision_model(convnext), "features", ["features.1", "features.3", "features.5", "features.7"])


def clone(path, output):
    """Outputs that a later in-place ReLU would change (DenseNet's features, RegNet's blocks) are kept as they were."""
    return output.clone()


def densenet_base(path, output):
    """DenseNet's base ends with the ReLU torchvision's forward applies to `features` (the backbone's `relu`)."""
    return torch.relu(output) if path == "features" else output.clone()


for densenet in ["densenet121", "densenet169"]:
    ARCHS[densenet] = Arch(torchvision_model(densenet), "features",
                           ["features.transition1.conv", "features.transition2.conv", "features.transition3.conv",
                            "features.denseblock2", "features.transition2.pool", "features.norm5"],
                           transform=densenet_base)
for regnet in ["regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf", "regnet_y_3_2gf"]:
    ARCHS[regnet] = Arch(torchvision_model(regnet), "trunk_output",
                         ["stem", "trunk_output.block1", "trunk_output.block2", "trunk_output.block3", "trunk_output.block4",
                          "trunk_output.block3.block3-0"], transform=clone)
# As the pretrained weights run them: transform_input on, the auxiliary classifiers built (their tensors are in the
# weights files) but not run in eval mode.
ARCHS["googlenet"] = Arch(torchvision_model("googlenet", aux_logits=True, transform_input=True, init_weights=False), "inception5b",
                          ["conv1", "conv3", "inception3b", "inception4a", "inception4b", "inception4c", "inception4d", "inception4e", "maxpool4", "inception5b"], transform=clone)
ARCHS["inception_v3"] = Arch(torchvision_model("inception_v3", aux_logits=True, transform_input=True, init_weights=False), "Mixed_7c",
                             ["Conv2d_3b_1x1", "Conv2d_4a_3x3", "Mixed_5d", "Mixed_6a", "Mixed_6e", "Mixed_7b", "Mixed_7c"],
                             sizes=(80, 128), transform=clone)


def vit_position_embeddings(name, sizes):
    """pos_embedding.<size>: the filled 224x224 model's position embedding resized by torchvision's own
    interpolate_embeddings (what loading 224 weights at another size must give)."""
    from torchvision.models.vision_transformer import interpolate_embeddings
    model = fill(getattr(torchvision.models, name)())
    return {f"pos_embedding.{size}": interpolate_embeddings(size, model.patch_size, model.state_dict())["encoder.pos_embedding"]
            for size in sizes}


# ViT: a size builds the model for it (the position embedding has one entry per patch); the features are the
# tokens [N, 1 + patches, 768]. Cuts: the end of each encoder block (block1..block12).
VIT_CUTS = [f"encoder.layers.encoder_layer_{i}" for i in range(12)]
ARCHS["vit_b_16"] = Arch(lambda size: fill(torchvision.models.vit_b_16(image_size=size)), "encoder.ln", VIT_CUTS,
                         sizes=(48, 64), extra=lambda: vit_position_embeddings("vit_b_16", [48, 112]))
ARCHS["vit_b_32"] = Arch(lambda size: fill(torchvision.models.vit_b_32(image_size=size)), "encoder.ln", VIT_CUTS,
                         sizes=(64, 96), extra=lambda: vit_position_embeddings("vit_b_32", [96, 288]))

# Swin runs channels last; ModelGen's features are channels first. Sizes 72 and 96: windows padded, shifted and not,
# and an odd map (9x9) into patch merging. Cuts: the four stages (stage1..stage4).
ARCHS["swin_t"] = Arch(lambda size: fill(torchvision.models.swin_t()), "norm", ["features.1", "features.3", "features.5", "features.7"],
                       sizes=(72, 96), transform=lambda path, output: output.permute(0, 3, 1, 2))


def run(model, x, paths, transform):
    outputs = {}
    hooks = [model.get_submodule(p).register_forward_hook(
        lambda module, inputs, output, p=p: outputs.__setitem__(p, transform(p, output))) for p in paths]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return outputs


def reference(name):
    arch = ARCHS[name]
    tensors = {}
    keys = None
    for size in arch.sizes:
        model = arch.build(size)
        if keys is None:
            keys = [f"{k} {'x'.join(str(d) for d in v.shape)}" for k, v in model.state_dict().items()]
        x = torch.from_numpy(unit_values(f"input.{size}", 2 * 3 * size * size).astype(np.float32).reshape(2, 3, size, size))
        if arch.double:
            model, x = model.double(), x.double()
        paths = [arch.base] + (arch.cuts if size == min(arch.sizes) else [])
        outputs = run(model, x, paths, arch.transform)
        tensors[f"input.{size}"] = x
        tensors[f"output.{size}"] = outputs[arch.base]
        for path in arch.cuts if size == min(arch.sizes) else []:
            tensors[f"cut.{path}.{size}"] = outputs[path]
    tensors.update(arch.extra())
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "References")
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, f"{name}.safetensors"), tensors)
    with open(os.path.join(folder, f"{name}.keys.txt"), "w") as f:
        f.write("\n".join(keys) + "\n")
    print(name, {k: (list(v.shape), round(float(v.abs().max()), 3)) for k, v in tensors.items() if not k.startswith("input")})


if __name__ == "__main__":
    torch.set_num_threads(2)
    for name in sys.argv[1:] or list(ARCHS):
        reference(name)
