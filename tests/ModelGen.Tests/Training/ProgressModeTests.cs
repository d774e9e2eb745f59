using ModelGen.Progress;

namespace ModelGen.Tests.Training;

/// <summary>
/// What <see cref="ProgressMode.Auto"/> becomes: live bars only on an interactive terminal whose output
/// is not redirected and outside CI; plain lines otherwise. An explicit mode always stands.
/// </summary>
public sealed class ProgressModeTests
{
    [Theory]
    //          redirected  CI       interactive  expected
    [InlineData(false,      null,    true,        ProgressMode.Bars)]
    [InlineData(false,      "",      true,        ProgressMode.Bars)]
    [InlineData(false,      "true",  true,        ProgressMode.Lines)]
    [InlineData(false,      "1",     true,        ProgressMode.Lines)]
    [InlineData(true,       null,    true,        ProgressMode.Lines)]
    [InlineData(true,       "",      true,        ProgressMode.Lines)]
    [InlineData(true,       "true",  true,        ProgressMode.Lines)]
    [InlineData(false,      null,    false,       ProgressMode.Lines)]
    [InlineData(false,      "",      false,       ProgressMode.Lines)]
    [InlineData(false,      "true",  false,       ProgressMode.Lines)]
    [InlineData(true,       null,    false,       ProgressMode.Lines)]
    [InlineData(true,       "true",  false,       ProgressMode.Lines)]
    public void Auto_ChoosesBarsOnlyOnAnInteractiveTerminalOutsideCi(bool outputRedirected, string? ci, bool interactive, ProgressMode expected)
    {
        Assert.Equal(expected, ProgressDisplay.Resolve(ProgressMode.Auto, outputRedirected, ci, interactive));
    }

    [Theory]
    [InlineData(ProgressMode.Bars)]
    [InlineData(ProgressMode.Lines)]
    [InlineData(ProgressMode.None)]
    public void ExplicitMode_StandsWhateverTheConsoleAndEnvironment(ProgressMode mode)
    {
        foreach (var redirected in new[] { false, true })
        {
            foreach (var ci in new[] { null, "", "true" })
            {
                foreach (var interactive in new[] { false, true })
                {
                    Assert.Equal(mode, ProgressDisplay.Resolve(mode, redirected, ci, interactive));
                }
            }
        }

        Assert.Equal(mode, ProgressDisplay.Resolve(mode));
    }
}
