#if MODELGEN_RUNTIME
namespace ModelGen.Data;
#else
namespace ModelGen.Generators.Vocabulary;
#endif

/// <summary>How augmentation fills the pixels a transform brings in from outside the image (Keras' fill_mode).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum FillMode
{
    /// <summary>Repeat the nearest edge pixel (Keras' default).</summary>
    Nearest,

    /// <summary>Black.</summary>
    Constant,

    /// <summary>Mirror the image at its edges.</summary>
    Reflect,

    /// <summary>Tile the image.</summary>
    Wrap,
}
