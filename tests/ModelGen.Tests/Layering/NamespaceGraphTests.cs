using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Tests.Layering;

/// <summary>
/// The walk behind the layering test sees every way code can use another namespace, so that a back-edge
/// cannot hide in a constant, an extension method or a <c>var</c>; and it finds cycles.
/// </summary>
public sealed class NamespaceGraphTests
{
    private const string Used = """
        namespace Sample.Used
        {
            public sealed class Thing { }

            public class Base { }

            public enum Color { Red }

            public static class Constants { public const int Answer = 42; }

            public static class Extensions { public static string Shout(this string text) => text; }

            [System.AttributeUsage(System.AttributeTargets.All)]
            public sealed class MarkerAttribute : System.Attribute { }
        }

        namespace Sample.Other
        {
            public static class Maker { public static Sample.Used.Thing Make() => new(); }
        }
        """;

    [Theory]
    [InlineData("type in a signature", "using Sample.Used; static class User { static Thing? Field; }")]
    [InlineData("base type", "using Sample.Used; class User : Base { }")]
    [InlineData("generic argument", "using Sample.Used; static class User { static System.Collections.Generic.List<Thing>? Field; }")]
    [InlineData("constant (inlined in IL)", "using Sample.Used; static class User { static int Value => Constants.Answer; }")]
    [InlineData("enum member (inlined in IL)", "using Sample.Used; static class User { static object Value => Color.Red; }")]
    [InlineData("nameof", "using Sample.Used; static class User { static string Value => nameof(Thing); }")]
    [InlineData("typeof", "using Sample.Used; static class User { static System.Type Value => typeof(Thing); }")]
    [InlineData("type pattern", "using Sample.Used; static class User { static bool Is(object o) => o is Thing; }")]
    [InlineData("extension method", "using Sample.Used; static class User { static string Value => \"a\".Shout(); }")]
    [InlineData("attribute", "using Sample.Used; [Marker] static class User { }")]
    [InlineData("using static", "using static Sample.Used.Constants; static class User { static int Value => Answer; }")]
    [InlineData("alias", "using T = Sample.Used.Thing; static class User { static T? Field; }")]
    [InlineData("var", "static class User { static string Value() { var made = Sample.Other.Maker.Make(); return made.ToString()!; } }")]
    [InlineData("a value of a type never named", "static class User { static string Value() => Sample.Other.Maker.Make().ToString()!; }")]
    public void Walk_SeesTheUse(string kind, string user)
    {
        var graph = Walk(user);

        Assert.True(graph.Uses("Sample.User", "Sample.Used"), $"The walk missed a use by {kind}.");
    }

    [Fact]
    public void Walk_IgnoresDocumentationAndComments()
    {
        var graph = Walk("""
            /// <summary>Not <see cref="Sample.Used.Thing"/> either.</summary>
            static class User
            {
                // Sample.Used.Thing
                static int Value => 1;
            }
            """);

        Assert.False(graph.Uses("Sample.User", "Sample.Used"));
    }

    [Fact]
    public void Cycles_AreFound_WithEveryNamespaceInThem()
    {
        var cycles = NamespaceGraph.Cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d")]);

        Assert.Equal([["a", "b", "c"], ["d", "e"]], cycles.OrderBy(c => c[0]).Select(c => c.ToArray()).ToArray());
    }

    [Fact]
    public void OneWayEdges_AreNoCycle()
    {
        Assert.Empty(NamespaceGraph.Cycles([("a", "b"), ("b", "c"), ("a", "c")]));
    }

    private static NamespaceGraph Walk(string user)
    {
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(Used, path: "Used.cs"),
            CSharpSyntaxTree.ParseText("namespace Sample.User;\n" + user, path: "User.cs"),
        };
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "Sample",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return NamespaceGraph.Of(compilation, _ => false);
    }
}
