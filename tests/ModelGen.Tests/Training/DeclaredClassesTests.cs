using System.Reflection;
using ModelGen.Data;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// A spec that declares its labels fixes the order of the model's outputs, and the generated <c>Label</c>
/// enum follows it (issue 18 item 7): training on features of other classes, or loading a model saved with
/// another class order, is an error that names both lists, never a model whose <c>Label</c> says one class
/// and <c>ClassName</c> another.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class DeclaredClassesTests
{
    private static readonly string[] Reversed = [.. TinySeeded.DeclaredClasses.Reverse()];

    [Fact]
    public void TrainOnFeatures_OfTheDeclaredClassesInAnotherOrder_IsRefused_NamingBothLists()
    {
        using var temp = new TempFolder();
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });
        using var features = Features(Reversed);

        var error = Assert.Throws<ImageFolderException>(() => model.Train(features, trainOptions: new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None }));

        Assert.Contains(string.Join(", ", Reversed), error.Message);
        Assert.Contains(string.Join(", ", TinySeeded.DeclaredClasses), error.Message);
        Assert.Equal(TinySeeded.DeclaredClasses, model.Classes);
    }

    [Fact]
    public void TrainOnFeatures_OfTheDeclaredClassesInAnotherCase_Trains()
    {
        using var temp = new TempFolder();
        using var model = TinySeeded.Create(new ModelOptions { Device = CPU });
        using var features = Features([.. TinySeeded.DeclaredClasses.Select(c => c.ToUpperInvariant())]);

        var history = model.Train(features, trainOptions: new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None, MaxEpochsPerPhase = 1 });

        Assert.Single(history.Epochs);
    }

    [Fact]
    public void Load_OfAModelSavedWithAnotherClassOrder_IsRefused_NamingBothLists()
    {
        using var temp = new TempFolder();
        using (var saved = TinySeeded.Create(new ModelOptions { Device = CPU }))
        {
            ModelRuntime.SaveModel(saved, temp["reversed.mgmodel"], nameof(TinySeeded), Fingerprint, Reversed);
        }

        var error = Assert.Throws<ModelFileException>(() => TinySeeded.Load(temp["reversed.mgmodel"], new ModelOptions { Device = CPU }));

        Assert.Contains(temp["reversed.mgmodel"], error.Message);
        Assert.Contains(string.Join(", ", Reversed), error.Message);
        Assert.Contains(string.Join(", ", TinySeeded.DeclaredClasses), error.Message);
    }

    [Fact]
    public void Load_OfAModelSavedWithTheDeclaredClasses_GivesThem()
    {
        using var temp = new TempFolder();
        using (var saved = TinySeeded.Create(new ModelOptions { Device = CPU }))
        {
            saved.Save(temp["tiny.mgmodel"]);
        }

        using var loaded = TinySeeded.Load(temp["tiny.mgmodel"], new ModelOptions { Device = CPU });

        Assert.Equal(TinySeeded.DeclaredClasses, loaded.Classes);
    }

    /// <summary>The generated class's shape fingerprint, which Save writes: a file of another class order is otherwise the same model's.</summary>
    private static string Fingerprint =>
        (string)typeof(TinySeeded).GetField("Fingerprint", BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!;

    private static FeatureSet Features(string[] classes) =>
        new(randn([20, .. TinySeeded.FeatureShape]), arange(20).remainder(classes.Length), classes, 0);
}
