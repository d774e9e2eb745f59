using System.Text.Json.Nodes;
using ModelGen.Data;
using ModelGen.Reports;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Reports;

/// <summary>
/// report.html in a real browser (issue 15): headless Chromium opens it from disk with the network cut off; every
/// image decodes, nothing is logged as an error, no script runs (no dialog) although class and file names are
/// written to look like HTML, and those names show as text. The screenshots are kept in artifacts/screenshots.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class ReportInBrowserTests
{
    private const string ScriptClass = "<script>alert(1)</script>";

    [BrowserFact]
    public void TheReport_ShowsEveryImage_WithoutErrorsOrScripts_AndTheNamesAsText()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 3, temp["train"]);
        var hostile = ReportData.Hostile(FashionData.Validation, perClass: 1, temp["hostile"]);
        using var model = TinyValidationSplit.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        model.Train(train, FashionData.Subset(FashionData.Validation, perClass: 2, temp["val"]), new TrainOptions { OutputDirectory = temp["run"], Progress = ProgressMode.None });

        // The evaluation report of a folder whose class and file names are HTML, with the first class called a
        // script tag (no folder can be: it holds '/'), through the runtime call the generated Evaluate makes.
        var classes = FashionData.Classes.Select((name, i) => i == 0 ? ScriptClass : name).ToList();
        var subject = new ReportSubject(
            model, nameof(TinyValidationSplit), "Specs/TinyValidationSplit.model.yaml", TinyValidationSplit.Summary(), classes, model.Device, model.Backbone.Input,
            images => nn.functional.softmax(model.ForwardLogits(images), 1), features => nn.functional.softmax(model.ForwardHead(features), 1), path => model.Explain(path), typeof(TinyValidationSplit).Assembly);
        ModelRuntime.EvaluateWithReport(subject, ImageFolder.Open(hostile), 32, temp["evaluation/report.html"], new CapturingLogger());

        using var browser = HeadlessChromium.Start();
        browser.Watch();
        var screenshots = Directory.CreateDirectory(Path.Combine(Repository.Root, "artifacts", "screenshots")).FullName;
        foreach (var (page, name, expectedImages) in new[] { (temp["run/report.html"], "training-report.png", 33), (temp["evaluation/report.html"], "evaluation-report.png", 20) })
        {
            browser.Open(page);
            var state = browser.Evaluate("JSON.stringify({ images: Array.from(document.images).map(i => ({ ok: i.complete && i.naturalWidth > 0, alt: i.alt })), text: document.body.innerText, scripts: document.scripts.length })");
            var found = JsonNode.Parse((string)state!)!;
            var images = found["images"]!.AsArray();
            Assert.Equal(expectedImages, images.Count); // curves, 12 top losses, 2 Grad-CAMs per class; 10 evaluated images and their Grad-CAMs
            Assert.All(images, image => Assert.True((bool)image!["ok"]!, $"{image!["alt"]} did not decode in {page}"));
            Assert.Equal(0, (int)found["scripts"]!);
            File.WriteAllBytes(Path.Combine(screenshots, name), browser.Screenshot());
        }

        var text = (string)browser.Evaluate("document.body.innerText")!;
        Assert.Contains(ScriptClass, text);
        Assert.Contains(ReportData.HostileFile, text);
        Assert.Empty(browser.Problems); // console errors, exceptions, error log entries and dialogs alike
    }
}
