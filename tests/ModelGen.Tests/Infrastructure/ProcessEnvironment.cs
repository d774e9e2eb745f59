namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Tests that set environment variables (process-wide, read by the runtime: MODELGEN_OFFLINE,
/// MODELGEN_WEIGHTS_MIRROR): they run alone, after the parallel tests, so no other test sees the values.
/// </summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    /// <summary>Sets the variables (null removes one) until the result is disposed, then restores them.</summary>
    public static IDisposable Set(params (string Name, string? Value)[] variables)
    {
        var previous = variables.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToList();
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        return new Restore(previous);
    }

    private sealed class Restore(List<(string Name, string? Value)> previous) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (name, value) in previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
