using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Diagnostics;

/// <summary>
/// Every diagnostic ModelGen reports, in ID order. Each message says what was found and what to write
/// instead; each help link points at the ID's entry in docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string HelpBase = "https://github.com/modelgen/modelgen/blob/main/docs/diagnostics.md#";
    private const string Category = "ModelGen.Spec";

    public static readonly DiagnosticDescriptor SyntaxError = Error("MG0001", "Spec is not valid YAML or JSON", "The spec is not valid YAML or JSON: {0}");
    public static readonly DiagnosticDescriptor UnknownKey = Error("MG0002", "Unknown key", "Unknown key '{0}' in {1}{2}; valid keys here: {3}");
    public static readonly DiagnosticDescriptor MissingKey = Error("MG0003", "Required key missing", "'{0}' is required in {1}; for example: {2}");
    public static readonly DiagnosticDescriptor WrongType = Error("MG0004", "Value of the wrong type", "'{0}' must be {1}, not {2}");
    public static readonly DiagnosticDescriptor OutOfRange = Error("MG0005", "Value out of range", "'{0}' is {1}, but it must be {2}");
    public static readonly DiagnosticDescriptor InvalidIdentifier = Error("MG0006", "Not a valid C# name", "'{0}' is not a valid C# {1}: {2}");
    public static readonly DiagnosticDescriptor DuplicateKey = Error("MG0007", "Key given twice", "'{0}' is given twice in {1}; keep only one");
    public static readonly DiagnosticDescriptor InvalidLabel = Error("MG0008", "Invalid or colliding label", "{0}");
    public static readonly DiagnosticDescriptor InvalidHead = Error("MG0009", "Invalid head", "{0}");
    public static readonly DiagnosticDescriptor OutputMismatch = Error("MG0010", "Output does not fit the labels and loss", "{0}");
    public static readonly DiagnosticDescriptor UnknownArchitecture = Error("MG0011", "Unknown architecture", "Unknown architecture '{0}'{1}; valid: {2}");
    public static readonly DiagnosticDescriptor UnknownOptimizer = Error("MG0012", "Unknown optimizer", "Unknown optimizer '{0}'{1}; valid: {2}");
    public static readonly DiagnosticDescriptor UnknownLayer = Error("MG0013", "Unknown layer", "'{0}' is not a layer of {1}{2}; layers include: {3}");
    public static readonly DiagnosticDescriptor LayerBeyondCut = Error("MG0014", "Layer beyond the cut", "'{0}' lies beyond the cut at '{1}', so it is not part of the model; name a layer up to '{1}', or cut later with 'truncate_at'");
    public static readonly DiagnosticDescriptor UnsupportedWeights = Error("MG0015", "Unsupported weights", "'{0}' is not a supported weights source; use imagenet, none, or a file ending in .onnx, .safetensors, .pt, .pth or .dat");
    public static readonly DiagnosticDescriptor SpatialCollapse = Error("MG0016", "Input too small for the backbone", "An input of {0} shrinks to nothing at '{1}' ({2}); use an input of at least {3}, or cut the backbone earlier");
    public static readonly DiagnosticDescriptor InvalidChoice = Error("MG0017", "Value not among the choices", "'{0}' is not a valid {1}{2}; use one of: {3}");
    public static readonly DiagnosticDescriptor CannotCutHere = Error("MG0018", "Cannot cut the backbone here", "The backbone cannot be cut at '{0}': it lies inside {1}, whose output is more than a chain of layers; cut at {2}");
    public static readonly DiagnosticDescriptor DuplicateModel = Error("MG0019", "Model generated twice", "Another spec ({0}) already generates '{1}'; give this model a different 'model' or 'namespace'");
    public static readonly DiagnosticDescriptor ConflictingKeys = Error("MG0020", "Keys that cannot be used together", "{0}");
    public static readonly DiagnosticDescriptor TooLarge = Error("MG0021", "Spec too large or too deeply nested", "{0}");
    public static readonly DiagnosticDescriptor UnsupportedYaml = Error("MG0022", "Unsupported YAML feature", "{0} are not supported in specs; write the value out in full");
    public static readonly DiagnosticDescriptor ResidualMismatch = Error("MG0023", "Residual shapes do not line up", "With an input of {0}, the two branches of '{1}' give {2} and {3}, which cannot be added; use an input size such as {4}");
    public static readonly DiagnosticDescriptor DuplicatePhase = Error("MG0024", "Phase name used twice", "The phase name '{0}' is used twice; give each phase its own name");

    /// <summary>All descriptors by ID.</summary>
    public static IReadOnlyDictionary<string, DiagnosticDescriptor> ById { get; } = new Dictionary<string, DiagnosticDescriptor>
    {
        [SyntaxError.Id] = SyntaxError,
        [UnknownKey.Id] = UnknownKey,
        [MissingKey.Id] = MissingKey,
        [WrongType.Id] = WrongType,
        [OutOfRange.Id] = OutOfRange,
        [InvalidIdentifier.Id] = InvalidIdentifier,
        [DuplicateKey.Id] = DuplicateKey,
        [InvalidLabel.Id] = InvalidLabel,
        [InvalidHead.Id] = InvalidHead,
        [OutputMismatch.Id] = OutputMismatch,
        [UnknownArchitecture.Id] = UnknownArchitecture,
        [UnknownOptimizer.Id] = UnknownOptimizer,
        [UnknownLayer.Id] = UnknownLayer,
        [LayerBeyondCut.Id] = LayerBeyondCut,
        [UnsupportedWeights.Id] = UnsupportedWeights,
        [SpatialCollapse.Id] = SpatialCollapse,
        [InvalidChoice.Id] = InvalidChoice,
        [CannotCutHere.Id] = CannotCutHere,
        [DuplicateModel.Id] = DuplicateModel,
        [ConflictingKeys.Id] = ConflictingKeys,
        [TooLarge.Id] = TooLarge,
        [UnsupportedYaml.Id] = UnsupportedYaml,
        [ResidualMismatch.Id] = ResidualMismatch,
        [DuplicatePhase.Id] = DuplicatePhase,
    };

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
