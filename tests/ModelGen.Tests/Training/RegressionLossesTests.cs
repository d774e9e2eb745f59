using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The losses of <c>task: regression</c> (issue 14) on a hand-computed example of two images and two targets:
/// the errors are -0.5, 0, 2 and -1.
/// </summary>
public sealed class RegressionLossesTests
{
    private static readonly float[] Predictions = [1f, 2f, 3f, 4f];
    private static readonly float[] Targets = [1.5f, 2f, 1f, 5f];

    [Fact]
    public void MeanSquaredError_IsTheMeanOverImagesAndTargets()
    {
        // (0.25 + 0 + 4 + 1) / 4
        Assert.Equal(1.3125, Loss(p => RegressionLosses.MeanSquaredError(p, Tensor(Targets))), 6);
    }

    [Theory]
    [InlineData(1.0, 0.53125)] // 0.5·0.5², 0, 1·(2 - 0.5), 0.5·1² (at δ both branches agree): 2.125 / 4
    [InlineData(0.5, 0.34375)] // 0.5·0.5², 0, 0.5·(2 - 0.25), 0.5·(1 - 0.25): 1.375 / 4
    [InlineData(10.0, 0.65625)] // every error within δ: half the squared error, 5.25 / 2 / 4
    public void Huber_IsQuadraticWithinDeltaAndLinearBeyond(double delta, double expected)
    {
        Assert.Equal(expected, Loss(p => RegressionLosses.Huber(p, Tensor(Targets), delta)), 6);
    }

    [Fact]
    public void Huber_CountsAnOutlierLessThanMeanSquaredError()
    {
        // One error of 100 among small ones: MSE grows with its square, Huber (δ 1) only linearly.
        float[] outlier = [1.5f, 2f, 103f, 5f];
        var mse = Loss(p => RegressionLosses.MeanSquaredError(p, Tensor(outlier)));
        var huber = Loss(p => RegressionLosses.Huber(p, Tensor(outlier), 1.0));

        Assert.Equal((0.25 + 0 + 10000 + 1) / 4, mse, 3);
        Assert.Equal((0.125 + 0 + 99.5 + 0.5) / 4, huber, 5);
    }

    [Fact]
    public void MismatchedShapes_AreRefusedRatherThanBroadcast()
    {
        using var predictions = tensor(new float[] { 1, 2, 3 }, [3, 1]);
        using var targets = tensor(new float[] { 1, 2, 3 });

        var error = Assert.Throws<ArgumentException>(() => RegressionLosses.MeanSquaredError(predictions, targets));
        Assert.Contains("predictions [3, 1] and targets [3]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RegressionLosses.Huber(predictions, predictions, 0));
    }

    [Fact]
    public void Gradient_OfMeanSquaredError_IsTwiceTheErrorOverTheCount()
    {
        using var predictions = tensor(Predictions, [2, 2]).requires_grad_();
        using var loss = RegressionLosses.MeanSquaredError(predictions, Tensor(Targets));
        loss.backward();

        // d/dp mean((p - y)²) = 2 (p - y) / 4
        Assert.Equal([-0.25f, 0f, 1f, -0.5f], predictions.grad!.data<float>().ToArray());
    }

    private static Tensor Tensor(float[] values) => tensor(values, [2, 2]);

    private static double Loss(Func<Tensor, Tensor> loss)
    {
        using var predictions = Tensor(Predictions);
        using var value = loss(predictions);
        return value.item<float>();
    }
}
