using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's DenseNet-BC (densenet121, densenet169) as TorchSharp modules with torchvision's module,
/// parameter and buffer names: <c>features</c> (conv0, norm0, relu0, pool0, denseblock1, transition1, ...,
/// denseblock4, norm5) and <c>classifier</c>.
/// </summary>
internal static class DenseNet
{
    private const int GrowthRate = 32;
    private const int BottleneckSize = 4;
    private const int InitialFeatures = 64;

    /// <summary>The whole network (features and classifier), freshly initialised.</summary>
    public static nn.Module Build(string architecture)
    {
        var blocks = architecture == "densenet169" ? new[] { 6, 12, 32, 32 } : new[] { 6, 12, 24, 16 };
        var features = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv0", nn.Conv2d(3, InitialFeatures, kernel_size: 7, stride: 2, padding: 3, bias: false)),
            ("norm0", nn.BatchNorm2d(InitialFeatures)),
            ("relu0", nn.ReLU()),
            ("pool0", nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1)),
        };

        long channels = InitialFeatures;
        for (var b = 0; b < blocks.Length; b++)
        {
            features.Add(($"denseblock{b + 1}", new DenseBlock(blocks[b], channels)));
            channels += blocks[b] * GrowthRate;
            if (b < blocks.Length - 1)
            {
                features.Add(($"transition{b + 1}", nn.Sequential(
                    ("norm", nn.BatchNorm2d(channels)),
                    ("relu", nn.ReLU()),
                    ("conv", nn.Conv2d(channels, channels / 2, kernel_size: 1, bias: false)),
                    ("pool", nn.AvgPool2d(kernel_size: 2, stride: 2)))));
                channels /= 2;
            }
        }

        features.Add(("norm5", nn.BatchNorm2d(channels)));
        var model = new Network("DenseNet", ("features", nn.Sequential(features.ToArray())), ("classifier", nn.Linear(channels, 1000)));
        Initialize(model);
        return model;
    }

    /// <summary>torchvision's initialisation: Kaiming-normal convolutions, unit batch norms, zero linear biases.</summary>
    private static void Initialize(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight);
                    break;
                case BatchNorm2d norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
                case Linear linear when linear.bias is not null:
                    nn.init.zeros_(linear.bias);
                    break;
            }
        }
    }

    /// <summary>
    /// torchvision's <c>_DenseBlock</c>: each layer reads the block's input concatenated with every earlier
    /// layer's output; the block returns all of them concatenated.
    /// </summary>
    private sealed class DenseBlock : nn.Module<Tensor, Tensor>
    {
        private readonly List<DenseLayer> _layers = []; // a list: RegisterComponents registers module-typed fields only

        public DenseBlock(int layers, long inputChannels)
            : base("_DenseBlock")
        {
            for (var i = 0; i < layers; i++)
            {
                var layer = new DenseLayer(inputChannels + (i * GrowthRate));
                _layers.Add(layer);
                register_module($"denselayer{i + 1}", layer);
            }
        }

        public override Tensor forward(Tensor input)
        {
            var features = new List<Tensor> { input };
            foreach (var layer in _layers)
            {
                using var concatenated = cat(features, 1);
                features.Add(layer.forward(concatenated));
            }

            var output = cat(features, 1);
            foreach (var feature in features.Skip(1))
            {
                feature.Dispose();
            }

            return output;
        }
    }

    /// <summary>torchvision's <c>_DenseLayer</c>: BN-ReLU-1x1 conv to 128 channels, BN-ReLU-3x3 conv to 32 (no dropout: drop_rate is 0).</summary>
    /// <remarks>
    /// Its children run as a chain and are kept in an array, not in fields of a module type: TorchSharp's
    /// RegisterComponents would register such fields a second time under their field names.
    /// </remarks>
    private sealed class DenseLayer : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor>[] _chain;

        public DenseLayer(long inputChannels)
            : base("_DenseLayer")
        {
            (string Name, nn.Module<Tensor, Tensor> Module)[] chain =
            [
                ("norm1", nn.BatchNorm2d(inputChannels)),
                ("relu1", nn.ReLU()),
                ("conv1", nn.Conv2d(inputChannels, BottleneckSize * GrowthRate, kernel_size: 1, bias: false)),
                ("norm2", nn.BatchNorm2d(BottleneckSize * GrowthRate)),
                ("relu2", nn.ReLU()),
                ("conv2", nn.Conv2d(BottleneckSize * GrowthRate, GrowthRate, kernel_size: 3, padding: 1, bias: false)),
            ];
            foreach (var (name, module) in chain)
            {
                register_module(name, module);
            }

            _chain = chain.Select(c => c.Module).ToArray();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return _chain.Aggregate(input, (x, layer) => layer.forward(x)).MoveToOuterDisposeScope();
        }
    }
}
