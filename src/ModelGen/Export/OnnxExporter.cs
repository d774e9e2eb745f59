using System.Text.Json;
using Google.Protobuf;
using ModelGen.Backbones;
using ModelGen.Backbones.Architectures;
using ModelGen.Data;
using ModelGen.Heads;
using ModelGen.Onnx;
using ModelGen.Storage;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Export;

/// <summary>
/// Writes a generated model to ONNX (opset 17): the backbone as cut, with its current (trained) weights,
/// the head, and optionally the preprocessing, so that ONNX Runtime alone reproduces <c>Predict</c>. The
/// batch dimension is free; inputs and outputs are named; classes and the spec go into the metadata.
/// </summary>
internal static class OnnxExporter
{
    /// <summary>The ONNX opset written.</summary>
    public const long Opset = 17;

    /// <summary>The input's name: RGB images in [0, 1] with preprocessing, or network-ready tensors without.</summary>
    public static string InputName(bool includePreprocessing) => includePreprocessing ? "image" : "input";

    /// <summary>Writes <paramref name="backbone"/> and <paramref name="head"/> to <paramref name="path"/> (atomically).</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it.</exception>
    public static void Export(Backbone backbone, Head head, OnnxExportInfo info, string path, bool includePreprocessing = true)
    {
        var model = Build(backbone, head, info, includePreprocessing);
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    /// <summary>The ONNX model, in memory.</summary>
    public static ModelProto Build(Backbone backbone, Head head, OnnxExportInfo info, bool includePreprocessing = true)
    {
        var definition = backbone.Definition;
        if (Shared.SpecWords.FamilyOf(definition.Architecture) is ArchitectureFamily.VisionTransformer or ArchitectureFamily.Swin)
        {
            throw new NotSupportedException(
                $"ModelGen's ONNX exporter has no form yet for the {definition.ArchitectureName} backbone (a transformer: self-attention and "
                + "layer norms); export a model with a convolutional backbone, or save this one with Save() and run it with TorchSharp.");
        }

        var writer = new OnnxWriter();
        var input = InputName(includePreprocessing);
        writer.Name(input);
        writer.Graph.Input.Add(Value(input, [null, 3, definition.Height, definition.Width]));
        var x = includePreprocessing ? Preprocess(writer, backbone.Input, input) : input;
        x = backbone.Graph is { } graph ? ImportedGraphExport.Write(writer, graph, x) : ExportStages(writer, backbone, x);
        var logits = ExportHead(writer, head, x);
        var binary = head.Units == 1;
        var probabilities = Probabilities(writer, logits, binary);
        Rename(writer, logits, "logits");
        Rename(writer, probabilities, "probabilities");
        var units = binary ? 1 : info.Classes.Count;
        writer.Graph.Output.Add(Value("logits", [null, units]));
        writer.Graph.Output.Add(Value("probabilities", [null, info.Classes.Count]));

        var model = new ModelProto { IrVersion = 8, ProducerName = "ModelGen", ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0", DocString = info.Description, Graph = writer.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        Metadata(model, "modelgen.model", info.Model);
        Metadata(model, "modelgen.classes", JsonSerializer.Serialize(info.Classes));
        Metadata(model, "modelgen.architecture", definition.ArchitectureName);
        Metadata(model, "modelgen.cut", definition.CutAt ?? "(end)");
        Metadata(model, "modelgen.input", $"3x{definition.Height}x{definition.Width}");
        Metadata(model, "modelgen.preprocessing", (includePreprocessing ? "included: " : "not included, apply before: ") + backbone.Input.Preprocessing.Describe());
        Metadata(model, "modelgen.spec", info.Description);
        Metadata(model, "modelgen.outputs", binary ? "probabilities = [1 - p, p], p = sigmoid(logits)" : "probabilities = softmax(logits)");
        return model;
    }

    /// <summary>Why <paramref name="backbone"/> has no ONNX form, or null when it has one.</summary>
    public static string? CanExport(Backbone backbone) =>
        Shared.SpecWords.FamilyOf(backbone.Definition.Architecture) is ArchitectureFamily.VisionTransformer or ArchitectureFamily.Swin
            ? $"ModelGen's ONNX exporter has no form yet for the {backbone.Definition.ArchitectureName} backbone (a transformer)"
            : null;

    /// <summary>The output's name in <see cref="BuildBackbone"/>.</summary>
    public const string FeaturesName = "features";

    /// <summary>
    /// The cut backbone alone, with its current weights and without preprocessing: input <c>input</c> (network-ready
    /// tensors, free batch dimension), output <c>features</c> of the backbone's feature shape. What ONNX Runtime runs
    /// for <c>Extract</c> (<see cref="Inference.OnnxRuntimeBackbone"/>) and what the benchmark's third column measures.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it.</exception>
    public static ModelProto BuildBackbone(Backbone backbone)
    {
        var definition = backbone.Definition;
        if (CanExport(backbone) is { } why)
        {
            throw new NotSupportedException(why);
        }

        var writer = new OnnxWriter();
        var input = InputName(includePreprocessing: false);
        writer.Name(input);
        writer.Graph.Input.Add(Value(input, [null, 3, definition.Height, definition.Width]));
        var x = backbone.Graph is { } graph ? ImportedGraphExport.Write(writer, graph, input) : ExportStages(writer, backbone, input);
        Rename(writer, x, FeaturesName);
        writer.Graph.Output.Add(new ValueInfoProto { Name = FeaturesName, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "ModelGen", ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0", Graph = writer.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    /// <summary>An imported graph alone, re-exported in opset 17 (input <c>x</c>, output <c>y</c>): the importer's round trip.</summary>
    internal static ModelProto ExportGraph(OnnxGraphModule graph, long[] inputShape)
    {
        var writer = new OnnxWriter();
        writer.Name("x");
        writer.Graph.Input.Add(Value("x", inputShape.Select((d, i) => i == 0 ? (long?)null : d).ToArray()));
        var y = ImportedGraphExport.Write(writer, graph, "x");
        Rename(writer, y, "y");
        writer.Graph.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "ModelGen", Graph = writer.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private static string Preprocess(OnnxWriter writer, ImageInput input, string x)
    {
        var preprocessing = input.Preprocessing;
        if (preprocessing.Order == ChannelOrder.Bgr)
        {
            x = writer.Node("Gather", "bgr", [x, writer.Longs("bgr_order", 2, 1, 0)], ("axis", 1L));
        }

        if (preprocessing.Scale != 1f)
        {
            x = writer.Node("Mul", "scaled", [x, writer.Scalar("scale", preprocessing.Scale)]);
        }

        // The runtime's own preprocessing gives the mean to subtract at this size: Apply(0) = -mean / std.
        using (var scope = NewDisposeScope())
        {
            var mean = -preprocessing.Apply(zeros(1, 3, input.Height, input.Width)) * tensor(preprocessing.Std).view(1, 3, 1, 1);
            var perChannel = preprocessing.MeanImage is null;
            x = writer.Node("Sub", "centered", [x, writer.Initializer("mean", perChannel ? mean[.., .., 0..1, 0..1] : mean)]);
        }

        if (preprocessing.Std.Any(s => s != 1f))
        {
            using var std = tensor(preprocessing.Std).view(1, 3, 1, 1);
            x = writer.Node("Div", "normalized", [x, writer.Initializer("std", std)]);
        }

        return x;
    }

    private static string ExportStages(OnnxWriter writer, Backbone backbone, string x)
    {
        foreach (var (name, module) in backbone.named_children())
        {
            x = ExportModule(writer, module, name, x);
        }

        return x;
    }

    /// <summary>A torchvision layer (or chain of layers) as ONNX nodes.</summary>
    internal static string ExportModule(OnnxWriter writer, nn.Module module, string name, string x)
    {
        switch (module)
        {
            case Sequential:
                foreach (var (child, childModule) in module.named_children())
                {
                    x = ExportModule(writer, childModule, name + "." + child, x);
                }

                return x;
            case Conv2d conv:
                return Conv(writer, conv, name, x);
            case BatchNorm2d norm:
                return BatchNorm(writer, norm, name, x);
            case ReLU:
                return writer.Node("Relu", name, [x]);
            case ReLU6:
                return writer.Node("Clip", name, [x, writer.Scalar(name + ".min", 0f), writer.Scalar(name + ".max", 6f)]);
            case MaxPool2d pool:
                {
                    var kernel = pool.kernel_size!;
                    var stride = pool.stride is { Length: > 0 } s ? s : kernel;
                    var padding = pool.padding is { Length: > 0 } p ? p : [0, 0];
                    var dilation = pool.dilation is { Length: > 0 } d ? d : [1, 1];
                    return writer.Node("MaxPool", name, [x], ("kernel_shape", Pair(kernel)), ("strides", Pair(stride)), ("pads", Pads(Pair(padding))), ("dilations", Pair(dilation)), ("ceil_mode", pool.ceil_mode ? 1L : 0L));
                }

            case AvgPool2d pool:
                {
                    var kernel = Pair(pool.kernel_size!);
                    var stride = pool.stride is { Length: > 0 } s ? Pair(s) : kernel;
                    var padding = pool.padding is { Length: > 0 } p ? Pair(p) : [0, 0];
                    return AveragePool(writer, name, x, kernel, stride, padding, pool.ceil_mode, pool.count_include_pad);
                }

            case Inception.InceptionV3Block block:
                return InceptionV3Block(writer, block, name, x);
            case Dropout or Identity:
                return x;
            default:
                if (NetworkBlocksExport.TryExport(writer, module, name, x) is { } written)
                {
                    return written;
                }

                return module.GetType().Name switch
                {
                    "BasicBlock" or "Bottleneck" => Residual(writer, module, name, x),
                    "InvertedResidual" => InvertedResidual(writer, module, name, x),
                    _ => Concatenating(writer, module, name, x),
                };
        }
    }

    /// <summary>The children of a module run one after the other, as a Sequential's.</summary>
    private static string Chain(OnnxWriter writer, nn.Module module, string name, string x)
    {
        foreach (var (child, childModule) in module.named_children())
        {
            x = ExportModule(writer, childModule, name + "." + child, x);
        }

        return x;
    }

    private static string AveragePool(OnnxWriter writer, string name, string x, long[] kernel, long[] stride, long[] padding, bool ceilMode, bool countIncludePad) =>
        writer.Node("AveragePool", name, [x], ("kernel_shape", kernel), ("strides", stride), ("pads", Pads(padding)), ("ceil_mode", ceilMode ? 1L : 0L), ("count_include_pad", countIncludePad ? 1L : 0L));

    /// <summary>
    /// The blocks of DenseNet, RegNet, GoogLeNet and Inception v3 (Backbones/Architectures), by their module
    /// names: branches concatenated, dense layers appended, squeeze-excitation, the input transform.
    /// </summary>
    private static string Concatenating(OnnxWriter writer, nn.Module module, string name, string x)
    {
        var parts = module.named_children().ToList();
        switch (module.GetName())
        {
            case "BasicConv2d":
                return writer.Node("Relu", name + ".relu", [Chain(writer, module, name, x)]);
            case "_DenseLayer":
                return Chain(writer, module, name, x);
            case "_DenseBlock":
                {
                    var features = new List<string> { x };
                    foreach (var (child, layer) in parts)
                    {
                        var input = features.Count == 1 ? x : writer.Node("Concat", $"{name}.{child}.input", features, ("axis", 1L));
                        features.Add(ExportModule(writer, layer, name + "." + child, input));
                    }

                    return writer.Node("Concat", name, features, ("axis", 1L));
                }

            case "Inception":
                return writer.Node("Concat", name, parts.Select(p => ExportModule(writer, p.module, name + "." + p.name, x)).ToList(), ("axis", 1L));
            case "ResBottleneckBlock":
                {
                    var children = parts.ToDictionary(p => p.name, p => p.module);
                    var shortcut = children.TryGetValue("proj", out var proj) ? ExportModule(writer, proj, name + ".proj", x) : x;
                    var main = ExportModule(writer, children["f"], name + ".f", x);
                    return writer.Node("Relu", name, [writer.Node("Add", name + ".add", [shortcut, main])]);
                }

            case "SqueezeExcitation":
                {
                    var children = parts.ToDictionary(p => p.name, p => p.module);
                    var scale = writer.Node("GlobalAveragePool", name + ".avgpool", [x]);
                    scale = Conv(writer, (Conv2d)children["fc1"], name + ".fc1", scale);
                    scale = writer.Node("Relu", name + ".activation", [scale]);
                    scale = Conv(writer, (Conv2d)children["fc2"], name + ".fc2", scale);
                    scale = writer.Node("Sigmoid", name + ".scale_activation", [scale]);
                    return writer.Node("Mul", name, [scale, x]);
                }

            case "TransformInput":
                {
                    using var scale = tensor(Inception.InputTransformChannels.Select(c => (float)c.Scale).ToArray()).view(1, 3, 1, 1);
                    using var shift = tensor(Inception.InputTransformChannels.Select(c => (float)c.Shift).ToArray()).view(1, 3, 1, 1);
                    var scaled = writer.Node("Mul", name + ".scale", [x, writer.Initializer(name + ".scale", scale)]);
                    return writer.Node("Add", name, [scaled, writer.Initializer(name + ".shift", shift)]);
                }

            default:
                throw new NotSupportedException($"The layer '{name}' ({module.GetType().Name}) has no ONNX form in ModelGen's exporter.");
        }
    }

    /// <summary>An Inception v3 block: its branches as the block describes them, concatenated.</summary>
    private static string InceptionV3Block(OnnxWriter writer, Inception.InceptionV3Block block, string name, string x)
    {
        var outputs = new List<string>();
        foreach (var branch in block.Branches)
        {
            var y = x;
            foreach (var step in branch)
            {
                y = step switch
                {
                    Inception.ConvStep conv => ExportModule(writer, block.Conv(conv.Name), $"{name}.{conv.Name}", y),
                    Inception.PoolStep { Max: true } pool => writer.Node("MaxPool", $"{name}.pool", [y], ("kernel_shape", new[] { pool.Kernel, pool.Kernel }), ("strides", new[] { pool.Stride, pool.Stride }), ("pads", Pads([pool.Padding, pool.Padding]))),
                    Inception.PoolStep pool => AveragePool(writer, $"{name}.pool", y, [pool.Kernel, pool.Kernel], [pool.Stride, pool.Stride], [pool.Padding, pool.Padding], ceilMode: false, countIncludePad: true),
                    Inception.SplitStep split => writer.Node("Concat", $"{name}.{split.First}+{split.Second}", [ExportModule(writer, block.Conv(split.First), $"{name}.{split.First}", y), ExportModule(writer, block.Conv(split.Second), $"{name}.{split.Second}", y)], ("axis", 1L)),
                    _ => throw new NotSupportedException($"The layer '{name}' has a step ONNX cannot express: {step}."),
                };
            }

            outputs.Add(y);
        }

        return writer.Node("Concat", name, outputs, ("axis", 1L));
    }

    private static string Conv(OnnxWriter writer, Conv2d conv, string name, string x)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            throw new NotSupportedException($"The convolution '{name}' pads with {conv.padding_mode}; ONNX Conv pads with zeros.");
        }

        return writer.Node(
            "Conv",
            name,
            writer.WithWeights(x, name, conv.weight!, conv.bias),
            ("kernel_shape", Pair(conv.kernel_size!)),
            ("strides", Pair(conv.stride!)),
            ("pads", Pads(Pair(conv.padding!))),
            ("dilations", Pair(conv.dilation!)),
            ("group", conv.groups));
    }

    internal static string BatchNorm(OnnxWriter writer, BatchNorm2d norm, string name, string x) =>
        writer.Node(
            "BatchNormalization",
            name,
            [x, writer.Initializer(name + ".weight", norm.weight!), writer.Initializer(name + ".bias", norm.bias!), writer.Initializer(name + ".running_mean", norm.running_mean!), writer.Initializer(name + ".running_var", norm.running_var!)],
            ("epsilon", (float)norm.eps));

    private static string Residual(OnnxWriter writer, nn.Module block, string name, string x)
    {
        var parts = block.named_children().ToDictionary(c => c.name, c => c.module);
        var bottleneck = parts.ContainsKey("conv3");
        var y = Conv(writer, (Conv2d)parts["conv1"], name + ".conv1", x);
        y = BatchNorm(writer, (BatchNorm2d)parts["bn1"], name + ".bn1", y);
        y = writer.Node("Relu", name + ".relu1", [y]);
        y = Conv(writer, (Conv2d)parts["conv2"], name + ".conv2", y);
        y = BatchNorm(writer, (BatchNorm2d)parts["bn2"], name + ".bn2", y);
        if (bottleneck)
        {
            y = writer.Node("Relu", name + ".relu2", [y]);
            y = Conv(writer, (Conv2d)parts["conv3"], name + ".conv3", y);
            y = BatchNorm(writer, (BatchNorm2d)parts["bn3"], name + ".bn3", y);
        }

        var shortcut = parts.TryGetValue("downsample", out var downsample) && downsample is not null ? ExportModule(writer, downsample, name + ".downsample", x) : x;
        var sum = writer.Node("Add", name + ".add", [y, shortcut]);
        return writer.Node("Relu", name, [sum]);
    }

    private static string InvertedResidual(OnnxWriter writer, nn.Module block, string name, string x)
    {
        var conv = block.named_children().Single(c => c.name == "conv").module;
        var y = ExportModule(writer, conv, name + ".conv", x);

        // torchvision adds the input back when the block keeps the size and the channels.
        var convolutions = InRunOrder(conv).OfType<Conv2d>().ToList();
        var keepsShape = convolutions.All(c => c.stride!.All(s => s == 1)) && convolutions[0].in_channels == convolutions[^1].out_channels;
        return keepsShape ? writer.Node("Add", name, [y, x]) : y;
    }

    /// <summary>The layers of a module in the order they run (depth first, children in registration order).</summary>
    private static IEnumerable<nn.Module> InRunOrder(nn.Module module)
    {
        foreach (var (_, child) in module.named_children())
        {
            yield return child;
            foreach (var inner in InRunOrder(child))
            {
                yield return inner;
            }
        }
    }

    // The head from its one description: the layers the generated class declares and their modules.
    // The last dense layer gives logits; its activation is in the probabilities output.
    private static string ExportHead(OnnxWriter writer, Head head, string x)
    {
        var layers = head.Layers;
        for (var i = 0; i < layers.Count; i++)
        {
            var index = i + 1;
            var layer = layers[i];
            switch (layer.Kind)
            {
                case HeadLayerKind.Flatten:
                    x = writer.Node("Flatten", $"head{index}.flatten", [x], ("axis", 1L));
                    break;
                case HeadLayerKind.GlobalAveragePool or HeadLayerKind.GlobalMaxPool:
                    x = writer.Node(layer.Kind == HeadLayerKind.GlobalMaxPool ? "GlobalMaxPool" : "GlobalAveragePool", $"head{index}.pool", [x]);
                    x = writer.Node("Flatten", $"head{index}.flatten", [x], ("axis", 1L));
                    break;
                case HeadLayerKind.Dense:
                    var linear = head.Dense(i);
                    x = writer.Node("Gemm", $"head{index}.dense", writer.WithWeights(x, $"head{index}", linear.weight!, linear.bias), ("transB", 1L));
                    if (i < layers.Count - 1)
                    {
                        x = Activation(writer, layer.Activation, $"head{index}.{layer.Activation.ToString().ToLowerInvariant()}", x);
                    }

                    break;
            }
        }

        return x;
    }

    private static string Activation(OnnxWriter writer, Activation activation, string name, string x) => activation switch
    {
        Heads.Activation.Relu => writer.Node("Relu", name, [x]),
        Heads.Activation.Sigmoid => writer.Node("Sigmoid", name, [x]),
        Heads.Activation.Tanh => writer.Node("Tanh", name, [x]),
        Heads.Activation.Softmax => writer.Node("Softmax", name, [x], ("axis", 1L)),
        Heads.Activation.Gelu => Gelu(writer, name, x),
        _ => x,
    };

    /// <summary>GELU (exact, as torch's default) from Erf: x · (1 + erf(x / √2)) / 2; opset 17 has no Gelu.</summary>
    internal static string Gelu(OnnxWriter writer, string name, string x)
    {
        var scaled = writer.Node("Div", name + ".scaled", [x, writer.Scalar(name + ".sqrt2", MathF.Sqrt(2f))]);
        var erf = writer.Node("Erf", name + ".erf", [scaled]);
        var plus = writer.Node("Add", name + ".plus", [erf, writer.Scalar(name + ".one", 1f)]);
        var product = writer.Node("Mul", name + ".product", [x, plus]);
        return writer.Node("Mul", name, [product, writer.Scalar(name + ".half", 0.5f)]);
    }

    private static string Probabilities(OnnxWriter writer, string logits, bool binary)
    {
        if (!binary)
        {
            return writer.Node("Softmax", "softmax", [logits], ("axis", 1L));
        }

        var positive = writer.Node("Sigmoid", "sigmoid", [logits]);
        var negative = writer.Node("Sub", "negative", [writer.Scalar("one", 1f), positive]);
        return writer.Node("Concat", "both", [negative, positive], ("axis", 1L));
    }

    /// <summary>Renames the value a node produces (the graph's outputs get stable names).</summary>
    private static void Rename(OnnxWriter writer, string from, string to)
    {
        foreach (var node in writer.Graph.Node)
        {
            for (var i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == from)
                {
                    node.Output[i] = to;
                }
            }

            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
    }

    private static ValueInfoProto Value(string name, long?[] shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var dim in shape)
        {
            tensorType.Shape.Dim.Add(dim is { } value ? new TensorShapeProto.Types.Dimension { DimValue = value } : new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private static void Metadata(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

    private static long[] Pair(long[] values) => values.Length == 1 ? [values[0], values[0]] : values;

    private static long[] Pads(long[] padding) => [padding[0], padding[1], padding[0], padding[1]];
}
