using System.Text.Json.Nodes;
using Json.Schema;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Spec;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>schema/modelgen.schema.json (for editors) kept in step with the parser.</summary>
public sealed class SchemaTests
{
    private static readonly string SchemaPath = Path.Combine(Repository.Root, "schema", "modelgen.schema.json");
    private static readonly JsonSchema Schema = JsonSchema.FromFile(SchemaPath);
    private static readonly JsonObject SchemaJson = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();

    public static TheoryData<string> RepositorySpecs()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "examples", "tests" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*.*", SearchOption.AllDirectories)
                .Where(f => SpecFiles.IsSpec(f) && !f.Contains("/bin/") && !f.Contains("/obj/") && !f.Contains("/_scratch/"))
                .Order())
            {
                data.Add(Path.GetRelativePath(Repository.Root, file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RepositorySpecs))]
    public void EverySpecInTheRepository_IsValidAgainstTheSchema_AndForTheGenerator(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, relativePath));

        var result = Schema.Evaluate(Element(YamlToJson.Convert(text)), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, $"{relativePath}: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        var compiled = SpecCompiler.Compile(relativePath, text, new Analysis.ProjectOptions("P", ""), CancellationToken.None);
        Assert.Empty(compiled.Diagnostics);
    }

    [Fact]
    public void SchemaKeys_AreTheParsersKeys()
    {
        var root = SchemaJson["properties"]!.AsObject();
        var training = root["training"]!["properties"]!.AsObject();
        AssertKeys(SpecKeys.Root, root);
        AssertKeys(SpecKeys.Input, root["input"]!["properties"]!.AsObject());
        AssertKeys(SpecKeys.Backbone, root["backbone"]!["properties"]!.AsObject());
        AssertKeys(SpecKeys.Training, training);
        AssertKeys(SpecKeys.Phase, training["phases"]!["items"]!["properties"]!.AsObject());
        AssertKeys(SpecKeys.Optimizer, training["optimizer"]!["properties"]!.AsObject());
        AssertKeys(SpecKeys.EarlyStopping, training["early_stopping"]!["properties"]!.AsObject());
        AssertKeys(SpecKeys.Augment, Variant(training["augment"]!));
        AssertKeys(SpecKeys.Checkpoints, Variant(training["checkpoints"]!));
        AssertKeys(SpecKeys.Schedule, Variant(training["schedule"]!));
    }

    [Fact]
    public void ArchitectureChoices_AreTheCatalog_AsAnEnumEditorsCanList()
    {
        // An enum, not a pattern: an editor offers the names and, for a wrong one, lists them instead of a regex.
        var architecture = SchemaJson["properties"]!["backbone"]!["properties"]!["architecture"]!.AsObject();
        Assert.Equal(BackboneCatalog.ValidNames.Order(), architecture["enum"]!.AsArray().Select(n => (string)n!).Order());
        Assert.False(architecture.ContainsKey("pattern"));
        foreach (var name in BackboneCatalog.ValidNames)
        {
            Assert.True(IsValid(Spec($"architecture: {name}")), name);
        }

        Assert.False(IsValid(Spec("architecture: vgg61")));
        Assert.False(IsValid(Spec("architecture: resnet18\n  colour: blue")));
    }

    private static string Spec(string backbone) => $"model: M\ninput: {{ size: 64 }}\nbackbone:\n  {backbone}\nhead: [flatten, {{ dense: 2 }}]\n";

    private static bool IsValid(string yaml) => Schema.Evaluate(Element(YamlToJson.Convert(yaml))).IsValid;

    private static System.Text.Json.JsonElement Element(JsonNode? node) => System.Text.Json.JsonSerializer.SerializeToElement(node);

    private static JsonObject Variant(JsonNode oneOf) =>
        oneOf["oneOf"]!.AsArray().Select(v => v!["properties"]).OfType<JsonObject>().Single();

    private static void AssertKeys(string[] parser, JsonObject schema) =>
        Assert.Equal(parser.Order(), schema.Select(p => p.Key).Order());
}
