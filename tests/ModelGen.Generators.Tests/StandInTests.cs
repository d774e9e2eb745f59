using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// A spec with errors gets a stand-in class with the model's API (issue 17, item 1): the spec's MG errors are
/// then the build's only errors, instead of each standing beside a CS0246 in the user's code that names the
/// model. The stand-in never takes a name from a real model, and every member throws.
/// </summary>
public sealed class StandInTests
{
    private const string UserCode = """
        using System.Linq;
        using TestProject;

        public static class Program
        {
            public static string Main()
            {
                using var model = Shoes.Create();
                var features = model.Extract("data/train");
                model.Train(features, trainOptions: new ModelGen.TrainOptions { Resume = true });
                model.Train("data/train", "data/validation");
                var accuracy = model.Evaluate("data/test").Accuracy;
                var prediction = model.Predict("shoe.png");
                model.Save("shoes.mgmodel");
                using var loaded = Shoes.Load("shoes.mgmodel");
                var counts = new int[Shoes.ClassCount];
                return prediction.Label == ShoesLabel.Sneaker ? Shoes.Summary() : string.Join(",", loaded.Classes.Concat(Shoes.DeclaredClasses)) + accuracy + counts.Length;
            }
        }
        """;

    public static TheoryData<string> BrokenSpecs => new()
    {
        // An error in the head: the rest of the spec reads.
        "model: Shoes\nlabels: [sandal, sneaker, boot]\ninput: { size: 32 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 3, activation: sofmax }]\n",
        // A missing key.
        "model: Shoes\nlabels: [sandal, sneaker, boot]\ninput: { size: 32 }\nhead: [global_avg_pool, { dense: 3 }]\n",
        // Not YAML at all (a tab indents a line): only the top-level model line and labels can be found.
        "model: Shoes\nlabels: [sandal, sneaker, boot]\ninput:\n\tsize: 32\n",
        // A loss that does not fit the head: found by the analysis, after reading.
        "model: Shoes\nlabels: [sandal, sneaker, boot]\ninput: { size: 32 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 2, activation: softmax }]\n",
    };

