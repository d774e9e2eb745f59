using System.Text.RegularExpressions;

namespace ModelGen.Package.Tests;

/// <summary>
/// The README's package flow cannot pick up a stale package (issue 17, item 6): every pack gets a version of
/// its own, and the feed is added to a project-local nuget.config. PackageFeed packs exactly this way.
/// </summary>
public sealed class ReadmeFeedTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Command.RepositoryRoot, "README.md"));

    [Fact]
    public void EveryPack_HasItsOwnVersion()
    {
        var pack = Assert.Single(Lines(), l => l.StartsWith("dotnet pack ", StringComparison.Ordinal));
        var suffix = Assert.Single(Lines(), l => l.StartsWith("suffix=", StringComparison.Ordinal));

        Assert.Contains("-p:VersionSuffix=$suffix", pack, StringComparison.Ordinal);
        Assert.Matches(@"^suffix=[a-z]+\.\$\(date [^)]*%Y%m%d%H%M%S\)$", suffix);
        Assert.Contains("ModelGen.Templates.0.1.0-$suffix.nupkg", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFeed_GoesIntoAProjectLocalNuGetConfig()
    {
        var add = Assert.Single(Lines(), l => l.StartsWith("dotnet nuget add source ", StringComparison.Ordinal));

        Assert.EndsWith("--configfile nuget.config", add, StringComparison.Ordinal);
        Assert.Contains("dotnet new nugetconfig", Lines());
        Assert.DoesNotMatch(new Regex(@"preview\.1"), Readme);
    }

    private static List<string> Lines() => Readme.Split('\n').Select(l => l.Trim()).ToList();
}
