using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ModelGen.Progress;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// The learning-rate range test (Smith 2015; fastai's <c>lr_find</c>) of a generated <c>FindLearningRate</c>:
/// <see cref="Start"/> keeps the model's state, the generated code freezes and builds the optimizer as the phase
/// would, <see cref="Run{TBatch}"/> trains one batch per step at exponentially rising learning rates and writes the
/// plot, and <see cref="Dispose"/> puts the model back exactly as it was (weights, buffers, freezing, training modes,
/// gradients, the random generator), so a following <c>Train</c> runs bit for bit as without the test.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class LearningRateFinder : IDisposable
{
    /// <summary>The plot's file name in the output folder.</summary>
    public const string PlotFileName = "lr-finder.png";

    private readonly string _modelName;
    private readonly LearningRateFinderOptions _options;
    private readonly int _seed;
    private readonly ILogger _logger;
    private readonly ModelSnapshot _snapshot;
    private readonly nn.Module _model;
    private bool _disposed;

    private LearningRateFinder(nn.Module model, string modelName, LearningRateFinderOptions options, int seed, ILogger logger)
    {
        _model = model;
        _modelName = modelName;
        _options = options;
        _seed = seed;
        _logger = logger;
        _snapshot = ModelSnapshot.Take(model);
    }

    /// <summary>
    /// Keeps <paramref name="model"/>'s state as it is now, to be put back by <see cref="Dispose"/>; call it before
    /// anything changes the model (freezing included).
    /// </summary>
    /// <param name="model">The model to test.</param>
    /// <param name="modelName">The generated class's name, for messages and the default output folder.</param>
    /// <param name="options">The range, steps, smoothing, divergence, output folder and progress; null for the defaults.</param>
    /// <param name="seed">Seeds the shuffling and dropout of the test.</param>
    /// <param name="modelOptions">The model's options, for their logger.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (the message names it).</exception>
    public static LearningRateFinder Start(nn.Module model, string modelName, LearningRateFinderOptions? options, int seed, ModelOptions? modelOptions = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LearningRateFinderOptions();
        Check(options);
        return new LearningRateFinder(model, modelName, options, seed, options.Logger ?? modelOptions?.Logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    /// <summary>The seed of the <paramref name="pass"/>-th pass over the training data (from 0).</summary>
    public int PassSeed(int pass) => unchecked((_seed * 7919) + 15485863 + pass);

    /// <summary>
    /// Runs the test: step i trains on the next batch at learning rate start · (end / start)^(i / (steps − 1)) (every
    /// parameter group at its rate times the same factor, so <c>backbone_lr</c> keeps its ratio), until the last step
    /// or until the smoothed loss exceeds <see cref="LearningRateFinderOptions.DivergenceFactor"/> times its minimum
    /// (or is not a number); then puts back the optimizer's state and rates, writes the plot and returns the curve and
    /// the suggestion (<see cref="LearningRateFinding.SuggestionRule"/>). The model stays changed until
    /// <see cref="Dispose"/>.
    /// </summary>
    /// <param name="optimizer">The optimizer of the trainable parameters, as the phase builds it.</param>
    /// <param name="batches">The batches of one pass over the training data, shuffled with the seed given.</param>
    /// <param name="loss">The training loss of a batch (the forward pass and the loss, as the phase computes them).</param>
    /// <exception cref="InvalidOperationException">The training data yields no batch.</exception>
    public LearningRateFinding Run<TBatch>(optim.Optimizer optimizer, Func<int, IEnumerable<TBatch>> batches, Func<TBatch, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(loss);
        var o = _options;
        var rates = LearningRateRange.Rates(o.StartLearningRate, o.EndLearningRate, o.Steps);
        var groups = optimizer.ParamGroups.ToList();
        var initialRates = groups.Select(g => g.LearningRate).ToArray();
        var headRate = initialRates.FirstOrDefault();
        var factors = initialRates.Select(rate => headRate > 0 ? rate / headRate : 1).ToArray();
        var optimizerState = StateBytes.Of(optimizer);
        var mode = ProgressDisplay.Resolve(o.Progress);
        if (mode != ProgressMode.None)
        {
            _logger.LearningRateFinderStarted(_modelName, o.Steps, o.StartLearningRate, o.EndLearningRate, o.DivergenceFactor);
        }

        var clock = Stopwatch.StartNew();
        var steps = new List<LearningRateStep>(o.Steps);
        var stoppedEarly = false;
        try
        {
            using var progress = mode == ProgressMode.None ? null : ProgressDisplay.Start($"{_modelName} learning-rate finder", o.Steps, "steps", mode, _logger);
            manual_seed(PassSeed(-1)); // dropout draws alike on every run; the caller's random state comes back at Dispose
            _model.train();
            var smoother = new LearningRateRange.Smoother(o.Smoothing);
            var minimum = double.PositiveInfinity;
            for (var pass = 0; steps.Count < o.Steps && !stoppedEarly; pass++)
            {
                var any = false;
                foreach (var batch in batches(PassSeed(pass)))
                {
                    any = true;
                    var rate = rates[steps.Count];
                    for (var g = 0; g < groups.Count; g++)
                    {
                        groups[g].LearningRate = rate * factors[g];
                    }

                    var value = Step(optimizer, batch, loss);
                    var smoothed = double.NaN;
                    if (double.IsFinite(value))
                    {
                        // A loss that is not a number (or infinite) is not recorded: it would poison the curve and the plot.
                        smoothed = smoother.Add(value);
                        steps.Add(new LearningRateStep(steps.Count + 1, rate, value, smoothed));
                        minimum = Math.Min(minimum, smoothed);
                        _logger.LearningRateFinderStep(_modelName, steps.Count, o.Steps, rate, value, smoothed);
                        progress?.Advance(1, $"lr {rate:G3} loss {smoothed:0.0000}");
                    }

                    if (!double.IsFinite(smoothed) || smoothed > o.DivergenceFactor * minimum)
                    {
                        stoppedEarly = true;
                        if (mode != ProgressMode.None)
                        {
                            _logger.LearningRateFinderStoppedEarly(_modelName, double.IsFinite(smoothed) ? steps.Count : steps.Count + 1, rate, smoothed, o.DivergenceFactor, minimum);
                        }

                        break;
                    }

                    if (steps.Count == o.Steps)
                    {
                        break;
                    }
                }

                if (!any)
                {
                    throw new InvalidOperationException($"{_modelName}: the learning-rate finder has no training data: the training set yields no batch.");
                }
            }
        }
        finally
        {
            StateBytes.LoadInto(optimizer, optimizerState);
            for (var g = 0; g < groups.Count; g++)
            {
                groups[g].LearningRate = initialRates[g];
            }
        }

        return Finish(steps, stoppedEarly, clock.Elapsed.TotalSeconds, mode);
    }

    /// <summary>Puts the model back as it was at <see cref="Start"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _snapshot.Restore();
        }
        finally
        {
            _snapshot.Dispose();
            NativeHeap.Release();
        }
    }

    private static double Step<TBatch>(optim.Optimizer optimizer, TBatch batch, Func<TBatch, Tensor> loss)
    {
        using var scope = NewDisposeScope();
        var value = loss(batch);
        optimizer.zero_grad();
        value.backward();
        optimizer.step();
        return value.item<float>();
    }

    private LearningRateFinding Finish(List<LearningRateStep> steps, bool stoppedEarly, double seconds, ProgressMode mode)
    {
        var index = LearningRateRange.SteepestDescent(steps.Select(s => s.LearningRate).ToList(), steps.Select(s => s.SmoothedLoss).ToList(), _options.Steps);
        double? suggestion = index is { } k ? steps[k].LearningRate : null;
        string? plotPath = null;
        if (steps.Count > 0)
        {
            var directory = Path.GetFullPath(_options.OutputDirectory ?? Path.Combine("training", _modelName));
            Directory.CreateDirectory(directory);
            plotPath = Path.Combine(directory, PlotFileName);
            LearningRateFinderPlot.Save(steps, suggestion, plotPath, _modelName);
        }

        var finding = new LearningRateFinding(steps, suggestion, stoppedEarly, plotPath);
        if (suggestion is null)
        {
            _logger.LearningRateFinderNoSuggestion(_modelName, steps.Count, _options.StartLearningRate, steps.Count > 0 ? steps[^1].LearningRate : _options.StartLearningRate, plotPath ?? "not written (no step ran)");
        }
        else if (mode != ProgressMode.None)
        {
            var minimum = finding.Minimum!;
            _logger.LearningRateFinderFinished(_modelName, steps.Count, seconds, suggestion.Value, minimum.SmoothedLoss, minimum.LearningRate, plotPath!);
        }

        return finding;
    }

    private static void Check(LearningRateFinderOptions o)
    {
        if (!(o.StartLearningRate > 0) || !double.IsFinite(o.StartLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(o.StartLearningRate), o.StartLearningRate, "StartLearningRate must be a positive number, such as 1e-7.");
        }

        if (!(o.EndLearningRate > o.StartLearningRate) || !double.IsFinite(o.EndLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(o.EndLearningRate), o.EndLearningRate, $"EndLearningRate must be a number above StartLearningRate ({o.StartLearningRate}), such as 10.");
        }

        if (o.Steps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(o.Steps), o.Steps, "Steps must be at least 2 (100 is usual).");
        }

        if (!(o.Smoothing >= 0 && o.Smoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Smoothing), o.Smoothing, "Smoothing is β of the moving average: from 0 (none) to below 1, such as 0.98.");
        }

        if (!(o.DivergenceFactor > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.DivergenceFactor), o.DivergenceFactor, "DivergenceFactor must be above 1, such as 4 (or PositiveInfinity to run every step).");
        }
    }
}
