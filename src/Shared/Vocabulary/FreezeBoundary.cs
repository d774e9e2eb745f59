#if MODELGEN_RUNTIME
namespace ModelGen.Backbones;
#else
namespace ModelGen.Generators.Vocabulary;
#endif

/// <summary>The kinds of freeze policy (spec key: <c>freeze</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum FreezeKind
{
    /// <summary>The whole backbone is frozen.</summary>
    All,

    /// <summary>The whole backbone trains.</summary>
    None,

    /// <summary>The backbone trains from a layer (or parameter) on; everything before it is frozen.</summary>
    TrainableFrom,

    /// <summary>The backbone is frozen up to and including a layer; everything after it trains.</summary>
    FrozenThrough,
}

/// <summary>
/// Where a backbone's frozen part ends, in state_dict order. For catalog backbones the generator resolves
/// the spec's layer to the first parameter that trains (<see cref="TrainableFrom"/> with a parameter name),
/// so the boundary is checked at build time; ONNX graphs are read at run time, so their boundary keeps
/// the spec's layer name and its kind, and the runtime resolves it.
/// </summary>
/// <param name="Kind">All, none, or which side of <paramref name="Layer"/> trains.</param>
/// <param name="Layer">A parameter name (<c>features.24.weight</c>) or a module name (<c>layer4</c>); null for all and none.</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record FreezeBoundary(FreezeKind Kind, string? Layer = null)
{
    /// <summary>The whole backbone is frozen.</summary>
    public static FreezeBoundary All { get; } = new(FreezeKind.All);

    /// <summary>The whole backbone trains.</summary>
    public static FreezeBoundary None { get; } = new(FreezeKind.None);

    /// <summary>Everything from <paramref name="layer"/> on trains.</summary>
    public static FreezeBoundary TrainableFrom(string layer) => new(FreezeKind.TrainableFrom, layer);

    /// <summary>Everything up to and including <paramref name="layer"/> stays frozen.</summary>
    public static FreezeBoundary FrozenThrough(string layer) => new(FreezeKind.FrozenThrough, layer);

    /// <summary>Whether the whole backbone is frozen.</summary>
    public bool FreezesAll => Kind == FreezeKind.All;
}
