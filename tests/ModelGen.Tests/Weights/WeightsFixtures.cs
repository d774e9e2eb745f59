using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Weights;

/// <summary>The committed weights fixtures (Fixtures/, with the scripts that wrote them).</summary>
internal static class WeightsFixtures
{
    /// <summary>The fixtures' folder.</summary>
    public static readonly string Folder = Path.Combine(Repository.Root, "tests", "ModelGen.Tests", "Weights", "Fixtures");
}
