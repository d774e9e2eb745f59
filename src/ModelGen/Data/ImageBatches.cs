using System.Buffers;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// Reads an image folder as batches ready for the network. Decoding, resizing, augmentation and
/// normalisation run on worker threads a few batches ahead of the consumer (images of a batch in
/// parallel), so the network does not wait on the disk or the decoder, and memory stays bounded by the
/// look-ahead. Unreadable images are skipped and counted on the folder.
/// </summary>
internal static class ImageBatches
{
    /// <summary>How many batches are prepared ahead of the one being used.</summary>
    /// <remarks>
    /// One keeps the network fed on 2 cores (a batch is prepared faster than the network runs it). Two
    /// raised the peak of a fine-tuning epoch (resnet18 to layer3, 128x128, batch 32) from about 700 to
    /// 740-830 MB, for 2-3% of epoch speed, which is within this machine's run-to-run noise.
    /// </remarks>
    public const int LookAhead = 1;

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
                    var batchSeed = BatchSeed(seed, next);
                    pending.Enqueue(Task.Run(() => PrepareOnOneThread(images, input, chunk, batchSeed, augmentation)));
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

            // The memory of the pass was kept for reuse from batch to batch; give it back now.
            NativeHeap.Release();
        }
    }

    /// <summary>
    /// Runs <see cref="Prepare"/> with LibTorch's operators on the pool thread alone (see
    /// <see cref="OpenMpThreads"/>): the batches' tensor work is small, and the images are decoded in
    /// parallel anyway.
    /// </summary>
    /// <summary>The seed of batch <paramref name="index"/> (from 0) of a pass read with <paramref name="seed"/>.</summary>
    internal static int BatchSeed(int seed, int index) => unchecked((seed * 1_000_003) + index);

    private static ImageBatch? PrepareOnOneThread(ImageFolder images, ImageInput input, int[] chunk, int seed, Augmentation? augmentation)
    {
        using var alone = OpenMpThreads.OnThisThreadAlone();
        return Prepare(images, input, chunk, seed, augmentation);
    }

    private static ImageBatch? Prepare(ImageFolder images, ImageInput input, int[] chunk, int seed, Augmentation? augmentation)
    {
        var size = 3 * input.Height * input.Width;
        var ok = new bool[chunk.Length];
        using var scope = NewDisposeScope();

        // Each image is decoded into a pooled buffer and copied straight into the batch's native memory:
        // no batch-sized managed array per batch (those live on the large-object heap until a full GC).
        var pixels = empty([chunk.Length, 3, input.Height, input.Width]);
        var start = pixels.storage<float>().data_ptr() + (nint)(pixels.storage_offset() * sizeof(float));
        Parallel.For(0, chunk.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var sample = images.Samples[chunk[i]];
            var buffer = ArrayPool<float>.Shared.Rent(size);
            try
            {
                var problem = ImageDecoder.TryDecode(sample.Path, input, buffer.AsSpan(0, size));
                if (problem is null)
                {
                    Marshal.Copy(buffer, 0, start + (nint)((long)i * size * sizeof(float)), size);
                    ok[i] = true;
                }
                else
                {
                    images.CountSkipped(sample.Path, problem);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        });

        var kept = Enumerable.Range(0, chunk.Length).Where(i => ok[i]).ToList();
        if (kept.Count == 0)
        {
            return null;
        }

        var batch = kept.Count < chunk.Length ? pixels.index_select(0, tensor(kept.Select(i => (long)i).ToArray())) : pixels;
        var random = new Random(seed);
        if (augmentation is not null)
        {
            batch = augmentation.Apply(batch, random);
        }

        var normalised = input.Preprocessing.Apply(batch).MoveToOuterDisposeScope();
        if (augmentation is { HasErasing: true })
        {
            // RandomErasing comes after normalisation, as in torchvision's training recipes.
            augmentation.Erase(normalised, random);
        }

        var indexes = kept.Select(i => chunk[i]).ToArray();
        var labelTensor = images.Targets(indexes).MoveToOuterDisposeScope();
        if (augmentation is not { HasMixing: true })
        {
            return new ImageBatch(normalised, labelTensor) { SampleIndexes = indexes };
        }

        // MixUp or CutMix last, on the normalised (and erased) batch, with its own draws from the batch's seed. Class
        // indexes mix as one-hot rows; float targets (multi-hot, regression values) mix as they are.
        using var rows = images.Task == Training.TaskKind.Classification
            ? nn.functional.one_hot(labelTensor, images.Classes.Count).to_type(ScalarType.Float32)
            : labelTensor.alias();
        var (mixed, targets, _, _) = BatchMixing.Mix(normalised, rows, augmentation, BatchMixing.RandomFor(seed));
        normalised.Dispose();
        return new ImageBatch(mixed.MoveToOuterDisposeScope(), labelTensor) { Targets = targets.MoveToOuterDisposeScope(), SampleIndexes = indexes };
    }
}
