using ModelGen.Training;
using ModelGen.Tests.Infrastructure;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <c>grad_clip_norm</c> and <c>accumulate_batches</c> (issue 14) through <see cref="PhaseRun.Step"/>: clipping bounds
/// the global norm of the gradients as PyTorch's clip_grad_norm_ does, and k accumulated batches step as one batch k
/// times as large.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class GradientStepTests
{
    [Fact]
    public void Clipping_ScalesAGradientAboveTheLimitDownToIt_AlongTheSameDirection()
    {
        using var model = TinyHead(seed: 3);
        var (inputs, labels) = Batch(seed: 4, count: 8);
        var unclipped = Gradients(model, inputs, labels);
        var norm = GlobalNorm(unclipped);
        Assert.True(norm > 0.5, $"the test needs a gradient above the limit; its norm is {norm}");

        using var temp = new TempFolder();
        var clipped = GradientsAfterStep(model, inputs, labels, temp, clipNorm: 0.25);

        // clip_grad_norm_: every gradient times max_norm / (norm + 1e-6).
        Assert.Equal(0.25, GlobalNorm(clipped), 5);
        for (var i = 0; i < unclipped.Count; i++)
        {
            Assert.Equal(unclipped[i].Select(g => (float)(g * 0.25 / (norm + 1e-6))), clipped[i], FloatNear(1e-6));
        }
    }

    [Fact]
    public void Clipping_LeavesAGradientBelowTheLimitAsItIs()
    {
        using var model = TinyHead(seed: 3);
        var (inputs, labels) = Batch(seed: 4, count: 8);
        var unclipped = Gradients(model, inputs, labels);

        using var temp = new TempFolder();
        var clipped = GradientsAfterStep(model, inputs, labels, temp, clipNorm: GlobalNorm(unclipped) * 2);

        for (var i = 0; i < unclipped.Count; i++)
        {
            Assert.Equal(unclipped[i], clipped[i]);
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    public void AccumulatingFourBatches_StepsAsOneBatchFourTimesAsLarge(OptimizerKind kind)
    {
        var (inputs, labels) = Batch(seed: 7, count: 20);

        // Four batches of 5 with accumulate_batches: 4 ...
        using var accumulated = TinyHead(seed: 11);
        Train(accumulated, kind, inputs, labels, batchSize: 5, accumulate: 4);

        // ... and one batch of 20.
        using var whole = TinyHead(seed: 11);
        Train(whole, kind, inputs, labels, batchSize: 20, accumulate: 1);

        using var untrained = TinyHead(seed: 11);
        Assert.False(Parameters(untrained).Zip(Parameters(accumulated)).All(p => p.First.SequenceEqual(p.Second)), "the step changed nothing");
        foreach (var (a, b) in Parameters(accumulated).Zip(Parameters(whole)))
        {
            Assert.Equal(b, a, FloatNear(1e-6));
        }
    }

    [Fact]
    public void AccumulatingTwoBatches_OverFive_StepsThreeTimes_TheLastOnOneBatchDividedByTwo()
    {
        var (inputs, labels) = Batch(seed: 7, count: 10);
        using var accumulated = TinyHead(seed: 5);
        Train(accumulated, OptimizerKind.Sgd, inputs, labels, batchSize: 2, accumulate: 2);

        // The same by hand: batches 0+1, 2+3, then 4 alone, each loss divided by 2.
        using var byHand = TinyHead(seed: 5);
        using var optimizer = optim.SGD(byHand.parameters(), 0.1);
        foreach (var group in new[] { new[] { 0, 1 }, [2, 3], [4] })
        {
            optimizer.zero_grad();
            foreach (var batch in group)
            {
                using var scope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(byHand.call(inputs.narrow(0, batch * 2, 2)), labels.narrow(0, batch * 2, 2));
                (loss / 2).backward();
            }

            optimizer.step();
        }

        foreach (var (a, b) in Parameters(accumulated).Zip(Parameters(byHand)))
        {
            Assert.Equal(b, a, FloatNear(1e-6));
        }
    }

    /// <summary>One epoch over <paramref name="inputs"/> in order, through a phase's steps.</summary>
    private static void Train(Linear model, OptimizerKind kind, Tensor inputs, Tensor labels, int batchSize, int accumulate)
    {
        using var temp = new TempFolder();
        using var optimizer = Optimizers.Create(new OptimizerSettings(kind, LearningRate: 0.1), model.parameters().ToList());
        using var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1);
        using var phase = run.BeginPhase("train", epochs: 1, optimizer, schedule: null, samples: inputs.shape[0], new StepSettings(batchSize, accumulate));
        var metrics = phase.BeginEpoch(0);
        for (var start = 0L; start < inputs.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var logits = model.call(inputs.narrow(0, start, batchSize));
            phase.Step(nn.functional.cross_entropy(logits, labels.narrow(0, start, batchSize)));
        }

        phase.StepRemaining();
        phase.EndEpoch(metrics, validation: null);
    }

    private static List<float[]> GradientsAfterStep(Linear model, Tensor inputs, Tensor labels, TempFolder temp, double clipNorm)
    {
        using var optimizer = optim.SGD(model.parameters(), 0.1);
        using var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1);
        using var phase = run.BeginPhase("train", epochs: 1, optimizer, schedule: null, samples: inputs.shape[0], new StepSettings(BatchSize: (int)inputs.shape[0], GradClipNorm: clipNorm));
        phase.BeginEpoch(0);
        using (var scope = NewDisposeScope())
        {
            phase.Step(nn.functional.cross_entropy(model.call(inputs), labels));
        }

        return model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList();
    }

    /// <summary>The gradients of one batch's loss, without a step (the model is left as it was).</summary>
    private static List<float[]> Gradients(Linear model, Tensor inputs, Tensor labels)
    {
        model.zero_grad();
        using (var scope = NewDisposeScope())
        {
            nn.functional.cross_entropy(model.call(inputs), labels).backward();
        }

        var gradients = model.parameters().Select(p => p.grad!.data<float>().ToArray()).ToList();
        model.zero_grad();
        return gradients;
    }

    private static double GlobalNorm(List<float[]> gradients) => Math.Sqrt(gradients.Sum(g => g.Sum(x => (double)x * x)));

    private static List<float[]> Parameters(nn.Module model) => model.parameters().Select(p => p.data<float>().ToArray()).ToList();

    /// <summary>A dense layer from 6 features to 3 classes, seeded: a head as the generated code trains it.</summary>
    private static Linear TinyHead(int seed)
    {
        manual_seed(seed);
        return nn.Linear(6, 3);
    }

    private static (Tensor Inputs, Tensor Labels) Batch(int seed, int count)
    {
        using var generator = new Generator((ulong)seed);
        return (randn([count, 6], generator: generator) * 3, randint(0, 3, [count], generator: generator));
    }

    private static IEqualityComparer<float> FloatNear(double tolerance) =>
        EqualityComparer<float>.Create((a, b) => Math.Abs(a - b) <= tolerance, _ => 0);
}
