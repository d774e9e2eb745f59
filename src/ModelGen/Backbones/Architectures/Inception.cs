using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's GoogLeNet and Inception v3 as TorchSharp modules with torchvision's names, built as their
/// pretrained weights run them: the input is transformed from ImageNet normalisation to the [-1, 1] range
/// the original weights expect (<c>transform_input=True</c>), and the auxiliary classifiers (<c>aux1</c>,
/// <c>aux2</c>, <c>AuxLogits</c>) exist only so that their tensors are known names of the weight files; they
/// are never run (torchvision runs them only in training, for the auxiliary losses).
/// </summary>
internal static class Inception
{
    /// <summary>The top-level modules of GoogLeNet that make the backbone, in run order.</summary>
    public static readonly string[] GoogLeNetStages =
    [
        "conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b", "maxpool3",
        "inception4a", "inception4b", "inception4c", "inception4d", "inception4e", "maxpool4", "inception5a", "inception5b",
    ];

    /// <summary>The top-level modules of Inception v3 that make the backbone, in run order (AuxLogits left out).</summary>
    public static readonly string[] InceptionV3Stages =
    [
        "Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2",
        "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c",
    ];

    /// <summary>The whole GoogLeNet (with its auxiliary classifiers), freshly initialised.</summary>
    public static nn.Module GoogLeNet()
    {
        var model = new Network(
            "GoogLeNet",
            ("conv1", new BasicConv2d(3, 64, 7, stride: 2, padding: 3)),
            ("maxpool1", nn.MaxPool2d(kernel_size: 3, stride: 2, ceil_mode: true)),
            ("conv2", new BasicConv2d(64, 64, 1)),
            ("conv3", new BasicConv2d(64, 192, 3, padding: 1)),
            ("maxpool2", nn.MaxPool2d(kernel_size: 3, stride: 2, ceil_mode: true)),
            ("inception3a", new InceptionBlock(192, 64, 96, 128, 16, 32, 32)),
            ("inception3b", new InceptionBlock(256, 128, 128, 192, 32, 96, 64)),
            ("maxpool3", nn.MaxPool2d(kernel_size: 3, stride: 2, ceil_mode: true)),
            ("inception4a", new InceptionBlock(480, 192, 96, 208, 16, 48, 64)),
            ("inception4b", new InceptionBlock(512, 160, 112, 224, 24, 64, 64)),
            ("inception4c", new InceptionBlock(512, 128, 128, 256, 24, 64, 64)),
            ("inception4d", new InceptionBlock(512, 112, 144, 288, 32, 64, 64)),
            ("inception4e", new InceptionBlock(528, 256, 160, 320, 32, 128, 128)),
            ("maxpool4", nn.MaxPool2d(kernel_size: 2, stride: 2, ceil_mode: true)),
            ("inception5a", new InceptionBlock(832, 256, 160, 320, 32, 128, 128)),
            ("inception5b", new InceptionBlock(832, 384, 192, 384, 48, 128, 128)),
            ("aux1", GoogLeNetAux(512)),
            ("aux2", GoogLeNetAux(528)),
            ("fc", nn.Linear(1024, 1000)));
        Initialize(model, 0.01);
        return model;
    }

    /// <summary>The whole Inception v3 (with its auxiliary classifier), freshly initialised.</summary>
    public static nn.Module InceptionV3()
    {
        var model = new Network(
            "Inception3",
            ("Conv2d_1a_3x3", new BasicConv2d(3, 32, 3, stride: 2)),
            ("Conv2d_2a_3x3", new BasicConv2d(32, 32, 3)),
            ("Conv2d_2b_3x3", new BasicConv2d(32, 64, 3, padding: 1)),
            ("maxpool1", nn.MaxPool2d(kernel_size: 3, stride: 2)),
            ("Conv2d_3b_1x1", new BasicConv2d(64, 80, 1)),
            ("Conv2d_4a_3x3", new BasicConv2d(80, 192, 3)),
            ("maxpool2", nn.MaxPool2d(kernel_size: 3, stride: 2)),
            ("Mixed_5b", new InceptionA(192, 32)),
            ("Mixed_5c", new InceptionA(256, 64)),
            ("Mixed_5d", new InceptionA(288, 64)),
            ("Mixed_6a", new InceptionB(288)),
            ("Mixed_6b", new InceptionC(768, 128)),
            ("Mixed_6c", new InceptionC(768, 160)),
            ("Mixed_6d", new InceptionC(768, 160)),
            ("Mixed_6e", new InceptionC(768, 192)),
            ("AuxLogits", new Network("InceptionAux", ("conv0", new BasicConv2d(768, 128, 1)), ("conv1", new BasicConv2d(128, 768, 5)), ("fc", nn.Linear(768, 1000)))),
            ("Mixed_7a", new InceptionD(768)),
            ("Mixed_7b", new InceptionE(1280)),
            ("Mixed_7c", new InceptionE(2048)),
            ("fc", nn.Linear(2048, 1000)));
        Initialize(model, 0.1);
        return model;
    }

