namespace ModelGen.Data;

/// <summary>
/// The contract between images and the network that reads them (a backbone): the size images must have,
/// gray or color, and the normalisation the network's weights expect.
/// </summary>
/// <param name="Height">Input height in pixels.</param>
/// <param name="Width">Input width in pixels.</param>
/// <param name="SourceChannels">1: read as gray and repeat to 3 channels; 3: read as color.</param>
/// <param name="Preprocessing">The network's normalisation.</param>
public sealed record ImageInput(int Height, int Width, int SourceChannels, Preprocessing Preprocessing);
