using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>ONNX padding rules.</summary>
internal static class OnnxPadding
{
    /// <summary>SAME_UPPER / SAME_LOWER pads [top, left, bottom, right] for the input's size.</summary>
    public static long[] Same(Tensor x, long[] kernel, long[] strides, long[] dilations, bool upper)
    {
        var pads = new long[4];
        for (var axis = 0; axis < 2; axis++)
        {
            var size = x.shape[2 + axis];
            var output = (size + strides[axis] - 1) / strides[axis];
            var total = Math.Max(0, ((output - 1) * strides[axis]) + ((kernel[axis] - 1) * dilations[axis]) + 1 - size);
            var small = total / 2;
            pads[axis] = upper ? small : total - small;
            pads[axis + 2] = upper ? total - small : small;
        }

        return pads;
    }
}
