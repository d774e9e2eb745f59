using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelGen.Reports;

/// <summary>
/// Writes a <see cref="RunReport"/> as one self-contained HTML page from the embedded template (Reports/report.html):
/// styles inline, images as data: URIs, no scripts. Every piece of user text (model, class and file names, the spec)
/// is HTML-encoded where it is written, in text and in attributes alike.
/// </summary>
internal static partial class ReportHtml
{
    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(ReportHtml).Assembly.GetManifestResourceStream("ModelGen.Reports.report.html")
            ?? throw new InvalidOperationException("ModelGen's report template (ModelGen.Reports.report.html) is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>The page for <paramref name="report"/>.</summary>
    public static string Render(RunReport report)
    {
        var subject = report.Subject;
        // What a reader asks first comes first: how the model did, where it fails and where it looks; then how it trained.
        var sections = new List<(string Id, string Title, string Body, bool Wide)>
        {
            ("results", "Results", report.Scored is { } results ? Results(report, results) : Note(report.NoDataReason ?? "No data was scored."), report.Scored is null),
        };
        if (report.Scored is { Evaluation.PerTarget: { } targets })
        {
            sections.Add(("targets", "Per target", PerTarget(report.Scored.Evaluation, targets), false));
        }
        else if (report.Scored is { } scored)
        {
            sections.Add(("classes", "Per class", PerClass(scored.Evaluation), false));
            sections.Add(("confusion", "Confusion matrix", Confusion(scored.Evaluation), true));
            sections.Add(("top-losses", "Top losses", TopLosses(report, scored), true));
            sections.Add(("grad-cam", "Where it looks", GradCam(report, scored), true));
        }

        if (report.History is { } history)
        {
            sections.Add(("training", "Training", Training(report, history), true));
            sections.Add(("curves", "Curves", report.CurvesPng is { } png
                ? $"<img class=\"curves\" alt=\"{E(subject.ModelName)}: loss and {(history.Epochs.All(e => e.IsRegression) ? "mean absolute error" : "accuracy")} per epoch\" src=\"{DataUri(png)}\">"
                : Note("No epoch ran, so there are no curves."), true));
        }

        sections.Add(("model", "Model", $"<pre>{E(subject.Summary)}</pre>", false));
        sections.Add(("spec", "Spec", Spec(subject), false));

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["title"] = E($"{subject.ModelName}: {report.Kind}"),
            ["subtitle"] = E(string.Create(CultureInfo.InvariantCulture, $"{report.DataName} · device {subject.Device} · {report.Written:yyyy-MM-dd HH:mm:ss zzz} · ModelGen {Version}")),
            ["navigation"] = string.Concat(sections.Select(s => $"<a href=\"#{s.Id}\">{E(s.Title)}</a>")),
            ["sections"] = string.Join("\n", sections.Select(s => $"<section id=\"{s.Id}\"{(s.Wide ? " class=\"wide\"" : "")}>\n<h2>{E(s.Title)}</h2>\n{s.Body}\n</section>")),
        };

        // One pass over the template: text put in never has its own {{...}} replaced.
        return Placeholder().Replace(Template.Value, match => values[match.Groups[1].Value]);
    }

    /// <summary>HTML-encodes text for an element's content or a quoted attribute value.</summary>
    internal static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Version =>
        typeof(ReportHtml).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "?";

