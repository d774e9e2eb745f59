using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace ModelGen.Package.Tests;

/// <summary>Runs a command to its end and returns its output; the repository's paths and build configuration.</summary>
internal static class Command
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    /// <summary>Runs <paramref name="file"/>; fails the test with the output when it exits non-zero.</summary>
    public static string Run(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var (exit, output) = TryRun(file, arguments, workingDirectory, timeout, environment);
        Assert.True(exit == 0, $"{file} {string.Join(' ', arguments)} exited with {exit}:\n{output}");
        return output;
    }

    public static (int ExitCode, string Output) TryRun(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["CI"] = "true";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', arguments)} did not finish:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string Metadata(string key) =>
        typeof(Command).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
