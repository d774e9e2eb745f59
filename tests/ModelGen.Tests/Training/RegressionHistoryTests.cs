using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// What a regression model's training records where a classifier's records accuracy (issue 14): the epoch's mean
/// absolute error, and the validation MAE, RMSE and R², in the history's CSV and JSON.
/// </summary>
public sealed class RegressionHistoryTests
{
    [Fact]
    public void EpochMetrics_OfARegressionModel_AverageTheAbsoluteErrorOverImagesAndTargets()
    {
        var metrics = new EpochMetrics(progress: null);
        using var loss1 = tensor(2f);
        using var loss2 = tensor(5f);
        using var p1 = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var t1 = tensor(new float[] { 2, 2, 1, 4 }, [2, 2]); // |errors| 1, 0, 2, 0
        using var p2 = tensor(new float[] { 0, 0 }, [1, 2]);
        using var t2 = tensor(new float[] { 3, -1 }, [1, 2]); // 3, 1

        metrics.AddRegression(loss1, p1, t1);
        metrics.AddRegression(loss2, p2, t2);

        Assert.Equal(7 / 6.0, metrics.MeanAbsoluteError!.Value, 12);
        Assert.Equal(((2 * 2) + 5) / 3.0, metrics.Loss, 6);
        Assert.Equal(3, metrics.Count);
        Assert.True(double.IsNaN(metrics.Accuracy));
        Assert.Null(new EpochMetrics(progress: null).MeanAbsoluteError); // a classifier's epoch has none
    }

    [Fact]
    public void History_OfARegressionModel_HasMaeAndR2ColumnsInsteadOfAccuracy_AndReadsBackFromJson()
    {
        var history = new TrainingHistory();
        history.Add(Epoch(1, mae: 12.5, validation: null));
        history.Add(Epoch(2, mae: 8.25, validation: new EvaluationResult([new TargetMetrics("angle", 9.5, 11.75, 0.625)], 40, 0.5, 0)));

        var csv = history.ToCsv().Split('\n');
        Assert.Equal("phase,epoch,loss,mae,val_loss,val_mae,val_rmse,val_r2,learning_rate,seconds,samples_per_second", csv[0]);
        Assert.Equal("train,1,1.5,12.5,,,,,0.001,2,50", csv[1]);
        Assert.Equal("train,2,1.5,8.25,0.5,9.5,11.75,0.625,0.001,2,50", csv[2]);

        var json = history.ToJson();
        Assert.Contains("\"accuracy\": null", json, StringComparison.Ordinal);
        Assert.Contains("\"val_per_target\"", json, StringComparison.Ordinal);
        var read = TrainingHistory.FromJson(json);
        Assert.True(double.IsNaN(read.Epochs[1].Accuracy));
        Assert.Equal(8.25, read.Epochs[1].MeanAbsoluteError);
        Assert.Equal(0.625, read.Epochs[1].ValRSquared);
        Assert.Equal(new TargetMetrics("angle", 9.5, 11.75, 0.625), read.Epochs[1].ValPerTarget!.Single());
        Assert.Null(read.Epochs[0].ValRSquared);
        Assert.True(read.Epochs.All(e => e.IsRegression));
        Assert.Null(read.Epochs[1].ValAccuracy);
        Assert.Null(read.Epochs[1].ValPerClass);
    }

    [Fact]
    public void ClassifierHistory_KeepsItsColumns()
    {
        var history = new TrainingHistory();
        history.Add(new EpochResult("train", 1, 0.5, 0.75, null, null, 0.001, 2, 50));

        Assert.StartsWith("phase,epoch,loss,accuracy,val_loss,val_accuracy,", history.ToCsv(), StringComparison.Ordinal);
        Assert.Contains("\"accuracy\": 0.75", history.ToJson(), StringComparison.Ordinal);
    }

    private static EpochResult Epoch(int epoch, double mae, EvaluationResult? validation) =>
        new EpochResult("train", epoch, 1.5, double.NaN, validation?.Loss, null, 0.001, 2, 50)
        {
            MeanAbsoluteError = mae,
            ValMeanAbsoluteError = validation?.MeanAbsoluteError,
            ValRootMeanSquaredError = validation?.RootMeanSquaredError,
            ValRSquared = validation?.RSquared,
            ValPerTarget = validation?.PerTarget,
        };
}
