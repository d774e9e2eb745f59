namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Tests that redirect <see cref="Console.Out"/> and <see cref="Console.Error"/> (process-wide): they run
/// alone, after the parallel tests, so that what they capture is their own work's output.
/// </summary>
[CollectionDefinition(nameof(ConsoleOutput), DisableParallelization = true)]
public sealed class ConsoleOutput
{
    /// <summary>Runs <paramref name="work"/> with the console's output and error captured; returns both.</summary>
    public static (string Output, string Error) Capture(Action work)
    {
        var (output, error) = (Console.Out, Console.Error);
        using var capturedOutput = new StringWriter();
        using var capturedError = new StringWriter();
        Console.SetOut(capturedOutput);
        Console.SetError(capturedError);
        try
        {
            work();
        }
        finally
        {
            Console.SetOut(output);
            Console.SetError(error);
        }

        return (capturedOutput.ToString(), capturedError.ToString());
    }
}
