using System.Security.Cryptography;
using ModelGen.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones;

/// <summary>
/// A pretrained network cut at a layer: its top-level modules run in order and keep their torchvision
/// names (<c>features</c>, or <c>conv1</c> ... <c>layer4</c>), so parameter names match the weight files.
/// It knows its preprocessing and which of its parameters train.
/// </summary>
public sealed class Backbone : nn.Module<Tensor, Tensor>, IFeatureSource
{
    private readonly Func<Tensor, Tensor> _forward;
    private readonly GraphHolder? _graph;
    private readonly List<string> _stageNames = [];
    private IDisposable? _attached;

    /// <summary>Creates a backbone from named stages that run one after the other.</summary>
    public Backbone(BackboneDefinition definition, IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> stages, Preprocessing preprocessing)
        : this(definition, stages.Select(s => (s.Name, (nn.Module)s.Module)).ToList(), null, preprocessing)
    {
    }

    /// <summary>
    /// Creates a backbone from layers computed by <paramref name="forward"/> (an imported graph): the layers
    /// are registered under their names so that parameter names match; <paramref name="forward"/> runs them.
    /// </summary>
    public Backbone(BackboneDefinition definition, IReadOnlyList<(string Name, nn.Module Module)> layers, Func<Tensor, Tensor>? forward, Preprocessing preprocessing)
        : base(definition.ArchitectureName)
    {
        Definition = definition;
        BatchNorm = definition.BatchNorm;
        var stages = new List<nn.Module<Tensor, Tensor>>();
        foreach (var (name, module) in layers)
        {
            register_module(name, module);
            _stageNames.Add(name);
            if (module is nn.Module<Tensor, Tensor> stage)
            {
                stages.Add(stage);
            }
        }

        _forward = forward ?? (input => RunFreeingAsYouGo(stages, input));
        Input = new ImageInput(definition.Height, definition.Width, definition.SourceChannels, preprocessing);
    }

    /// <summary>What the backbone was built from.</summary>
    public BackboneDefinition Definition { get; }

    /// <summary>Image size, gray or color, and normalisation.</summary>
    public ImageInput Input { get; }

    /// <summary>The names of the top-level modules, in run order.</summary>
    public IReadOnlyList<string> StageNames => _stageNames;

    /// <summary>The imported ONNX graph this backbone runs, or null for a chain of torchvision layers.</summary>
    /// <remarks>
    /// Kept behind a holder: TorchSharp's RegisterComponents registers every field of a module type, and
    /// the graph's layers are already registered here under their own names.
    /// </remarks>
    internal Onnx.OnnxGraphModule? Graph
    {
        get => _graph?.Module;
        init => _graph = value is null ? null : new GraphHolder(value);
    }

    /// <summary>
    /// Adapts a weights file's tensor before it is loaded (name, tensor → replacement, or null to keep it): a vision
    /// transformer resizes a 224x224 checkpoint's position embedding to its own input size. Null for most backbones.
    /// </summary>
    internal Func<string, Tensor, Tensor?>? AdaptWeights { get; init; }

    /// <summary>
    /// Registers a parameter of the backbone itself under its torchvision name (a transformer's <c>class_token</c>,
    /// which torchvision holds on the model rather than on a layer); it comes first in <c>named_parameters</c>, as in
    /// torchvision's state_dict.
    /// </summary>
    internal void RegisterParameter(string name, Parameter parameter) => register_parameter(name, parameter);

    /// <summary>Where the weights came from ("none" for fresh ones), for cache keys and logs.</summary>
    public string WeightsSource { get; internal set; } = "none";

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => _forward(input);

    /// <summary>
    /// Freezes the backbone up to <paramref name="boundary"/> (in state_dict order) and unfreezes the rest.
    /// Frozen parameters get no gradient, are left out of <see cref="TrainableParameters"/>, and their
    /// layers stay in evaluation mode when the model trains (see <see cref="train"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The boundary names neither a parameter nor a module of this backbone.</exception>
    public void Freeze(FreezeBoundary boundary)
    {
        ArgumentNullException.ThrowIfNull(boundary);
        var parameters = named_parameters().ToList();
        var start = boundary.Kind switch
        {
            FreezeKind.All => parameters.Count,
            FreezeKind.None => 0,
            FreezeKind.TrainableFrom => IndexOfParameter(parameters, boundary.Layer!, last: false),
            _ => IndexOfParameter(parameters, boundary.Layer!, last: true) + 1,
        };

        for (var i = 0; i < parameters.Count; i++)
        {
            parameters[i].parameter.requires_grad = i >= start;
        }

        if (training)
        {
            train();
        }
    }

    /// <summary>How batch-norm layers behave in training mode; from the spec's <c>batch_norm</c>.</summary>
    public BatchNormMode BatchNorm { get; set; }

