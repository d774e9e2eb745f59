using System.Text.Json;

namespace ModelGen.Package.Tests;

/// <summary>ModelGenTorchBackend selects TorchSharp's native backend package (CUDA cannot be restored here, so the selection is what is tested).</summary>
public sealed class BackendPropertyTests
{
    [Theory]
    [InlineData("cpu", "TorchSharp-cpu")]
    [InlineData("cuda", "TorchSharp-cuda-linux")]
    public void Backend_SelectsItsPackage_AndOnlyThatOne(string backend, string expected)
    {
        var project = Path.Combine(Command.RepositoryRoot, "src", "ModelGen", "ModelGen.csproj");

        var json = Command.Run("dotnet", ["msbuild", project, "-getItem:PackageReference", $"-p:ModelGenTorchBackend={backend}"], Command.RepositoryRoot);

        var items = JsonDocument.Parse(json).RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .Where(id => id.StartsWith("TorchSharp-", StringComparison.Ordinal))
            .ToList();
        Assert.Equal([expected], items);
    }
}