    [Theory]
    [MemberData(nameof(BrokenSpecs))]
    public void ASpecWithErrors_HasOnlyItsOwnErrors_InABuildWhoseCodeUsesTheModel(string spec)
    {
        var run = GeneratorHarness.Run(("shoes.model.yaml", spec));
        var withUserCode = run.Output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(UserCode, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest)));

        Assert.NotEmpty(run.Diagnostics);
        Assert.All(run.Diagnostics, d => Assert.StartsWith("MG", d.Id, StringComparison.Ordinal));
        Assert.Empty(run.ModelFiles);
        Assert.Single(run.StandIns);
        Assert.Empty(GeneratorHarness.CompileProblems(withUserCode));
    }

    [Fact]
    public void WithoutTheStandIn_TheSameCodeHasACSharpError()
    {
        // What the stand-in prevents: the spec names no model, so nothing stands in for it.
        var run = GeneratorHarness.Run(("shoes.model.yaml", "labels: [sandal, sneaker, boot]\ninput: { size: 32 }\n"));
        var withUserCode = run.Output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(UserCode));

        Assert.Empty(run.Sources);
        Assert.Contains(GeneratorHarness.CompileProblems(withUserCode), d => d.Id == "CS0246");
    }

    [Theory]
    [InlineData("alexnet-max-pool.model.yaml")]
    [InlineData("cats-feature-extraction.model.yaml")]
    [InlineData("fashion-resnet18.model.json")]
    [InlineData("minimal.model.yaml")]
    [InlineData("mobilenet-sgd.model.yaml")]
    [InlineData("onnx-graph.model.yaml")]
    [InlineData("vgg16-bn-two-phases.model.yaml")]
    public void TheStandIn_HasTheGeneratedModelsPublicApi(string file)
    {
        var text = Repository.Spec(file);
        var real = GeneratorHarness.Run((file, text));
        Assert.Empty(real.Diagnostics);

        // An unknown key is an error that leaves every name of the spec readable.
        var broken = file.EndsWith(".json", StringComparison.Ordinal) ? "{ \"unknown_key\": 1," + text.TrimStart().Substring(1) : text + "\nunknown_key: 1\n";
        var standIn = GeneratorHarness.Run((file, broken));
        Assert.Contains(standIn.Diagnostics, d => d.Id == "MG0002");
        Assert.Single(standIn.StandIns);
        Assert.Empty(GeneratorHarness.CompileProblems(standIn.Output));

        Assert.Equal(PublicApi(real.Output), PublicApi(standIn.Output));
    }

    [Fact]
    public void AStandIn_NeverTakesTheNameOfARealModel()
    {
        const string valid = "model: Shoes\ninput: { size: 32 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 3 }]\n";
        const string broken = "model: Shoes\ninput: { size: 32 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 0 }]\n";

        foreach (var specs in new[] { new[] { ("a.model.yaml", valid), ("b.model.yaml", broken) }, [("a.model.yaml", broken), ("b.model.yaml", valid)] })
        {
            var run = GeneratorHarness.Run(specs);

            Assert.Empty(run.StandIns);
            Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
        }
    }

    [Fact]
    public void TwoBrokenSpecsOfOneModel_GetOneStandIn()
    {
        const string broken = "model: Shoes\ninput: { size: 32 }\nhead: [global_avg_pool, { dense: 3 }]\n";

        var run = GeneratorHarness.Run(("a.model.yaml", broken), ("b.model.yaml", broken.Replace("32", "64", StringComparison.Ordinal)));

        Assert.Contains("from a.model.yaml", Assert.Single(run.StandIns), StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }

    [Theory]
    [InlineData("model: shoes\ninput: { size: 32 }\n")] // MG: a lower-case class name
    [InlineData("model: Summary\ninput: { size: 32 }\n")] // MG: a generated member's name
    [InlineData("model: Shoes\nnamespace: 1Bad\ninput: { size: 32 }\n")] // MG: an invalid namespace
    [InlineData("model: SpecHasErrors\ninput: { size: 32 }\n")] // the stand-in's own member
    public void NamesThatAreErrorsThemselves_GetNoStandIn(string spec)
    {
        var run = GeneratorHarness.Run(("shoes.model.yaml", spec));

        Assert.Empty(run.Sources);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }

    [Fact]
    public void EveryMemberOfAStandIn_ThrowsAndNamesTheSpec()
    {
        var run = GeneratorHarness.Run(("specs/shoes.model.yaml", "model: Shoes\ninput: { size: 32 }\n"));
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("; ", emitted.Diagnostics));

        var type = Assembly.Load(image.ToArray()).GetType("TestProject.Shoes")!;
        var create = Assert.Throws<TargetInvocationException>(() => type.GetMethod("Create")!.Invoke(null, [null]));
        var summary = Assert.Throws<TargetInvocationException>(() => type.GetMethod("Summary")!.Invoke(null, []));

        foreach (var thrown in new[] { create.InnerException, summary.InnerException })
        {
            var error = Assert.IsType<InvalidOperationException>(thrown);
            Assert.Contains("specs/shoes.model.yaml has errors", error.Message, StringComparison.Ordinal);
            Assert.Contains("Fix the MG errors", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>The public API of the project's types: every public member's signature, with its kind; constants' values left out.</summary>
    private static List<string> PublicApi(Compilation compilation)
    {
        var format = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMemberOptions(SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeModifiers
                | SymbolDisplayMemberOptions.IncludeAccessibility | SymbolDisplayMemberOptions.IncludeRef | SymbolDisplayMemberOptions.IncludeContainingType)
            .WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue
                | SymbolDisplayParameterOptions.IncludeParamsRefOut | SymbolDisplayParameterOptions.IncludeOptionalBrackets);
        var api = new List<string>();
        foreach (var type in Types(compilation.Assembly.GlobalNamespace).Where(t => t.DeclaredAccessibility == Accessibility.Public))
        {
            api.Add($"{type.TypeKind} {type.ToDisplayString(format)} : {type.BaseType?.ToDisplayString(format)}");
            if (type.Name == "Layers")
            {
                continue; // the layer names come from the backbone, which a spec with errors may not have
            }

            api.AddRange(type.GetMembers()
                .Where(m => m.DeclaredAccessibility == Accessibility.Public && !m.IsImplicitlyDeclared && m is not IMethodSymbol { AssociatedSymbol: not null })
                .Where(m => !(type.TypeKind == TypeKind.Enum && m is IFieldSymbol)) // an enum's members are the labels, checked by the first test
                .Select(m => $"{m.Kind} {m.ToDisplayString(format)}"));
        }

        api.Sort(StringComparer.Ordinal);
        return api;
    }

    private static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol ns) =>
        ns.GetTypeMembers().SelectMany(t => new[] { t }.Concat(t.GetTypeMembers()))
            .Concat(ns.GetNamespaceMembers().SelectMany(Types));
}
