using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>Every diagnostic ID, each located at the exact span of the offending key or value in the spec.</summary>
public sealed class DiagnosticTests
{
    private const string Backbone = "backbone: { architecture: resnet18 }\n";
    private const string Head = "head: [global_avg_pool, { dense: 2, activation: softmax }]\n";

    [Fact]
    public void MG0001_SyntaxError_PointsAtTheBrokenText() =>
        Expect("MG0001", "model: M\ninput: { size: 64 }\n" + Backbone + "head: [|[|]global_avg_pool\ntraining: {}\n");

    [Fact]
    public void MG0002_UnknownKey_SuggestsTheNearestKey()
    {
        var diagnostic = Expect("MG0002", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  [|batchsize|]: 16\n");
        Assert.Contains("did you mean 'batch_size'?", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0002_AKeyCut_SuggestsTheKeyItStarts()
    {
        var diagnostic = Expect("MG0002", "model: M\ninput: { size: 64 }\nbackbone:\n  architecture: resnet18\n  [|truncate|]: layer3\n" + Head);
        Assert.Contains("did you mean 'truncate_at'?", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0002_AKeyInTheWrongPlace_SaysWhereItBelongs()
    {
        var diagnostic = Expect("MG0002", "model: M\ninput: { size: 64 }\n[|truncate_at|]: layer3\n" + Backbone + Head);
        Assert.Contains("'truncate_at' belongs under backbone", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0001_ATabInTheIndentation_PointsAtTheTab()
    {
        var diagnostic = Expect("MG0001", "model: M\ninput: { size: 64 }\n" + Backbone + "head:\n  - global_avg_pool\n[||]\t- { dense: 2 }\n");
        Assert.Contains("a tab indents this line", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("backbone:\n  architecture: resnet18\n    [|truncate_at: layer3|]\n" + Head, "starts in column 5, deeper than the line above allows", "the keys beside it start in column 3")]
    [InlineData("backbone:\n    architecture: resnet18\n  [|truncate_at: layer3|]\n" + Head, "starts in column 3, but the mappings around it have their keys in column 1 or 5", "one column")]
    [InlineData(Backbone + "head:\n  - dense: 2\n  [|activation: softmax|]\n", "in a list whose items ('- ') start in column 3, but it is not an item", "indent it under the item above")]
    [InlineData(Backbone + Head + "training:\n  phases:\n    - name: a\n      epochs: 2\n     [|- name: b|]\n", "this item starts in column 6, but the lists around it have their items in column 5", "")]
    public void MG0001_AMisindentedLine_IsReportedAtThatLine_WithTheColumnsItCouldStartIn(string body, string says, string alsoSays)
    {
        var diagnostic = Expect("MG0001", "model: M\ninput: { size: 64 }\n" + body);

        Assert.Contains(says, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains(alsoSays, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void MG0003_MissingKey_PointsAtTheFileStartForTopLevelKeys() =>
        Expect("MG0003", "[||]model: M\ninput: { size: 64 }\n" + Backbone);

    [Fact]
    public void MG0003_MissingKey_PointsAtTheParentKeyForNestedKeys() =>
        Expect("MG0003", "model: M\n[|input|]: { channels: 3 }\n" + Backbone + Head);

    [Fact]
    public void MG0004_WrongType_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: [|abc|] }\n" + Backbone + Head);

    [Fact]
    public void MG0005_OutOfRange_PointsAtTheValue() =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, { dropout: [|1.5|] }, { dense: 2 }]\n");

    [Theory]
    [InlineData("1")]
    [InlineData("-0.1")]
    public void MG0005_LabelSmoothingOutsideZeroToOne_PointsAtTheValue(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  label_smoothing: [|" + value + "|]\n");

    private const string MultiLabelHead = "head: [global_avg_pool, { dense: 3, activation: sigmoid }]\n";
    private const string RegressionHead = "head: [global_avg_pool, { dense: 1, activation: none }]\n";

    [Fact]
    public void MG0017_UnknownTask_SuggestsTheNearestTask()
    {
        var diagnostic = Expect("MG0017", "model: M\ntask: [|multilabel|]\ninput: { size: 64 }\n" + Backbone + Head);
        Assert.Contains("did you mean 'multi_label'?", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0003_MultiLabelWithoutLabels_PointsAtTheTask() =>
        Expect("MG0003", "model: M\n[|task|]: multi_label\ninput: { size: 64 }\n" + Backbone + MultiLabelHead);

    [Fact]
    public void MG0003_RegressionWithoutTargets_PointsAtTheTask() =>
        Expect("MG0003", "model: M\n[|task|]: regression\ninput: { size: 64 }\n" + Backbone + RegressionHead);

    [Fact]
    public void MG0020_LabelsForARegression_PointAtLabels() =>
        Expect("MG0020", "model: M\ntask: regression\ntargets: [angle]\n[|labels|]: [a, b]\ninput: { size: 64 }\n" + Backbone + RegressionHead);

    [Fact]
    public void MG0020_TargetsForAClassifier_PointAtTargets() =>
        Expect("MG0020", "model: M\n[|targets|]: [angle]\ninput: { size: 64 }\n" + Backbone + Head);

    [Theory]
    [InlineData("class_weights: balanced")]
    [InlineData("focal_gamma: 2")]
    [InlineData("label_smoothing: 0.1")]
    public void MG0020_ClassificationLossKeysForARegression_PointAtTheKey(string key) =>
        Expect("MG0020", "model: M\ntask: regression\ntargets: [angle]\ninput: { size: 64 }\n" + Backbone + RegressionHead + "training:\n  [|" + key.Replace(": ", "|]: ", StringComparison.Ordinal) + "\n");

    [Fact]
    public void MG0020_ClassWeightsForMultiLabel_PointAtTheKey() =>
        Expect("MG0020", "model: M\ntask: multi_label\nlabels: [a, b, c]\ninput: { size: 64 }\n" + Backbone + MultiLabelHead + "training:\n  [|class_weights|]: balanced\n");

    [Fact]
    public void MG0020_HuberDeltaWithMse_PointsAtHuberDelta() =>
        Expect("MG0020", "model: M\ntask: regression\ntargets: [angle]\ninput: { size: 64 }\n" + Backbone + RegressionHead + "training:\n  loss: mse\n  [|huber_delta|]: 2\n");

    [Fact]
    public void MG0020_MixingForRegression_PointsAtAugment() =>
        Expect("MG0020", "model: M\ntask: regression\ntargets: [angle]\ninput: { size: 64 }\n" + Backbone + RegressionHead + "training:\n  [|augment|]: { mixup: { alpha: 0.2 } }\n");

    [Fact]
    public void MG0020_MixingInAPhaseForMultiLabel_PointsAtPhases() =>
        Expect("MG0020", "model: M\ntask: multi_label\nlabels: [a, b, c]\ninput: { size: 64 }\n" + Backbone + MultiLabelHead + "training:\n  [|phases|]:\n    - { name: a, epochs: 1, augment: { cutmix: true } }\n");

    [Fact]
    public void MG0005_HuberDeltaNotPositive_PointsAtTheValue() =>
        Expect("MG0005", "model: M\ntask: regression\ntargets: [angle]\ninput: { size: 64 }\n" + Backbone + RegressionHead + "training:\n  loss: huber\n  huber_delta: [|0|]\n");

    [Theory]
    [InlineData("multi_label\nlabels: [a, b, c]", "mse")]
    [InlineData("regression\ntargets: [angle]", "binary_crossentropy")]
    public void MG0017_LossOfAnotherTask_PointsAtTheLoss(string task, string loss) =>
        Expect("MG0017", "model: M\ntask: " + task + "\ninput: { size: 64 }\n" + Backbone + (task.StartsWith("multi", StringComparison.Ordinal) ? MultiLabelHead : RegressionHead) + "training:\n  loss: [|" + loss + "|]\n");

    [Fact]
    public void MG0017_RegressionLossForAClassifier_PointsAtTheLoss() =>
        Expect("MG0017", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  loss: [|huber|]\n");

    [Fact]
    public void MG0010_MultiLabelUnitsNotLabels_PointsAtTheLastLayer() =>
        Expect("MG0010", "model: M\ntask: multi_label\nlabels: [a, b]\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, [|{ dense: 3, activation: sigmoid }|]]\n");

    [Fact]
    public void MG0010_MultiLabelWithSoftmax_PointsAtTheLastLayer() =>
        Expect("MG0010", "model: M\ntask: multi_label\nlabels: [a, b, c]\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, [|{ dense: 3, activation: softmax }|]]\n");

    [Fact]
    public void MG0010_RegressionUnitsNotTargets_PointsAtTheLastLayer() =>
        Expect("MG0010", "model: M\ntask: regression\ntargets: [angle, scale]\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, [|{ dense: 3, activation: none }|]]\n");

    [Fact]
    public void MG0010_RegressionWithSigmoid_PointsAtTheLastLayer() =>
        Expect("MG0010", "model: M\ntask: regression\ntargets: [angle]\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, [|{ dense: 1, activation: sigmoid }|]]\n");

    [Theory]
    [InlineData("angle, [|Angle|]")]
    [InlineData("angle, [|angle|]")]
    [InlineData("[|\"--\"|]")]
    public void MG0008_TargetsWithoutAName_OrMakingOneProperty_PointAtTheTarget(string targets) =>
        Expect("MG0008", "model: M\ntask: regression\ntargets: [" + targets + "]\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, { dense: " + (targets.Contains(',', StringComparison.Ordinal) ? 2 : 1) + " }]\n");

    [Theory]
    [InlineData("val_accuracy")]
    [InlineData("accuracy")]
    public void MG0020_RegressionWatchingAccuracy_PointsAtTheMonitor(string monitor) =>
        Expect("MG0020", "model: M\ntask: regression\ntargets: [angle]\ninput: { size: 64 }\n" + Backbone + RegressionHead + "training:\n  early_stopping: { monitor: [|" + monitor + "|] }\n");

    [Theory]
    [InlineData("[|to string|]")] // ToString: every record declares it
    [InlineData("[|equality contract|]")]
    [InlineData("[|m prediction|]")] // MPrediction: the prediction record of model M itself (CS0542)
    public void MG0008_ATargetWhosePropertyTheRecordCannotHave_PointsAtTheTarget(string target) =>
        Expect("MG0008", "model: M\ntask: regression\ntargets: [" + target + "]\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, { dense: 1 }]\n");

    [Theory]
    [InlineData("[|multi_label|]\nlabels: [a, b, c]\ninput: { size: 64 }\n" + Backbone + MultiLabelHead)]
    public void MG0030_ATaskNotGeneratedYet_PointsAtTheTask(string rest) =>
        Expect("MG0030", "model: M\ntask: " + rest);

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData("-0.2")]
    public void MG0005_ValidationSplitNotBetweenZeroAndOne_PointsAtTheValue(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  validation_split: [|" + value + "|]\n");

    [Fact]
    public void MG0004_ValidationSplitAsText_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  validation_split: [|twenty|]\n");

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void MG0005_ClassWeightNotPositive_PointsAtTheWeight(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\nlabels: [a, b]\n" + Backbone + Head + "training:\n  class_weights: { a: [|" + value + "|] }\n");

    [Fact]
    public void MG0005_FocalGammaAboveTen_PointsAtTheValue() =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  focal_gamma: [|11|]\n");

    [Fact]
    public void MG0017_ClassWeightsNeitherBalancedNorAMap_PointsAtTheValue() =>
        Expect("MG0017", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  class_weights: [|inverse|]\n");

    [Fact]
    public void MG0017_ClassWeightForALabelTheSpecDoesNotHave_PointsAtTheLabel() =>
        Expect("MG0017", "model: M\ninput: { size: 64 }\nlabels: [cat, dog]\n" + Backbone + Head + "training:\n  class_weights: { cat: 2, [|bird|]: 3 }\n");

    [Fact]
    public void MG0004_ClassWeightsAsAList_PointsAtTheList() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  class_weights: [|[1, 2]|]\n");

    [Fact]
    public void MG0020_FocalLossWithLabelSmoothing_PointsAtFocalGamma() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  label_smoothing: 0.1\n  [|focal_gamma|]: 2\n");

    [Theory]
    [InlineData("n: [|0|]")]
    [InlineData("n: [|15|]")]
    [InlineData("magnitude: [|31|]")]
    [InlineData("magnitude: [|-1|]")]
    public void MG0005_RandAugmentOutsideItsRange_PointsAtTheValue(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { rand_augment: { " + value + " } }\n");

    [Fact]
    public void MG0004_RandAugmentAsANumber_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { rand_augment: [|2|] }\n");

    [Fact]
    public void MG0002_UnknownRandAugmentKey_PointsAtTheKey() =>
        Expect("MG0002", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { rand_augment: { [|num_ops|]: 2 } }\n");

    [Fact]
    public void MG0020_RandAugmentWithTrivialAugment_PointsAtTrivialAugment() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { rand_augment: true, [|trivial_augment|]: true }\n");

    [Fact]
    public void MG0004_TrivialAugmentNotABool_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { trivial_augment: [|wide|] }\n");

    [Theory]
    [InlineData("p: [|1.5|]")]
    [InlineData("p: [|-0.1|]")]
    [InlineData("scale: [[|0|], 0.3]")]
    [InlineData("scale: [0.02, [|1.2|]]")]
    [InlineData("scale: [|[0.3, 0.1]|]")]
    [InlineData("ratio: [[|-1|], 3]")]
    [InlineData("ratio: [|[3, 0.3]|]")]
    public void MG0005_RandomErasingOutsideItsBounds_PointsAtTheValue(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { random_erasing: { " + value + " } }\n");

    [Fact]
    public void MG0004_RandomErasingScaleNotAPair_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { random_erasing: { scale: [|0.2|] } }\n");

    [Fact]
    public void MG0004_RandomErasingValueNotANumber_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { random_erasing: { value: [|random|] } }\n");

    [Theory]
    [InlineData("mixup: { alpha: [|0|] }")]
    [InlineData("mixup: { alpha: [|-0.2|] }")]
    [InlineData("cutmix: { alpha: [|0|] }")]
    [InlineData("mixup: true, mix_probability: [|0|]")]
    [InlineData("cutmix: true, mix_probability: [|1.5|]")]
    public void MG0005_MixingAlphaOrProbabilityOutOfRange_PointsAtTheValue(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { " + value + " }\n");

    [Fact]
    public void MG0004_MixUpAsANumber_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { mixup: [|0.2|] }\n");

    [Fact]
    public void MG0002_UnknownMixUpKey_SuggestsAlpha()
    {
        var diagnostic = Expect("MG0002", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { mixup: { [|alfa|]: 0.2 } }\n");
        Assert.Contains("did you mean 'alpha'?", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0002_UnknownMixingKeyInAugment_SuggestsTheNearestKey()
    {
        var diagnostic = Expect("MG0002", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { [|cut_mix|]: true }\n");
        Assert.Contains("did you mean 'cutmix'?", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0020_MixProbabilityWithoutMixing_PointsAtMixProbability() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  augment: { horizontal_flip: true, [|mix_probability|]: 0.5 }\n");

    [Fact]
    public void MG0020_FocalLossWithMixUp_PointsAtFocalGamma() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  [|focal_gamma|]: 2\n  augment: { mixup: true }\n");

    [Fact]
    public void MG0020_FocalLossWithCutMixInAPhase_PointsAtFocalGamma() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  [|focal_gamma|]: 2\n  phases:\n    - { name: a, epochs: 1, augment: { cutmix: { alpha: 1 } } }\n");

    [Fact]
    public void MixUpAndCutMix_WithClassWeightsAndLabelSmoothing_HaveNoDiagnostics()
    {
        var run = GeneratorHarness.RunInProject("TestProject", ("spec.model.yaml", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  label_smoothing: 0.1\n  class_weights: balanced\n  augment: { mixup: true, cutmix: { alpha: 0.5 }, mix_probability: 0.5 }\n"));
        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.ModelFiles);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void MG0005_EmaDecayOutsideZeroToOne_PointsAtTheDecay(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  ema: { decay: [|" + value + "|] }\n");

    [Fact]
    public void MG0005_EmaAsANumberOutsideZeroToOne_PointsAtTheNumber() =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  ema: [|1|]\n");

    [Fact]
    public void MG0003_EmaWithoutADecay_PointsAtTheMapping() =>
        Expect("MG0003", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  ema: [|{ }|]\n");

    [Fact]
    public void MG0004_EmaAsAList_PointsAtTheList() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  ema: [|[0.9]|]\n");

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void MG0005_AccumulateBatchesBelowOne_PointsAtTheValue(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  accumulate_batches: [|" + value + "|]\n");

    [Fact]
    public void MG0005_AccumulateBatchesBelowOneInAPhase_PointsAtTheValue() =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  phases:\n    - { name: a, accumulate_batches: [|0|] }\n");

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void MG0005_GradClipNormNotPositive_PointsAtTheValue(string value) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  grad_clip_norm: [|" + value + "|]\n");

    [Fact]
    public void MG0005_WarmupAsLongAsThePhase_PointsAtWarmupEpochs() =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  epochs: 3\n  schedule: { type: cosine, [|warmup_epochs|]: 3 }\n");

    [Fact]
    public void MG0005_InheritedWarmupLongerThanAPhase_PointsAtTheTrainingSchedulesWarmup() =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  schedule: { type: step, [|warmup_epochs|]: 2 }\n  phases:\n    - { name: a, epochs: 5 }\n    - { name: b, epochs: 2 }\n");

    [Fact]
    public void MG0020_WarmupWithOneCycle_PointsAtWarmupEpochs() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  schedule: { type: one_cycle, [|warmup_epochs|]: 1 }\n");

    [Fact]
    public void MG0020_OneCycleKeyOnAnotherSchedule_PointsAtTheKey() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  schedule: { type: cosine, [|max_lr|]: 0.01 }\n");

    [Theory]
    [InlineData("pct_start: [|1|]")]
    [InlineData("pct_start: [|0|]")]
    [InlineData("div_factor: [|0.5|]")]
    [InlineData("max_lr: [|0|]")]
    public void MG0005_OneCycleValueOutOfRange_PointsAtTheValue(string setting) =>
        Expect("MG0005", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  schedule: { type: one_cycle, " + setting + " }\n");

    [Fact]
    public void Schedule_WarmupAloneMeansWarmupThenConstant_AndOptimisationKeysAreAccepted() =>
        Assert.Empty(GeneratorHarness.Run(("m.model.yaml", "model: M\ninput: { size: 64 }\n" + Backbone + Head
            + "training:\n  epochs: 4\n  schedule: { warmup_epochs: 1 }\n  ema: 0.99\n  accumulate_batches: 2\n  grad_clip_norm: 5\n")).Diagnostics);

    [Fact]
    public void MG0005_HugeNumber_IsOutOfRangeNotACrash() =>
        Expect("MG0005", "model: M\ninput: { size: [|99999999999999999999999|] }\n" + Backbone + Head);

    [Fact]
    public void MG0006_InvalidIdentifier_PointsAtTheModelName() =>
        Expect("MG0006", "model: [|class|]\ninput: { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0006_ClassNamedLikeAGeneratedMember_PointsAtTheModelName()
    {
        var diagnostic = Expect("MG0006", "model: [|Summary|]\ninput: { size: 64 }\n" + Backbone + Head);
        Assert.Contains("SummaryModel", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0006_ClassNamedLikeAPhaseMember_PointsAtTheModelName() =>
        Expect("MG0006", "model: [|Phase2FineTuneOnImages|]\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  phases:\n    - { name: head, epochs: 1 }\n    - { name: fine-tune, epochs: 1, freeze: none }\n");

    [Fact]
    public void MG0006_ContextualKeyword_PointsAtTheModelName()
    {
        var diagnostic = Expect("MG0006", "model: [|record|]\ninput: { size: 64 }\n" + Backbone + Head);
        Assert.Contains("contextual keyword", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0006_LowerCaseClassName_PointsAtTheModelName()
    {
        var diagnostic = Expect("MG0006", "model: [|cats|]\ninput: { size: 64 }\n" + Backbone + Head);
        Assert.Contains("CS8981", diagnostic.GetMessage());
        Assert.Contains("such as Cats", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0006_ClassHidingARuntimeType_PointsAtTheModelName() =>
        Expect("MG0006", "model: [|ModelOptions|]\nnamespace: ModelGen\ninput: { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0006_NamespaceHidingARuntimeType_PointsAtTheNamespace() =>
        Expect("MG0006", "model: Cats\nnamespace: [|ModelGen.ModelOptions.Models|]\ninput: { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0006_RootNamespaceHidingARuntimeType_PointsAtTheModelName() =>
        Expect("MG0006", "model: [|Cats|]\ninput: { size: 64 }\n" + Backbone + Head, rootNamespace: "TorchSharp.torch");

    [Fact]
    public void MG0007_DuplicateKey_PointsAtTheSecondKey() =>
        Expect("MG0007", "model: M\ninput: { size: 64 }\n[|input|]: { size: 32 }\n" + Backbone + Head);

    [Fact]
    public void MG0008_CollidingLabels_PointsAtTheSecondLabel() =>
        Expect("MG0008", "model: M\ninput: { size: 64 }\nlabels: [t-shirt, [|t_shirt|]]\n" + Backbone + Head);

    [Fact]
    public void MG0009_HeadNotEndingInDense_PointsAtTheLastItem() =>
        Expect("MG0009", "model: M\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, [|{ dropout: 0.5 }|]]\n");

    [Fact]
    public void MG0010_UnitsThatDoNotFitTheLabels_PointAtTheLastDense() =>
        Expect("MG0010", "model: M\ninput: { size: 64 }\nlabels: [a, b, c]\n" + Backbone + "head: [global_avg_pool, [|{ dense: 2, activation: softmax }|]]\n");

    [Fact]
    public void MG0011_UnknownArchitecture_SuggestsTheNearest()
    {
        var diagnostic = Expect("MG0011", "model: M\ninput: { size: 64 }\nbackbone: { architecture: [|resnet51|] }\n" + Head);
        Assert.Contains("did you mean 'resnet50'?", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0012_UnknownOptimizer_PointsAtTheType() =>
        Expect("MG0012", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training: { optimizer: { type: [|adamm|] } }\n");

    [Fact]
    public void MG0013_UnknownLayer_PointsAtTheName()
    {
        var diagnostic = Expect("MG0013", "model: M\ninput: { size: 64 }\nbackbone: { architecture: resnet18, truncate_at: [|layer5|] }\n" + Head);
        Assert.Contains("layer4", diagnostic.GetMessage());
        // layer1 to layer4 are all one edit away: naming one of them would mislead.
        Assert.DoesNotContain("did you mean", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0014_LayerBeyondTheCut_PointsAtTheFreezeLayer() =>
        Expect("MG0014", "model: M\ninput: { size: 64 }\nbackbone: { architecture: vgg16, truncate_at: block4_pool }\nfreeze: { trainable_from: [|block5_conv1|] }\n" + Head);

    [Fact]
    public void MG0015_UnsupportedWeights_PointsAtTheValue() =>
        Expect("MG0015", "model: M\ninput: { size: 64 }\nbackbone: { architecture: resnet18, weights: [|model.bin|] }\n" + Head);

    [Fact]
    public void MG0027_AUrlWithoutWeightsSha256_PointsAtTheUrl()
    {
        var diagnostic = Expect("MG0027", "model: M\ninput: { size: 64 }\nbackbone:\n  architecture: resnet18\n  weights: [|https://example.com/w/model.safetensors|]\n" + Head);
        Assert.Contains("weights_sha256", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc123")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    public void MG0027_AWeightsSha256ThatIsNot64HexDigits_PointsAtTheHash(string sha256)
    {
        var diagnostic = Expect("MG0027", $"model: M\ninput: {{ size: 64 }}\nbackbone:\n  architecture: resnet18\n  weights: http://example.com/model.pth\n  weights_sha256: [|{sha256}|]\n" + Head);
        Assert.Contains($"({sha256.Length} characters)", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.com/model.bin")]
    [InlineData("https://example.com/")]
    [InlineData("https:///model.pth")]
    public void MG0028_AUrlThatIsNotAWeightsFile_PointsAtTheUrl(string url) =>
        Expect("MG0028", $"model: M\ninput: {{ size: 64 }}\nbackbone: {{ architecture: resnet18, weights: [|{url}|], weights_sha256: {new string('a', 64)} }}\n" + Head);

    [Theory]
    [InlineData("hf://timm/model.safetensors")]
    [InlineData("hf://timm/resnet50.tv_in1k")]
    [InlineData("hf://timm/resnet50.tv_in1k/model.bin")]
    [InlineData("hf://timm//model.safetensors")]
    [InlineData("hf://timm/resnet50.tv_in1k/../model.safetensors")]
    [InlineData("hf://timm/resnet50.tv_in1k/model.safetensors@")]
    [InlineData("hf://timm/resnet50.tv_in1k/model.safetensors@a b")]
    [InlineData("hf://ti:mm/resnet50.tv_in1k/model.safetensors")]
    public void MG0028_AMalformedHubReference_PointsAtItAndGivesTheForm(string reference)
    {
        var diagnostic = Expect("MG0028", $"model: M\ninput: {{ size: 64 }}\nbackbone:\n  architecture: resnet50\n  weights: [|{reference}|]\n" + Head);
        Assert.Contains("hf://owner/repo/path/to/file.safetensors", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("imagenet")]
    [InlineData("none")]
    public void MG0020_WeightsSha256WithoutAFile_PointsAtTheHash(string weights) =>
        Expect("MG0020", $"model: M\ninput: {{ size: 64 }}\nbackbone:\n  architecture: resnet18\n  weights: {weights}\n  weights_sha256: [|{new string('a', 64)}|]\n" + Head);

    [Theory]
    [InlineData("hf://timm/resnet50.tv_in1k/model.safetensors", "")]
    [InlineData("hf://timm/resnet50.tv_in1k/sub/dir/model.pth@refs/pr/1", "")]
    [InlineData("https://example.com/w/resnet50.pth?download=1", "\n  weights_sha256: 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("weights/local.safetensors", "\n  weights_sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void RemoteAndPinnedWeights_InTheirValidForms_BuildWithoutDiagnostics(string weights, string sha256)
    {
        var run = GeneratorHarness.RunInProject("TestProject", ("spec.model.yaml", $"model: M\ninput: {{ size: 64 }}\nbackbone:\n  architecture: resnet50\n  weights: {weights}{sha256}\n" + Head));

        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.ModelFiles);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }

    [Fact]
    public void MG0016_SpatialCollapse_PointsAtTheInputSizeAndGivesTheMinimum()
    {
        var diagnostic = Expect("MG0016", "model: M\ninput: { size: [|16|] }\nbackbone: { architecture: vgg16 }\n" + Head);
        Assert.Contains("32x32", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0017_InvalidChoice_PointsAtTheValue() =>
        Expect("MG0017", "model: M\ninput: { size: 64 }\n" + Backbone + "head: [global_avg_pool, { dense: 2, activation: [|relux|] }]\n");

    [Fact]
    public void MG0018_CutInsideAResidualBlock_PointsAtTheName()
    {
        var diagnostic = Expect("MG0018", "model: M\ninput: { size: 64 }\nbackbone: { architecture: resnet18, truncate_at: [|layer3.1.conv2|] }\n" + Head);
        Assert.Contains("'layer3.1'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[|conv_proj|]", "Conv2d")]
    [InlineData("[|class_token|]", "Parameter")]
    [InlineData("[|encoder.pos_embedding|]", "Parameter")]
    public void MG0018_CutAtAVisionTransformerPartThatGivesNoFeatures_PointsAtTheNameAndListsTheCuts(string cut, string type)
    {
        var diagnostic = Expect("MG0018", $"model: M\ninput: {{ size: 64 }}\nbackbone: {{ architecture: vit_b_16, truncate_at: {cut} }}\nhead: [class_token, {{ dense: 2 }}]\n");
        Assert.Contains($"the {type} there", diagnostic.GetMessage());
        Assert.Contains("block1..block12", diagnostic.GetMessage());
        Assert.Contains("'encoder.ln'", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0018_CutInsideAnEncoderBlock_NamesTheBlock() =>
        Assert.Contains(
            "'encoder.layers.encoder_layer_2'",
            Expect("MG0018", "model: M\ninput: { size: 64 }\nbackbone: { architecture: vit_b_32, truncate_at: [|encoder.layers.encoder_layer_2.mlp.0|] }\nhead: [class_token, { dense: 2 }]\n").GetMessage());

    [Theory]
    [InlineData("global_avg_pool")]
    [InlineData("global_max_pool")]
    [InlineData("flatten")]
    public void MG0009_AFeatureMapLayerOnTokens_PointsAtItAndNamesTheTokenLayers(string layer)
    {
        var diagnostic = Expect("MG0009", $"model: M\ninput: {{ size: 64 }}\nbackbone: {{ architecture: vit_b_16 }}\nhead: [[|{layer}|], {{ dense: 2 }}]\n");
        Assert.Contains("17x768", diagnostic.GetMessage());
        Assert.Contains("'class_token'", diagnostic.GetMessage());
        Assert.Contains("'token_mean'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("class_token")]
    [InlineData("token_mean")]
    public void MG0009_ATokenLayerOnAFeatureMap_PointsAtItAndNamesThePoolings(string layer)
    {
        var diagnostic = Expect("MG0009", $"model: M\ninput: {{ size: 64 }}\n{Backbone}head: [[|{layer}|], {{ dense: 2 }}]\n");
        Assert.Contains("512x2x2", diagnostic.GetMessage());
        Assert.Contains("'global_avg_pool'", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0009_ADenseLayerOnTokens_AsksForATokenLayer() =>
        Assert.Contains("'class_token' or 'token_mean'", Expect("MG0009", "model: M\ninput: { size: 64 }\nbackbone: { architecture: vit_b_32 }\nhead: [[|{ dense: 2 }|]]\n").GetMessage());

    [Theory]
    [InlineData("200", "208x208")]
    [InlineData("[224, 100]", "224x96")]
    public void MG0029_AnInputThatIsNotAMultipleOfThePatch_PointsAtTheSizeAndSuggestsOne(string size, string suggestion)
    {
        var diagnostic = Expect("MG0029", $"model: M\ninput: {{ size: [|{size}|] }}\nbackbone: {{ architecture: vit_b_16 }}\nhead: [class_token, {{ dense: 2 }}]\n");
        Assert.Contains(suggestion, diagnostic.GetMessage());
        Assert.Contains("16x16 patches", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0019_TwoSpecsForOneClass_PointsAtTheSecondModelName()
    {
        var first = "model: Same\ninput: { size: 64 }\n" + Backbone + Head;
        var second = MarkedSpec.Parse("model: [|Same|]\ninput: { size: 32 }\n" + Backbone + Head);

        var run = GeneratorHarness.Run(("a.model.yaml", first), ("b.model.yaml", second.Text));

        var diagnostic = Assert.Single(run.Diagnostics, d => d.Id == "MG0019");
        Assert.Equal(GeneratorHarness.PathOf("b.model.yaml"), diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(second.Span, diagnostic.Location.GetLineSpan().Span);
        Assert.Equal(3, run.Sources.Count); // the first model's network, training and metadata files
    }

    [Fact]
    public void MG0019_InSubfolders_StillEmitsOnlyTheFirst_WithItsFolderRelativeToTheProject()
    {
        var spec = "model: Same\ninput: { size: 64 }\n" + Backbone + Head;

        var run = GeneratorHarness.Run(("specs/b.model.yaml", spec), ("specs/a.model.yaml", spec));

        Assert.Equal(GeneratorHarness.PathOf("specs/b.model.yaml"), Assert.Single(run.Diagnostics, d => d.Id == "MG0019").Location.GetLineSpan().Path);
        Assert.Contains("SpecDirectory: \"specs\"", run.ModelSources);
    }

    [Fact]
    public void MG0019_ClassNamedLikeTheLabelEnumOfAnotherSpec_PointsAtTheModelName() =>
        ExpectAcrossSpecs("model: X\nlabels: [a, b]\ninput: { size: 64 }\n" + Backbone + Head, "model: [|XLabel|]\ninput: { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0019_LabelEnumNamedLikeTheClassOfAnotherSpec_PointsAtTheModelName() =>
        ExpectAcrossSpecs("model: XLabel\ninput: { size: 64 }\n" + Backbone + Head, "model: [|X|]\nlabels: [a, b]\ninput: { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0019_ClassNamedLikeTheNamespaceOfAnotherSpec_PointsAtTheModelName() =>
        ExpectAcrossSpecs("model: Cats\nnamespace: TestProject.Dogs\ninput: { size: 64 }\n" + Backbone + Head, "model: [|Dogs|]\ninput: { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0019_NamespaceNamedLikeTheClassOfAnotherSpec_PointsAtTheNamespace() =>
        ExpectAcrossSpecs("model: Cats\ninput: { size: 64 }\n" + Backbone + Head, "model: Dogs\nnamespace: [|TestProject.Cats.Models|]\ninput: { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0020_EpochsWithPhases_PointsAtEpochs() =>
        Expect("MG0020", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  [|epochs|]: 3\n  phases: [{ name: a, epochs: 1 }]\n");

    [Fact]
    public void MG0021_DeepNesting_PointsAtTheFirstTooDeepLevel()
    {
        // The root mapping is the first level, so the 32nd bracket opens the 33rd.
        Expect("MG0021", "model: M\nx: " + new string('[', 31) + "[|[|]" + new string('[', 100) + new string(']', 132) + "\n");
    }

    [Fact]
    public void MG0022_Anchors_PointAtTheAnchor() =>
        Expect("MG0022", "model: M\ninput: [|&size|] { size: 64 }\n" + Backbone + Head);

    [Fact]
    public void MG0023_ResidualBranchesThatDisagree_PointAtTheInputSize()
    {
        var diagnostic = Expect("MG0023", "model: M\ninput: { size: [|100|] }\nbackbone: { architecture: resnet18_mlnet }\n" + Head);
        Assert.Contains("96x96 or 128x128", diagnostic.GetMessage());
    }

    [Fact]
    public void MG0024_DuplicatePhaseName_PointsAtTheSecondName() =>
        Expect("MG0024", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  phases:\n    - { name: a, epochs: 1 }\n    - { name: [|a|], epochs: 1 }\n");

    [Fact]
    public void MG0009_ADenseLayerOfAbsurdSize_PointsAtTheLayer() =>
        Expect("MG0009", "model: M\ninput: { size: 224 }\nbackbone: { architecture: vgg16 }\nhead:\n  - flatten\n  - [|{ dense: 1000000, activation: relu }|]\n  - { dense: 2, activation: softmax }\n");

    [Fact]
    public void MG0004_AnEmptyCheckpointFolder_PointsAtTheValue() =>
        Expect("MG0004", "model: M\ninput: { size: 64 }\n" + Backbone + Head + "training:\n  checkpoints: { dir: [|\"  \"|] }\n");

    [Fact]
    public void AnUnnamedPhase_NeverTakesTheNameOfANamedOne_SoBothRun()
    {
        // Issue 18 item 8: the second phase's default name was "phase2", the first phase's own name, so a run
        // took it for done and never ran it.
        var run = GeneratorHarness.Run(("m.model.yaml", "model: M\ninput: { size: 64 }\n" + Backbone + Head
            + "training:\n  phases:\n    - { name: phase2, epochs: 1 }\n    - { epochs: 1, freeze: none }\n"));

        Assert.Empty(run.Diagnostics);
        Assert.Contains("run.BeginPhase(\"phase2\",", run.ModelSources);
        Assert.Contains("run.BeginPhase(\"phase2_2\",", run.ModelSources);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }

    [Fact]
    public void EveryDiagnostic_HasATitleAndAnEntryInTheDocs_AndNoLinkToAPageThatDoesNotExist()
    {
        var docs = File.ReadAllText(Path.Combine(Repository.Root, "docs", "diagnostics.md"));
        foreach (var descriptor in DiagnosticDescriptors.ByKey.Values)
        {
            Assert.True(string.IsNullOrEmpty(descriptor.HelpLinkUri), $"{descriptor.Id}: {descriptor.HelpLinkUri}");
            Assert.Contains($"\n## {descriptor.Id}\n", docs);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()));
            Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
        }

        Assert.Equal(Enumerable.Range(1, 30).Select(n => $"MG{n:D4}"), DiagnosticDescriptors.Ids);
    }

    [Fact]
    public void DescriptorsOfOneId_ShareTitleCategoryAndSeverity()
    {
        foreach (var group in DiagnosticDescriptors.ByKey.Values.GroupBy(d => d.Id))
        {
            Assert.Single(group.Select(d => (d.Title.ToString(), d.Category, d.DefaultSeverity)).Distinct());
        }
    }

    [Fact]
    public void EveryMessage_TakesItsValuesAndLeavesNoPlaceholder()
    {
        foreach (var (key, descriptor) in DiagnosticDescriptors.ByKey)
        {
            var format = descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture);
            var count = Regex.Matches(format.Replace("{{", "", StringComparison.Ordinal), @"\{(\d+)\}").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
            var values = Enumerable.Range(0, count).Select(i => $"<value{i}>").ToArray();

            var message = SpecDiagnostic.Create(descriptor, SpecLocation.FileStart("/p/a.model.yaml"), values).Message;

            Assert.All(values, value => Assert.Contains(value, message));
            Assert.False(Regex.IsMatch(message, @"\{\d+\}|\{\{|\}\}"), $"{key}: {message}");
        }
    }

    [Fact]
    public void ADiagnostic_RemembersItsDescriptorNotJustItsId()
    {
        var location = SpecLocation.FileStart("/p/a.model.yaml");
        var twice = SpecDiagnostic.Create(DiagnosticDescriptors.LabelGivenTwice, location, "cat");
        var few = SpecDiagnostic.Create(DiagnosticDescriptors.TooFewLabels, location);

        Assert.Equal(("MG0008", "MG0008"), (twice.Id, few.Id));
        Assert.Equal(nameof(DiagnosticDescriptors.LabelGivenTwice), twice.Key);
        Assert.NotEqual(twice, few);
        Assert.Equal(twice, SpecDiagnostic.Create(DiagnosticDescriptors.LabelGivenTwice, location, "cat"));
        Assert.Equal("The label 'cat' is given twice; list each class once", twice.Message);
        Assert.Same(DiagnosticDescriptors.TooFewLabels, few.ToDiagnostic().Descriptor);
    }

    private static Diagnostic Expect(string id, string marked, string rootNamespace = "TestProject")
    {
        var spec = MarkedSpec.Parse(marked);
        var run = GeneratorHarness.RunInProject(rootNamespace, ("spec.model.yaml", spec.Text));
        var diagnostic = Assert.Single(run.Diagnostics, d => d.Id == id);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(GeneratorHarness.PathOf("spec.model.yaml"), span.Path);
        Assert.True(spec.Span == span.Span, $"{id} expected at {spec.Span}, reported at {span.Span}: {diagnostic.GetMessage()}");
        Assert.Empty(run.ModelFiles);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output)); // a stand-in, if any, compiles
        return diagnostic;
    }

    // The second spec (by path) clashes with the first: it gets the diagnostic and is not emitted, the
    // first is, and what is generated compiles.
    private static void ExpectAcrossSpecs(string first, string markedSecond)
    {
        var second = MarkedSpec.Parse(markedSecond);

        var run = GeneratorHarness.Run(("a.model.yaml", first), ("b.model.yaml", second.Text));

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MG0019", diagnostic.Id);
        Assert.Equal(GeneratorHarness.PathOf("b.model.yaml"), diagnostic.Location.GetLineSpan().Path);
        Assert.True(second.Span == diagnostic.Location.GetLineSpan().Span, $"expected at {second.Span}, reported at {diagnostic.Location.GetLineSpan().Span}: {diagnostic.GetMessage()}");
        Assert.Contains(GeneratorHarness.PathOf("a.model.yaml"), diagnostic.GetMessage());
        Assert.Equal(3, run.Sources.Count);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }
}
