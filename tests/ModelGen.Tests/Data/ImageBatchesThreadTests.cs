using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// Batches are prepared on pool threads with LibTorch's operators on that thread alone (no OpenMP team
/// per pool thread), without changing the thread count of any other thread: not the pool threads
/// afterwards, and not a thread that first uses LibTorch meanwhile.
/// </summary>
public sealed class ImageBatchesThreadTests
{
    [Fact]
    public void OnThisThreadAlone_LimitsTheCallingThread_AndNoOther()
    {
        Assert.True(OpenMpThreads.Available, "LibTorch's OpenMP runtime was not found among the loaded libraries");
        var expected = OnNewThread(get_num_threads);
        Assert.True(expected > 1, $"this test needs more than one LibTorch thread; the default here is {expected}");

        var (inside, meanwhile, after) = OnNewThread(() =>
        {
            int insideCount, meanwhileCount;
            using (OpenMpThreads.OnThisThreadAlone())
            {
                insideCount = get_num_threads();
                meanwhileCount = OnNewThread(get_num_threads); // a thread that first uses LibTorch now
            }

            return (insideCount, meanwhileCount, get_num_threads());
        });

        Assert.Equal(1, inside);
        Assert.Equal(expected, meanwhile);
        Assert.Equal(expected, after);
    }

    [Fact]
    public async Task ReadingAugmentedBatches_LeavesThePoolThreadsAsTheyWere()
    {
        var expected = OnNewThread(get_num_threads);
        using var temp = new TempFolder();
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Train, 4, temp["images"]));
        var augmentation = new Augmentation(Rotation: 10, WidthShift: 0.1, HorizontalFlip: true);

        var images = 0;
        foreach (var batch in ImageBatches.Read(folder, new ImageInput(32, 32, 3, Preprocessing.ImageNet), batchSize: 4, shuffle: true, seed: 1, augmentation: augmentation))
        {
            images += batch.Count;
        }

        Assert.Equal(40, images);
        var poolThreads = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(get_num_threads)));
        Assert.All(poolThreads, n => Assert.Equal(expected, n));
    }

    private static T OnNewThread<T>(Func<T> work)
    {
        var result = default(T)!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }
}
