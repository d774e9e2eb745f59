using ModelGen.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The optimizers the generated code builds through <see cref="Optimizers"/>: they reduce a loss, AdamW's
/// weight decay is decoupled, RMSprop has Keras' rho and epsilon, and only trainable parameters are given
/// to them, each group at its own rate.
/// </summary>
public sealed class OptimizersTests
{
    public static TheoryData<string> Kinds => new() { "sgd", "adam", "adamw", "rmsprop" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Optimizer_ReducesALeastSquaresLoss(string kind)
    {
        // y = x · [1.5, -2, 0.5] + 0.3 on 64 fixed points, from a zero start.
        var random = new Random(3);
        var x = Enumerable.Range(0, 64 * 3).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        using var inputs = tensor(x).reshape(64, 3);
        using var truth = tensor(new[] { 1.5f, -2f, 0.5f }).reshape(3, 1);
        using var targets = inputs.matmul(truth).add_(0.3f);
        using var layer = nn.Linear(3, 1);
        using (no_grad())
        {
            layer.weight.zero_();
            layer.bias!.zero_();
        }

        using var optimizer = Build(kind, layer.parameters(), [], kind == "sgd" ? 0.05 : 0.02);
        var first = Loss(layer, inputs, targets, optimizer);
        var last = first;
        for (var step = 0; step < 300; step++)
        {
            last = Loss(layer, inputs, targets, optimizer);
        }

        Assert.True(last < first / 100, $"{kind}: loss {first:0.0000} → {last:0.000000}");
    }

    [Fact]
    public void AdamW_DecaysAParameterWithZeroGradientByLrTimesWeightDecay_UnlikeAdamsL2Penalty()
    {
        var adamW = StepWithZeroGradient(parameters => Optimizers.AdamW(parameters, [], lr: 0.1, weightDecay: 0.5));
        var adamWDefault = StepWithZeroGradient(parameters => Optimizers.AdamW(parameters, [], lr: 0.1));
        var adam = StepWithZeroGradient(parameters => Optimizers.Adam(parameters, [], lr: 0.1, weightDecay: 0.5));

        // Decoupled: p ← p · (1 − lr · wd), whatever the gradient; the spec's default weight decay is 0.01.
        AssertClose([0.95f, -3.8f], adamW);
        AssertClose([1 - 0.001f, -4 * (1 - 0.001f)], adamWDefault);

        // Adam folds the decay into the gradient, which its step normalises: about lr · sign(p).
        AssertClose([0.9f, -3.9f], adam);
    }

    [Fact]
    public void RmsProp_UsesKerasRhoAndEpsilon_InBothParameterGroups()
    {
        using var head = nn.Parameter(tensor(new[] { 1f }));
        using var backbone = nn.Parameter(tensor(new[] { 1f }));
        using var optimizer = Optimizers.RmsProp([head], [backbone], lr: 0.01, backboneLr: 0.001);
        using (var loss = head.mul(3).add(backbone.mul(3)).sum())
        {
            loss.backward();
        }

        optimizer.step();

        // First step, gradient 3: v = (1 − rho) · 9, p ← p − lr · 3 / (√v + ε) with rho 0.9, ε 1e-7.
        var denominator = Math.Sqrt(0.1 * 9) + 1e-7;
        Assert.Equal(1 - (0.01 * 3 / denominator), head.item<float>(), 6);
        Assert.Equal(1 - (0.001 * 3 / denominator), backbone.item<float>(), 6);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void OnlyTrainableBackboneParameters_AreOptimised(string kind)
    {
        using var head = nn.Linear(4, 2);
        using var backbone = nn.Linear(3, 4);
        backbone.weight.requires_grad = false;

        using var optimizer = Build(kind, head.parameters(), backbone.parameters(), 0.01);

        var optimised = Groups(optimizer).SelectMany(g => g.Parameters).Select(p => p.Handle).ToHashSet();
        var expected = head.parameters().Append(backbone.bias!).Select(p => p.Handle).ToHashSet();
        Assert.True(expected.SetEquals(optimised), $"{kind}: {optimised.Count} parameters given to the optimizer, expected the head's 2 and the backbone's trainable bias");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BackboneLr_GivesTheBackboneItsOwnGroupAndRate(string kind)
    {
        using var head = nn.Linear(4, 2);
        using var backbone = nn.Linear(3, 4);

        using var optimizer = Build(kind, head.parameters(), backbone.parameters(), 0.01, backboneLr: 0.001);
        using var sameRate = Build(kind, head.parameters(), backbone.parameters(), 0.01, backboneLr: 0.01);

        var groups = Groups(optimizer);
        Assert.Equal(2, groups.Count);
        Assert.Equal(0.01, groups[0].LearningRate);
        Assert.Equal(0.001, groups[1].LearningRate);
        Assert.Equal(head.parameters().Select(p => p.Handle), groups[0].Parameters.Select(p => p.Handle));
        Assert.Equal(backbone.parameters().Select(p => p.Handle), groups[1].Parameters.Select(p => p.Handle));
        Assert.Single(sameRate.ParamGroups);
        Assert.Equal(0.01, Optimizers.LearningRate(sameRate));
    }

    private static optim.Optimizer Build(string kind, IEnumerable<Parameter> head, IEnumerable<Parameter> backbone, double lr, double? backboneLr = null) => kind switch
    {
        "sgd" => Optimizers.Sgd(head, backbone, lr, backboneLr, momentum: 0.9),
        "adam" => Optimizers.Adam(head, backbone, lr, backboneLr),
        "adamw" => Optimizers.AdamW(head, backbone, lr, backboneLr),
        _ => Optimizers.RmsProp(head, backbone, lr, backboneLr),
    };

    private static List<ParamGroup> Groups(optim.Optimizer optimizer) => optimizer.ParamGroups.Cast<ParamGroup>().ToList();

    /// <summary>One step on the mean squared error; returns the loss before the step.</summary>
    private static double Loss(TorchSharp.Modules.Linear layer, Tensor inputs, Tensor targets, optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        var loss = nn.functional.mse_loss(layer.forward(inputs), targets);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>The parameter [1, −4] after one step of an optimizer when its gradient is zero.</summary>
    private static float[] StepWithZeroGradient(Func<IEnumerable<Parameter>, optim.Optimizer> build)
    {
        using var parameter = nn.Parameter(tensor(new[] { 1f, -4f }));
        using var optimizer = build([parameter]);
        using (var loss = parameter.mul(0).sum())
        {
            loss.backward();
        }

        optimizer.step();
        return parameter.detach().data<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"[{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}]");
        }
    }
}
