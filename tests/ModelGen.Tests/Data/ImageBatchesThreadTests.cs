using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// Batches are prepared on pool threads with LibTorch limited to that thread (no OpenMP team per pool
/// thread), and the pool threads get their thread count back: user code that later runs on them is not
/// left single-threaded.
/// </summary>
public sealed class ImageBatchesThreadTests
{
    [Fact]
    public async Task ReadingAugmentedBatches_LeavesEveryThreadsLibTorchThreadCountAsItWas()
    {
        var before = get_num_threads();
        using var temp = new TempFolder();
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Train, 4, temp["images"]));
        var augmentation = new Augmentation(Rotation: 10, WidthShift: 0.1, HorizontalFlip: true);

        var images = 0;
        foreach (var batch in ImageBatches.Read(folder, new ImageInput(32, 32, 3, Preprocessing.ImageNet), batchSize: 4, shuffle: true, seed: 1, augmentation: augmentation))
        {
            images += batch.Count;
        }

        Assert.Equal(40, images);
        Assert.Equal(before, get_num_threads());
        var poolThreads = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(get_num_threads)));
        Assert.All(poolThreads, n => Assert.Equal(before, n));
    }
}
