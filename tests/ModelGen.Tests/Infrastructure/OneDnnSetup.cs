using System.Runtime.CompilerServices;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Before any test runs a convolution: ModelGen's own guard against oneDNN's wrong AVX-512 kernel (ModelGen does
/// this when it creates a backbone; tests also build networks and run convolutions directly).
/// </summary>
internal static class OneDnnSetup
{
    [ModuleInitializer]
    internal static void KeepOneDnnOffItsWrongKernel() => OneDnnIsa.Ensure();
}
