using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Reports;

/// <summary>
/// report.html (issue 15): written beside the history by every generated Train, and by Evaluate when asked; one
/// self-contained page whose user text (class names, file names, the spec) is HTML-encoded; a report that cannot be
/// written costs a warning, never the training.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class RunReportTests
{
    private const string ScriptClass = "<script>alert(1)</script>";

    [Fact]
    public void TrainingOnImageFolders_WritesAReportWithEverySection_BesideTheHistory()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 2, temp["train"]);
        var validation = FashionData.Subset(FashionData.Validation, perClass: 1, temp["val"]);
        var log = new CapturingLogger();
        using var model = TinyValidationSplit.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });

        model.Train(train, validation, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.Lines, Logger = log });

        var path = temp["out/report.html"];
        var html = File.ReadAllText(path);
        foreach (var section in new[] { "results", "confusion", "classes", "top-losses", "grad-cam", "training", "curves", "model", "spec" })
        {
            Assert.Contains($"<section id=\"{section}\"", html);
        }

        Assert.Contains("TinyValidationSplit: training run", html);
        Assert.Contains("validation images: ", html);
        Assert.Contains("device cpu", html);
        Assert.Contains("Model: &quot;TinyValidationSplit&quot; (resnet18, cut at layer1", html); // Summary(), encoded
        Assert.Contains("validation_split: 0.25", html); // the spec's own text, embedded in the assembly by the build
        Assert.Contains("<td class=\"name\">ankle-boot</td>", html); // per-class figures
        // The curves, a thumbnail per validation image (10, all among the top losses) and its Grad-CAM, all inline.
        Assert.Equal(21, System.Text.RegularExpressions.Regex.Matches(html, "<img [^>]*src=\"data:image/png;base64,").Count);
        Assert.Empty(ReportData.ExternalReferences(html));
        Assert.True(File.Exists(temp["out/history.csv"]) && File.Exists(temp["out/curves.png"]));
        Assert.EndsWith($", report {path}", log.Of(LogEvents.TrainingFinished).Single().Message);
    }

    [Fact]
    public void FeaturesFromExtract_KnowTheirImages_EvenFromTheCache_SoTheReportShowsThem()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 1, temp["train"]);
        var validation = FashionData.Subset(FashionData.Validation, perClass: 1, temp["val"]);
        using var model = TinyValidationSplit.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        using var trainFeatures = model.Extract(train);
        using var extracted = model.Extract(validation);
        using var cached = model.Extract(validation); // the same images: read back from the feature cache

        Assert.Equal(Directory.GetFiles(validation, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal), extracted.SourcePaths!.Order(StringComparer.Ordinal));
        Assert.Equal(extracted.SourcePaths, cached.SourcePaths);

        model.Train(trainFeatures, cached, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.None });

        var html = File.ReadAllText(temp["out/report.html"]);
        Assert.Contains("validation features (10 samples)", html);
        Assert.DoesNotContain("The images are not available", html);
        Assert.Equal(21, System.Text.RegularExpressions.Regex.Matches(html, "<img [^>]*src=\"data:image/png;base64,").Count); // curves, 10 thumbnails, 10 Grad-CAMs
    }

    [Fact]
    public void WithoutValidationData_TheReportSaysSo_InsteadOfTheScoredSections()
    {
        using var temp = new TempFolder();
        using var model = TinyEarlyStopping.Create(new ModelOptions { Device = CPU });
        using var features = new FeatureSet(randn(8, 64, 8, 8), tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 }), ["a", "b"], 0);

        model.Train(features, null, new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None, MaxEpochsPerPhase = 1 });

        var html = File.ReadAllText(temp["report.html"]);
        Assert.Contains("There is no validation data, so the model was not scored", html);
        Assert.DoesNotContain("<section id=\"confusion\"", html);
        Assert.DoesNotContain("<section id=\"top-losses\"", html);
        Assert.Contains("<section id=\"curves\"", html);
    }

    [Fact]
    public void ClassAndFileNames_AreHtmlEncoded_InTextAndAttributes()
    {
        using var temp = new TempFolder();
        var images = ReportData.Hostile(FashionData.Validation, perClass: 1, temp["hostile"]);
        using var model = TinyValidationSplit.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });

        // A class named like a script tag can only come as features (a folder name cannot hold '/'): train on those.
        using (var extracted = model.Extract(FashionData.Subset(FashionData.Train, perClass: 1, temp["train"])))
        {
            var classes = FashionData.Classes.Select((name, i) => i == 0 ? ScriptClass : name).ToList();
            using var features = new FeatureSet(extracted.Features.clone(), extracted.Labels.clone(), classes, 0);
            model.Train(features, features, new TrainOptions { OutputDirectory = temp["features-run"], Progress = ProgressMode.None });
        }

        var featuresReport = File.ReadAllText(temp["features-run/report.html"]);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", featuresReport);
        Assert.DoesNotContain("<script", featuresReport, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("The images are not available", featuresReport); // features do not record their files

        // A class folder and a file named to break out of text and attributes, through Evaluate's report.
        model.Train(images, images, new TrainOptions { OutputDirectory = temp["images-run"], Progress = ProgressMode.None });
        var evaluation = model.Evaluate(images, reportPath: temp["evaluation/report.html"]);

        Assert.Equal(10, evaluation.Count);
        foreach (var html in new[] { File.ReadAllText(temp["images-run/report.html"]), File.ReadAllText(temp["evaluation/report.html"]) })
        {
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
            Assert.DoesNotContain(ReportData.HostileFolder, html);
            Assert.Contains("a&quot;b&lt;c.png", html); // in the caption and the alt and title attributes
            Assert.Contains("alt=\"&lt;img src=x onerror=alert(1)&gt;/a&quot;b&lt;c.png\"", html);
            Assert.DoesNotContain(ReportData.HostileFile, html);
            Assert.Empty(ReportData.ExternalReferences(html));
        }
    }

    [Fact]
    public void AReportThatCannotBeWritten_IsAWarning_AndTheTrainingResultIsIntact()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Validation, perClass: 1, temp["images"]);
        Directory.CreateDirectory(temp["out/report.html"]); // a folder where the report's file would go
        var log = new CapturingLogger();
        using var model = TinyValidationSplit.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });

        var history = model.Train(images, images, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.Lines, Logger = log });

        var warning = Assert.Single(log.Of(LogEvents.ReportNotWritten));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Equal(temp["out/report.html"], warning["Path"]);
        Assert.Single(history.Epochs);
        Assert.Equal(2, File.ReadAllLines(temp["out/history.csv"]).Length);
        Assert.True(File.Exists(temp["out/curves.png"]));
        Assert.EndsWith(", report not written (see the warning above)", log.Of(LogEvents.TrainingFinished).Single().Message);
        Assert.Equal(10, model.Evaluate(images).Count); // the model is as trained, and usable
    }

    [Fact]
    public void ManyClasses_ListTheLargestConfusions_AndCapTheGradCams_AndAFailedExplanationIsANote()
    {
        using var model = nn.Linear(2, 2);
        var classes = Enumerable.Range(0, 50).Select(i => $"class{i}").ToList();
        var outcomes = Enumerable.Range(0, 200).Select(i =>
        {
            var probabilities = new float[50];
            probabilities[(i + 1) % 50] = 0.9f;
            probabilities[i % 50] = 0.1f;
            return new ModelGen.Reports.SampleOutcome($"/nowhere/img{i}.png", i % 50, (i + 1) % 50, probabilities);
        }).ToList();
        var confusion = new long[50, 50];
        outcomes.ForEach(o => confusion[o.TrueClass, o.PredictedClass]++);
        var explained = 0;
        var subject = new ModelGen.Reports.ReportSubject(
            model, "Many", "many.model.yaml", "(summary)", classes, CPU, new ImageInput(32, 32, 3, Preprocessing.ImageNet), x => x, x => x,
            _ => { explained++; throw new IOException("the gradient is not available here"); }, owner: null);
        var report = new ModelGen.Reports.RunReport(subject, "evaluation", "images: many", new ModelGen.Reports.ScoredSet(outcomes, new EvaluationResult(classes, confusion, 2.3, 0), ImagesKnown: true), null, null, null, 1);

        var html = ModelGen.Reports.ReportHtml.Render(report);

        Assert.DoesNotContain("class=\"confusion\"", html);
        Assert.Contains("50 classes are too many for a readable matrix", html);
        Assert.Contains("<tr><td class=\"name\">class0</td><td class=\"name\">class1</td><td>4</td></tr>", html);
        Assert.Equal(ModelGen.Reports.RunReport.GradCamLimit, explained);
        Assert.Contains("Some images could not be explained: the gradient is not available here", html);
        Assert.Contains("image not available: nowhere/img0.png can no longer be read", html); // a thumbnail whose file is gone
        Assert.Contains("The spec (many.model.yaml) is not embedded", html); // no assembly to read it from
    }
}
