using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// By default a model's outputs are in one folder, training/&lt;Model&gt;: history and curves there, and the
/// spec's default checkpoint folder training/&lt;Model&gt;/checkpoints (issue 17 item 3: the history went to
/// the checkpoint folder, or to training/ when checkpoints were off, and checkpoints to checkpoints/).
/// </summary>
public sealed class OutputLayoutTests
{
    [Fact]
    public void ByDefault_TheHistoryGoesToTrainingModel_WhereverTheCheckpointsAre()
    {
        using var model = nn.Linear(2, 2);
        using var temp = new Infrastructure.TempFolder();

        using var withCheckpoints = TrainingRun.Start(model, "Shoes", new TrainOptions { Progress = ProgressMode.None }, new CheckpointSettings(temp["elsewhere"], Keep: 1), earlyStopping: null, seed: 1);
        using var without = TrainingRun.Start(model, "Shoes", new TrainOptions { Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1);

        Assert.Equal(Path.GetFullPath(Path.Combine("training", "Shoes")), withCheckpoints.OutputDirectory);
        Assert.Equal(Path.GetFullPath(Path.Combine("training", "Shoes")), without.OutputDirectory);
    }

    [Fact]
    public void TheSpecsDefaultCheckpointFolder_IsInsideTrainingModel()
    {
        var field = typeof(Specs.FashionMethod1).GetField("Checkpoints", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

        Assert.Equal("training/FashionMethod1/checkpoints", ((CheckpointSettings)field.GetValue(null)!).Directory);
    }
}