    private static string Results(RunReport report, ScoredSet scored)
    {
        var evaluation = scored.Evaluation;
        var text = new StringBuilder();
        if (evaluation.IsRegression)
        {
            // A regression model has no accuracy: R² (1 is perfect, 0 is predicting the mean) and the errors in the targets' units.
            Kpi(text, "R²", EvaluationResult.Text(evaluation.RSquared!.Value));
            Kpi(text, "MAE", Figure(evaluation.MeanAbsoluteError!.Value));
            Kpi(text, "RMSE", Figure(evaluation.RootMeanSquaredError!.Value));
            Kpi(text, "loss", F(evaluation.Loss, "0.0000"));
            Kpi(text, "images", evaluation.Count.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            Kpi(text, "accuracy", F(evaluation.Accuracy, "0.0000"));
            Kpi(text, "loss", F(evaluation.Loss, "0.0000"));
            Kpi(text, "images", evaluation.Count.ToString(CultureInfo.InvariantCulture));
            Kpi(text, "macro F1", F(evaluation.MacroF1, "0.000"));
            Kpi(text, "macro ROC AUC", EvaluationResult.Text(evaluation.MacroRocAuc));
        }

        if (evaluation.Skipped > 0)
        {
            Kpi(text, "unreadable, skipped", evaluation.Skipped.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(CultureInfo.InvariantCulture, $"<p>On {E(report.DataName)}, with the model as it is at the end{(report.History is null ? "" : " of training")}.</p>");
        return text.ToString();
    }

    private static void Kpi(StringBuilder text, string name, string value) =>
        text.Append(CultureInfo.InvariantCulture, $"<span class=\"kpi\"><b>{E(value)}</b>{E(name)}</span>");

    private static string Confusion(EvaluationResult evaluation)
    {
        var classes = evaluation.Classes;
        if (classes.Count > RunReport.ConfusionMatrixLimit)
        {
            return LargestConfusions(evaluation);
        }

        var text = new StringBuilder("<p>Rows: the true class; columns: the predicted class. The shade is the share of the row: blue where right, orange where wrong.</p>\n<table class=\"confusion\">\n<tr><th class=\"name\">true \\ predicted</th>");
        foreach (var name in classes)
        {
            text.Append(CultureInfo.InvariantCulture, $"<th title=\"{E(name)}\">{E(name)}</th>");
        }

        text.Append("</tr>\n");
        for (var i = 0; i < classes.Count; i++)
        {
            long row = 0;
            for (var j = 0; j < classes.Count; j++)
            {
                row += evaluation.ConfusionMatrix[i, j];
            }

            text.Append(CultureInfo.InvariantCulture, $"<tr><th class=\"name\">{E(classes[i])}</th>");
            for (var j = 0; j < classes.Count; j++)
            {
                var count = evaluation.ConfusionMatrix[i, j];
                var share = row == 0 ? 0 : count / (double)row;
                var colour = i == j ? "9, 105, 218" : "219, 109, 40";
                var ink = share > 0.55 ? "#fff" : "#1f2328";
                text.Append(CultureInfo.InvariantCulture, $"<td style=\"background: rgba({colour}, {share:0.000}); color: {ink}\" title=\"true {E(classes[i])}, predicted {E(classes[j])}: {count}\">{count}</td>");
            }

            text.Append("</tr>\n");
        }

        return text.Append("</table>").ToString();
    }

    // Too many classes for a readable matrix: the pairs the model mixes up most, as a list.
    private static string LargestConfusions(EvaluationResult evaluation)
    {
        var classes = evaluation.Classes;
        var pairs = new List<(int True, int Predicted, long Count)>();
        for (var i = 0; i < classes.Count; i++)
        {
            for (var j = 0; j < classes.Count; j++)
            {
                if (i != j && evaluation.ConfusionMatrix[i, j] > 0)
                {
                    pairs.Add((i, j, evaluation.ConfusionMatrix[i, j]));
                }
            }
        }

        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<p>{classes.Count} classes are too many for a readable matrix (EvaluationResult.ConfusionMatrix has it all): the {RunReport.ConfusionMatrixLimit} confusions with the most images.</p>\n<table>\n<tr><th class=\"name\">true</th><th class=\"name\">predicted</th><th>images</th></tr>\n"));
        foreach (var (trueClass, predicted, count) in pairs.OrderByDescending(p => p.Count).Take(RunReport.ConfusionMatrixLimit))
        {
            text.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"name\">{E(classes[trueClass])}</td><td class=\"name\">{E(classes[predicted])}</td><td>{count}</td></tr>\n");
        }

        return text.Append("</table>").ToString();
    }

    private static string PerClass(EvaluationResult evaluation)
    {
        var text = new StringBuilder("<p>One class against the rest. ROC AUC: of the class's probability; n/a where it is undefined (no images of the class, or only those).</p>\n<table>\n<tr><th class=\"name\">class</th><th>precision</th><th>recall</th><th>F1</th><th>ROC AUC</th><th>images</th></tr>\n");
        foreach (var c in evaluation.PerClass)
        {
            text.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"name\">{E(c.Class)}</td><td>{F(c.Precision, "0.000")}</td><td>{F(c.Recall, "0.000")}</td><td>{F(c.F1, "0.000")}</td><td>{EvaluationResult.Text(c.RocAuc)}</td><td>{c.Support}</td></tr>\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"<tr><th class=\"name\">macro average</th><th>{F(evaluation.MacroPrecision, "0.000")}</th><th>{F(evaluation.MacroRecall, "0.000")}</th><th>{F(evaluation.MacroF1, "0.000")}</th><th>{EvaluationResult.Text(evaluation.MacroRocAuc)}</th><th>{evaluation.Count}</th></tr>\n");
        return text.Append("</table>").ToString();
    }

