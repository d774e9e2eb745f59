using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ModelGen.Tests.Layering;

/// <summary>
/// Which namespaces of a compilation use which. A namespace uses another when code in one of its types
/// binds a name to a type or member declared in the other, or handles a value of the other's types:
/// types named anywhere (signatures, base lists, <c>typeof</c>, patterns, generic arguments, attributes),
/// members called or read (constants and enum members too, which IL would inline), <c>nameof</c>,
/// extension methods, user-defined operators and conversions, and the type of every expression, so that
/// <c>var</c> and chained calls count as well. Documentation comments do not count.
/// </summary>
/// <remarks>
/// The shared vocabulary (files for which the predicate given to <see cref="Of"/> holds) is one unit of its
/// own, <see cref="Vocabulary"/>, whatever namespaces its types wear: its enums and settings records sit
/// in the namespaces users look in (ModelGen.Backbones.Architecture, ModelGen.Training.OptimizerKind),
/// but they are compiled from src/Shared into the generator too and depend on nothing of the runtime.
/// </remarks>
internal sealed class NamespaceGraph
{
    /// <summary>The unit that stands for the shared vocabulary.</summary>
    public const string Vocabulary = "vocabulary (src/Shared)";

    private const int ExamplesPerEdge = 3;

    private readonly Dictionary<(string From, string To), List<string>> _edges;

    private NamespaceGraph(IReadOnlySet<string> units, Dictionary<(string From, string To), List<string>> edges)
    {
        Units = units;
        _edges = edges;
    }

    /// <summary>Every unit that declares a type.</summary>
    public IReadOnlySet<string> Units { get; }

    /// <summary>Every use of one unit by another.</summary>
    public IEnumerable<(string From, string To)> Edges => _edges.Keys;

    /// <summary>Walks every type of <paramref name="compilation"/>.</summary>
    /// <param name="compilation">A compilation without errors (a name that does not bind is a use not seen).</param>
    /// <param name="isVocabulary">Whether a file belongs to the shared vocabulary.</param>
    public static NamespaceGraph Of(Compilation compilation, Func<SyntaxTree, bool> isVocabulary)
    {
        var units = new HashSet<string>(StringComparer.Ordinal);
        var edges = new Dictionary<(string From, string To), List<string>>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in OutermostTypes(tree.GetRoot()))
            {
                var from = isVocabulary(tree) ? Vocabulary : NameOf(model.GetDeclaredSymbol(declaration)!.ContainingNamespace);
                units.Add(from);
                foreach (var node in declaration.DescendantNodes())
                {
                    foreach (var (type, what) in TypesUsedAt(node, model))
                    {
                        if (UnitOf(type, compilation, isVocabulary) is { } to && to != from)
                        {
                            var examples = edges.TryGetValue((from, to), out var list) ? list : edges[(from, to)] = [];
                            var line = node.GetLocation().GetLineSpan();
                            var place = $"{RuntimeSource.Relative(line.Path)}:{line.StartLinePosition.Line + 1}";
                            if (examples.Count < ExamplesPerEdge && !examples.Any(e => e.StartsWith(place + " ", StringComparison.Ordinal)))
                            {
                                examples.Add($"{place} uses {what}");
                            }
                        }
                    }
                }
            }
        }

        return new NamespaceGraph(units, edges);
    }

    /// <summary>Whether <paramref name="from"/> uses <paramref name="to"/>.</summary>
    public bool Uses(string from, string to) => _edges.ContainsKey((from, to));

    /// <summary>Where <paramref name="from"/> uses <paramref name="to"/> (the first few places).</summary>
    public IReadOnlyList<string> Examples(string from, string to) => _edges.TryGetValue((from, to), out var examples) ? examples : [];

    /// <summary>
    /// The groups of units that use each other in a cycle (strongly connected components of two or more),
    /// each in a stable order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var nodes = next.Keys.Concat(next.Values.SelectMany(v => v)).Distinct().Order(StringComparer.Ordinal).ToList();

        // Tarjan's algorithm.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<IReadOnlyList<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (onStack.Contains(to))
                {
                    low[node] = Math.Min(low[node], index[to]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    cycles.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return cycles;
    }

    private static IEnumerable<MemberDeclarationSyntax> OutermostTypes(SyntaxNode root) =>
        root.DescendantNodes(node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
            .OfType<MemberDeclarationSyntax>()
            .Where(member => member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax);

    // The types a node makes its code depend on, each with what was used, for messages.
    private static IEnumerable<(ITypeSymbol Type, string What)> TypesUsedAt(SyntaxNode node, SemanticModel model)
    {
        var symbolInfo = model.GetSymbolInfo(node);
        foreach (var symbol in symbolInfo.CandidateSymbols.Prepend(symbolInfo.Symbol))
        {
            foreach (var type in TypesOf(symbol))
            {
                yield return (type, symbol!.ToDisplayString());
            }
        }

        if (node is ExpressionSyntax expression)
        {
            var typeInfo = model.GetTypeInfo(expression);
            foreach (var type in Expand(typeInfo.Type).Concat(Expand(typeInfo.ConvertedType)))
            {
                yield return (type, $"a value of {type.ToDisplayString()} ({Shorten(expression)})");
            }

            if (model.GetConversion(expression).MethodSymbol is { } conversion)
            {
                yield return (conversion.ContainingType, conversion.ToDisplayString());
            }
        }
    }

    private static IEnumerable<ITypeSymbol> TypesOf(ISymbol? symbol) => symbol switch
    {
        ITypeSymbol type => Expand(type),
        IMethodSymbol method => method.TypeArguments.SelectMany(Expand).Prepend(method.ContainingType),
        IPropertySymbol or IFieldSymbol or IEventSymbol => [symbol.ContainingType],
        IAliasSymbol alias => TypesOf(alias.Target),
        _ => [],
    };

    // A type with the types it is made of: generic arguments, array elements, pointed-to types.
    private static IEnumerable<ITypeSymbol> Expand(ITypeSymbol? type) => type switch
    {
        INamedTypeSymbol named => named.TypeArguments.SelectMany(Expand).Prepend(named),
        IArrayTypeSymbol array => Expand(array.ElementType),
        IPointerTypeSymbol pointer => Expand(pointer.PointedAtType),
        _ => [],
    };

    // The unit that declares a type, or null for types from elsewhere (the framework, packages) and for
    // types the compiler makes up (anonymous types, tuples of other types are expanded by the caller).
    private static string? UnitOf(ITypeSymbol type, Compilation compilation, Func<SyntaxTree, bool> isVocabulary)
    {
        var outermost = type.OriginalDefinition;
        while (outermost.ContainingType is { } container)
        {
            outermost = container;
        }

        if (!SymbolEqualityComparer.Default.Equals(outermost.ContainingAssembly, compilation.Assembly)
            || outermost.DeclaringSyntaxReferences is not { Length: > 0 } declarations)
        {
            return null;
        }

        return declarations.All(d => isVocabulary(d.SyntaxTree)) ? Vocabulary : NameOf(outermost.ContainingNamespace);
    }

    private static string NameOf(INamespaceSymbol? ns) => ns is null || ns.IsGlobalNamespace ? "(global namespace)" : ns.ToDisplayString();

    private static string Shorten(SyntaxNode node)
    {
        var text = string.Join(" ", node.ToString().Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        return text.Length <= 60 ? text : text[..57] + "...";
    }
}
