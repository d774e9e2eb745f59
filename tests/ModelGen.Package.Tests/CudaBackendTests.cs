using System.IO.Compression;

namespace ModelGen.Package.Tests;

/// <summary>
/// <c>ModelGenTorchBackend=cuda</c> in a project that uses the package. The real CUDA packages cannot be
/// restored here, so a stand-in plays TorchSharp's CUDA libtorch: like the real one it sets
/// <c>TorchSharpCudaPackage</c> in its build props and ships its native files under runtimes/. What is
/// tested is ModelGen's part: the CPU libtorch the package depends on stays out of the output, and a
/// missing CUDA package or a wrong value is a build error that says what to write.
/// </summary>
[Collection(nameof(PackageFeed))]
public sealed class CudaBackendTests(PackageFeed feed) : IDisposable
{
    private const string StandInId = "libtorch-cuda-standin-linux-x64";

    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-cuda-").FullName;

    private string StandInVersion => "0.0.1-" + feed.Suffix;

    [Fact]
    public void Cuda_WithACudaBackendReferenced_CopiesItsLibTorchAndNotTheCpuOne()
    {
        var app = WriteApp("cuda", withCudaPackage: true);

        var build = Command.Run("dotnet", ["build", "-c", "Release"], app);
        var output = Command.Run("dotnet", [Path.Combine("bin", "Release", "net10.0", "App.dll")], app);

        var native = Path.Combine(app, "bin", "Release", "net10.0", "runtimes", "linux-x64", "native");
        Assert.Equal("libtorch_cpu of the CUDA package", File.ReadAllText(Path.Combine(native, "libtorch_cpu.so")));
        Assert.True(File.Exists(Path.Combine(native, "libtorch_cuda.so")));
        Assert.False(File.Exists(Path.Combine(native, "libc10.so")), "a file of the CPU libtorch reached the output");
        Assert.DoesNotContain("libtorch-cpu", File.ReadAllText(Path.Combine(app, "bin", "Release", "net10.0", "App.deps.json")), StringComparison.Ordinal);
        Assert.Contains("TorchSharp backend cuda", build);
        Assert.Contains("0 Warning(s)", build);
        Assert.Contains("started", output);
    }

    [Theory]
    [InlineData("cuda", "MGB0002", "<PackageReference Include=\"TorchSharp-cuda-linux\" Version=\"0.107.0\" />")]
    [InlineData("gpu", "MGB0001", "valid values are cpu (the default) and cuda")]
    public void WrongBackendSetup_IsABuildErrorThatSaysWhatToWrite(string backend, string code, string advice)
    {
        var app = WriteApp(backend, withCudaPackage: false);

        var (exit, output) = Command.TryRun("dotnet", ["build", "-c", "Release"], app);

        Assert.NotEqual(0, exit);
        Assert.Contains($"error {code}", output);
        Assert.Contains(advice, output);
    }

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(packages, StandInId, StandInVersion);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }

    private string WriteApp(string backend, bool withCudaPackage)
    {
        var standInFeed = Path.Combine(_folder, "feed");
        Directory.CreateDirectory(standInFeed);
        WriteStandIn(Path.Combine(standInFeed, $"{StandInId}.{StandInVersion}.nupkg"));

        var app = Path.Combine(_folder, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), feed.NuGetConfig.Replace("<clear />", $"<clear />\n    <add key=\"cuda-stand-in\" value=\"{standInFeed}\" />", StringComparison.Ordinal));
        var cudaReference = withCudaPackage ? $"""<PackageReference Include="{StandInId}" Version="{StandInVersion}" />""" : "";
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ModelGenTorchBackend>{backend}</ModelGenTorchBackend>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen" Version="{feed.Version}" />
                {cudaReference}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), "System.Console.WriteLine(\"started\");\n");
        return app;
    }

    private void WriteStandIn(string path)
    {
        using var package = ZipFile.Open(path, ZipArchiveMode.Create);
        Write(package, $"{StandInId}.nuspec", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata>
                <id>{StandInId}</id>
                <version>{StandInVersion}</version>
                <authors>ModelGen tests</authors>
                <description>Stands in for TorchSharp's CUDA libtorch in ModelGen's tests.</description>
              </metadata>
            </package>
            """);
        Write(package, $"buildTransitive/netstandard2.0/{StandInId}.props", "<Project><PropertyGroup><TorchSharpCudaPackage>true</TorchSharpCudaPackage></PropertyGroup></Project>");
        Write(package, "lib/netstandard2.0/_._", "");
        Write(package, "runtimes/linux-x64/native/libtorch_cuda.so", "libtorch_cuda of the CUDA package");
        Write(package, "runtimes/linux-x64/native/libtorch_cpu.so", "libtorch_cpu of the CUDA package");
    }

    private static void Write(ZipArchive package, string name, string content)
    {
        using var writer = new StreamWriter(package.CreateEntry(name).Open());
        writer.Write(content);
    }
}