    private static string PerTarget(EvaluationResult evaluation, IReadOnlyList<TargetMetrics> targets)
    {
        var text = new StringBuilder("<p>MAE and RMSE are in each target's unit. R²: 1 is perfect, 0 is no better than predicting the target's mean, below 0 is worse.</p>\n<table>\n<tr><th class=\"name\">target</th><th>MAE</th><th>RMSE</th><th>R²</th></tr>\n");
        foreach (var t in targets)
        {
            text.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"name\">{E(t.Target)}</td><td>{Figure(t.MeanAbsoluteError)}</td><td>{Figure(t.RootMeanSquaredError)}</td><td>{EvaluationResult.Text(t.RSquared)}</td></tr>\n");
        }

        if (targets.Count > 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"<tr><th class=\"name\">average</th><th>{Figure(evaluation.MeanAbsoluteError!.Value)}</th><th>{Figure(evaluation.RootMeanSquaredError!.Value)}</th><th>{EvaluationResult.Text(evaluation.RSquared!.Value)}</th></tr>\n");
        }

        return text.Append("</table>").ToString();
    }

    private static string TopLosses(RunReport report, ScoredSet scored)
    {
        var top = scored.TopLosses(RunReport.TopLossCount);
        if (top.Count == 0)
        {
            return Note("Nothing was scored.");
        }

        var classes = report.Subject.Classes;
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<p>The {top.Count} images with the highest loss: where the model is most wrong, or right with the least confidence.</p>\n"));
        if (!scored.ImagesKnown)
        {
            text.Append(Note("The images are not available: the model was scored on features whose image files are not known (a FeatureSet made by hand, or read from the cache when some images were unreadable). Features from Extract, or training on image folders, show them here.")).Append('\n');
        }

        text.Append("<div class=\"figures\">\n");
        foreach (var outcome in top)
        {
            text.Append(Figure(report, outcome, $"true {classes[outcome.TrueClass]}", outcome.PredictedClass == outcome.TrueClass));
        }

        return text.Append("</div>").ToString();
    }

    private static string GradCam(RunReport report, ScoredSet scored)
    {
        var subject = report.Subject;
        if (subject.Explain is not { } explain)
        {
            return Note("Grad-CAM is not available for this model.");
        }

        if (!scored.ImagesKnown)
        {
            return Note("The images are not available: the model was scored on features whose image files are not known.");
        }

        // Per class, the images the model gives the class most confidently: what it looks at when it sees the class.
        var chosen = scored.Outcomes.Where(o => o.Path is not null)
            .GroupBy(o => o.TrueClass)
            .OrderBy(g => g.Key)
            .SelectMany(g => g.OrderByDescending(o => o.Probabilities[o.TrueClass]).Take(RunReport.GradCamPerClass))
            .ToList();
        var text = new StringBuilder("<p>Grad-CAM at the backbone's output for the predicted class: red where the evidence for it is strongest, blue where there is none. Per class, the images the model scores highest for their own class.</p>\n");
        if (chosen.Count > RunReport.GradCamLimit)
        {
            text.Append(Note(string.Create(CultureInfo.InvariantCulture, $"The first {RunReport.GradCamLimit} of {chosen.Count} are shown; Explain(imagePath) gives any other.")));
            chosen = chosen.Take(RunReport.GradCamLimit).ToList();
        }

        text.Append("<div class=\"figures\">\n");
        string? failure = null;
        foreach (var outcome in chosen)
        {
            byte[] png;
            try
            {
                using var explanation = explain(outcome.Path!);
                png = Thumbnails.Shrink(explanation.ToPng());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure ??= e.Message; // a file gone since scoring, or a model whose gradient is not available
                continue;
            }

            text.Append(Figure(report, outcome, $"true {subject.Classes[outcome.TrueClass]}", outcome.PredictedClass == outcome.TrueClass, png));
        }

        text.Append("</div>");
        if (failure is not null)
        {
            text.Append(Note($"Some images could not be explained: {failure}"));
        }

        return text.ToString();
    }

    private static string Figure(RunReport report, SampleOutcome outcome, string heading, bool right, byte[]? png = null)
    {
        var classes = report.Subject.Classes;
        var file = outcome.Path is null ? null : Path.GetFileName(outcome.Path);
        var folder = outcome.Path is null ? null : Path.GetFileName(Path.GetDirectoryName(outcome.Path));
        var shown = file is null ? null : folder is { Length: > 0 } ? $"{folder}/{file}" : file;
        png ??= outcome.Path is null ? null : Thumbnails.TryPng(outcome.Path, report.Subject.Input);
        var image = png is not null
            ? $"<img alt=\"{E(shown ?? "image")}\" title=\"{E(outcome.Path ?? "")}\" src=\"{DataUri(png)}\">"
            : Note(outcome.Path is null ? "image not available" : $"image not available: {shown} can no longer be read");
        var predicted = classes[outcome.PredictedClass];
        return string.Create(CultureInfo.InvariantCulture,
            $"<figure>{image}<figcaption><b>{E(heading)}</b><br><span class=\"{(right ? "right" : "wrong")}\">predicted {E(predicted)} ({outcome.Confidence:0.00})</span><br>p(true) {outcome.Probabilities[outcome.TrueClass]:0.00} · loss {outcome.Loss:0.00}{(shown is null ? "" : $"<br>{E(shown)}")}</figcaption></figure>\n");
    }

    private static string Training(RunReport report, TrainingHistory history)
    {
        if (history.Epochs.Count > 0 && history.Epochs.All(e => e.IsRegression))
        {
            return RegressionTraining(report, history);
        }

        var text = new StringBuilder("<table>\n<tr><th class=\"name\">phase</th><th>epochs</th><th>seconds</th><th>samples/s</th><th>loss</th><th>accuracy</th><th>val_loss</th><th>val_accuracy</th><th>learning rate</th></tr>\n");
        foreach (var phase in history.Epochs.GroupBy(e => e.Phase))
        {
            var epochs = phase.ToList();
            var last = epochs[^1];
            text.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"name\">{E(phase.Key)}</td><td>{epochs.Count}</td><td>{epochs.Sum(e => e.Seconds):0.0}</td><td>{epochs.Average(e => e.SamplesPerSecond):0.0}</td><td>{last.Loss:0.0000}</td><td>{last.Accuracy:0.0000}</td><td>{Optional(last.ValLoss)}</td><td>{Optional(last.ValAccuracy)}</td><td>{last.LearningRate:G3}</td></tr>\n");
        }

        text.Append("</table>\n");
        text.Append(CultureInfo.InvariantCulture, $"<p>{history.Epochs.Count} epoch{(history.Epochs.Count == 1 ? "" : "s")}; the run took {report.Seconds:0.0} s on {E(report.Subject.Device.ToString())}. Loss and accuracy are each phase's last epoch; the per-epoch figures are in history.csv and history.json beside this page.</p>");
        return text.ToString();
    }

    // A regression model has no accuracy: its training table shows the mean absolute error, and R² on the validation data.
    private static string RegressionTraining(RunReport report, TrainingHistory history)
    {
        var text = new StringBuilder("<table>\n<tr><th class=\"name\">phase</th><th>epochs</th><th>seconds</th><th>samples/s</th><th>loss</th><th>MAE</th><th>val_loss</th><th>val MAE</th><th>val R²</th><th>learning rate</th></tr>\n");
        foreach (var phase in history.Epochs.GroupBy(e => e.Phase))
        {
            var epochs = phase.ToList();
            var last = epochs[^1];
            text.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"name\">{E(phase.Key)}</td><td>{epochs.Count}</td><td>{epochs.Sum(e => e.Seconds):0.0}</td><td>{epochs.Average(e => e.SamplesPerSecond):0.0}</td><td>{last.Loss:0.0000}</td><td>{Figure(last.MeanAbsoluteError ?? double.NaN)}</td><td>{Optional(last.ValLoss)}</td><td>{(last.ValMeanAbsoluteError is { } mae ? Figure(mae) : "-")}</td><td>{(last.ValRSquared is { } r2 ? EvaluationResult.Text(r2) : "-")}</td><td>{last.LearningRate:G3}</td></tr>\n");
        }

        text.Append("</table>\n");
        text.Append(CultureInfo.InvariantCulture, $"<p>{history.Epochs.Count} epoch{(history.Epochs.Count == 1 ? "" : "s")}; the run took {report.Seconds:0.0} s on {E(report.Subject.Device.ToString())}. Loss and MAE are each phase's last epoch (a regression model has no accuracy); the per-epoch figures, with each target's, are in history.csv and history.json beside this page.</p>");
        return text.ToString();
    }

    private static string Spec(ReportSubject subject)
    {
        var text = subject.ReadSpec(out var where);
        return text is null
            ? Note($"The spec ({subject.SpecFileName}) is not embedded ({where}); the model above was generated from it.")
            : $"<p>{E(subject.SpecFileName)}</p>\n<pre>{E(text)}</pre>";
    }

    private static string Note(string text) => $"<p class=\"note\">{E(text)}</p>";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    // Errors are in the target's unit: four significant digits whatever its scale.
    private static string Figure(double value) => double.IsNaN(value) ? "n/a" : value.ToString("G4", CultureInfo.InvariantCulture);

    private static string Optional(double? value) => value is { } v ? F(v, "0.0000") : "-";

    private static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    [GeneratedRegex(@"\{\{([a-z]+)\}\}")]
    private static partial Regex Placeholder();
}
