using System.Diagnostics;
using System.Text;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ModelGen.Generators.Tests;

/// <summary>
/// A spec with tens of thousands of mistakes: found in linear time (each distinct problem once, without
/// comparing it with every earlier one), and reported as the first hundred and one line saying how many more.
/// </summary>
public sealed class DiagnosticLimitTests(ITestOutputHelper output)
{
    private const int UnknownKeys = 40_000;

    [Fact]
    public void ASpecWithThousandsOfMistakes_ReportsTheFirstHundred_AndHowManyMore()
    {
        var text = new StringBuilder("model: M\ninput: { size: 64 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 2 }]\n");
        for (var i = 0; i < UnknownKeys; i++)
        {
            text.Append("unknown").Append(i).Append(": 1\n");
        }

        var clock = Stopwatch.StartNew();
        var compiled = SpecCompiler.Compile(GeneratorHarness.PathOf("big.model.yaml"), text.ToString(), new ProjectOptions("P", GeneratorHarness.ProjectDirectory), CancellationToken.None);
        output.WriteLine($"{text.Length:N0} characters, {UnknownKeys:N0} unknown keys: {clock.ElapsedMilliseconds:N0} ms");

        Assert.Null(compiled.Plan);
        Assert.Equal(DiagnosticBag.MaxReported + 1, compiled.Diagnostics.Count);
        Assert.All(compiled.Diagnostics.Take(DiagnosticBag.MaxReported), d => Assert.Equal("MG0002", d.Id));
        var closing = compiled.Diagnostics[DiagnosticBag.MaxReported];
        Assert.Equal("MG0026", closing.Id);
        Assert.StartsWith($"{UnknownKeys - DiagnosticBag.MaxReported:N0} more problems", closing.Message);

        // It points at the first problem left out: the 101st unknown key, on line 105 (zero-based 104).
        Assert.Equal(4 + DiagnosticBag.MaxReported, closing.Location.StartLine);
    }

    [Theory]
    [InlineData(DiagnosticBag.MaxReported, DiagnosticBag.MaxReported, null)]
    [InlineData(DiagnosticBag.MaxReported + 1, DiagnosticBag.MaxReported + 1, "One more problem was found")]
    [InlineData(DiagnosticBag.MaxReported + 2, DiagnosticBag.MaxReported + 1, "2 more problems were found")]
    public void TheClosingDiagnostic_ComesOnlyPastTheLimit(int problems, int reported, string? closing)
    {
        var bag = new DiagnosticBag();
        for (var i = 0; i < problems; i++)
        {
            bag.Add(DiagnosticDescriptors.DuplicatePhase, Model.SpecLocation.FileStart("/p/a.model.yaml"), "phase" + i);
        }

        var diagnostics = bag.ToEquatableArray();

        Assert.Equal(problems, bag.Count);
        Assert.Equal(reported, diagnostics.Count);
        Assert.Equal(closing is not null, diagnostics[^1].Id == "MG0026");
        if (closing is not null)
        {
            Assert.StartsWith(closing, diagnostics[^1].Message);
        }
    }

    [Fact]
    public void AProblemFoundAgain_CountsOnce()
    {
        var bag = new DiagnosticBag();
        for (var i = 0; i < 3 * DiagnosticBag.MaxReported; i++)
        {
            bag.Add(DiagnosticDescriptors.DuplicatePhase, Model.SpecLocation.FileStart("/p/a.model.yaml"), "head");
        }

        Assert.Equal(1, bag.Count);
        Assert.Single(bag.ToEquatableArray());
    }
}
