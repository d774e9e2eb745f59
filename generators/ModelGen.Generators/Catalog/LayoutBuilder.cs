using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// Builds a <see cref="BackboneLayout"/> by walking an architecture's modules in order, the way the
/// network runs: each call adds a named layer, computes its output shape from the current one and
/// records its parameters under their state_dict names. Containers are opened and closed around
/// their children; residual blocks check that their two branches line up.
/// </summary>
internal sealed class LayoutBuilder
{
    private readonly List<CatalogLayer> _layers = [];
    private readonly List<CatalogParameter> _parameters = [];
    private readonly List<LayerAlias> _aliases = [];
    private readonly Stack<Container> _containers = new();

    public LayoutBuilder(string architecture, FeatureMap input)
    {
        Architecture = architecture;
        Input = input;
        Current = input;
    }

    public string Architecture { get; }

    public FeatureMap Input { get; }

    /// <summary>The shape flowing out of the last layer added.</summary>
    public FeatureMap Current { get; private set; }

    /// <summary>The first layer whose output is empty, if any.</summary>
    public string? CollapsedAt { get; private set; }

    /// <summary>The first residual block whose branches disagree: (block, main shape, shortcut shape).</summary>
    public (string Block, FeatureMap Main, FeatureMap Shortcut)? Mismatch { get; private set; }

    public void Conv(string name, long outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true, int groups = 1, int dilation = 1) =>
        Conv(name, outChannels, kernel, stride, (padding, padding, padding, padding), bias, groups, dilation);

    /// <summary>A convolution with explicit padding (top, left, bottom, right), as ONNX graphs may have.</summary>
    public void Conv(string name, long outChannels, int kernel, int stride, (int Top, int Left, int Bottom, int Right) padding, bool bias, int groups = 1, int dilation = 1)
    {
        var input = Current;
        var parameters = new List<(string, long[])> { ("weight", [outChannels, input.Channels / groups, kernel, kernel]) };
        if (bias)
        {
            parameters.Add(("bias", [outChannels]));
        }

        Add(name, "Conv2d", new FeatureMap(
            outChannels,
            FeatureMap.WindowOutput(input.Height, kernel, stride, padding.Top, padding.Bottom, dilation, ceilMode: false),
            FeatureMap.WindowOutput(input.Width, kernel, stride, padding.Left, padding.Right, dilation, ceilMode: false)), parameters);
    }

    /// <summary>A convolution with a rectangular kernel (1x7, 7x1, ...) and its padding per axis, as Inception's.</summary>
    public void Conv(string name, long outChannels, (int Height, int Width) kernel, (int Height, int Width) padding, int stride = 1, bool bias = true)
    {
        var input = Current;
        var parameters = new List<(string, long[])> { ("weight", [outChannels, input.Channels, kernel.Height, kernel.Width]) };
        if (bias)
        {
            parameters.Add(("bias", [outChannels]));
        }

        Add(name, "Conv2d", new FeatureMap(
            outChannels,
            FeatureMap.WindowOutput(input.Height, kernel.Height, stride, padding.Height, padding.Height, 1, ceilMode: false),
            FeatureMap.WindowOutput(input.Width, kernel.Width, stride, padding.Width, padding.Width, 1, ceilMode: false)), parameters);
    }

    public void BatchNorm(string name) =>
        Add(name, "BatchNorm2d", Current, [("weight", [Current.Channels]), ("bias", [Current.Channels])]);

    public void Activation(string name, string type) => Add(name, type, Current, []);

    /// <summary>A layer norm over the last dimension (the width of tokens, or the channels of a channels-last map).</summary>
    public void LayerNorm(string name) => LayerNorm(name, Current.Channels);

    /// <summary>A layer norm over <paramref name="channels"/> values, listed without changing the shape flowing on (a block whose parameters are registered in another order than they run).</summary>
    public void LayerNorm(string name, long channels) =>
        Add(name, "LayerNorm", Current, [("weight", [channels]), ("bias", [channels])]);

