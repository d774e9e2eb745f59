namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// A test that needs headless Chromium. Without it, the test is skipped with the command that installs it, except
/// under CI (CI=true), where it runs and fails: CI installs chromium (.ci/run), so a missing browser is a fault there.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (HeadlessChromium.Executable is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "chromium is not installed (apt-get install -y --no-install-recommends chromium); under CI=true this test runs and fails instead";
        }
    }
}
