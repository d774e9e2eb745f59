using Microsoft.Extensions.Logging;
using ModelGen;
using ModelGenClassifier;

// Once, at startup: sets up glibc's allocator for LibTorch's large tensors (Linux; much faster on CPU).
ModelGenProcess.Tune();

// ModelGen writes its warnings (skipped images, ...) and training progress to this logger.
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));

// Put images into data/train/<class>/ and data/test/<class>/ (one folder per label of the spec).
var train = Path.Combine("data", "train");
var test = Path.Combine("data", "test");
if (!Directory.EnumerateFiles(train, "*.*", SearchOption.AllDirectories).Any(f => !f.EndsWith(".md", StringComparison.Ordinal)))
{
    // One folder per class in each split: the template made them; any that are missing are made here.
    foreach (var split in new[] { train, test })
    {
        for (var i = Directory.GetDirectories(split).Length + 1; i <= ModelGenClassifierModel.ClassCount; i++)
        {
            Directory.CreateDirectory(Path.Combine(split, $"class-{i}"));
        }
    }

    Console.WriteLine(ModelGenClassifierModel.Summary());
    Console.WriteLine($"No images yet: put them into {train}/<class>/ and {test}/<class>/ ({ModelGenClassifierModel.ClassCount} classes; rename the class-N folders to the class names), then run again.");
    return;
}

using var model = ModelGenClassifierModel.Create(new ModelOptions { Logger = logging.CreateLogger("ModelGen") });
using var features = model.Extract(train);
model.Train(features);
Console.WriteLine(model.Evaluate(test).ToTable());
model.Save("classifier.mgmodel");
