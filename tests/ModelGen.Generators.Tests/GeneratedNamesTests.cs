using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Specs that passed without an MG error but generated code that did not compile (issue 18, item 10): each
/// is now an MG error, or its code compiles. <see cref="GeneratedNames"/> is checked against the emitted code.
/// </summary>
public sealed class GeneratedNamesTests
{
    private const string Rest = "input: { size: 64 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 2, activation: softmax }]\n";

    public static TheoryData<string> MemberNames => [.. GeneratedNames.Members];

    [Theory]
    [MemberData(nameof(MemberNames))]
    public void AModelNamedLikeAGeneratedMember_IsMG0006(string name) => AssertRejected($"model: {name}\n" + Rest);

    [Theory]
    [InlineData("Phase1TrainOptimizer")]
    [InlineData("Phase1TrainOnFeatures")]
    [InlineData("Phase1TrainOnImages")]
    public void AModelNamedLikeAPhaseMember_IsMG0006(string name) => AssertRejected($"model: {name}\n" + Rest + "training: { augment: { horizontal_flip: true } }\n");

    [Theory]
    [InlineData("file")]
    [InlineData("required")]
    [InlineData("record")]
    [InlineData("scoped")]
    [InlineData("dynamic")]
    [InlineData("nameof")]
    [InlineData("cats")]
    public void AContextualKeywordOrLowerCaseModel_IsMG0006(string name) => AssertRejected($"model: {name}\n" + Rest);

    [Theory]
    [InlineData("SummaryModel")]
    [InlineData("Module")]
    [InlineData("Dispose")]
    [InlineData("Records")]
    [InlineData("cats2")]
    [InlineData("my_model")]
    [InlineData("_")]
    [InlineData("M\u00e9tro")]
    [InlineData("Phase1")]
    [InlineData("ModelGen")]
    public void NamesNextToThose_Compile(string name) => AssertCompiles(("a.model.yaml", $"model: {name}\n" + Rest));

    [Theory]
    [InlineData("ModelGen", "Data")]
    [InlineData("ModelGen", "ModelOptions")]
    [InlineData("ModelGen.Heads", "Head")]
    [InlineData("System", "IO")]
    [InlineData("System.CodeDom.Compiler", "GeneratedCode")]
    [InlineData("ModelGen.ModelOptions", "Cats")]
    [InlineData("TorchSharp.torch.Models", "Cats")]
    public void AModelHidingANameTheGeneratedCodeUses_IsMG0006(string ns, string name) =>
        AssertRejected($"model: {name}\nnamespace: {ns}\n" + Rest);

    [Theory]
    [InlineData("ModelGen.Training", "Cats")]
    [InlineData("Cats", "Cats")]
    [InlineData("Pets.Cats", "Cats")]
    [InlineData("Cats.Models", "Cats")]
    [InlineData("CatsLabel", "Cats")]
    public void ANamespaceBesideThoseNames_Compiles(string ns, string name) =>
        AssertCompiles(("a.model.yaml", $"model: {name}\nnamespace: {ns}\nlabels: [a, b]\n" + Rest));

    [Theory]
    [InlineData("123", "_123")]
    [InlineData("1.a", "_1_A")]
    [InlineData("layers", "Layers_")]
    [InlineData("/stage3/Relu_output_0", "Stage3ReluOutput0")]
    public void AnOnnxCutThatIsNoCSharpName_GetsAConstantThatIs(string cut, string constant)
    {
        var run = AssertCompiles(("a.model.yaml",
            "model: Imported\ninput: { size: 96 }\nbackbone: { architecture: onnx, path: m.onnx, feature_shape: [256, 6, 6], truncate_at: \"" + cut + "\" }\n"
            + "head: [global_avg_pool, { dense: 2, activation: softmax }]\n"));

        Assert.Contains($"public const string {constant} = \"{cut}\";", run.ModelSources);
    }

    [Theory]
    [InlineData("my-app", "my_app")]
    [InlineData("1st try.Models", "_1st_try.Models")]
    [InlineData("Pets.class", "Pets._class")]
    [InlineData("Pets..Models", "Pets._.Models")]
    public void AProjectWhoseNameIsNoNamespace_GetsTheNamespaceDotnetNewWouldGive(string rootNamespace, string ns)
    {
        var run = GeneratorHarness.RunInProject(rootNamespace, ("a.model.yaml", "model: Cats\n" + Rest));

        Assert.Empty(run.Diagnostics);
        Assert.Contains($"\nnamespace {ns};\n", run.ModelSources);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }

