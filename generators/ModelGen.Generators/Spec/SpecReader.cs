using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;

namespace ModelGen.Generators.Spec;

/// <summary>
/// Reads a spec's text into a <see cref="ModelSpec"/>: structure, key names, types, ranges and choices,
/// with defaults filled in. Checks that need the backbone catalog come later, in the analyzer.
/// </summary>
internal static partial class SpecReader
{
    public const int DefaultEpochs = 10;
    public const int DefaultBatchSize = 32;
    public const int DefaultSeed = 42;

    // Top-level lines of a spec that YAML cannot parse, for its stand-in's names (see ReadNames).
    private static readonly System.Text.RegularExpressions.Regex NameLine =
        new(@"^(model|namespace):[ \t]*([""']?)([A-Za-z_][A-Za-z0-9_.]*)\2[ \t]*(#.*)?\r?$");

    private static readonly System.Text.RegularExpressions.Regex LabelsLine = new(@"^labels:[ \t]*\[([^\[\]#]*)\][ \t]*(#.*)?\r?$");

    public static ModelSpec? Read(string path, string text, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        var root = SpecDocumentReader.Read(path, text, diagnostics, cancellationToken);
        if (root is null)
        {
            return null;
        }

        if (root is not MappingNode mapping)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, root.Location, "the spec", "a mapping of keys such as model, input, backbone and head", root.KindName);
            return null;
        }

        var spec = new MappingView(mapping, "", SpecKeys.Root, SpecLocation.FileStart(path), diagnostics);
        var model = spec.String("model", required: true, example: "model: CatsVsDogs");
        var ns = spec.String("namespace");
        var description = spec.String("description");
        var input = ReadInput(spec, diagnostics);
        var task = spec.Choice("task", SpecWords.Tasks, "task");
        var labels = ReadLabels(spec, diagnostics);
        var targets = ReadNames(spec, "targets", "a list such as [angle, scale]", diagnostics);
        CheckTaskData(spec, task, diagnostics);
        var backbone = ReadBackbone(spec, diagnostics);
        var freeze = spec.Get("freeze") is { } freezeNode ? ReadFreeze(freezeNode, "freeze", diagnostics) : FreezeSpec.All;
        var batchNorm = spec.Choice("batch_norm", SpecWords.BatchNormModes, "batch_norm mode");
        var head = ReadHead(spec, diagnostics);
        var training = ReadTraining(spec, freeze ?? FreezeSpec.All, task?.Value ?? TaskKind.Classification, diagnostics);

        if (model is null || input is null || backbone is null || head is null || training is null || freeze is null || diagnostics.HasErrors)
        {
            return null;
        }

        return new ModelSpec(
            path,
            model,
            ns,
            description?.Value,
            input,
            labels,
            backbone,
            freeze,
            batchNorm?.Value ?? BatchNormMode.Frozen,
            head,
            spec.KeyLocation("head"),
            training,
            task,
            targets);
    }

    // task: classification and multi_label name their classes in labels (multi_label must), regression its numbers in targets.
    private static void CheckTaskData(MappingView spec, Located<TaskKind>? task, DiagnosticBag diagnostics)
    {
        var kind = task?.Value ?? TaskKind.Classification;
        var word = SpecWords.Tasks.WordOf(kind);
        var at = spec.KeyLocation("task");
        if (kind == TaskKind.Regression)
        {
            if (spec.Has("labels"))
            {
                diagnostics.Add(DiagnosticDescriptors.KeyNotForTask, spec.KeyLocation("labels"), "labels", word, "a regression predicts the numbers named in 'targets', not classes");
            }

            if (!spec.Has("targets"))
            {
                diagnostics.Add(DiagnosticDescriptors.TaskNeedsKey, at, word, "targets", "targets: [angle]");
            }
        }
        else if (spec.Has("targets"))
        {
            diagnostics.Add(DiagnosticDescriptors.KeyNotForTask, spec.KeyLocation("targets"), "targets", word, "targets name the numbers of task: regression; classes are named in 'labels'");
        }

        if (kind == TaskKind.MultiLabel && !spec.Has("labels"))
        {
            diagnostics.Add(DiagnosticDescriptors.TaskNeedsKey, at, word, "labels", "labels: [shirt, trouser, bag]");
        }
    }

    // The keys of training that only some tasks use: each is an error at its key for the others.
    private static void CheckTaskTrainingKeys(MappingView training, TaskKind task, DiagnosticBag diagnostics)
    {
        var word = SpecWords.Tasks.WordOf(task);
        foreach (var key in new[] { "class_weights", "focal_gamma", "label_smoothing" })
        {
            if (!training.Has(key) || task == TaskKind.Classification)
            {
                continue;
            }

            var why = task == TaskKind.Regression
                ? "it reshapes a classification loss, and a regression has no classes"
                : "multi-label training uses plain binary cross-entropy per label";
            diagnostics.Add(DiagnosticDescriptors.KeyNotForTask, training.KeyLocation(key), "training." + key, word, why);
        }

        // A regression has no accuracy to watch: early stopping monitors its loss or validation loss.
        if (task == TaskKind.Regression
            && training.Get("early_stopping") is MappingNode stopping
            && stopping.Entries.FirstOrDefault(e => e.Key.Value == "monitor").Value is ScalarNode monitor
            && SpecWords.Monitors.TryParse(monitor.Value, out var watched)
            && watched is EarlyStoppingMonitor.Accuracy or EarlyStoppingMonitor.ValAccuracy)
        {
            diagnostics.Add(DiagnosticDescriptors.KeyNotForTask, monitor.Location, "training.early_stopping.monitor: " + monitor.Value, word, "a regression has no accuracy; monitor loss or val_loss");
        }
    }

    /// <summary>
    /// The names a spec declares (<c>model</c>, <c>namespace</c>, <c>labels</c>), read leniently from a spec that
    /// may have errors anywhere: what cannot be read is null. Nothing is reported; <see cref="Read"/> does that.
    /// When the text is not even YAML, the top-level <c>model:</c>, <c>namespace:</c> and one-line <c>labels:</c> are still found.
    /// </summary>
    public static DeclaredSpecNames ReadNames(string path, string text, CancellationToken cancellationToken)
    {
        var ignored = new DiagnosticBag();
        var root = SpecDocumentReader.Read(path, text, ignored, cancellationToken);
        if (root is not MappingNode mapping)
        {
            return root is null ? ScanNames(path, text) : new DeclaredSpecNames(null, null, null);
        }

        var spec = new MappingView(mapping, "", SpecKeys.Root, SpecLocation.FileStart(path), ignored);
        return new DeclaredSpecNames(spec.String("model"), spec.String("namespace"), ReadLabels(spec, ignored));
    }

    /// <summary>Top-level <c>model: Name</c>, <c>namespace: A.B</c> and <c>labels: [a, b]</c> lines of text that YAML cannot parse.</summary>
    private static DeclaredSpecNames ScanNames(string path, string text)
    {
        if (text.Length > SpecDocumentReader.MaxCharacters)
        {
            return new DeclaredSpecNames(null, null, null);
        }

        Located<string>? model = null, ns = null;
        List<Located<string>>? labels = null;
        var lines = text.Split('\n');
        var offset = 0;
        for (var i = 0; i < lines.Length; offset += lines[i].Length + 1, i++)
        {
            var list = LabelsLine.Match(lines[i]);
            if (list.Success && labels is null)
            {
                var at = new SpecLocation(path, offset + list.Groups[1].Index, list.Groups[1].Length, i, list.Groups[1].Index, i, list.Groups[1].Index + list.Groups[1].Length);
                labels = list.Groups[1].Value.Split(',').Select(l => new Located<string>(l.Trim().Trim('"', '\''), at)).ToList();
                continue;
            }

            var match = NameLine.Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var value = match.Groups[3];
            var located = new Located<string>(value.Value, new SpecLocation(path, offset + value.Index, value.Length, i, value.Index, i, value.Index + value.Length));
            if (match.Groups[1].Value == "model")
            {
                model ??= located;
            }
            else
            {
                ns ??= located;
            }
        }

        return new DeclaredSpecNames(model, ns, labels);
    }

    private static InputSpec? ReadInput(MappingView spec, DiagnosticBag diagnostics)
    {
        if (spec.Mapping("input", SpecKeys.Input) is not { } input)
        {
            if (!spec.Has("input"))
            {
                spec.Missing("input", "input: { size: [150, 150] }");
            }

            return null;
        }

        var channels = input.Get("channels") is { } channelNode ? SpecValues.Int(channelNode, "input.channels", 1, 3, diagnostics) : 3;
        if (channels == 2)
        {
            diagnostics.Add(DiagnosticDescriptors.OutOfRange, input.Get("channels")!.Location, "input.channels", "2", "1 (gray) or 3 (color)");
            return null;
        }

        var size = input.Get("size");
        if (size is null)
        {
            input.Missing("size", "size: [150, 150]");
            return null;
        }

        int? height = null, width = null;
        if (size is ScalarNode)
        {
            height = width = SpecValues.Int(size, "input.size", 1, 4096, diagnostics);
        }
        else if (size is SequenceNode { Items.Count: 2 } pair)
        {
            height = SpecValues.Int(pair.Items[0], "input.size[0] (height)", 1, 4096, diagnostics);
            width = SpecValues.Int(pair.Items[1], "input.size[1] (width)", 1, 4096, diagnostics);
        }
        else
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, size.Location, "input.size", "[height, width] or one number for a square", size is SequenceNode list ? $"a list of {list.Items.Count}" : size.KindName);
        }

        return height is null || width is null || channels is null ? null : new InputSpec(height.Value, width.Value, channels.Value, size.Location);
    }

    private static IReadOnlyList<Located<string>>? ReadLabels(MappingView spec, DiagnosticBag diagnostics) =>
        ReadNames(spec, "labels", "a list such as [cat, dog]", diagnostics);

    // A top-level list of names (labels, targets).
    private static IReadOnlyList<Located<string>>? ReadNames(MappingView spec, string key, string expected, DiagnosticBag diagnostics)
    {
        var node = spec.Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is not SequenceNode list)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, key, expected, node.KindName);
            return null;
        }

        var names = new List<Located<string>>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (SpecValues.String(list.Items[i], $"{key}[{i}]", diagnostics) is { } name)
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static BackboneSpec? ReadBackbone(MappingView spec, DiagnosticBag diagnostics)
    {
        if (spec.Mapping("backbone", SpecKeys.Backbone) is not { } backbone)
        {
            if (!spec.Has("backbone"))
            {
                spec.Missing("backbone", "backbone: { architecture: vgg16, weights: imagenet }");
            }

            return null;
        }

        var architecture = backbone.String("architecture", required: true, example: "architecture: vgg16");
        var weights = backbone.String("weights") ?? new Located<string>("imagenet", backbone.OwnerLocation);
        var path = backbone.String("path");
        var truncateAt = backbone.String("truncate_at");
        var sha256 = backbone.String("weights_sha256");
        Located<EquatableArray<long>>? featureShape = null;
        if (backbone.Get("feature_shape") is { } shapeNode)
        {
            if (shapeNode is SequenceNode { Items.Count: 3 } shape)
            {
                var values = shape.Items.Select((item, i) => SpecValues.Int(item, $"backbone.feature_shape[{i}]", 1, 1_000_000, diagnostics)).ToList();
                if (values.All(v => v is not null))
                {
                    featureShape = new Located<EquatableArray<long>>(values.Select(v => (long)v!.Value).ToEquatableArray(), shapeNode.Location);
                }
            }
            else
            {
                diagnostics.Add(DiagnosticDescriptors.WrongType, shapeNode.Location, "backbone.feature_shape", "[channels, height, width]", shapeNode.KindName);
            }
        }

        return architecture is null ? null : new BackboneSpec(
            new Located<string>(architecture.Value.Trim().ToLowerInvariant(), architecture.Location),
            weights,
            path,
            truncateAt,
            featureShape,
            sha256);
    }

    private static FreezeSpec? ReadFreeze(SpecNode node, string name, DiagnosticBag diagnostics)
    {
        if (node is ScalarNode)
        {
            return SpecValues.Choice(node, name, SpecWords.FreezeWords, "freeze policy (or a mapping with trainable_from or frozen_through)", diagnostics) is { } word
                ? new FreezeSpec(word.Value, null)
                : null;
        }

        if (node is not MappingNode mapping)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "all, none, { trainable_from: layer } or { frozen_through: layer }", node.KindName);
            return null;
        }

        var view = new MappingView(mapping, name, SpecKeys.Freeze, mapping.Location, diagnostics);
        var from = view.String("trainable_from");
        var through = view.String("frozen_through");
        if (from is not null && through is not null)
        {
            diagnostics.Add(DiagnosticDescriptors.TrainableFromWithFrozenThrough, view.KeyLocation("frozen_through"), name);
            return null;
        }

        if (from is null && through is null)
        {
            if (!view.Has("trainable_from") && !view.Has("frozen_through") && mapping.Entries.Count == 0)
            {
                view.Missing("trainable_from", "freeze: { trainable_from: block5_conv1 }");
            }

            return null;
        }

        return from is not null ? new FreezeSpec(FreezeKind.TrainableFrom, from) : new FreezeSpec(FreezeKind.FrozenThrough, through);
    }

    private static IReadOnlyList<HeadLayerSpec>? ReadHead(MappingView spec, DiagnosticBag diagnostics)
    {
        var node = spec.Get("head");
        if (node is null)
        {
            spec.Missing("head", "head: [global_avg_pool, { dense: 2, activation: softmax }]");
            return null;
        }

        if (node is not SequenceNode list)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, "head", "a list of layers (flatten, dense, dropout, ...)", node.KindName);
            return null;
        }

        var layers = new List<HeadLayerSpec>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (ReadHeadLayer(list.Items[i], $"head[{i}]", diagnostics) is { } layer)
            {
                layers.Add(layer);
            }
        }

        return layers.Count == list.Items.Count ? layers : null;
    }

    private static HeadLayerSpec? ReadHeadLayer(SpecNode node, string name, DiagnosticBag diagnostics)
    {
        if (node is ScalarNode scalar)
        {
            var kind = SpecValues.Choice(scalar, name, SpecWords.HeadLayers, "head layer", diagnostics);
            if (kind is null)
            {
                return null;
            }

            if (kind.Value is HeadLayerKind.Dense or HeadLayerKind.Dropout)
            {
                var word = SpecWords.HeadLayers.WordOf(kind.Value);
                diagnostics.Add(DiagnosticDescriptors.WrongType, scalar.Location, name, kind.Value == HeadLayerKind.Dense ? "a mapping such as { dense: 256, activation: relu }" : "a mapping such as { dropout: 0.5 }", "a bare '" + word + "'");
                return null;
            }

            return new HeadLayerSpec(new HeadLayer(kind.Value), scalar.Location);
        }

        if (node is not MappingNode mapping)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "a layer: flatten, global_avg_pool, global_max_pool, { dense: N } or { dropout: rate }", node.KindName);
            return null;
        }

        var kinds = mapping.Entries.Select(e => e.Key.Value).Where(k => SpecWords.HeadLayers.Words.Contains(k)).Distinct().ToList();
        if (kinds.Count != 1)
        {
            var unknown = mapping.Entries.FirstOrDefault(e => !SpecKeys.Dense.Contains(e.Key.Value));
            if (kinds.Count == 0 && unknown.Key is not null)
            {
                diagnostics.Add(DiagnosticDescriptors.UnknownKey, unknown.Key.Location, unknown.Key.Value, "'" + name + "'", Suggestions.DidYouMean(unknown.Key.Value, SpecWords.HeadLayers.Words), string.Join(", ", SpecWords.HeadLayers.Words));
            }
            else if (kinds.Count == 0)
            {
                diagnostics.Add(DiagnosticDescriptors.HeadItemWithoutLayer, mapping.Location, name, string.Join(", ", SpecWords.HeadLayers.Words));
            }
            else
            {
                diagnostics.Add(DiagnosticDescriptors.HeadItemWithSeveralLayers, mapping.Location, name, string.Join(" and ", kinds));
            }

            return null;
        }

        var layerKind = kinds[0];
        SpecWords.HeadLayers.TryParse(layerKind, out var parsedKind);
        switch (parsedKind)
        {
            case HeadLayerKind.Dense:
                {
                    var view = new MappingView(mapping, name, SpecKeys.Dense, mapping.Location, diagnostics);
                    var units = view.Int("dense", 1, 1_000_000);
                    var activation = view.Choice("activation", SpecWords.Activations, "activation");
                    return units is null || (view.Has("activation") && activation is null)
                        ? null
                        : new HeadLayerSpec(HeadLayer.Dense(units.Value, activation?.Value ?? Activation.None), mapping.Location);
                }

            case HeadLayerKind.Dropout:
                {
                    var view = new MappingView(mapping, name, SpecKeys.Dropout, mapping.Location, diagnostics);
                    var rate = view.Double("dropout", 0, 1, maxExclusive: true);
                    return rate is null ? null : new HeadLayerSpec(HeadLayer.Dropout(rate.Value), mapping.Location);
                }

            default:
                {
                    var view = new MappingView(mapping, name, [layerKind], mapping.Location, diagnostics);
                    if (view.Get(layerKind) is { } value && !(value is ScalarNode { IsNull: true } || value is MappingNode { Entries.Count: 0 }))
                    {
                        diagnostics.Add(DiagnosticDescriptors.WrongType, value.Location, name + "." + layerKind, "empty (write '- " + layerKind + "')", value.KindName);
                        return null;
                    }

                    return new HeadLayerSpec(new HeadLayer(parsedKind), mapping.Location);
                }
        }
    }

    private static TrainingSpec? ReadTraining(MappingView spec, FreezeSpec freeze, TaskKind task, DiagnosticBag diagnostics)
    {
        var training = spec.Mapping("training", SpecKeys.Training);
        if (spec.Has("training") && training is null)
        {
            return null;
        }

        var before = diagnostics.Count;
        var batchSize = training?.Int("batch_size", 1, 65536) ?? DefaultBatchSize;
        var seed = training?.Int("seed", 0, int.MaxValue) ?? DefaultSeed;
        var loss = training?.Choice("loss", SpecWords.Losses, "loss");
        var huberDelta = training?.Double("huber_delta", 0, 1e6, minExclusive: true);
        if (huberDelta is not null && loss?.Value != LossKind.Huber && training is not null)
        {
            diagnostics.Add(DiagnosticDescriptors.HuberDeltaWithoutHuber, training.KeyLocation("huber_delta"), loss is null ? "the task's default" : SpecWords.Losses.WordOf(loss.Value));
        }

        if (training is not null)
        {
            CheckTaskTrainingKeys(training, task, diagnostics);
        }

        var metrics = ReadMetrics(training, diagnostics);
        var featureCache = training?.Bool("feature_cache") ?? true;
        var augment = training?.Get("augment") is { } augmentNode ? ReadAugment(augmentNode, "training.augment", diagnostics) : null;
        var earlyStopping = training?.Get("early_stopping") is not null ? ReadEarlyStopping(training, diagnostics) : null;
        var checkpoints = ReadCheckpoints(training, spec, diagnostics);
        var validationSplit = training?.Double("validation_split", 0, 1, minExclusive: true, maxExclusive: true);
        var labelSmoothing = training?.Double("label_smoothing", 0, 1, maxExclusive: true) ?? 0;
        var focalGamma = training?.Double("focal_gamma", 0, 10) ?? 0;
        var classWeights = training?.Get("class_weights") is { } weightsNode ? ReadClassWeights(weightsNode, diagnostics) : null;
        if (labelSmoothing > 0 && focalGamma > 0 && training is not null)
        {
            diagnostics.Add(DiagnosticDescriptors.FocalWithLabelSmoothing, training.KeyLocation("focal_gamma"));
        }
        var optimizer = training?.Get("optimizer") is { } optimizerNode ? ReadOptimizer(optimizerNode, "training.optimizer", null, diagnostics) : DefaultOptimizer;
        var schedule = training?.Get("schedule") is { } scheduleNode ? ReadSchedule(scheduleNode, "training.schedule", diagnostics) : null;
        var steps = new StepDefaults(training?.Int("accumulate_batches", 1, 65536) ?? 1, training?.Double("grad_clip_norm", 0, 1e6, minExclusive: true));
        var ema = training?.Get("ema") is { } emaNode ? ReadEma(emaNode, diagnostics) : null;

        List<PhaseSpec>? phases;
        if (training?.Get("phases") is { } phasesNode)
        {
            if (training.Has("epochs"))
            {
                diagnostics.Add(DiagnosticDescriptors.EpochsWithPhases, training.KeyLocation("epochs"));
            }

            phases = ReadPhases(phasesNode, new PhaseDefaults(freeze, optimizer ?? DefaultOptimizer, augment, batchSize, featureCache, schedule, steps), diagnostics);
        }
        else
        {
            var epochs = training?.Int("epochs", 1, 100_000) ?? DefaultEpochs;
            CheckWarmup(schedule, epochs, "train", diagnostics);
            phases = [new PhaseSpec("train", training?.OwnerLocation ?? spec.OwnerLocation, epochs, freeze, optimizer ?? DefaultOptimizer, augment, batchSize, featureCache, schedule?.Settings, steps.AccumulateBatches, steps.GradClipNorm)];
        }

        if (focalGamma > 0 && training is not null && MixingKey(augment, phases) is { } mixing)
        {
            diagnostics.Add(DiagnosticDescriptors.FocalWithMixing, training.KeyLocation("focal_gamma"), mixing);
        }

        // MixUp and CutMix mix class shares; multi-label and regression targets are not mixed yet (the losses of
        // those tasks take the batch's own targets), so mixing there is refused rather than silently ignored.
        if (task != TaskKind.Classification && training is not null && MixingKey(augment, phases) is { } mixingKey)
        {
            var at = training.Has("augment") && mixingKey == "training.augment" ? training.KeyLocation("augment") : training.KeyLocation("phases");
            diagnostics.Add(DiagnosticDescriptors.KeyNotForTask, at, mixingKey + ".mixup/cutmix", SpecWords.Tasks.WordOf(task), "mixing is implemented for classification only so far");
        }

        if (diagnostics.Count > before || phases is null || optimizer is null)
        {
            return null;
        }

        return new TrainingSpec(batchSize, seed, loss, metrics, featureCache, augment, earlyStopping, checkpoints, validationSplit, phases, labelSmoothing, classWeights, focalGamma, ema, huberDelta ?? 1.0);
    }

    // The first augment that mixes batches (training's, then the phases'), as its spec path; null when none does.
    private static string? MixingKey(Augmentation? augment, List<PhaseSpec>? phases)
    {
        if (augment is { } a && (a.MixUpAlpha > 0 || a.CutMixAlpha > 0))
        {
            return "training.augment";
        }

        var index = phases?.FindIndex(p => p.Augment is { } pa && (pa.MixUpAlpha > 0 || pa.CutMixAlpha > 0)) ?? -1;
        return index < 0 ? null : $"training.phases[{index}].augment";
    }

    // training.ema: a decay (ema: 0.999) or a mapping (ema: { decay: 0.999 }); none turns it off.
    private static EmaSettings? ReadEma(SpecNode node, DiagnosticBag diagnostics)
    {
        const string name = "training.ema";
        if (node is ScalarNode scalar)
        {
            if (scalar.IsNull || string.Equals(scalar.Value, "none", System.StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            return SpecValues.Double(scalar, name, 0, 1, minExclusive: true, maxExclusive: true, diagnostics) is { } decay ? new EmaSettings(decay) : null;
        }

        if (node is not MappingNode mapping)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "a decay such as 0.999, or { decay: 0.999 }", node.KindName);
            return null;
        }

        var view = new MappingView(mapping, name, SpecKeys.Ema, mapping.Location, diagnostics);
        if (view.Double("decay", 0, 1, minExclusive: true, maxExclusive: true) is { } value)
        {
            return new EmaSettings(value);
        }

        if (!view.Has("decay"))
        {
            view.Missing("decay", "decay: 0.999");
        }

        return null;
    }

    /// <summary>A warmup must leave the schedule at least one epoch of the phase.</summary>
    private static void CheckWarmup(LocatedSchedule? schedule, int epochs, string phase, DiagnosticBag diagnostics)
    {
        if (schedule is { Settings.WarmupEpochs: > 0 } s && s.Settings.WarmupEpochs >= epochs)
        {
            diagnostics.Add(DiagnosticDescriptors.OutOfRange, s.WarmupLocation, s.Name + ".warmup_epochs", s.Settings.WarmupEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture), $"less than the {epochs} epochs of phase \"{phase}\", so that the schedule has epochs to run");
        }
    }

    // training.class_weights: the word balanced, or a mapping from label to a positive weight.
    private static ClassWeightsSpec? ReadClassWeights(SpecNode node, DiagnosticBag diagnostics)
    {
        const string name = "training.class_weights";
        if (node is ScalarNode scalar && !scalar.IsNull)
        {
            if (scalar.Value == "balanced")
            {
                return new ClassWeightsSpec(true, [], scalar.Location);
            }

            diagnostics.Add(DiagnosticDescriptors.InvalidChoice, scalar.Location, scalar.Value, name, "", "balanced, or a weight per label such as { shirt: 5 }");
            return null;
        }

        if (node is not MappingNode mapping || mapping.Entries.Count == 0)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "'balanced' or a weight per label ({ shirt: 5, coat: 2 })", node.KindName);
            return null;
        }

        var weights = new List<(Located<string>, double)>();
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var entry in mapping.Entries)
        {
            if (!seen.Add(entry.Key.Value))
            {
                diagnostics.Add(DiagnosticDescriptors.DuplicateKey, entry.Key.Location, entry.Key.Value, name);
                continue;
            }

            if (SpecValues.Double(entry.Value, name + "." + entry.Key.Value, 0, 1e6, minExclusive: true, maxExclusive: false, diagnostics) is { } weight)
            {
                weights.Add((new Located<string>(entry.Key.Value, entry.Key.Location), weight));
            }
        }

        return weights.Count == mapping.Entries.Count ? new ClassWeightsSpec(false, weights, node.Location) : null;
    }

    private static OptimizerSettings DefaultOptimizer { get; } = new(OptimizerKind.Adam, 1e-3, 0.9, 0, false, null);

    private static IReadOnlyList<Metric> ReadMetrics(MappingView? training, DiagnosticBag diagnostics)
    {
        if (training?.Get("metrics") is not { } node)
        {
            return [Metric.Accuracy];
        }

        var items = node is SequenceNode list ? list.Items : [node];
        var metrics = new List<Metric>();
        for (var i = 0; i < items.Count; i++)
        {
            if (SpecValues.Choice(items[i], $"training.metrics[{i}]", SpecWords.Metrics, "metric", diagnostics) is { } metric && !metrics.Contains(metric.Value))
            {
                metrics.Add(metric.Value);
            }
        }

        return metrics;
    }

    private static Augmentation? ReadAugment(SpecNode node, string name, DiagnosticBag diagnostics)
    {
        if (node is ScalarNode scalar)
        {
            if (scalar.IsNull || string.Equals(scalar.Value, "none", System.StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "none or a mapping such as { rotation: 40, horizontal_flip: true }", node.KindName);
            return null;
        }

        if (node is not MappingNode mapping)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "none or a mapping such as { rotation: 40, horizontal_flip: true }", node.KindName);
            return null;
        }

        var view = new MappingView(mapping, name, SpecKeys.Augment, mapping.Location, diagnostics);
        var (zoomLow, zoomHigh) = ReadRange(view, "zoom", 0, 0.95, around: 1, 0.05, 10, diagnostics) ?? (1, 1);
        var (brightLow, brightHigh) = ReadRange(view, "brightness", 0, 0.95, around: 1, 0.05, 10, diagnostics) ?? (1, 1);
        var keras = new Augmentation(
            view.Double("rotation", 0, 180) ?? 0,
            view.Double("width_shift", 0, 1) ?? 0,
            view.Double("height_shift", 0, 1) ?? 0,
            view.Double("shear", 0, 89) ?? 0,
            zoomLow,
            zoomHigh,
            view.Bool("horizontal_flip") ?? false,
            view.Bool("vertical_flip") ?? false,
            brightLow,
            brightHigh,
            view.Choice("fill", SpecWords.FillModes, "fill mode")?.Value ?? FillMode.Nearest);
        return WithPolicies(keras, view, diagnostics);
    }

    /// <summary>A pair [low, high] of numbers within [min, max] (min excluded when asked) with low &lt;= high.</summary>
    private static (double Low, double High)? ReadOrderedPair(SequenceNode pair, string name, double min, double max, bool minExclusive, DiagnosticBag diagnostics)
    {
        var low = SpecValues.Double(pair.Items[0], name + "[0]", min, max, minExclusive, false, diagnostics);
        var high = SpecValues.Double(pair.Items[1], name + "[1]", min, max, minExclusive, false, diagnostics);
        if (low is null || high is null)
        {
            return null;
        }

        if (low > high)
        {
            diagnostics.Add(DiagnosticDescriptors.OutOfRange, pair.Location, name, $"[{SpecValues.Format(low.Value)}, {SpecValues.Format(high.Value)}]", "[low, high] with low <= high");
            return null;
        }

        return (low.Value, high.Value);
    }

    /// <summary>Keras' ranges: one number z means [around - z, around + z]; a pair is taken as written.</summary>
    private static (double Low, double High)? ReadRange(MappingView view, string key, double min, double max, double around, double pairMin, double pairMax, DiagnosticBag diagnostics)
    {
        var node = view.Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is SequenceNode { Items.Count: 2 } pair)
        {
            return ReadOrderedPair(pair, view.Name(key), pairMin, pairMax, minExclusive: false, diagnostics);
        }

        var amount = view.Double(key, min, max);
        return amount is null ? null : (around - amount.Value, around + amount.Value);
    }

    private static EarlyStoppingSettings? ReadEarlyStopping(MappingView training, DiagnosticBag diagnostics)
    {
        if (training.Mapping("early_stopping", SpecKeys.EarlyStopping) is not { } view)
        {
            return null;
        }

        return new EarlyStoppingSettings(
            view.Choice("monitor", SpecWords.Monitors, "monitor")?.Value ?? EarlyStoppingMonitor.ValLoss,
            view.Int("patience", 0, 100_000) ?? 5,
            view.Bool("restore_best") ?? true,
            view.Double("min_delta", 0, 1e6) ?? 0);
    }

    private static CheckpointSettings? ReadCheckpoints(MappingView? training, MappingView spec, DiagnosticBag diagnostics)
    {
        var model = spec.Get("model") is ScalarNode { IsNull: false } name ? name.Value : "model";
        var node = training?.Get("checkpoints");
        if (node is null)
        {
            return new CheckpointSettings("training/" + model + "/checkpoints", 3);
        }

        if (node is ScalarNode scalar && (scalar.IsNull || string.Equals(scalar.Value, "none", System.StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        if (training!.Mapping("checkpoints", SpecKeys.Checkpoints) is not { } view)
        {
            return null;
        }

        var dir = view.String("dir");
        if (dir is not null && (dir.Value.Trim().Length == 0 || dir.Value.IndexOf('\0') >= 0))
        {
            // Issue 18 item 16: an empty folder was accepted here and failed in Train with a bare ArgumentException.
            diagnostics.Add(DiagnosticDescriptors.WrongType, dir.Location, view.Name("dir"), $"a folder path such as training/{model}/checkpoints", dir.Value.Trim().Length == 0 ? "an empty text" : "a text with a NUL character");
            return null;
        }

        return new CheckpointSettings(dir?.Value ?? "training/" + model + "/checkpoints", view.Int("keep", 1, 1000) ?? 3);
    }

    private static OptimizerSettings? ReadOptimizer(SpecNode node, string name, OptimizerSettings? defaults, DiagnosticBag diagnostics)
    {
        if (node is not MappingNode mapping)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "a mapping such as { type: rmsprop, lr: 1.0e-5 }", node.KindName);
            return null;
        }

        var view = new MappingView(mapping, name, SpecKeys.Optimizer, mapping.Location, diagnostics);
        OptimizerKind? type = defaults?.Kind ?? OptimizerKind.Adam;
        if (view.String("type") is { } typeText)
        {
            if (SpecWords.Optimizers.TryParse(typeText.Value, out var parsed))
            {
                type = parsed;
            }
            else
            {
                var words = SpecWords.Optimizers.Words;
                diagnostics.Add(DiagnosticDescriptors.UnknownOptimizer, typeText.Location, typeText.Value, Suggestions.DidYouMean(typeText.Value.Trim().ToLowerInvariant(), words), string.Join(", ", words));
                type = null;
            }
        }

        var lr = view.Double("lr", 0, 10, minExclusive: true) ?? defaults?.LearningRate ?? DefaultLearningRate(type);
        var momentum = view.Double("momentum", 0, 1, maxExclusive: true) ?? defaults?.Momentum ?? (type == OptimizerKind.Sgd ? 0.9 : 0.0);
        var weightDecay = view.Double("weight_decay", 0, 1) ?? defaults?.WeightDecay ?? (type == OptimizerKind.AdamW ? 0.01 : 0.0);
        var nesterov = view.Bool("nesterov") ?? defaults?.Nesterov ?? false;
        var backboneLr = view.Double("backbone_lr", 0, 10, minExclusive: true) ?? defaults?.BackboneLearningRate;
        if (nesterov && type != OptimizerKind.Sgd)
        {
            diagnostics.Add(DiagnosticDescriptors.NesterovWithoutSgd, view.KeyLocation("nesterov"), name);
        }

        return type is not { } kind ? null : new OptimizerSettings(kind, lr, momentum, weightDecay, nesterov, backboneLr);
    }

    private static double DefaultLearningRate(OptimizerKind? type) => type == OptimizerKind.Sgd ? 0.01 : 0.001;

    /// <summary>A schedule as read, with where its warmup is written (checked against each phase's epochs).</summary>
    private sealed record LocatedSchedule(ScheduleSettings Settings, string Name, SpecLocation WarmupLocation);

    /// <summary>The keys only the one-cycle schedule reads.</summary>
    private static readonly string[] OneCycleKeys = ["max_lr", "pct_start", "div_factor", "final_div_factor"];

    private static LocatedSchedule? ReadSchedule(SpecNode node, string name, DiagnosticBag diagnostics)
    {
        if (node is ScalarNode scalar && (scalar.IsNull || string.Equals(scalar.Value, "none", System.StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        if (node is not MappingNode mapping)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, name, "none or a mapping such as { type: cosine }", node.KindName);
            return null;
        }

        var view = new MappingView(mapping, name, SpecKeys.Schedule, mapping.Location, diagnostics);
        var warmup = view.Int("warmup_epochs", 0, 100_000) ?? 0;
        var type = view.Choice("type", SpecWords.Schedules, "schedule type");
        if (type is null)
        {
            if (!view.Has("type"))
            {
                if (warmup > 0)
                {
                    // { warmup_epochs: 2 } alone: warm up, then keep the rate.
                    type = new Located<ScheduleKind>(ScheduleKind.Constant, mapping.Location);
                }
                else
                {
                    view.Missing("type", "type: cosine");
                }
            }

            if (type is null)
            {
                return null;
            }
        }

        var kind = type.Value;
        if (kind == ScheduleKind.OneCycle && warmup > 0)
        {
            diagnostics.Add(DiagnosticDescriptors.WarmupWithOneCycle, view.KeyLocation("warmup_epochs"), name);
        }

        foreach (var key in OneCycleKeys.Where(k => kind != ScheduleKind.OneCycle && view.Has(k)))
        {
            diagnostics.Add(DiagnosticDescriptors.OneCycleKeyElsewhere, view.KeyLocation(key), name + "." + key, SpecWords.Schedules.WordOf(kind));
        }

        var settings = new ScheduleSettings(
            kind,
            view.Int("step_size", 1, 100_000) ?? 10,
            view.Double("gamma", 0, 1, minExclusive: true) ?? 0.1,
            view.Double("factor", 0, 1, minExclusive: true, maxExclusive: true) ?? 0.1,
            view.Int("patience", 0, 100_000) ?? 3,
            view.Double("min_lr", 0, 10) ?? 0,
            warmup,
            view.Double("max_lr", 0, 10, minExclusive: true),
            view.Double("pct_start", 0, 1, minExclusive: true, maxExclusive: true) ?? 0.3,
            view.Double("div_factor", 1, 1e6) ?? 25,
            view.Double("final_div_factor", 1, 1e12) ?? 1e4);
        return new LocatedSchedule(settings, name, view.KeyLocation("warmup_epochs"));
    }

    private sealed record StepDefaults(int AccumulateBatches, double? GradClipNorm);

    private sealed record PhaseDefaults(FreezeSpec Freeze, OptimizerSettings Optimizer, Augmentation? Augment, int BatchSize, bool FeatureCache, LocatedSchedule? Schedule, StepDefaults Steps);

    private static List<PhaseSpec>? ReadPhases(SpecNode node, PhaseDefaults defaults, DiagnosticBag diagnostics)
    {
        if (node is not SequenceNode { Items.Count: > 0 } list)
        {
            diagnostics.Add(DiagnosticDescriptors.WrongType, node.Location, "training.phases", "a list of phases such as - { name: head, epochs: 10 }", node is SequenceNode ? "an empty list" : node.KindName);
            return null;
        }

        var phases = new List<PhaseSpec>();
        var names = new HashSet<string>();

        // An unnamed phase is called "phase<N>", or "phase<N>_2" ... when another phase is named that:
        // phases are told apart by name when a run resumes, so two must never share one.
        var given = new HashSet<string>(list.Items.OfType<MappingNode>()
            .SelectMany(m => m.Entries.Where(e => e.Key.Value == "name" && e.Value is ScalarNode { IsNull: false }).Select(e => ((ScalarNode)e.Value).Value)));
        for (var i = 0; i < list.Items.Count; i++)
        {
            var name = $"training.phases[{i}]";
            if (list.Items[i] is not MappingNode mapping)
            {
                diagnostics.Add(DiagnosticDescriptors.WrongType, list.Items[i].Location, name, "a mapping such as { name: head, epochs: 10 }", list.Items[i].KindName);
                continue;
            }

            var view = new MappingView(mapping, name, SpecKeys.Phase, mapping.Location, diagnostics);
            var phaseName = view.String("name");
            if (phaseName is not null && !names.Add(phaseName.Value))
            {
                diagnostics.Add(DiagnosticDescriptors.DuplicatePhase, phaseName.Location, phaseName.Value);
            }

            var freeze = view.Get("freeze") is { } freezeNode ? ReadFreeze(freezeNode, name + ".freeze", diagnostics) : defaults.Freeze;
            var optimizer = view.Get("optimizer") is { } optimizerNode ? ReadOptimizer(optimizerNode, name + ".optimizer", defaults.Optimizer, diagnostics) : defaults.Optimizer;
            var augment = view.Get("augment") is { } augmentNode ? ReadAugment(augmentNode, name + ".augment", diagnostics) : defaults.Augment;
            var schedule = view.Get("schedule") is { } scheduleNode ? ReadSchedule(scheduleNode, name + ".schedule", diagnostics) : defaults.Schedule;
            var accumulate = view.Int("accumulate_batches", 1, 65536) ?? defaults.Steps.AccumulateBatches;
            var clip = view.Double("grad_clip_norm", 0, 1e6, minExclusive: true) ?? defaults.Steps.GradClipNorm;
            if (freeze is null || optimizer is null)
            {
                continue;
            }

            var resolvedName = phaseName?.Value ?? DefaultPhaseName(i, given);
            var epochs = view.Int("epochs", 1, 100_000) ?? DefaultEpochs;
            CheckWarmup(schedule, epochs, resolvedName, diagnostics);
            phases.Add(new PhaseSpec(
                resolvedName,
                phaseName?.Location ?? mapping.Location,
                epochs,
                freeze,
                optimizer,
                augment,
                view.Int("batch_size", 1, 65536) ?? defaults.BatchSize,
                view.Bool("feature_cache") ?? defaults.FeatureCache,
                schedule?.Settings,
                accumulate,
                clip));
        }

        return phases;
    }

    private static string DefaultPhaseName(int index, HashSet<string> given)
    {
        var name = "phase" + (index + 1);
        for (var n = 2; given.Contains(name); n++)
        {
            name = $"phase{index + 1}_{n}";
        }

        given.Add(name);
        return name;
    }
}

/// <summary>The names a spec declares, each null when it cannot be read.</summary>
internal sealed record DeclaredSpecNames(Located<string>? Model, Located<string>? Namespace, IReadOnlyList<Located<string>>? Labels);
