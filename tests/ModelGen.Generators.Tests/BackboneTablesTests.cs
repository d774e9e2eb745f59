using System.Globalization;
using System.Text;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Tests.Infrastructure;
using ModelGen.Weights;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The backbone tables of README.md and docs/backbones.md are written from the catalog itself (the build-time
/// layouts at 224x224 and the official weights table), so they cannot drift from what the generator accepts.
/// After changing the catalog, rewrite them with <c>MODELGEN_UPDATE_DOCS=1 dotnet test --filter BackboneTables</c>
/// and review the diff.
/// </summary>
public sealed class BackboneTablesTests
{
    private const string Begin = "<!-- backbone-table:begin (written by BackboneTablesTests; do not edit by hand) -->";
    private const string End = "<!-- backbone-table:end -->";

    [Fact]
    public void Readme_ListsEveryArchitectureWithItsWeightsAndFeatureShapes() =>
        Check(Path.Combine(Repository.Root, "README.md"), ReadmeTable());

    [Fact]
    public void BackbonesDoc_ListsEveryArchitecturesCutNames() =>
        Check(Path.Combine(Repository.Root, "docs", "backbones.md"), CutTable());

    [Fact]
    public void EveryArchitecture_HasFourStagesThatEndAtTheirStrides()
    {
        foreach (var architecture in BackboneCatalog.Architectures)
        {
            var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, 224, 224));
            var stages = Stages(layout);
            if (stages.Count == 0)
            {
                continue; // transformers without a pyramid name their blocks instead (docs/backbones.md)
            }

            Assert.Equal(4, stages.Count);
            for (var i = 0; i < stages.Count; i++)
            {
                var layer = layout.Find(stages[i].Last)!;
                Assert.True(layer.CanCut, $"{layout.Architecture}: {stages[i].Name} ends at {layer.Name}, which cannot be cut");
                var stride = 4 << i;
                var actual = 1 << (int)Math.Round(Math.Log2(224.0 / layer.Output.Height)); // odd paddings round
                Assert.True(actual == stride, $"{layout.Architecture}: {stages[i].Name} ({layer.Name}) is {layer.Output} at 224, not at stride {stride}");
            }
        }
    }

    private static List<LayerAlias> Stages(BackboneLayout layout) =>
        layout.Aliases.Where(a => !a.IsSummaryRow && a.Name.StartsWith("stage", StringComparison.Ordinal)).ToList();

    private static string ReadmeTable()
    {
        var table = new StringBuilder();
        table.AppendLine("| architecture | top-1 | parameters | weights file | stage1 | stage2 | stage3 | stage4 | default cut |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var architecture in BackboneCatalog.Architectures)
        {
            var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, 224, 224));
            var weights = OfficialWeightsTable.Find(layout.Architecture);
            var stages = Stages(layout);
            var stageCells = Enumerable.Range(0, 4).Select(i => i < stages.Count ? layout.Find(stages[i].Last)!.Output.ToString() : "");
            var parameters = weights?.Parameters ?? layout.Parameters.Sum(p => p.Elements);
            table.AppendLine(string.Join(" | ", new[]
            {
                "| " + layout.Architecture,
                weights is null ? "" : weights.Top1Accuracy.ToString(CultureInfo.InvariantCulture),
                parameters.ToString("N0", CultureInfo.InvariantCulture),
                weights?.FileName ?? "in the ML.NET package",
            }.Concat(stageCells).Append(layout.Find(layout.DefaultCut)!.Output + " |")));
        }

        return table.ToString();
    }

    private static string CutTable()
    {
        var table = new StringBuilder();
        table.AppendLine("| architecture | stage1 | stage2 | stage3 | stage4 | default cut |");
        table.AppendLine("|---|---|---|---|---|---|");
        foreach (var architecture in BackboneCatalog.Architectures)
        {
            var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, 224, 224));
            var stages = Stages(layout);
            var cells = Enumerable.Range(0, 4)
                .Select(i => i < stages.Count ? $"`{stages[i].Last}` {layout.Find(stages[i].Last)!.Output}" : "")
                .Append($"`{layout.DefaultCut}` {layout.Find(layout.DefaultCut)!.Output}");
            table.AppendLine("| " + layout.Architecture + " | " + string.Join(" | ", cells) + " |");
        }

        return table.ToString();
    }

    private static void Check(string path, string table)
    {
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{path} has no backbone table between '{Begin}' and '{End}'.");
        var current = text[(begin + Begin.Length)..end].Trim('\n') + "\n";
        if (Environment.GetEnvironmentVariable("MODELGEN_UPDATE_DOCS") == "1" && current != table)
        {
            File.WriteAllText(path, text[..(begin + Begin.Length)] + "\n" + table + text[end..]);
            return;
        }

        Assert.Equal(table, current);
    }
}
