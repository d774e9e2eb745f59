namespace ModelGen.Export;

/// <summary>Names of exported values.</summary>
internal static class OnnxNames
{
    /// <summary>A readable name for a node's output in the exported graph.</summary>
    public static string Of(string node) => node.Length == 0 ? "value" : node;
}
