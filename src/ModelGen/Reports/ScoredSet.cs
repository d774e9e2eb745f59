using ModelGen.Data;
using static TorchSharp.torch;

namespace ModelGen.Reports;

/// <summary>Every sample of a data set as the model scored it, with the evaluation they add up to.</summary>
/// <param name="Outcomes">One per readable sample, in the data's order.</param>
/// <param name="Evaluation">Accuracy, loss and the confusion matrix of <paramref name="Outcomes"/>.</param>
/// <param name="ImagesKnown">Whether the samples' image files are known (not for features made elsewhere, or read from the cache with images skipped).</param>
internal sealed record ScoredSet(IReadOnlyList<SampleOutcome> Outcomes, EvaluationResult Evaluation, bool ImagesKnown)
{
    /// <summary>
    /// Scores every image of <paramref name="images"/> (unreadable ones are skipped and counted); with
    /// <paramref name="augmentation"/>, each image's probabilities are averaged over its views.
    /// </summary>
    public static ScoredSet Of(ReportSubject subject, ImageFolder images, int batchSize = 32, TestTimeAugmentation? augmentation = null)
    {
        if (subject.RegressionLoss is not null)
        {
            return Regression(subject, ImageBatches.Read(images, subject.Input, batchSize).Select(b => (b.Images, b.Labels)), subject.ScoreImages, images.Skipped);
        }

        var outcomes = new List<SampleOutcome>(images.Count);
        var augmented = augmentation is { IsOff: false };
        var input = augmented ? TestTimeViews.ReadInput(subject.Input, augmentation!) : subject.Input;
        subject.Model.eval();
        using (inference_mode())
        {
            foreach (var batch in ImageBatches.Read(images, input, batchSize))
            {
                using var scope = NewDisposeScope();
                var pixels = batch.Images.to(subject.Device);
                var probabilities = augmented
                    ? TestTimeViews.Probabilities(subject.ScoreImages, pixels, subject.Input, augmentation!)
                    : subject.ScoreImages(pixels);
                Add(outcomes, probabilities, batch.Labels, i => images.Samples[batch.SampleIndexes[i]].Path);
            }
        }

        return new ScoredSet(outcomes, Evaluate(subject.Classes, outcomes, images.Skipped), ImagesKnown: true);
    }

    /// <summary>Scores every sample of <paramref name="features"/>; their image files are known when the features were extracted here.</summary>
    public static ScoredSet Of(ReportSubject subject, FeatureSet features, int batchSize = 32)
    {
        if (subject.RegressionLoss is not null)
        {
            return Regression(subject, features.Batches(batchSize).Select(b => (b.Features, b.Labels)), subject.ScoreFeatures, features.Skipped);
        }

        var outcomes = new List<SampleOutcome>(features.Count);
        var paths = features.SourcePaths;
        subject.Model.eval();
        using (inference_mode())
        {
            foreach (var batch in features.Batches(batchSize))
            {
                using var scope = NewDisposeScope();
                var probabilities = subject.ScoreFeatures(batch.Features.to(subject.Device));
                var start = outcomes.Count; // the batches are in the set's order
                Add(outcomes, probabilities, batch.Labels, i => paths?[start + i]);
            }
        }

        return new ScoredSet(outcomes, Evaluate(subject.Classes, outcomes, features.Skipped), ImagesKnown: paths is not null);
    }

    // A regression model's report shows its figures per target; there are no per-image class outcomes to list.
    private static ScoredSet Regression(ReportSubject subject, IEnumerable<(Tensor Inputs, Tensor Targets)> batches, Func<Tensor, Tensor> score, int skipped)
    {
        var loss = subject.RegressionLoss!;
        var evaluation = new RegressionErrors(subject.Classes);
        subject.Model.eval();
        using (inference_mode())
        {
            foreach (var (inputs, targets) in batches) // each batch is disposed by its enumerator
            {
                using var scope = NewDisposeScope();
                var predictions = score(inputs.to(subject.Device));
                var truth = targets.to(subject.Device);
                evaluation.Add(loss(predictions, truth), predictions, truth);
            }
        }

        return new ScoredSet([], evaluation.ToResult(skipped), ImagesKnown: false);
    }

    /// <summary>The samples with the highest loss, highest first.</summary>
    public IReadOnlyList<SampleOutcome> TopLosses(int count) =>
        Outcomes.OrderByDescending(o => o.Loss).Take(count).ToList();

    private static void Add(List<SampleOutcome> outcomes, Tensor probabilities, Tensor labels, Func<int, string?> pathOf)
    {
        using var cpu = probabilities.detach().cpu().to_type(ScalarType.Float32).contiguous();
        using var trueLabels = labels.cpu().to_type(ScalarType.Int64);
        var values = cpu.data<float>().ToArray();
        var truth = trueLabels.data<long>().ToArray();
        var classes = (int)cpu.shape[1];
        for (var i = 0; i < truth.Length; i++)
        {
            var row = values.AsSpan(i * classes, classes).ToArray();
            outcomes.Add(new SampleOutcome(pathOf(i), (int)truth[i], Prediction.ArgMax(row), row));
        }
    }

    private static EvaluationResult Evaluate(IReadOnlyList<string> classes, List<SampleOutcome> outcomes, int skipped)
    {
        var confusion = new long[classes.Count, classes.Count];
        var probabilities = new float[outcomes.Count * classes.Count];
        var trueClasses = new int[outcomes.Count];
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            confusion[outcome.TrueClass, outcome.PredictedClass]++;
            outcome.Probabilities.CopyTo(probabilities, i * classes.Count);
            trueClasses[i] = outcome.TrueClass;
        }

        var rocAuc = outcomes.Count == 0 ? null : RocAuc.OneVsRest(probabilities, trueClasses, classes.Count);
        return new EvaluationResult(classes, confusion, outcomes.Count == 0 ? 0 : outcomes.Average(o => o.Loss), skipped, rocAuc);
    }
}
