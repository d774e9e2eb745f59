namespace ModelGen.Backbones;

/// <summary>What images must become before the backbone sees them: the size, gray or color, and the preprocessing.</summary>
/// <param name="Height">Input height in pixels.</param>
/// <param name="Width">Input width in pixels.</param>
/// <param name="SourceChannels">1: read as gray and repeat to 3 channels; 3: read as color.</param>
/// <param name="Preprocessing">The backbone's normalisation.</param>
public sealed record ImageInput(int Height, int Width, int SourceChannels, Preprocessing Preprocessing);
