using ModelGen.Explain;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ModelGen.Tests.Explain;

/// <summary>
/// Grad-CAM on a model trained on the real Fashion-MNIST images (FashionExplain: ImageNet ResNet18 features at
/// layer3, pooled, one dense layer): a real item pasted into one corner of a blank canvas twice its size is where
/// the heatmap is, and moving the item to the opposite corner moves the heatmap with it; with two items on one
/// canvas, each class's map goes to its own item, so the map depends on the class, not only on the image.
/// </summary>
[Collection(nameof(TorchRandomness))] // training draws from TorchSharp's one generator
public sealed class RealImageExplainTests(RealImageExplainTests.TrainedModel trained, ITestOutputHelper output) : IClassFixture<RealImageExplainTests.TrainedModel>
{
    private const int Item = 28;

    [Theory]
    [InlineData(FashionExplainLabel.Trouser)]
    [InlineData(FashionExplainLabel.Bag)]
    [InlineData(FashionExplainLabel.AnkleBoot)]
    public void MovingTheItem_MovesTheHeatmapsPeak(FashionExplainLabel label)
    {
        var item = FirstTestImage(label);

        using var topLeft = trained.Model.Explain(trained.Canvas((item, 0, 0)), label);
        using var bottomRight = trained.Model.Explain(trained.Canvas((item, Item, Item)), label);

        AssertOnTheSide(topLeft, top: true, $"{label} pasted top-left");
        AssertOnTheSide(bottomRight, top: false, $"{label} pasted bottom-right");
        var (fromRow, fromColumn) = CentreOfMass(topLeft);
        var (toRow, toColumn) = CentreOfMass(bottomRight);
        Assert.True(toRow - fromRow > 0.2 && toColumn - fromColumn > 0.2, $"moving the {label} by half the canvas moved the heatmap's centre of mass from ({fromRow:0.00}, {fromColumn:0.00}) to ({toRow:0.00}, {toColumn:0.00})");
    }

    [Theory]
    [InlineData(FashionExplainLabel.Trouser, FashionExplainLabel.Bag)]
    [InlineData(FashionExplainLabel.Bag, FashionExplainLabel.Trouser)]
    public void TwoItemsOnOneCanvas_EachClassLooksAtItsOwn(FashionExplainLabel first, FashionExplainLabel second)
    {
        var canvas = trained.Canvas((FirstTestImage(first), 0, 0), (FirstTestImage(second), Item, Item));

        using var forFirst = trained.Model.Explain(canvas, first);
        using var forSecond = trained.Model.Explain(canvas, second);

        AssertOnTheSide(forFirst, top: true, $"{first} (top-left, with {second} bottom-right)");
        AssertOnTheSide(forSecond, top: false, $"{second} (bottom-right, with {first} top-left)");
    }

    private static string FirstTestImage(FashionExplainLabel label) =>
        Directory.GetFiles(Path.Combine(FashionData.Test, FashionExplain.DeclaredClasses[(int)label])).Order(StringComparer.Ordinal).First();

    // The item's quadrant holds at least three times the heatmap's mass of the opposite one: a constant or a centred
    // map has as much in both.
    private void AssertOnTheSide(Explanation explanation, bool top, string what)
    {
        var (row, column) = CentreOfMass(explanation);
        var near = Quadrant(explanation, top ? 0 : 1);
        var far = Quadrant(explanation, top ? 1 : 0);
        output.WriteLine($"{what}: p={explanation.Probability:0.00}, centre of mass ({row:0.00}, {column:0.00}), item quadrant {near:0.00}, opposite {far:0.00}");
        Assert.True(near > 3 * far, $"{what}: the item's quadrant holds {near:0.00} of the heatmap, the opposite one {far:0.00}");
    }

    // The share of the heatmap's mass in the top-left (0) or bottom-right (1) quadrant.
    private static double Quadrant(Explanation e, int quadrant)
    {
        double inside = 0, total = 0;
        for (var r = 0; r < e.Height; r++)
        {
            for (var c = 0; c < e.Width; c++)
            {
                total += e[r, c];
                if (r / (e.Height / 2) == quadrant && c / (e.Width / 2) == quadrant)
                {
                    inside += e[r, c];
                }
            }
        }

        return total == 0 ? 0 : inside / total;
    }

    // As fractions of the height and width; NaN for an all-zero map.
    private static (double Row, double Column) CentreOfMass(Explanation e)
    {
        double row = 0, column = 0, total = 0;
        for (var r = 0; r < e.Height; r++)
        {
            for (var c = 0; c < e.Width; c++)
            {
                row += (r + 0.5) * e[r, c];
                column += (c + 0.5) * e[r, c];
                total += e[r, c];
            }
        }

        return (row / total / e.Height, column / total / e.Width);
    }

    /// <summary>The model, trained once for the class on 25 real images of each class, and canvases built from real items.</summary>
    public sealed class TrainedModel : IDisposable
    {
        private readonly TempFolder _temp = new();

        public TrainedModel()
        {
            Model = FashionExplain.Create(new ModelOptions { CacheDirectory = _temp["cache"], Device = CPU });
            using var train = Model.Extract(FashionData.Subset(FashionData.Train, 25, _temp["train"]));
            Model.Train(train, trainOptions: new TrainOptions { OutputDirectory = _temp["out"], Progress = ProgressMode.None });
        }

        public FashionExplain Model { get; }

        /// <summary>A black canvas twice an item's size with real items pasted at the given corners, written as PNG.</summary>
        public string Canvas(params (string Item, int X, int Y)[] items)
        {
            using var canvas = new Image<L8>(2 * Item, 2 * Item);
            foreach (var (path, left, top) in items)
            {
                using var item = SixLabors.ImageSharp.Image.Load<L8>(path);
                for (var y = 0; y < item.Height; y++)
                {
                    for (var x = 0; x < item.Width; x++)
                    {
                        canvas[left + x, top + y] = item[x, y];
                    }
                }
            }

            var file = _temp[$"canvas-{Guid.NewGuid():N}.png"];
            canvas.SaveAsPng(file);
            return file;
        }

        public void Dispose()
        {
            Model.Dispose();
            _temp.Dispose();
        }
    }
}