    [Fact]
    public void EveryMemberTheEmitterWrites_IsAGeneratedName_AndEveryGeneratedNameIsWritten()
    {
        var written = new HashSet<string>();
        foreach (var (plan, trees) in GenerateEverySpec())
        {
            var phases = plan.Training.Phases.Select(p => p.Name).ToList();
            var members = trees
                .SelectMany(t => t.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
                .Where(t => t.Identifier.Text == plan.ClassName)
                .SelectMany(t => t.Members)
                .SelectMany(NamesOf);
            foreach (var member in members)
            {
                Assert.True(GeneratedNames.IsMember(member, phases), $"{plan.ClassName} declares {member}, which GeneratedNames does not list");
                written.Add(member);
            }
        }

        Assert.Empty(GeneratedNames.Members.Except(written));
    }

    [Fact]
    public void EveryNameTheGeneratedCodeUses_IsARuntimeName_OfTheRightKind()
    {
        var used = new HashSet<string>();
        foreach (var (_, trees) in GenerateEverySpec())
        {
            foreach (var name in trees.SelectMany(t => Regex.Matches(t.ToString(), @"global::([A-Za-z_][A-Za-z0-9_.]*)")).Select(m => m.Groups[1].Value))
            {
                // Every namespace on the way is listed, up to a listed type; what lies below a type is its own.
                var parts = name.Split('.');
                var prefixes = Enumerable.Range(1, parts.Length).Select(n => string.Join(".", parts.Take(n))).ToList();
                var type = prefixes.FindIndex(GeneratedNames.RuntimeTypes.Contains);
                Assert.True(type >= 0, $"generated code uses {name}, whose type GeneratedNames.RuntimeTypes does not list");
                Assert.All(prefixes.Take(type), ns => Assert.Contains(ns, GeneratedNames.RuntimeNamespaces));
                used.UnionWith(prefixes.Take(type + 1));
            }
        }

        var compilation = GeneratorHarness.EmptyCompilation();
        Assert.All(GeneratedNames.RuntimeNamespaces, ns => Assert.True(IsNamespace(compilation, ns), ns + " is not a namespace"));
        Assert.All(GeneratedNames.RuntimeTypes, type => Assert.True(IsType(compilation, type), type + " is not a type"));
        Assert.DoesNotContain(GeneratedNames.RuntimeNamespaces.Concat(GeneratedNames.RuntimeTypes), n => !used.Contains(n) && !used.Contains(n.Replace("Attribute", "")));

        // The labels' enum, ClassName + "Label", is checked against these names only because none ends so.
        Assert.DoesNotContain(GeneratedNames.RuntimeNamespaces.Concat(GeneratedNames.RuntimeTypes), n => n.EndsWith("Label", StringComparison.Ordinal));
    }

    private static IEnumerable<(ModelPlan Plan, IReadOnlyList<SyntaxTree> Trees)> GenerateEverySpec()
    {
        var options = new ProjectOptions("TestProject", GeneratorHarness.ProjectDirectory);
        foreach (var file in Directory.GetFiles(Repository.SpecsFolder))
        {
            var plan = SpecCompiler.Compile(file, File.ReadAllText(file), options, CancellationToken.None).Plan!;
            yield return (plan, Emit.ModelEmitter.Emit(plan).Select(f => CSharpSyntaxTree.ParseText(f.Text)).ToList());
        }
    }

    private static IEnumerable<string> NamesOf(MemberDeclarationSyntax member) => member switch
    {
        ConstructorDeclarationSyntax => [],
        BaseTypeDeclarationSyntax type => [type.Identifier.Text],
        MethodDeclarationSyntax method => [method.Identifier.Text],
        PropertyDeclarationSyntax property => [property.Identifier.Text],
        BaseFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.Text),
        DelegateDeclarationSyntax d => [d.Identifier.Text],
        _ => throw new InvalidOperationException("a member GeneratedNamesTests does not know: " + member.Kind()),
    };

    [Theory]
    [InlineData("ResNet50")]
    [InlineData("VGG16_BN")]
    public void ArchitectureNames_AreReadInAnyCase(string architecture) =>
        AssertCompiles(("a.model.yaml", $"model: M\ninput: {{ size: 64 }}\nbackbone: {{ architecture: {architecture} }}\nhead: [global_avg_pool, {{ dense: 2 }}]\n"));

    private static bool IsNamespace(Compilation compilation, string name) =>
        name.Split('.').Aggregate((INamespaceSymbol?)compilation.GlobalNamespace, (ns, part) => ns?.GetNamespaceMembers().FirstOrDefault(m => m.Name == part)) is not null;

    private static bool IsType(Compilation compilation, string name) =>
        !IsNamespace(compilation, name) && new[] { name, name + "`1", name + "Attribute" }.Any(n => compilation.GetTypeByMetadataName(n) is not null);

    private static void AssertRejected(string spec)
    {
        var run = GeneratorHarness.Run(("a.model.yaml", spec));

        Assert.Equal("MG0006", Assert.Single(run.Diagnostics).Id);
        Assert.Empty(run.ModelFiles);
    }

    private static GeneratorRun AssertCompiles(params (string FileName, string Text)[] specs)
    {
        var run = GeneratorHarness.Run(specs);

        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.Sources);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
        return run;
    }
}
