namespace ModelGen.Data;

/// <summary>How augmentation fills the pixels a transform brings in from outside the image (Keras' fill_mode).</summary>
public enum FillMode
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
