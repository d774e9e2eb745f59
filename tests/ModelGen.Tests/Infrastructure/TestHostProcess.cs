using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Runs tests/ModelGen.TestHost as a child process (to kill it, or to measure it alone).</summary>
internal sealed class TestHostProcess : IDisposable
{
    private static readonly string HostPath = typeof(TestHostProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TestHost").Value!;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TestHostProcess(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HostPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CI"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static TestHostProcess Start(params string[] arguments) => new(null, arguments);

    /// <summary>Runs to the end and returns the output; fails the test on a non-zero exit.</summary>
    public static string Run(params string[] arguments) => RunWith(null, arguments);

    /// <summary>Runs to the end with environment variables set (or removed, for null values) and returns the output.</summary>
    public static string RunWith(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        using var host = new TestHostProcess(environment, arguments);
        Assert.True(host._process.WaitForExit(TimeSpan.FromMinutes(5)), "the test host did not finish in 5 minutes:\n" + host.Output);
        host._process.WaitForExit();
        Assert.True(host._process.ExitCode == 0, $"the test host exited with {host._process.ExitCode}:\n{host.Output}");
        return host.Output;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (or the process ends), polling every 20 ms.</summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !_process.HasExited)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return condition();
    }

    /// <summary>kill -9: no cleanup, no flush, like a crash or a power cut for the process.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-9", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }

        _process.WaitForExit();
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
