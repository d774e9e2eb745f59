using BenchmarkDotNet.Running;
using ModelGen.Benchmarks;

// Commands:
//   generator            quick: generator ms per spec for 1, 50, 500 specs
//   generator-bdn        the same with BenchmarkDotNet (slower, with allocation figures)
//   pipeline [epochs]    Extract and augmented training epochs, resnet18_mlnet layer3 at 128x128, with memory
//   compare [runs]       ModelGen against PyTorch (python3-torch) and ONNX Runtime on the same work, one table of ratios
var command = args.FirstOrDefault() ?? "help";
if (command is "pipeline" or "measure" or "measure-ort")
{
    // The processes that run models tune the allocator as an application would (ModelGenProcess.Tune);
    // "compare" only starts them and PyTorch's side.
    ModelGen.ModelGenProcess.Tune();
}

switch (command)
{
    case "generator":
        GeneratorBenchmark.Quick(Console.Out);
        break;
    case "pipeline":
        PipelineBenchmark.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
        break;
    case "compare":
        CompareBenchmark.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3, Environment.ProcessorCount);
        break;
    case "measure":
        CompareBenchmark.Measure(Console.Out, args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        break;
    case "measure-ort":
        OnnxRuntimeSide.Measure(Console.Out, args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        break;
    case "generator-bdn":
        BenchmarkRunner.Run<GeneratorBenchmark>(args: args.Skip(1).ToArray());
        break;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project bench/ModelGen.Benchmarks -- generator | generator-bdn | pipeline [epochs] | compare [runs]");
        break;
}