    /// <summary>
    /// torchvision's <c>_transform_input</c>, per channel: <c>x * scale + shift</c> takes ImageNet normalisation
    /// ((x - mean) / std) to Google's ((x - 0.5) / 0.5): scale = std / 0.5, shift = (mean - 0.5) / 0.5.
    /// </summary>
    public static readonly (double Scale, double Shift)[] InputTransformChannels =
    [
        (0.229 / 0.5, (0.485 - 0.5) / 0.5),
        (0.224 / 0.5, (0.456 - 0.5) / 0.5),
        (0.225 / 0.5, (0.406 - 0.5) / 0.5),
    ];

    /// <summary>The parameterless first stage: torchvision's <c>_transform_input</c>.</summary>
    public static nn.Module<Tensor, Tensor> TransformInput() => new InputTransform();

    private static Network GoogLeNetAux(long inChannels) =>
        new("InceptionAux", ("conv", new BasicConv2d(inChannels, 128, 1)), ("fc1", nn.Linear(2048, 1024)), ("fc2", nn.Linear(1024, 1000)));

    /// <summary>torchvision's initialisation (init_weights): truncated normal weights, unit batch norms.</summary>
    private static void Initialize(nn.Module model, double std)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    TruncatedNormal(conv.weight!, std);
                    break;
                case Linear linear:
                    TruncatedNormal(linear.weight!, std);
                    break;
                case BatchNorm2d norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
            }
        }
    }

    /// <summary>trunc_normal_(mean 0, std, a=-2, b=2): at these deviations (0.1 at most) no value reaches the bounds but by chance, clamped.</summary>
    private static void TruncatedNormal(Tensor weight, double std)
    {
        nn.init.normal_(weight, 0.0, std);
        weight.clamp_(-2, 2);
    }

    /// <summary>F.avg_pool2d(x, kernel_size=3, stride=1, padding=1): the pooling branch of InceptionA, C and E.</summary>
    private static readonly PoolStep AvgPool3 = new(Max: false, Kernel: 3, Stride: 1, Padding: 1);

    /// <summary>F.max_pool2d(x, kernel_size=3, stride=2): the pooling branch of InceptionB and D.</summary>
    private static readonly PoolStep MaxPool3Stride2 = new(Max: true, Kernel: 3, Stride: 2, Padding: 0);

    private static Tensor Concatenate(params Tensor[] parts) => cat(parts, 1);

    /// <summary>ImageNet-normalised input to the [-1, 1] range of Google's weights, channel by channel.</summary>
    private sealed class InputTransform : nn.Module<Tensor, Tensor>
    {
        public InputTransform()
            : base("TransformInput")
        {
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var channels = InputTransformChannels.Select((c, i) => (input[.., i].unsqueeze(1) * c.Scale) + c.Shift).ToArray();
            return Concatenate(channels).MoveToOuterDisposeScope();
        }
    }

    /// <summary>torchvision's <c>BasicConv2d</c>: convolution without bias, batch norm (eps 0.001), ReLU.</summary>
    /// <remarks>
    /// Children are kept in an array, not in fields of a module type: TorchSharp's RegisterComponents would
    /// register such fields a second time under their field names, doubling the state_dict.
    /// </remarks>
    private sealed class BasicConv2d : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor>[] _layers;

        public BasicConv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0)
            : this(inChannels, outChannels, (kernel, kernel), (padding, padding), stride)
        {
        }

        public BasicConv2d(long inChannels, long outChannels, (long Height, long Width) kernel, (long Height, long Width) padding, long stride = 1)
            : base("BasicConv2d")
        {
            _layers = [nn.Conv2d(inChannels, outChannels, kernel, stride: (stride, stride), padding: padding, bias: false), nn.BatchNorm2d(outChannels, eps: 0.001)];
            register_module("conv", _layers[0]);
            register_module("bn", _layers[1]);
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return nn.functional.relu(_layers[1].forward(_layers[0].forward(input))).MoveToOuterDisposeScope();
        }
    }

    /// <summary>GoogLeNet's <c>Inception</c> block: four branches concatenated (children in an array, as in <see cref="BasicConv2d"/>).</summary>
    private sealed class InceptionBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor>[] _branches;

        public InceptionBlock(long inChannels, long ch1x1, long ch3x3red, long ch3x3, long ch5x5red, long ch5x5, long poolProj)
            : base("Inception")
        {
            _branches =
            [
                new BasicConv2d(inChannels, ch1x1, 1),
                nn.Sequential(("0", new BasicConv2d(inChannels, ch3x3red, 1)), ("1", new BasicConv2d(ch3x3red, ch3x3, 3, padding: 1))),

                // torchvision's 3x3 where the paper has 5x5 (pytorch/vision#906); the weights are for the 3x3.
                nn.Sequential(("0", new BasicConv2d(inChannels, ch5x5red, 1)), ("1", new BasicConv2d(ch5x5red, ch5x5, 3, padding: 1))),
                nn.Sequential(("0", nn.MaxPool2d(kernel_size: 3, stride: 1, padding: 1, ceil_mode: true)), ("1", new BasicConv2d(inChannels, poolProj, 1))),
            ];
            for (var i = 0; i < _branches.Length; i++)
            {
                register_module($"branch{i + 1}", _branches[i]);
            }
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return Concatenate(_branches.Select(b => b.forward(input)).ToArray()).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// An Inception v3 block (InceptionA..E): its BasicConv2d modules under torchvision's names, in torchvision's
    /// registration order, and its parallel branches as data, which both <see cref="forward"/> and the ONNX
    /// exporter follow; the branches' outputs are concatenated along the channels.
    /// </summary>
    internal abstract class InceptionV3Block : nn.Module<Tensor, Tensor>
    {
        private readonly Dictionary<string, nn.Module<Tensor, Tensor>> _convs = new(StringComparer.Ordinal);

        protected InceptionV3Block(string name)
            : base(name)
        {
        }

        /// <summary>The branches, each a chain of steps run on the block's input.</summary>
        public IReadOnlyList<IReadOnlyList<InceptionStep>> Branches { get; protected init; } = [];

        /// <summary>The BasicConv2d named <paramref name="name"/>.</summary>
        public nn.Module<Tensor, Tensor> Conv(string name) => _convs[name];

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var outputs = Branches.Select(branch => branch.Aggregate(input, (x, step) => step switch
            {
                ConvStep conv => _convs[conv.Name].forward(x),
                PoolStep { Max: true } pool => nn.functional.max_pool2d(x, [pool.Kernel, pool.Kernel], [pool.Stride, pool.Stride], [pool.Padding, pool.Padding]),
                PoolStep pool => nn.functional.avg_pool2d(x, [pool.Kernel, pool.Kernel], [pool.Stride, pool.Stride], [pool.Padding, pool.Padding]),
                SplitStep split => Concatenate(_convs[split.First].forward(x), _convs[split.Second].forward(x)),
                _ => throw new InvalidOperationException($"Unknown Inception step {step}."),
            })).ToArray();
            return Concatenate(outputs).MoveToOuterDisposeScope();
        }

        protected void Add(string name, long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0) =>
            Add(name, new BasicConv2d(inChannels, outChannels, kernel, stride, padding));

        protected void Add(string name, long inChannels, long outChannels, (long, long) kernel, (long, long) padding) =>
            Add(name, new BasicConv2d(inChannels, outChannels, kernel, padding));

        private void Add(string name, BasicConv2d conv)
        {
            _convs[name] = conv;
            register_module(name, conv);
        }
    }

    /// <summary>A step of an Inception v3 branch.</summary>
    internal abstract record InceptionStep;

    /// <summary>A BasicConv2d of the block, by name.</summary>
    internal sealed record ConvStep(string Name) : InceptionStep;

    /// <summary>A pooling the forward applies as a function (average pools count the padding, as PyTorch's default).</summary>
    internal sealed record PoolStep(bool Max, long Kernel, long Stride, long Padding) : InceptionStep;

    /// <summary>Two BasicConv2ds on the same input (1x3 and 3x1), concatenated (InceptionE).</summary>
    internal sealed record SplitStep(string First, string Second) : InceptionStep;

    private sealed class InceptionA : InceptionV3Block
    {
        public InceptionA(long inChannels, long poolFeatures)
            : base("InceptionA")
        {
            Add("branch1x1", inChannels, 64, 1);
            Add("branch5x5_1", inChannels, 48, 1);
            Add("branch5x5_2", 48, 64, 5, padding: 2);
            Add("branch3x3dbl_1", inChannels, 64, 1);
            Add("branch3x3dbl_2", 64, 96, 3, padding: 1);
            Add("branch3x3dbl_3", 96, 96, 3, padding: 1);
            Add("branch_pool", inChannels, poolFeatures, 1);
            Branches =
            [
                [new ConvStep("branch1x1")],
                [new ConvStep("branch5x5_1"), new ConvStep("branch5x5_2")],
                [new ConvStep("branch3x3dbl_1"), new ConvStep("branch3x3dbl_2"), new ConvStep("branch3x3dbl_3")],
                [AvgPool3, new ConvStep("branch_pool")],
            ];
        }
    }

    private sealed class InceptionB : InceptionV3Block
    {
        public InceptionB(long inChannels)
            : base("InceptionB")
        {
            Add("branch3x3", inChannels, 384, 3, stride: 2);
            Add("branch3x3dbl_1", inChannels, 64, 1);
            Add("branch3x3dbl_2", 64, 96, 3, padding: 1);
            Add("branch3x3dbl_3", 96, 96, 3, stride: 2);
            Branches =
            [
                [new ConvStep("branch3x3")],
                [new ConvStep("branch3x3dbl_1"), new ConvStep("branch3x3dbl_2"), new ConvStep("branch3x3dbl_3")],
                [MaxPool3Stride2],
            ];
        }
    }

    private sealed class InceptionC : InceptionV3Block
    {
        public InceptionC(long inChannels, long c7)
            : base("InceptionC")
        {
            Add("branch1x1", inChannels, 192, 1);
            Add("branch7x7_1", inChannels, c7, 1);
            Add("branch7x7_2", c7, c7, (1, 7), (0, 3));
            Add("branch7x7_3", c7, 192, (7, 1), (3, 0));
            Add("branch7x7dbl_1", inChannels, c7, 1);
            Add("branch7x7dbl_2", c7, c7, (7, 1), (3, 0));
            Add("branch7x7dbl_3", c7, c7, (1, 7), (0, 3));
            Add("branch7x7dbl_4", c7, c7, (7, 1), (3, 0));
            Add("branch7x7dbl_5", c7, 192, (1, 7), (0, 3));
            Add("branch_pool", inChannels, 192, 1);
            Branches =
            [
                [new ConvStep("branch1x1")],
                [new ConvStep("branch7x7_1"), new ConvStep("branch7x7_2"), new ConvStep("branch7x7_3")],
                Enumerable.Range(1, 5).Select(i => (InceptionStep)new ConvStep($"branch7x7dbl_{i}")).ToList(),
                [AvgPool3, new ConvStep("branch_pool")],
            ];
        }
    }

    private sealed class InceptionD : InceptionV3Block
    {
        public InceptionD(long inChannels)
            : base("InceptionD")
        {
            Add("branch3x3_1", inChannels, 192, 1);
            Add("branch3x3_2", 192, 320, 3, stride: 2);
            Add("branch7x7x3_1", inChannels, 192, 1);
            Add("branch7x7x3_2", 192, 192, (1, 7), (0, 3));
            Add("branch7x7x3_3", 192, 192, (7, 1), (3, 0));
            Add("branch7x7x3_4", 192, 192, 3, stride: 2);
            Branches =
            [
                [new ConvStep("branch3x3_1"), new ConvStep("branch3x3_2")],
                Enumerable.Range(1, 4).Select(i => (InceptionStep)new ConvStep($"branch7x7x3_{i}")).ToList(),
                [MaxPool3Stride2],
            ];
        }
    }

    private sealed class InceptionE : InceptionV3Block
    {
        public InceptionE(long inChannels)
            : base("InceptionE")
        {
            Add("branch1x1", inChannels, 320, 1);
            Add("branch3x3_1", inChannels, 384, 1);
            Add("branch3x3_2a", 384, 384, (1, 3), (0, 1));
            Add("branch3x3_2b", 384, 384, (3, 1), (1, 0));
            Add("branch3x3dbl_1", inChannels, 448, 1);
            Add("branch3x3dbl_2", 448, 384, 3, padding: 1);
            Add("branch3x3dbl_3a", 384, 384, (1, 3), (0, 1));
            Add("branch3x3dbl_3b", 384, 384, (3, 1), (1, 0));
            Add("branch_pool", inChannels, 192, 1);
            Branches =
            [
                [new ConvStep("branch1x1")],
                [new ConvStep("branch3x3_1"), new SplitStep("branch3x3_2a", "branch3x3_2b")],
                [new ConvStep("branch3x3dbl_1"), new ConvStep("branch3x3dbl_2"), new SplitStep("branch3x3dbl_3a", "branch3x3dbl_3b")],
                [AvgPool3, new ConvStep("branch_pool")],
            ];
        }
    }
}
