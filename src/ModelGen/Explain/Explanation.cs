using ModelGen.Storage;
using static TorchSharp.torch;

namespace ModelGen.Explain;

/// <summary>
/// Where a model looked to score one class on one image: a Grad-CAM heatmap at the backbone's output (the last
/// convolutional stage inside the cut), at the model's input size, with the class it explains and that class's
/// probability. Write it over the image with <see cref="SavePng"/> or <see cref="ToPng"/>. Owns the heatmap tensor:
/// dispose it when done.
/// </summary>
public class Explanation : IDisposable
{
    private readonly float[] _image;
    private readonly float[] _heatmap;
    private readonly Tensor _heatmapTensor;

    /// <summary>Takes the heatmap [H, W] and the image's RGB planes [3 * H * W] in [0, 1], both at the model's input size.</summary>
    internal Explanation(Tensor heatmap, float[] image, int index, string className, IReadOnlyList<float> probabilities)
    {
        _heatmapTensor = heatmap;
        _heatmap = heatmap.data<float>().ToArray();
        _image = image;
        Height = (int)heatmap.shape[0];
        Width = (int)heatmap.shape[1];
        Index = index;
        ClassName = className;
        Probabilities = probabilities;
    }

    /// <summary>
    /// The Grad-CAM heatmap [H, W] at the model's input size (float32, on the CPU): non-negative, 1 where the
    /// class's evidence is strongest, all zero when nothing in the image speaks for the class.
    /// </summary>
    public Tensor Heatmap => _heatmapTensor;

    /// <summary>The heatmap's height: the model's input height.</summary>
    public int Height { get; }

    /// <summary>The heatmap's width: the model's input width.</summary>
    public int Width { get; }

    /// <summary>The index of the class explained, in the model's output order.</summary>
    public int Index { get; }

    /// <summary>The name of the class explained (the class folder name).</summary>
    public string ClassName { get; }

    /// <summary>The probability of every class for the image, in output order.</summary>
    public IReadOnlyList<float> Probabilities { get; }

    /// <summary>The probability of the class explained.</summary>
    public float Probability => Probabilities[Index];

    /// <summary>The class the model predicts for the image (the most probable one), which need not be the one explained.</summary>
    public int PredictedIndex => Prediction.ArgMax(Probabilities);

    /// <summary>The heatmap's value at a row and column, in [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The row or column is outside the heatmap.</exception>
    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Height);
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Width);
            return _heatmap[(row * Width) + column];
        }
    }

    /// <summary>
    /// The heatmap as a PNG: a jet colour map (blue for none, red for the strongest evidence) laid over the image
    /// at the model's input size.
    /// </summary>
    /// <param name="opacity">How much of the colour map covers the image, from 0 (the image only) to 1 (the map only).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opacity"/> is outside [0, 1].</exception>
    public byte[] ToPng(float opacity = 0.5f) => HeatmapOverlay.Png(_image, _heatmap, Width, Height, opacity);

    /// <summary>Writes <see cref="ToPng"/> to a file (written to a temporary file, then renamed into place).</summary>
    /// <param name="path">The .png file to write; its folder is created when missing.</param>
    /// <param name="opacity">How much of the colour map covers the image, from 0 to 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opacity"/> is outside [0, 1].</exception>
    public void SavePng(string path, float opacity = 0.5f)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var png = ToPng(opacity);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Frees the heatmap tensor.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the heatmap tensor when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _heatmapTensor.Dispose();
        }
    }
}

/// <summary>An <see cref="Explanation"/> with the class explained as the model's label type.</summary>
/// <typeparam name="TLabel">The model's label enum, or string when the spec declares no labels.</typeparam>
public sealed class Explanation<TLabel> : Explanation
{
    /// <summary>Takes the heatmap [H, W] and the image's RGB planes [3 * H * W] in [0, 1]; <paramref name="label"/> names the class explained.</summary>
    internal Explanation(Tensor heatmap, float[] image, int index, string className, TLabel label, IReadOnlyList<float> probabilities)
        : base(heatmap, image, index, className, probabilities)
    {
        Label = label;
    }

    /// <summary>The class explained.</summary>
    public TLabel Label { get; }
}
