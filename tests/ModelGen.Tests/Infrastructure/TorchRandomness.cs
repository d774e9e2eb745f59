namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Tests that compare whole training runs, which draw dropout masks and initial weights from TorchSharp's
/// one global generator: they run alone, after the parallel tests, so no other test draws from it meanwhile.
/// </summary>
[CollectionDefinition(nameof(TorchRandomness), DisableParallelization = true)]
public sealed class TorchRandomness;
