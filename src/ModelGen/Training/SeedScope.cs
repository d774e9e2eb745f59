using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Seeds TorchSharp's default random generator for a block (a model's construction, so its fresh weights
/// are the same on every run) and puts the caller's generator state back at the end: creating a model
/// does not change the random numbers the rest of the program draws.
/// </summary>
internal sealed class SeedScope : IDisposable
{
    private readonly Tensor _saved;

    private SeedScope(Tensor saved) => _saved = saved;

    /// <summary>Saves the generator state and seeds it with <paramref name="seed"/>.</summary>
    public static SeedScope Enter(long seed)
    {
        var saved = get_rng_state();
        manual_seed(seed);
        return new SeedScope(saved);
    }

    /// <summary>Restores the state saved by <see cref="Enter"/>.</summary>
    public void Dispose()
    {
        set_rng_state(_saved);
        _saved.Dispose();
    }
}
