using Microsoft.Build.Utilities;

namespace ModelGen.Build.Tests;

/// <summary>A spec not named <c>*.model.yaml|yml|json</c> is never read by the generator: MGB0003 says so.</summary>
public sealed class FindMisnamedSpecsTests
{
    [Theory]
    [InlineData("shoes.yaml", "model: Shoes\ninput: { size: 32 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 2 }]\n", "shoes.model.yaml")]
    [InlineData("shoes.yml", "# a comment\nmodel: Shoes\r\nbackbone:\r\n  architecture: vgg16\r\nhead:\r\n  - flatten\r\n", "shoes.model.yml")]
    [InlineData("shoes.json", "{\n  \"model\": \"Shoes\",\n  \"backbone\": { \"architecture\": \"resnet18\" },\n  \"head\" : [\"flatten\"]\n}\n", "shoes.model.json")]
    public void AFileThatLooksLikeASpec_GetsMGB0003_WithTheNameToUse(string name, string text, string suggestion)
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, name);
        File.WriteAllText(path, text);
        var engine = new RecordingBuildEngine();
        var task = new FindMisnamedSpecs { BuildEngine = engine, Candidates = [new TaskItem(path)] };

        Assert.True(task.Execute());

        var warning = Assert.Single(engine.Warnings);
        Assert.Contains($"{name} looks like a ModelGen spec", warning, StringComparison.Ordinal);
        Assert.Contains($"Rename it to {suggestion}", warning, StringComparison.Ordinal);
        Assert.Equal(path, Assert.Single(task.MisnamedSpecs).ItemSpec);
    }

    [Theory]
    [InlineData("compose.yaml", "services:\n  web:\n    image: nginx\n")]
    [InlineData("ci.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n")]
    [InlineData("data.json", "{ \"model\": \"x\", \"items\": [1, 2] }")]
    [InlineData("nested.yaml", "config:\n  model: Shoes\n  backbone: x\n  head: y\n")] // not top level
    [InlineData("empty.yaml", "")]
    [InlineData("modelgen.schema.json", "{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n  \"properties\": { \"model\": {}, \"backbone\": {}, \"head\": {} }\n}\n")]
    public void OtherYamlAndJson_GetNoWarning(string name, string text)
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, name);
        File.WriteAllText(path, text);
        var engine = new RecordingBuildEngine();

        Assert.True(new FindMisnamedSpecs { BuildEngine = engine, Candidates = [new TaskItem(path)] }.Execute());

        Assert.Empty(engine.Warnings);
    }

    [Fact]
    public void OnlyTheStartOfALargeFile_IsRead()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "large.yaml");
        File.WriteAllText(path, "model: Shoes\n" + new string('#', FindMisnamedSpecs.BytesRead) + "\nbackbone: x\nhead: y\n");

        Assert.False(FindMisnamedSpecs.LooksLikeASpec(path));
        Assert.False(FindMisnamedSpecs.LooksLikeASpec(Path.Combine(temp.Path, "missing.yaml")));
    }
}