    /// <summary>The parameters that train under the current freeze policy.</summary>
    public IEnumerable<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad);

    /// <summary>How many scalar parameters train under the current freeze policy.</summary>
    public long TrainableParameterCount => TrainableParameters().Sum(p => p.numel());

    /// <summary>
    /// TorchSharp's training-mode switch, aware of the freeze policy: modules with trainable parameters
    /// train; batch-norm layers whose parameters are frozen stay in evaluation mode (their running
    /// statistics do not move), unless the spec says <c>batch_norm: trainable</c>; with
    /// <c>batch_norm: inference</c> every batch-norm layer normalises with its running statistics (Keras'
    /// advice for fine-tuning). A fully frozen backbone stays entirely in evaluation mode. The standard
    /// <c>model.train()</c> of a generated model reaches this override, so it respects the freeze too.
    /// </summary>
    /// <param name="on">True for training mode, false for evaluation mode.</param>
    public override void train(bool on = true)
    {
        base.train(on);
        if (!on)
        {
            return;
        }

        if (!parameters().Any(p => p.requires_grad))
        {
            base.train(false);
            return;
        }

        if (BatchNorm == BatchNormMode.Trainable)
        {
            return;
        }

        foreach (var (_, module) in named_modules())
        {
            if (module is BatchNorm1d or BatchNorm2d or BatchNorm3d
                && (BatchNorm == BatchNormMode.Inference || !module.parameters(recurse: false).Any(p => p.requires_grad)))
            {
                module.eval();
            }
        }
    }

    /// <summary>
    /// Something made from this backbone and kept with it (ONNX Runtime's session of its exported form): the attached
    /// value when <paramref name="reuse"/> accepts it, else a new one from <paramref name="create"/>, the old one
    /// disposed; disposed with the backbone. The backbone knows it only as <see cref="IDisposable"/>, so the layers
    /// that make such things (ModelGen.Inference) stay above this one.
    /// </summary>
    internal T Attached<T>(Func<T, bool> reuse, Func<T> create)
        where T : class, IDisposable
    {
        if (_attached is T kept && reuse(kept))
        {
            return kept;
        }

        _attached?.Dispose();
        _attached = null;
        var made = create();
        _attached = made;
        return made;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _attached?.Dispose();
            _attached = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// A SHA-256 of every parameter and buffer value: it changes when the weights change (other weights,
    /// fine-tuning), so cached features are never reused for a different backbone.
    /// </summary>
    public string StateHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in state_dict())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + ":" + string.Join("x", tensor.shape) + ":" + tensor.dtype + ";"));
            using var cpu = tensor.detach().cpu().contiguous();
            var bytes = cpu.bytes;
            hash.AppendData(bytes);
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <inheritdoc />
    IReadOnlyList<long> IFeatureSource.FeatureShape => Definition.FeatureShape;

    /// <inheritdoc />
    nn.Module<Tensor, Tensor> IFeatureSource.Network => this;

    /// <inheritdoc />
    string IFeatureSource.Fingerprint() => $"{Definition.ArchitectureName}\n{Definition.CutAt ?? "(end)"}\n{StateHash()}";

    /// <summary>
    /// Runs modules one after the other and frees each intermediate activation as soon as the next one is
    /// computed, and everything a module made inside it when it returns; chains are entered, so a ResNet
    /// stage frees block by block. Only the output joins the caller's dispose scope. (Left to the caller's
    /// scope, every activation of the network would stay allocated until the end of the batch: 250 MB for
    /// 32 images at 128x128 through resnet18's layer3.) Autograd keeps what backward needs on its own.
    /// </summary>
    internal static Tensor RunFreeingAsYouGo(IEnumerable<nn.Module<Tensor, Tensor>> modules, Tensor input)
    {
        var x = input;
        foreach (var module in modules)
        {
            Tensor next;
            using (var scope = NewDisposeScope())
            {
                next = module is Sequential chain
                    ? RunFreeingAsYouGo(chain.children().Cast<nn.Module<Tensor, Tensor>>(), x)
                    : module.forward(x);
                if (ReferenceEquals(next, x))
                {
                    continue;
                }

                next.MoveToOuterDisposeScope();
            }

            if (!ReferenceEquals(x, input))
            {
                x.Dispose();
            }

            x = next;
        }

        return x;
    }

    // The first (or, with last, the final) parameter of the parameter or module called name.
    private int IndexOfParameter(List<(string name, Parameter parameter)> parameters, string name, bool last)
    {
        var exact = parameters.FindIndex(p => p.name == name);
        if (exact >= 0)
        {
            return exact;
        }

        bool Inside((string name, Parameter parameter) p) => p.name.StartsWith(name + ".", StringComparison.Ordinal);
        var inside = last ? parameters.FindLastIndex(Inside) : parameters.FindIndex(Inside);
        if (inside >= 0)
        {
            return inside;
        }

        var names = parameters.Select(p => p.name).ToList();
        throw new ArgumentException(
            $"'{name}' is neither a parameter nor a module of the {Definition.ArchitectureName} backbone (cut at {Definition.CutAt ?? "its end"}); "
            + $"its parameters run from '{names.FirstOrDefault()}' to '{names.LastOrDefault()}'.",
            nameof(name));
    }

    private sealed class GraphHolder(Onnx.OnnxGraphModule module)
    {
        public Onnx.OnnxGraphModule Module { get; } = module;
    }
}
