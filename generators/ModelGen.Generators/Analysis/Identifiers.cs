using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Generators.Analysis;

/// <summary>C# names: checking the spec's names and making member names from labels and layers.</summary>
internal static class Identifiers
{
    /// <summary>What keeps <paramref name="name"/> from being a usable C# identifier.</summary>
    public static NameProblem Check(string name) =>
        name.Length == 0 ? NameProblem.Empty
        : SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.VarKeyword ? NameProblem.Keyword
        : !SyntaxFacts.IsValidIdentifier(name) ? NameProblem.InvalidCharacters
        : NameProblem.None;

    /// <summary>A PascalCase member name from free text ("ankle-boot" → "AnkleBoot"), or <paramref name="fallback"/>.</summary>
    public static string Pascal(string text, string fallback)
    {
        var builder = new StringBuilder();
        var upper = true;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) && c < 128 || char.IsLetter(c))
            {
                builder.Append(upper ? char.ToUpper(c, CultureInfo.InvariantCulture) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        if (builder.Length == 0)
        {
            return fallback;
        }

        if (char.IsDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        var result = builder.ToString();
        return SyntaxFacts.IsValidIdentifier(result) ? result : fallback;
    }

    /// <summary>
    /// A member name for a layer: "block1_conv1" → "Block1Conv1", "layer3.1.conv2" → "Layer3_1_Conv2", and
    /// for the names of ONNX graphs, which may start with a digit, "123" → "_123".
    /// </summary>
    public static string Layer(string name)
    {
        var parts = name.Split('.').Select(part => part.All(char.IsDigit) ? part : Pascal(part, "_"));
        var member = string.Join("_", parts);
        return member.Length == 0 || char.IsDigit(member[0]) ? "_" + member : member;
    }

    /// <summary>
    /// The project's root namespace made a valid C# namespace the way <c>dotnet new</c> makes one from a
    /// project name: every character a name cannot have becomes '_', and a part that starts with a digit,
    /// is empty or is a keyword gets a leading '_' ("my-app" → "my_app", "1st.Try" → "_1st.Try"). MSBuild
    /// passes the project name as it is when a project sets no RootNamespace.
    /// </summary>
    public static string Namespace(string rootNamespace)
    {
        if (rootNamespace.Length == 0)
        {
            return "";
        }

        var parts = rootNamespace.Split('.').Select(part =>
        {
            var chars = part.Select(c => SyntaxFacts.IsIdentifierPartCharacter(c) ? c : '_').ToArray();
            var safe = new string(chars);
            return safe.Length == 0 || !SyntaxFacts.IsIdentifierStartCharacter(safe[0]) || Check(safe) == NameProblem.Keyword ? "_" + safe : safe;
        });
        return string.Join(".", parts);
    }
}

/// <summary>What keeps a name from being a usable C# identifier.</summary>
internal enum NameProblem
{
    /// <summary>A valid identifier.</summary>
    None,

    /// <summary>No characters at all.</summary>
    Empty,

    /// <summary>A keyword (<c>class</c>), or <c>var</c>.</summary>
    Keyword,

    /// <summary>Characters an identifier cannot have or start with.</summary>
    InvalidCharacters,
}
