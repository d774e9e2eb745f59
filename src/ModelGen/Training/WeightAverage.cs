using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// An exponential moving average of the trained weights (spec key: <c>training.ema</c>). Every parameter that trains in
/// the run has an average, which starts as the parameter's value before its first step; after each optimizer step,
/// average = decay · average + (1 - decay) · weight. Buffers (batch-norm statistics) are the model's own, as if
/// copied after every step. Validation scores the averaged weights (<see cref="Swap"/>), the trained model keeps them
/// (<see cref="CopyIntoModel"/>), and checkpoints carry them (<see cref="ToBytes"/>), so that a resumed run goes on exactly.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly nn.Module _model;
    private readonly Dictionary<string, Tensor> _averages = new(StringComparer.Ordinal);
    private List<(Parameter Weight, Tensor Average)> _training = [];

    public WeightAverage(nn.Module model, double decay)
    {
        if (!(decay > 0 && decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay of a weight average must lie between 0 and 1 (both excluded), such as 0.999.");
        }

        _model = model;
        Decay = decay;
    }

    /// <summary>The weight the old average keeps at each step.</summary>
    public double Decay { get; }

    /// <summary>The names of the averaged parameters.</summary>
    public IReadOnlyCollection<string> Names => _averages.Keys;

    /// <summary>
    /// Starts averaging the parameters that train now (at the start of a phase, after its freezing): one that
    /// has no average yet starts from its current value.
    /// </summary>
    public void TrackTrainable()
    {
        _training = [];
        foreach (var (name, weight) in _model.named_parameters())
        {
            if (!weight.requires_grad)
            {
                continue;
            }

            if (!_averages.TryGetValue(name, out var average))
            {
                average = weight.detach().clone().DetachFromDisposeScope();
                _averages.Add(name, average);
            }

            _training.Add((weight, average));
        }
    }

    /// <summary>After an optimizer step: average = decay · average + (1 - decay) · weight, for every parameter that trains.</summary>
    public void Update()
    {
        using var noGrad = no_grad();
        foreach (var (weight, average) in _training)
        {
            average.mul_(Decay).add_(weight, alpha: 1 - Decay);
        }
    }

    /// <summary>Puts the averages into the model until the result is disposed, which puts the trained weights back.</summary>
    public IDisposable Swap()
    {
        var saved = new List<(Tensor Weight, Tensor Kept)>();
        using var noGrad = no_grad();
        foreach (var (weight, average) in Pairs())
        {
            saved.Add((weight, weight.detach().clone().DetachFromDisposeScope()));
            weight.copy_(average);
        }

        return new Restore(saved);
    }

    /// <summary>Puts the averages into the model for good: the end of a run.</summary>
    public void CopyIntoModel()
    {
        using var noGrad = no_grad();
        foreach (var (weight, average) in Pairs())
        {
            weight.copy_(average);
        }
    }

    /// <summary>Makes the averages the model's current weights (after early stopping restored its best averaged weights).</summary>
    public void ResetToModel()
    {
        using var noGrad = no_grad();
        foreach (var (weight, average) in Pairs())
        {
            average.copy_(weight);
        }
    }

    /// <summary>The averages, for a checkpoint: each name with its tensor.</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(_averages.Count);
            foreach (var (name, average) in _averages.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.Write(name);
                average.Save(writer);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Reads averages written by <see cref="ToBytes"/> (a resumed run's), each into a tensor shaped like its parameter.</summary>
    /// <exception cref="InvalidDataException">An average names no parameter of the model.</exception>
    public void Load(byte[] state)
    {
        var weights = _model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        using var reader = new BinaryReader(new MemoryStream(state));
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            if (!weights.TryGetValue(name, out var weight))
            {
                throw new InvalidDataException($"the weight average names '{name}', which is not a parameter of the model");
            }

            if (!_averages.TryGetValue(name, out var average))
            {
                average = weight.detach().clone().DetachFromDisposeScope();
                _averages.Add(name, average);
            }

            average.Load(reader);
        }
    }

    public void Dispose()
    {
        foreach (var average in _averages.Values)
        {
            average.Dispose();
        }

        _averages.Clear();
        _training = [];
    }

    private IEnumerable<(Parameter Weight, Tensor Average)> Pairs()
    {
        foreach (var (name, weight) in _model.named_parameters())
        {
            if (_averages.TryGetValue(name, out var average))
            {
                yield return (weight, average);
            }
        }
    }

    private sealed class Restore(List<(Tensor Weight, Tensor Kept)> saved) : IDisposable
    {
        public void Dispose()
        {
            using var noGrad = no_grad();
            foreach (var (weight, kept) in saved)
            {
                weight.copy_(kept);
                kept.Dispose();
            }

            saved.Clear();
        }
    }
}
