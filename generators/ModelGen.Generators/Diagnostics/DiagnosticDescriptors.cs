using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Diagnostics;

/// <summary>
/// Every diagnostic ModelGen reports, by ID. An ID names a rule; each way of breaking it has a descriptor of
/// its own whose message says what was found and what to write instead, so call sites pass only the values.
/// Descriptors that share an ID share its title. They have no help link: ModelGen has no public web address
/// yet, and a link to a page that does not exist is worse than none. Each ID has an entry in
/// docs/diagnostics.md, which the ModelGen package carries (docs/diagnostics.md in the package folder).
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>Where each ID is explained, for messages: the file the package carries.</summary>
    public const string DocsFile = "docs/diagnostics.md in the ModelGen package";
    private const string SpecCategory = "ModelGen.Spec";
    private const string InternalCategory = "ModelGen.Internal";

    // MG0001: the text cannot be read as YAML or JSON.
    public static readonly DiagnosticDescriptor SyntaxError = Error("MG0001", "Spec is not valid YAML or JSON", "The spec is not valid YAML or JSON: {0}");
    public static readonly DiagnosticDescriptor UnreadableText = Error("MG0001", "Spec is not valid YAML or JSON", "The spec is not valid YAML or JSON: the text cannot be read after this point ({0})");
    public static readonly DiagnosticDescriptor UnreadableFile = Error("MG0001", "Spec is not valid YAML or JSON", "The spec file could not be read; check that it exists and that the build may read it");

    // MG0002..MG0007: keys, types, ranges and names.
    public static readonly DiagnosticDescriptor UnknownKey = Error("MG0002", "Unknown key", "Unknown key '{0}' in {1}{2}; valid keys here: {3}");
    public static readonly DiagnosticDescriptor MissingKey = Error("MG0003", "Required key missing", "'{0}' is required in {1}; for example: {2}");
    public static readonly DiagnosticDescriptor TaskNeedsKey = Error("MG0003", "Required key missing", "task: {0} needs '{1}'; for example: {2}");
    public static readonly DiagnosticDescriptor EmptySpec = Error("MG0003", "Required key missing", "The spec is empty; write at least model, input, backbone and head, starting with for example: model: MyModel");
    public static readonly DiagnosticDescriptor OnnxWithoutPath = Error("MG0003", "Required key missing", "'backbone.path' is required when the architecture is onnx; for example: path: models/net.onnx");
    public static readonly DiagnosticDescriptor OnnxWithoutFeatureShape = Error("MG0003", "Required key missing", "'backbone.feature_shape' is required when the architecture is onnx: the graph is read at run time, so its output shape is declared here and checked when the model is created; for example: feature_shape: [512, 7, 7]");
    public static readonly DiagnosticDescriptor WrongType = Error("MG0004", "Value of the wrong type", "'{0}' must be {1}, not {2}");
    public static readonly DiagnosticDescriptor OutOfRange = Error("MG0005", "Value out of range", "'{0}' is {1}, but it must be {2}");
    public static readonly DiagnosticDescriptor EmptyClassName = Error("MG0006", "Not a valid C# name", "The class name is empty; write a PascalCase name such as {0}");
    public static readonly DiagnosticDescriptor ClassNameIsKeyword = Error("MG0006", "Not a valid C# name", "'{0}' is a C# keyword, so it cannot be the class name; use a PascalCase name such as {1}");
    public static readonly DiagnosticDescriptor ClassNameHasInvalidCharacters = Error("MG0006", "Not a valid C# name", "'{0}' is not a valid C# class name: use letters, digits and underscores, starting with a letter, such as {1}");
    public static readonly DiagnosticDescriptor ClassNameIsContextualKeyword = Error("MG0006", "Not a valid C# name", "'{0}' is a C# contextual keyword, which C# rejects or warns about as a class name; use a PascalCase name such as {1}");
    public static readonly DiagnosticDescriptor ClassNameIsLowerCase = Error("MG0006", "Not a valid C# name", "'{0}' has only lower-case letters, which C# warns about in a class name (CS8981: such names may become keywords); use a PascalCase name such as {1}");
    public static readonly DiagnosticDescriptor ClassNameIsMemberName = Error("MG0006", "Not a valid C# name", "'{0}' is the name of a member of the generated class, and C# does not allow a member named like its class (CS0542); use another name such as {1}");
    public static readonly DiagnosticDescriptor ClassNameIsRuntimeName = Error("MG0006", "Not a valid C# name", "The generated class '{0}' would hide '{0}' of {1}, which the generated code uses; choose another 'model' or 'namespace'");
    public static readonly DiagnosticDescriptor EmptyNamespacePart = Error("MG0006", "Not a valid C# name", "The namespace '{0}' has an empty part; write names separated by single dots, such as {1}");
    public static readonly DiagnosticDescriptor NamespacePartIsKeyword = Error("MG0006", "Not a valid C# name", "'{0}' in the namespace '{1}' is a C# keyword; use a PascalCase name such as {2}");
    public static readonly DiagnosticDescriptor NamespacePartHasInvalidCharacters = Error("MG0006", "Not a valid C# name", "'{0}' in the namespace '{1}' is not a valid C# name: use letters, digits and underscores, starting with a letter, such as {2}");
    public static readonly DiagnosticDescriptor NamespaceIsRuntimeType = Error("MG0006", "Not a valid C# name", "The namespace '{0}' would hide the type '{1}' of {2}, which the generated code uses; choose another 'namespace'");
    public static readonly DiagnosticDescriptor DuplicateKey = Error("MG0007", "Key given twice", "'{0}' is given twice in {1}; keep only one");

    // MG0008: labels.
    public static readonly DiagnosticDescriptor LabelNotAFolderName = Error("MG0008", "Invalid or colliding label", "The label '{0}' cannot be a folder name; labels name the class folders of the data, so use letters, digits, '-' or '_'");
    public static readonly DiagnosticDescriptor LabelWithoutLetters = Error("MG0008", "Invalid or colliding label", "The label '{0}' has no letters or digits to make an enum member from; use a name such as 'class1'");
    public static readonly DiagnosticDescriptor LabelGivenTwice = Error("MG0008", "Invalid or colliding label", "The label '{0}' is given twice; list each class once");
    public static readonly DiagnosticDescriptor LabelGivenTwiceIgnoringCase = Error("MG0008", "Invalid or colliding label", "The label '{0}' is given twice (as '{1}' and '{2}'; folder names match labels ignoring case); list each class once");
    public static readonly DiagnosticDescriptor LabelsMakeOneMember = Error("MG0008", "Invalid or colliding label", "The labels '{0}' and '{1}' both become the enum member '{2}'; rename one of them");
    public static readonly DiagnosticDescriptor TargetWithoutLetters = Error("MG0008", "Invalid or colliding label", "The target '{0}' has no letters or digits to make a property name from; use a name such as 'angle'");
    public static readonly DiagnosticDescriptor TargetGivenTwice = Error("MG0008", "Invalid or colliding label", "The target '{0}' is given twice; list each target once");
    public static readonly DiagnosticDescriptor TargetIsRecordMember = Error("MG0008", "Invalid or colliding label", "The target '{0}' becomes the property '{1}' of the prediction record, but {2}; rename the target");
    public static readonly DiagnosticDescriptor TargetsMakeOneMember = Error("MG0008", "Invalid or colliding label", "The targets '{0}' and '{1}' both become the property '{2}'; rename one of them");
    public static readonly DiagnosticDescriptor TooFewLabels = Error("MG0008", "Invalid or colliding label", "A classifier needs at least two labels; add the other classes, or leave 'labels' out to take them from the data folders");

    // MG0009: the head's layers.
    public static readonly DiagnosticDescriptor EmptyHead = Error("MG0009", "Invalid head", "The head is empty; end it with a dense layer, e.g. [global_avg_pool, { dense: 2, activation: softmax }]");
    public static readonly DiagnosticDescriptor HeadFlattenedTwice = Error("MG0009", "Invalid head", "'{0}' needs the backbone's feature map ({1}), but an earlier head layer already made it flat; keep one flatten or global pooling layer");
    public static readonly DiagnosticDescriptor DenseBeforeFlatten = Error("MG0009", "Invalid head", "A dense layer needs a flat input, but here it would get the feature map {0}; put 'flatten' or 'global_avg_pool' before the first dense layer");
    public static readonly DiagnosticDescriptor DenseBeforeTokenLayer = Error("MG0009", "Invalid head", "A dense layer needs a flat input, but here it would get the tokens {0} (tokens x width); put 'class_token' or 'token_mean' before the first dense layer");
    public static readonly DiagnosticDescriptor DenseTooLarge = Error("MG0009", "Invalid head", "This dense layer of {0} units on {1} inputs would have {2} parameters, more than the {3} one layer may have; pool the feature map first (global_avg_pool), cut the backbone earlier, or use fewer units");
    public static readonly DiagnosticDescriptor HeadNotEndingInDense = Error("MG0009", "Invalid head", "The head must end with a dense layer that gives the class scores, e.g. { dense: 1, activation: sigmoid } for two classes");
    public static readonly DiagnosticDescriptor FeatureMapLayerOnTokens = Error("MG0009", "Invalid head", "'{0}' works on a feature map [channels, height, width], but the {1} backbone gives tokens ({2}: tokens x width); use 'class_token' (the class token) or 'token_mean' (the mean of the patch tokens) before the first dense layer");
    public static readonly DiagnosticDescriptor TokenLayerOnFeatureMap = Error("MG0009", "Invalid head", "'{0}' reads a transformer's tokens, but the backbone gives the feature map {1} (channels x height x width); use 'global_avg_pool', 'global_max_pool' or 'flatten' before the first dense layer");
    public static readonly DiagnosticDescriptor HeadItemWithoutLayer = Error("MG0009", "Invalid head", "'{0}' names no layer; each head item is one of {1}");
    public static readonly DiagnosticDescriptor HeadItemWithSeveralLayers = Error("MG0009", "Invalid head", "'{0}' names {1}; write one layer per list item");

    // MG0010: the last dense layer, the labels and the loss.
    public static readonly DiagnosticDescriptor BinaryLossWithSeveralUnits = Error("MG0010", "Output does not fit the labels and loss", "binary_crossentropy needs a last dense layer of 1 unit, not {0}; for {0} classes use loss: categorical_crossentropy with {{ dense: {0}, activation: softmax }}");
    public static readonly DiagnosticDescriptor BinaryOutputWithOtherLabels = Error("MG0010", "Output does not fit the labels and loss", "A last dense layer of 1 unit (binary) fits 2 labels, but {0} are declared; use {{ dense: {0}, activation: softmax }}");
    public static readonly DiagnosticDescriptor CategoricalLossWithOneUnit = Error("MG0010", "Output does not fit the labels and loss", "categorical_crossentropy needs one unit per class (at least 2); for two classes either use { dense: 2, activation: softmax } or binary_crossentropy with { dense: 1, activation: sigmoid }");
    public static readonly DiagnosticDescriptor UnitsNotLabels = Error("MG0010", "Output does not fit the labels and loss", "The last dense layer has {0} units, but {1} labels are declared; use {{ dense: {1}, activation: softmax }}");
    public static readonly DiagnosticDescriptor BinaryLossWithoutSigmoid = Error("MG0010", "Output does not fit the labels and loss", "With binary_crossentropy, the last dense layer's activation must be sigmoid (or none for raw scores), not {0}");
    public static readonly DiagnosticDescriptor UnitsNotTargets = Error("MG0010", "Output does not fit the labels and loss", "The last dense layer has {0} units, but {1} targets are declared; a regression predicts one number per target: use {{ dense: {1}, activation: none }}");
    public static readonly DiagnosticDescriptor MultiLabelUnitsNotLabels = Error("MG0010", "Output does not fit the labels and loss", "The last dense layer has {0} units, but {1} labels are declared; task: multi_label scores each label on its own: use {{ dense: {1}, activation: sigmoid }}");
    public static readonly DiagnosticDescriptor TaskActivation = Error("MG0010", "Output does not fit the labels and loss", "With task: {0}, the last dense layer's activation must be {1}, not {2}");
    public static readonly DiagnosticDescriptor CategoricalLossWithoutSoftmax = Error("MG0010", "Output does not fit the labels and loss", "With categorical_crossentropy, the last dense layer's activation must be softmax (or none for raw scores), not {0}");

    // MG0011..MG0019: the backbone, its cut and the class.
    public static readonly DiagnosticDescriptor UnknownArchitecture = Error("MG0011", "Unknown architecture", "Unknown architecture '{0}'{1}; valid: {2}");
    public static readonly DiagnosticDescriptor UnknownOptimizer = Error("MG0012", "Unknown optimizer", "Unknown optimizer '{0}'{1}; valid: {2}");
    public static readonly DiagnosticDescriptor UnknownLayer = Error("MG0013", "Unknown layer", "'{0}' is not a layer of {1}{2}; layers include: {3}");
    public static readonly DiagnosticDescriptor LayerBeyondCut = Error("MG0014", "Layer beyond the cut", "'{0}' lies beyond the cut at '{1}', so it is not part of the model; name a layer up to '{1}', or cut later with 'truncate_at'");
    public static readonly DiagnosticDescriptor UnsupportedWeights = Error("MG0015", "Unsupported weights", "'{0}' is not a supported weights source; use imagenet, none, a file ending in .onnx, .safetensors, .pt, .pth or .dat, an https:// URL of such a file (with weights_sha256), or hf://owner/repo/file.safetensors");
    public static readonly DiagnosticDescriptor SpatialCollapse = Error("MG0016", "Input too small for the backbone", "An input of {0} shrinks to nothing at '{1}' ({2}); use an input of at least {3}, or cut the backbone earlier");
    public static readonly DiagnosticDescriptor InvalidChoice = Error("MG0017", "Value not among the choices", "'{0}' is not a valid {1}{2}; use one of: {3}");
    public static readonly DiagnosticDescriptor CannotCutInsideBlock = Error("MG0018", "Cannot cut the backbone here", "The backbone cannot be cut at '{0}': it lies inside the {1} '{2}', whose output is more than a chain of layers; cut at '{2}' (after the block) or '{3}' (before it)");
    public static readonly DiagnosticDescriptor NotACutPoint = Error("MG0018", "Cannot cut the backbone here", "The backbone cannot be cut at '{0}': the {1} there does not give the {2} backbone's features; cut after an encoder block ({3}) or at '{4}'");
    public static readonly DiagnosticDescriptor CannotCutInsideFirstBlock = Error("MG0018", "Cannot cut the backbone here", "The backbone cannot be cut at '{0}': it lies inside the {1} '{2}', whose output is more than a chain of layers; cut at '{2}' (after the block)");
    public static readonly DiagnosticDescriptor DuplicateModel = Error("MG0019", "Two specs generate the same name", "Another spec ({0}) already generates '{1}'; give this model a different 'model' or 'namespace'");
    public static readonly DiagnosticDescriptor ClassIsLabelEnumOfAnotherSpec = Error("MG0019", "Two specs generate the same name", "Another spec ({0}) generates the enum '{1}' for the labels of its model; give this model a different 'model' or 'namespace'");
    public static readonly DiagnosticDescriptor LabelEnumIsClassOfAnotherSpec = Error("MG0019", "Two specs generate the same name", "This model's labels make the enum '{1}', but another spec ({0}) generates a class of that name; give this model a different 'model' or 'namespace'");
    public static readonly DiagnosticDescriptor TypeIsNamespaceOfAnotherSpec = Error("MG0019", "Two specs generate the same name", "'{1}' is a namespace of another spec ({0}), so this model cannot generate a type of that name; give this model a different 'model' or 'namespace'");
    public static readonly DiagnosticDescriptor NamespaceIsTypeOfAnotherSpec = Error("MG0019", "Two specs generate the same name", "The namespace '{1}' is the name of a type that another spec ({0}) generates; give this model a different 'namespace', or rename the other model");

    // MG0020: keys that exclude each other.
    public static readonly DiagnosticDescriptor FocalWithLabelSmoothing = Error("MG0020", "Keys that cannot be used together", "'training.focal_gamma' and 'training.label_smoothing' both soften the loss on confident images; use one of them");
    public static readonly DiagnosticDescriptor RandAugmentWithTrivialAugment = Error("MG0020", "Keys that cannot be used together", "'{0}' takes rand_augment or trivial_augment, not both: each is a whole policy of random ops; keep one");
    public static readonly DiagnosticDescriptor FocalWithMixing = Error("MG0020", "Keys that cannot be used together", "'training.focal_gamma' weighs each image by (1 - p)^gamma of its one true class, but '{0}' mixes two classes into each target, and the focal weights would pull the predictions away from the mixed shares; use focal_gamma or mixing, not both (class_weights and label_smoothing do combine with mixing)");
    public static readonly DiagnosticDescriptor MixProbabilityWithoutMixing = Error("MG0020", "Keys that cannot be used together", "'{0}.mix_probability' is the probability that a batch is mixed, but '{0}' has neither mixup nor cutmix; add one of them, or remove mix_probability");
    public static readonly DiagnosticDescriptor KeyNotForTask = Error("MG0020", "Keys that cannot be used together", "'{0}' does not apply to task: {1}: {2}; remove it");
    public static readonly DiagnosticDescriptor HuberDeltaWithoutHuber = Error("MG0020", "Keys that cannot be used together", "'training.huber_delta' is the δ of the Huber loss, but the loss is {0}; remove huber_delta, or use loss: huber");
    public static readonly DiagnosticDescriptor EpochsWithPhases = Error("MG0020", "Keys that cannot be used together", "'training.epochs' is the single-phase shorthand; with 'phases', give each phase its own 'epochs'");
    public static readonly DiagnosticDescriptor TrainableFromWithFrozenThrough = Error("MG0020", "Keys that cannot be used together", "'{0}' takes either trainable_from or frozen_through, not both: they say the same thing from two sides");
    public static readonly DiagnosticDescriptor NesterovWithoutSgd = Error("MG0020", "Keys that cannot be used together", "'{0}.nesterov' applies only to type: sgd");
    public static readonly DiagnosticDescriptor WarmupWithOneCycle = Error("MG0020", "Keys that cannot be used together", "'{0}.warmup_epochs' does not apply to type: one_cycle, which warms up by itself over pct_start of its steps; remove warmup_epochs, or choose another type");
    public static readonly DiagnosticDescriptor OneCycleKeyElsewhere = Error("MG0020", "Keys that cannot be used together", "'{0}' applies only to type: one_cycle, not to type: {1}");
    public static readonly DiagnosticDescriptor PathWithoutOnnx = Error("MG0020", "Keys that cannot be used together", "'backbone.path' names the graph of an 'onnx' backbone; {0} is built from the catalog, so give its weights file in 'backbone.weights' instead");
    public static readonly DiagnosticDescriptor FeatureShapeWithoutOnnx = Error("MG0020", "Keys that cannot be used together", "'backbone.feature_shape' is only for 'onnx' backbones; the shape of {0} is computed at build time");
    public static readonly DiagnosticDescriptor WeightsFileWithOnnx = Error("MG0020", "Keys that cannot be used together", "An 'onnx' backbone takes its weights from the graph in 'backbone.path'; use weights: imagenet (the graph's own) or none (fresh)");
    public static readonly DiagnosticDescriptor Sha256WithoutFile = Error("MG0020", "Keys that cannot be used together", "'backbone.weights_sha256' checks a weights file, but weights: {0} names none (the official ImageNet files are checked against the hash torchvision publishes); remove weights_sha256, or give the file or its URL in 'backbone.weights'");

    // MG0021, MG0022: limits and YAML the spec language leaves out.
    public static readonly DiagnosticDescriptor SpecTooLarge = Error("MG0021", "Spec too large or too deeply nested", "The spec has {0} characters; specs are limited to {1}");
    public static readonly DiagnosticDescriptor SpecTooDeep = Error("MG0021", "Spec too large or too deeply nested", "The spec is nested more than {0} levels deep; specs need at most a few levels");
    public static readonly DiagnosticDescriptor SeveralDocuments = Error("MG0022", "Unsupported YAML feature", "Several documents in one file ('---') are not supported in specs; keep one spec per file");
    public static readonly DiagnosticDescriptor AnchorOrAlias = Error("MG0022", "Unsupported YAML feature", "Anchors and aliases ('&name', '*name') are not supported in specs; write the value out in full");
    public static readonly DiagnosticDescriptor Tag = Error("MG0022", "Unsupported YAML feature", "Tags ('{0}') are not supported in specs; write the value without the tag");

    // MG0023, MG0024.
    public static readonly DiagnosticDescriptor ResidualMismatch = Error("MG0023", "Residual shapes do not line up", "With an input of {0}, the two branches of '{1}' give {2} and {3}, which cannot be added; use an input size such as {4}");
    public static readonly DiagnosticDescriptor DuplicatePhase = Error("MG0024", "Phase name used twice", "The phase name '{0}' is used twice; give each phase its own name");

    // MG0025: not the spec's fault. MG0026: the rest of a long list.
    public static readonly DiagnosticDescriptor InternalError = Error("MG0025", "ModelGen internal error", "ModelGen failed on this spec with {0}: {1} (at {2}). This is a bug in ModelGen, not a mistake in the spec: please report it to the ModelGen maintainers with the spec and this message (" + DocsFile + " says what helps)", InternalCategory);
    public static readonly DiagnosticDescriptor MoreProblems = Error("MG0026", "More problems than are shown", "{0} more problems were found in this spec after the first {1}, starting here; fix the ones above first (one mistake, such as wrong indentation, often causes many)");
    public static readonly DiagnosticDescriptor OneMoreProblem = Error("MG0026", "More problems than are shown", "One more problem was found in this spec after the first {0}, here; fix the ones above first");

    // MG0027, MG0028: weights downloaded at run time.
    public static readonly DiagnosticDescriptor UrlWithoutSha256 = Error("MG0027", "Downloaded weights need their SHA-256", "Weights downloaded from '{0}' need 'backbone.weights_sha256' beside 'weights': the 64 hex digits of the file's SHA-256 (sha256sum on Linux, shasum -a 256 on macOS, Get-FileHash on Windows), so that other bytes are refused; for example: weights_sha256: {1}");
    public static readonly DiagnosticDescriptor InvalidSha256 = Error("MG0027", "Downloaded weights need their SHA-256", "'backbone.weights_sha256' is '{0}' ({1} characters), but it must be the 64 hexadecimal digits of the file's SHA-256, such as {2}");
    public static readonly DiagnosticDescriptor UnsupportedWeightsUrl = Error("MG0028", "Invalid weights address", "'{0}' is not the address of a weights file: write an http:// or https:// URL with a host whose path ends in a file name with .safetensors, .pth or .pt");
    public static readonly DiagnosticDescriptor InvalidHubReference = Error("MG0028", "Invalid weights address", "'{0}' is not a Hugging Face Hub file: write " + Shared.RemoteWeights.HubForm + " (the file must end in .safetensors, .pth or .pt)");

    // MG0029: input sizes a transformer cannot split into patches.
    public static readonly DiagnosticDescriptor InputNotMultipleOfPatch = Error("MG0029", "Input size not a multiple of the patch size", "{0} splits the image into {1}x{1} patches, so the input's height and width must be multiples of {1}, but the input is {2}; use {3}");

    // MG0030: a task whose spec is read and checked, but whose training and prediction code is not generated yet.
    public static readonly DiagnosticDescriptor TaskNotGenerated = Error("MG0030", "Task not generated yet", "task: {0} is read and checked, but this version of ModelGen does not generate its training and prediction code yet; use task: classification");

    // An explicit static constructor: the first use of ByKey or Ids runs every field initialiser above, so each
    // descriptor has registered itself even when nothing has touched a field yet.
    static DiagnosticDescriptors()
    {
    }

    /// <summary>Every descriptor by its key (the name of its field here).</summary>
    public static IReadOnlyDictionary<string, DiagnosticDescriptor> ByKey => Registry.ByKey;

    /// <summary>The key of a descriptor declared here: what a <see cref="SpecDiagnostic"/> stores.</summary>
    public static string KeyOf(DiagnosticDescriptor descriptor) => Registry.KeyOf[descriptor];

    /// <summary>Every ID, each once, in order.</summary>
    public static IEnumerable<string> Ids => ByKey.Values.Select(d => d.Id).Distinct().OrderBy(id => id, System.StringComparer.Ordinal);

    // The key is the name of the field the descriptor is assigned to: unique by construction, and readable
    // in a test's failure message.
    private static DiagnosticDescriptor Error(string id, string title, string message, string category = SpecCategory, [CallerMemberName] string key = "")
    {
        var descriptor = new DiagnosticDescriptor(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: null);
        Registry.Add(key, descriptor);
        return descriptor;
    }

    // A class of its own, so that it is initialised before the first descriptor registers itself.
    private static class Registry
    {
        public static Dictionary<string, DiagnosticDescriptor> ByKey { get; } = new(System.StringComparer.Ordinal);

        public static Dictionary<DiagnosticDescriptor, string> KeyOf { get; } = new(ReferenceComparer.Instance);

        public static void Add(string key, DiagnosticDescriptor descriptor)
        {
            ByKey.Add(key, descriptor);
            KeyOf.Add(descriptor, key);
        }
    }

    private sealed class ReferenceComparer : IEqualityComparer<DiagnosticDescriptor>
    {
        public static ReferenceComparer Instance { get; } = new();

        public bool Equals(DiagnosticDescriptor? x, DiagnosticDescriptor? y) => ReferenceEquals(x, y);

        public int GetHashCode(DiagnosticDescriptor obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
