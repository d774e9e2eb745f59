using ModelGen.Backbones;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// Reads an image folder as batches ready for the network. Decoding, resizing, augmentation and
/// normalisation run on worker threads a few batches ahead of the consumer (images of a batch in
/// parallel), so the network does not wait on the disk or the decoder, and memory stays bounded by the
/// look-ahead. Unreadable images are skipped and counted on the folder.
/// </summary>
public static class ImageBatches
{
    /// <summary>How many batches are prepared ahead of the one being used.</summary>
    public const int LookAhead = 2;

    /// <summary>Yields batches of <paramref name="batchSize"/> images; each batch is disposed when the next is taken.</summary>
    /// <param name="images">The images.</param>
    /// <param name="input">Size, gray or color, and preprocessing.</param>
    /// <param name="batchSize">Images per batch (the last batch may be smaller).</param>
    /// <param name="shuffle">Visit the images in a random order drawn from <paramref name="seed"/>.</param>
    /// <param name="seed">Seeds the order and the augmentation: the same seed gives the same batches.</param>
    /// <param name="augmentation">Random transforms for training; null for none.</param>
    public static IEnumerable<ImageBatch> Read(ImageFolder images, ImageInput input, int batchSize, bool shuffle = false, int seed = 0, Augmentation? augmentation = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Enumerable.Range(0, images.Count).ToArray();
        if (shuffle)
        {
            new Random(seed).Shuffle(order);
        }

        var chunks = order.Chunk(batchSize).ToList();
        return Enumerate(images, input, chunks, seed, augmentation);
    }

    private static IEnumerable<ImageBatch> Enumerate(ImageFolder images, ImageInput input, List<int[]> chunks, int seed, Augmentation? augmentation)
    {
        var pending = new Queue<Task<ImageBatch?>>();
        var next = 0;
        ImageBatch? current = null;
        try
        {
            while (next < chunks.Count || pending.Count > 0)
            {
                while (next < chunks.Count && pending.Count <= LookAhead)
                {
                    var chunk = chunks[next];
                    var batchSeed = unchecked((seed * 1_000_003) + next);
                    pending.Enqueue(Task.Run(() => Prepare(images, input, chunk, batchSeed, augmentation)));
                    next++;
                }

                var batch = pending.Dequeue().GetAwaiter().GetResult();
                current?.Dispose();
                current = batch;
                if (batch is not null)
                {
                    yield return batch;
                }
            }
        }
        finally
        {
            current?.Dispose();
            while (pending.Count > 0)
            {
                try
                {
                    pending.Dequeue().GetAwaiter().GetResult()?.Dispose();
                }
                catch (Exception)
                {
                    // The consumer stopped early; a failed look-ahead batch has nothing to give back.
                }
            }
        }
    }

    private static ImageBatch? Prepare(ImageFolder images, ImageInput input, int[] chunk, int seed, Augmentation? augmentation)
    {
        var size = 3 * input.Height * input.Width;
        var pixels = new float[chunk.Length * size];
        var ok = new bool[chunk.Length];
        Parallel.For(0, chunk.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var sample = images.Samples[chunk[i]];
            var problem = ImageDecoder.TryDecode(sample.Path, input, pixels.AsSpan(i * size, size));
            if (problem is null)
            {
                ok[i] = true;
            }
            else
            {
                images.CountSkipped(sample.Path, problem);
            }
        });

        var kept = Enumerable.Range(0, chunk.Length).Where(i => ok[i]).ToList();
        if (kept.Count == 0)
        {
            return null;
        }

        if (kept.Count < chunk.Length)
        {
            var compact = new float[kept.Count * size];
            for (var k = 0; k < kept.Count; k++)
            {
                Array.Copy(pixels, kept[k] * size, compact, k * size, size);
            }

            pixels = compact;
        }

        var labels = kept.Select(i => (long)images.Samples[chunk[i]].Label).ToArray();
        using var scope = NewDisposeScope();
        var batch = tensor(pixels, [kept.Count, 3, input.Height, input.Width]);
        if (augmentation is not null)
        {
            batch = augmentation.Apply(batch, new Random(seed));
        }

        var normalised = input.Preprocessing.Apply(batch).MoveToOuterDisposeScope();
        var labelTensor = tensor(labels).MoveToOuterDisposeScope();
        return new ImageBatch(normalised, labelTensor);
    }
}