    /// <summary>
    /// A linear layer on the last dimension: <paramref name="inFeatures"/> (default: the current <see cref="FeatureMap.Channels"/>)
    /// values to <paramref name="outFeatures"/>.
    /// </summary>
    public void Linear(string name, long outFeatures, string type = "Linear", bool bias = true, long? inFeatures = null)
    {
        var parameters = new List<(string, long[])> { ("weight", [outFeatures, inFeatures ?? Current.Channels]) };
        if (bias)
        {
            parameters.Add(("bias", [outFeatures]));
        }

        Add(name, type, Current with { Channels = outFeatures }, parameters);
    }

    /// <summary>
    /// A tensor the network holds as a parameter of its own rather than of a layer (a transformer's class token
    /// or position embedding): listed as a layer of type <c>Parameter</c> under its state_dict name, with
    /// <paramref name="output"/> as its shape in the summary (the shape flowing on is unchanged). It is not a place to cut.
    /// </summary>
    public void Parameter(string name, long[] shape, FeatureMap output)
    {
        var full = Prefix(name);
        var first = _parameters.Count;
        _parameters.Add(new CatalogParameter(full, shape.ToEquatableArray()));
        _layers.Add(new CatalogLayer(full, "Parameter", output, first, 1, _parameters[first].Elements, _containers.Count, CutContainerFor(_containers) ?? full));
    }

    /// <summary>The shape changes without a layer (a feature map read as tokens).</summary>
    public void Reshape(FeatureMap output) => Current = output;

    /// <summary>The layer just added is not a place to cut (its output is not the network's features).</summary>
    public void NotACutPoint()
    {
        var last = _layers[_layers.Count - 1];
        _layers[_layers.Count - 1] = last with { CutContainer = last.Name };
    }

    public void MaxPool(string name, int kernel, int stride, int padding = 0, bool ceilMode = false) =>
        MaxPool(name, kernel, stride, (padding, padding, padding, padding), ceilMode);

    public void MaxPool(string name, int kernel, int stride, (int Top, int Left, int Bottom, int Right) padding, bool ceilMode = false) =>
        Add(name, "MaxPool2d", new FeatureMap(
            Current.Channels,
            FeatureMap.WindowOutput(Current.Height, kernel, stride, padding.Top, padding.Bottom, 1, ceilMode),
            FeatureMap.WindowOutput(Current.Width, kernel, stride, padding.Left, padding.Right, 1, ceilMode)), []);

    /// <summary>
    /// A linear layer on the channels (ConvNeXt's, between its two permutes): shapes inside such a block
    /// are still written channels first, so only the channel count changes.
    /// </summary>
    public void Linear(string name, long outFeatures) =>
        Add(name, "Linear", Current with { Channels = outFeatures }, [("weight", [outFeatures, Current.Channels]), ("bias", [outFeatures])]);

    /// <summary>A layer norm over the channels (<c>LayerNorm2d</c>, or <c>LayerNorm</c> on channels-last data).</summary>
    public void LayerNorm(string name, string type) =>
        Add(name, type, Current, [("weight", [Current.Channels]), ("bias", [Current.Channels])]);

    /// <summary>A parameter that belongs to the open container itself (ConvNeXt's <c>layer_scale</c>); it comes before its children's.</summary>
    public void OwnParameter(string name, params long[] shape) =>
        _parameters.Add(new CatalogParameter(Prefix(name), shape.ToEquatableArray()));

    /// <summary>
    /// torchvision's <c>SqueezeExcitation</c>: global average pool, <c>fc1</c> (1x1 to
    /// <paramref name="squeezeChannels"/>), activation, <c>fc2</c> (1x1 back), scale activation; the
    /// output has the input's shape.
    /// </summary>
    public void SqueezeExcitation(string name, long squeezeChannels, string activation = "ReLU", string scaleActivation = "Sigmoid")
    {
        var input = Current;
        Open(name, "SqueezeExcitation", isChain: false);
        Add("avgpool", "AdaptiveAvgPool2d", new FeatureMap(input.Channels, 1, 1), []);
        Conv("fc1", squeezeChannels, kernel: 1);
        Activation("activation", activation);
        Conv("fc2", input.Channels, kernel: 1);
        Activation("scale_activation", scaleActivation);
        Current = input;
        Close();
    }

