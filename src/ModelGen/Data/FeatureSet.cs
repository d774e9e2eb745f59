using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// A backbone's features for a set of images ([N, C, H, W] on the CPU) with their labels: what
/// <c>Extract</c> returns and <c>Train(FeatureSet)</c> takes (feature extraction: the backbone runs once per image). Disposing frees the tensors.
/// </summary>
public sealed class FeatureSet : IDisposable
{
    private readonly Tensor _features;
    private readonly Tensor _labels;
    private IReadOnlyList<string>? _sourcePaths;
    private bool _disposed;

    /// <summary>Creates a feature set; it takes ownership of the tensors.</summary>
    public FeatureSet(Tensor features, Tensor labels, IReadOnlyList<string> classes, int skipped)
    {
        if (features.shape[0] != labels.shape[0])
        {
            throw new ArgumentException($"{features.shape[0]} feature rows but {labels.shape[0]} labels.", nameof(labels));
        }

        _features = features;
        _labels = labels;
        Classes = classes;
        Skipped = skipped;
    }

    /// <summary>[N, C, H, W] float32 on the CPU.</summary>
    /// <exception cref="ObjectDisposedException">The feature set was disposed.</exception>
    public Tensor Features => Alive(_features);

    /// <summary>
    /// The targets: [N] int64 class indexes (classification), [N, K] float32 multi-hot rows over <see cref="Classes"/>
    /// (multi-label) or [N, T] float32 numbers, one per target (regression); see <see cref="Task"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The feature set was disposed.</exception>
    public Tensor Labels => Alive(_labels);

    /// <summary>What <see cref="Labels"/> hold: class indexes (the default), multi-hot rows or regression targets.</summary>
    public TaskKind Task
    {
        get => _task;
        init => _task = (value == TaskKind.Classification) == (_labels.dim() == 1) && (value == TaskKind.Classification ? _labels.dtype == ScalarType.Int64 : _labels.dtype == ScalarType.Float32)
            ? value
            : throw new ArgumentException($"Labels of shape [{string.Join(", ", _labels.shape)}] and type {_labels.dtype} are not the targets of task {value}: classification takes [N] int64, the other tasks [N, K] float32.", nameof(value));
    }

    private readonly TaskKind _task;

    /// <summary>Class names in label order (for a regression, the target names).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Images that could not be read when the features were extracted.</summary>
    public int Skipped { get; }

    /// <summary>How many samples.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>
    /// The image file of each sample, in order, when the features were extracted from files here (not kept in the
    /// feature cache: set again from the images when an entry is read); null when not known.
    /// </summary>
    internal IReadOnlyList<string>? SourcePaths
    {
        get => _sourcePaths;
        set => _sourcePaths = value is null || value.Count == Count ? value
            : throw new ArgumentException($"{value.Count} image paths for {Count} samples.", nameof(value));
    }

    /// <summary>The shape of one sample's features.</summary>
    public long[] SampleShape => Features.shape.Skip(1).ToArray();

    /// <summary>The number of batches of <paramref name="batchSize"/> samples.</summary>
    public int BatchCount(int batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>Yields batches; each is disposed when the next is taken.</summary>
    public IEnumerable<FeatureBatch> Batches(int batchSize, bool shuffle = false, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Enumerable.Range(0, Count).Select(i => (long)i).ToArray();
        if (shuffle)
        {
            new Random(seed).Shuffle(order);
        }

        foreach (var chunk in order.Chunk(batchSize))
        {
            using var index = tensor(chunk);
            using var batch = new FeatureBatch(Features.index_select(0, index), Labels.index_select(0, index));
            yield return batch;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _features.Dispose();
        _labels.Dispose();
    }

    // TorchSharp's own error for a freed tensor is "Tensor invalid -- empty handle": say what happened instead.
    private Tensor Alive(Tensor tensor) => _disposed
        ? throw new ObjectDisposedException(nameof(FeatureSet), "This FeatureSet was disposed, which freed its features: use it before its using block ends, or call Extract again.")
        : tensor;
}
