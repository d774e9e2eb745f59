using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace ModelGen;

/// <summary>
/// Keeps LibTorch's CPU convolutions off a oneDNN kernel that computes wrong results: on AVX-512 CPUs, ModelGen
/// limits oneDNN to AVX2 before the first convolution runs, and checks once that a convolution of the affected
/// kind is right.
/// </summary>
/// <remarks>
/// <para>
/// Measured here (TorchSharp 0.107, LibTorch 2.10, a 2-core AMD EPYC with AVX-512): a float32 3x3 convolution
/// with 24 input channels and more than one image in the batch is wrong in the first digit (max error 0.8 to 2.1
/// on outputs up to 7.5, against the same convolution in float64 and against PyTorch 1.13), at every spatial size
/// tried (2 to 28) and for 48 or 64 output channels; with one image, and for 3, 16, 32, 64, 96 or 128 input
/// channels, it is right. Every network with such a layer is affected: efficientnet_v2_s (its first stages have
/// 24 channels) and googlenet (inception4b) failed their parity tests by up to 70%. With oneDNN limited to AVX2
/// (<c>ONEDNN_MAX_CPU_ISA=AVX2</c>) every case is right.
/// </para>
/// <para>
/// oneDNN reads <c>ONEDNN_MAX_CPU_ISA</c> once, when it builds its first kernel, so this has to run before the
/// process's first convolution: ModelGen does it when it creates a backbone and in
/// <see cref="ModelGenProcess.Tune"/>. It changes nothing when the CPU has no AVX-512, when
/// <c>ONEDNN_MAX_CPU_ISA</c> (or the older <c>DNNL_MAX_CPU_ISA</c>) is already set, or with
/// <c>MODELGEN_ONEDNN_ISA=default</c>. Then it runs the affected convolution once and compares it with float64;
/// if it is still wrong (oneDNN had already started, or the limit was turned off), ModelGen logs a warning
/// (event 2010) that says what to set.
/// </para>
/// </remarks>
internal static partial class OneDnnIsa
{
    /// <summary>The name of the variable oneDNN reads.</summary>
    public const string Variable = "ONEDNN_MAX_CPU_ISA";

    private static readonly Lazy<string> Decision = new(Decide, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<double> ProbeError = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _logged;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>What was decided for this process (the limit set, or why nothing was changed); decides once.</summary>
    public static string Ensure() => Decision.Value;

    /// <summary>
    /// <see cref="Ensure()"/>, then once per process: checks the affected convolution and logs the decision
    /// (debug) or, when the convolution is still wrong, a warning.
    /// </summary>
    public static void Ensure(ILogger logger)
    {
        var decision = Ensure();
        if (Interlocked.Exchange(ref _logged, 1) == 1)
        {
            return;
        }

        var error = ProbeError.Value;
        if (error > Tolerance)
        {
            WrongConvolutions(logger, error, decision);
        }
        else
        {
            ConvolutionsChecked(logger, decision, error);
        }
    }

    /// <summary>The largest error of the affected convolution in float32 against float64 (0 when it is right to within rounding).</summary>
    public static double AffectedConvolutionError() => ProbeError.Value;

    /// <summary>Above this, <see cref="AffectedConvolutionError"/> is a wrong result and not rounding (outputs are up to about 8).</summary>
    public const double Tolerance = 1e-3;

    private static string Decide()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("MODELGEN_ONEDNN_ISA"), "default", StringComparison.OrdinalIgnoreCase))
        {
            return "left alone (MODELGEN_ONEDNN_ISA=default)";
        }

        foreach (var name in new[] { Variable, "DNNL_MAX_CPU_ISA" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                return $"left alone ({name}={value} is set)";
            }
        }

        if (!Avx512F.IsSupported)
        {
            return "left alone (no AVX-512 on this CPU)";
        }

        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Environment.SetEnvironmentVariable(Variable, "AVX2"); // Windows: oneDNN reads the process environment (GetEnvironmentVariable).
            return $"limited to AVX2 ({Variable}=AVX2)";
        }

        // On Unix, .NET keeps its own copy of the environment: oneDNN reads the C library's.
        if (!NativeLibrary.TryLoad(OperatingSystem.IsLinux() ? "libc.so.6" : "libc.dylib", out var libc)
            || !NativeLibrary.TryGetExport(libc, "setenv", out var setenv)
            || Marshal.GetDelegateForFunctionPointer<SetEnv>(setenv)(Variable, "AVX2", 0) != 0)
        {
            return "left alone (setenv could not be called)";
        }

        Environment.SetEnvironmentVariable(Variable, "AVX2");
        return $"limited to AVX2 ({Variable}=AVX2) because this CPU has AVX-512";
    }

    // The convolution that is wrong on AVX-512 (see the remarks), in float32 and in float64, on fixed values.
    private static double Probe()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = (arange(2 * 24 * 4 * 4, ScalarType.Float64).reshape(2, 24, 4, 4) * 0.37).sin();
        var weight = (arange(64 * 24 * 3 * 3, ScalarType.Float64).reshape(64, 24, 3, 3) * 0.73).cos() * 0.2;
        var exact = nn.functional.conv2d(input, weight, padding: [1, 1]);
        var single = nn.functional.conv2d(input.to_type(ScalarType.Float32), weight.to_type(ScalarType.Float32), padding: [1, 1]);
        return (single.to_type(ScalarType.Float64) - exact).abs().max().item<double>();
    }

    [LoggerMessage(EventId = LogEvents.WrongConvolutions, EventName = nameof(LogEvents.WrongConvolutions), Level = LogLevel.Warning,
        Message = "LibTorch's CPU convolutions give wrong results in this process (a 3x3 convolution with 24 input channels is off by {Error:G3}; oneDNN {Decision}). Set ONEDNN_MAX_CPU_ISA=AVX2 in the environment before the process starts, or call ModelGenProcess.Tune() before anything else uses LibTorch")]
    private static partial void WrongConvolutions(ILogger logger, double error, string decision);

    [LoggerMessage(EventId = LogEvents.ConvolutionsChecked, EventName = nameof(LogEvents.ConvolutionsChecked), Level = LogLevel.Debug,
        Message = "oneDNN {Decision}; the convolution its AVX-512 kernel gets wrong checks out (max error {Error:G3})")]
    private static partial void ConvolutionsChecked(ILogger logger, string decision, double error);
}