    /// <summary>An average pooling module (count_include_pad, as PyTorch's default).</summary>
    public void AvgPool(string name, int kernel, int stride, int padding = 0, bool ceilMode = false) =>
        Add(name, "AvgPool2d", new FeatureMap(
            Current.Channels,
            FeatureMap.WindowOutput(Current.Height, kernel, stride, padding, padding, 1, ceilMode),
            FeatureMap.WindowOutput(Current.Width, kernel, stride, padding, padding, 1, ceilMode)), []);

    /// <summary>Opens a container: a chain (<c>Sequential</c>) or a block whose output is not a chain of its children.</summary>
    public void Open(string name, string type, bool isChain)
    {
        var index = _layers.Count;
        _layers.Add(null!);
        _containers.Push(new Container(Prefix(name), type, isChain, index, Current, _parameters.Count));
    }

    /// <summary>Starts the shortcut branch of the open residual block: it runs on the block's input.</summary>
    public void BeginShortcut()
    {
        var block = _containers.Peek();
        block.MainOutput = Current;
        Current = block.Input;
    }

    /// <summary>
    /// Starts another parallel branch of the open block (an Inception block): it runs on the block's input;
    /// the output of the branch before it is kept for <see cref="CloseConcat"/>.
    /// </summary>
    public void BeginBranch()
    {
        var block = _containers.Peek();
        block.Branches.Add(Current);
        Current = block.Input;
    }

    /// <summary>
    /// A pooling the block's forward applies as a function (no module, so no layer): only the shape changes.
    /// </summary>
    public void Pool(int kernel, int stride, int padding = 0, bool ceilMode = false) =>
        Current = new FeatureMap(
            Current.Channels,
            FeatureMap.WindowOutput(Current.Height, kernel, stride, padding, padding, 1, ceilMode),
            FeatureMap.WindowOutput(Current.Width, kernel, stride, padding, padding, 1, ceilMode));

    /// <summary>Continues from a shape seen earlier in the open block: a branch that splits again inside a branch.</summary>
    public void Resume(FeatureMap shape) => Current = shape;

    /// <summary>
    /// Concatenates <paramref name="other"/> (the output of a sibling sub-branch) with the current shape along
    /// the channels, as a forward's <c>torch.cat</c> does; differing heights or widths are recorded as a mismatch.
    /// </summary>
    public void Join(FeatureMap other) => Current = Concatenate(_containers.Count == 0 ? Architecture : _containers.Peek().Name, [other, Current]);

    /// <summary>Closes the open container; a residual block adds its branches (checking that they line up).</summary>
    public void Close(bool residual = false)
    {
        var container = _containers.Pop();
        if (residual)
        {
            var main = container.MainOutput ?? Current;
            var shortcut = container.MainOutput is null ? container.Input : Current;
            if (main != shortcut && Mismatch is null && !main.IsEmpty && !shortcut.IsEmpty)
            {
                Mismatch = (container.Name, main, shortcut);
            }

            Current = main;
        }

        Finish(container);
    }

    /// <summary>
    /// Closes the open block, concatenating the outputs of its branches (<see cref="BeginBranch"/>) along the
    /// channels; branches whose heights and widths differ are recorded as a mismatch.
    /// </summary>
    public void CloseConcat()
    {
        var container = _containers.Pop();
        var branches = container.Branches.Append(Current).ToList();
        Current = Concatenate(container.Name, branches);
        Finish(container);
    }

    /// <summary>
    /// Closes the open layer of a dense block: the layer's output is its own, and what flows on to the next
    /// layer is the layer's input with that output appended along the channels (DenseNet).
    /// </summary>
    public void CloseAppend()
    {
        var container = _containers.Pop();
        Finish(container);
        Current = Concatenate(container.Name, [container.Input, Current]);
    }

    /// <summary>A Keras-style alias over a range of the layers just added.</summary>
    public void Alias(string alias, string first, string last) => _aliases.Add(new LayerAlias(alias, Prefix(first), Prefix(last)));

    /// <summary>A summary row (and a name for cuts and freezing) for the layer with this full name.</summary>
    public void Row(string alias, string layer) => _aliases.Add(new LayerAlias(alias, layer, layer));

    /// <summary>A synonym for a layer given by its full name (an ONNX node name); not a summary row.</summary>
    public void Synonym(string name, string layer) => _aliases.Add(new LayerAlias(name, layer, layer, IsSummaryRow: false));

