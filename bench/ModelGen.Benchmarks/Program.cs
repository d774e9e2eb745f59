using BenchmarkDotNet.Running;
using ModelGen.Benchmarks;

// Commands:
//   generator            quick: generator ms per spec for 1, 50, 500 specs
//   generator-bdn        the same with BenchmarkDotNet (slower, with allocation figures)
var command = args.FirstOrDefault() ?? "help";
switch (command)
{
    case "generator":
        GeneratorBenchmark.Quick(Console.Out);
        break;
    case "generator-bdn":
        BenchmarkRunner.Run<GeneratorBenchmark>(args: args.Skip(1).ToArray());
        break;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project bench/ModelGen.Benchmarks -- generator | generator-bdn");
        break;
}
