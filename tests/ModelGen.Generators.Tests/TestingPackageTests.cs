using ModelGen.Testing;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>ModelGen.Testing, as a user's test project uses it.</summary>
public sealed class TestingPackageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-testing-").FullName;

    [Fact]
    public void MatchesSnapshot_FailsFirst_PassesOnceAccepted_AndShowsADiffAfterASpecChange()
    {
        var spec = Path.Combine(_folder, "cats.model.yaml");
        File.WriteAllText(spec, Repository.Spec("cats-feature-extraction.model.yaml"));

        var snapshot = Path.Combine(_folder, "tests", "cats.model.yaml.verified.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(snapshot)!);

        var first = Assert.Throws<SnapshotMismatchException>(() => GeneratedCode.MatchesSnapshot(spec, "Pets", snapshot));
        Assert.Contains("New snapshot", first.Message);
        File.Move(snapshot.Replace(".verified.", ".received.", StringComparison.Ordinal), snapshot);
        GeneratedCode.MatchesSnapshot(spec, "Pets", snapshot);

        File.WriteAllText(spec, File.ReadAllText(spec).Replace("epochs: 30", "epochs: 40", StringComparison.Ordinal));
        var changed = Assert.Throws<SnapshotMismatchException>(() => GeneratedCode.MatchesSnapshot(spec, "Pets", snapshot));

        Assert.Contains("- ", changed.Message);
        Assert.Contains("+ ", changed.Message);
        Assert.Contains("epochs: 40", changed.Message);
        Assert.True(File.Exists(snapshot.Replace(".verified.", ".received.", StringComparison.Ordinal)));
        Assert.Equal(["cats.model.yaml"], Directory.GetFiles(_folder).Select(Path.GetFileName)); // nothing beside the spec
    }

    [Fact]
    public void BySnapshotDefault_LivesBesideTheCallingTest_NotBesideTheSpec()
    {
        var test = Path.Combine(_folder, "Tests", "SpecTests.cs");

        Assert.Equal(Path.Combine(_folder, "Tests", "cats.model.yaml.verified.cs"), GeneratedCode.DefaultSnapshotPath("../../../../App/cats.model.yaml", test));
        Assert.Contains("pass snapshotPath", Assert.Throws<ArgumentException>(() => GeneratedCode.DefaultSnapshotPath("cats.model.yaml", "")).Message);
    }

    [Fact]
    public void GeneratedText_IsTheSameWhereverTheSpecLies()
    {
        var a = Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "a", "deep")).FullName, "m.model.yaml");
        var b = Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "b")).FullName, "m.model.yaml");
        File.WriteAllText(a, Repository.Spec("minimal.model.yaml"));
        File.Copy(a, b);

        Assert.Equal(GeneratedCode.For(a), GeneratedCode.For(b));
    }

    [Fact]
    public void SpecWithErrors_FailsWithTheDiagnosticsAndPositions()
    {
        var spec = Path.Combine(_folder, "bad.model.yaml");
        File.WriteAllText(spec, "model: M\ninput: { size: 64 }\nbackbone: { architecture: vgg61 }\nhead: [flatten, { dense: 2 }]\n");

        var error = Assert.Throws<SpecErrorsException>(() => GeneratedCode.For(spec));

        Assert.Contains("bad.model.yaml(3,27): MG0011", error.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