    /// <summary>
    /// The friendly stage names of the cut naming scheme shared by every family: <c>stage1</c>..<c>stageN</c>
    /// for the parts of the network that end at <paramref name="ends"/> (full layer names; the last layer at
    /// stride 4, 8, 16 and 32). Each stage covers the layers after the previous stage's end through its own,
    /// so a cut at <c>stage3</c> ends where that stage ends and <c>trainable_from: stage3</c> starts where it
    /// starts. Not summary rows: the summary keeps its own rows.
    /// </summary>
    public void Stages(params string[] ends)
    {
        var start = 0;
        for (var i = 0; i < ends.Length; i++)
        {
            var end = _layers.FindIndex(l => l.Name == ends[i]);
            var first = start;
            while (first < end && ends[i].StartsWith(_layers[first].Name + ".", System.StringComparison.Ordinal))
            {
                first++; // an enclosing container (features) is not where the stage starts
            }

            _aliases.Add(new LayerAlias($"stage{i + 1}", _layers[first].Name, ends[i], IsSummaryRow: false));
            start = end + 1;
            while (start < _layers.Count && _layers[start].Name.StartsWith(ends[i] + ".", System.StringComparison.Ordinal))
            {
                start++; // past the end layer's own children
            }
        }
    }

    public BackboneLayout Build(string defaultCut) =>
        new(Architecture, Input, _layers.ToEquatableArray(), _parameters.ToEquatableArray(), _aliases.ToEquatableArray(), defaultCut, CollapsedAt, Mismatch?.Block, Mismatch?.Main, Mismatch?.Shortcut);

    private FeatureMap Concatenate(string block, List<FeatureMap> parts)
    {
        var channels = parts.Sum(p => p.Channels);
        foreach (var part in parts)
        {
            if (part.IsEmpty)
            {
                return new FeatureMap(channels, part.Height, part.Width);
            }
        }

        var first = parts[0];
        foreach (var part in parts)
        {
            if ((part.Height != first.Height || part.Width != first.Width) && Mismatch is null)
            {
                Mismatch = (block, first, part);
            }
        }

        return new FeatureMap(channels, first.Height, first.Width);
    }

    private void Finish(Container container)
    {
        var parameterCount = _parameters.Count - container.FirstParameter;
        _layers[container.LayerIndex] = new CatalogLayer(
            container.Name,
            container.Type,
            Current,
            container.FirstParameter,
            parameterCount,
            _parameters.Skip(container.FirstParameter).Sum(p => p.Elements),
            _containers.Count,
            CutContainerFor(_containers));
    }

    private void Add(string name, string type, FeatureMap output, List<(string Name, long[] Shape)> parameters)
    {
        var full = Prefix(name);
        var first = _parameters.Count;
        foreach (var (parameter, shape) in parameters)
        {
            _parameters.Add(new CatalogParameter(full + "." + parameter, shape.ToEquatableArray()));
        }

        _layers.Add(new CatalogLayer(
            full,
            type,
            output,
            first,
            parameters.Count,
            _parameters.Skip(first).Sum(p => p.Elements),
            _containers.Count,
            CutContainerFor(_containers)));
        if (output.IsEmpty && CollapsedAt is null)
        {
            CollapsedAt = full;
        }

        Current = output;
    }

    private string Prefix(string name) => _containers.Count == 0 ? name : _containers.Peek().Name + "." + name;

    private static string? CutContainerFor(Stack<Container> open)
    {
        // The stack enumerates innermost first; the outermost non-chain container is the one to name.
        string? blocker = null;
        foreach (var container in open)
        {
            if (!container.IsChain)
            {
                blocker = container.Name;
            }
        }

        return blocker;
    }

    private sealed class Container(string name, string type, bool isChain, int layerIndex, FeatureMap input, int firstParameter)
    {
        public string Name { get; } = name;

        public string Type { get; } = type;

        public bool IsChain { get; } = isChain;

        public int LayerIndex { get; } = layerIndex;

        public FeatureMap Input { get; } = input;

        public int FirstParameter { get; } = firstParameter;

        public FeatureMap? MainOutput { get; set; }

        /// <summary>The outputs of the parallel branches closed so far (<see cref="BeginBranch"/>).</summary>
        public List<FeatureMap> Branches { get; } = [];
    }
}
