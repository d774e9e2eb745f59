using static TorchSharp.torch;

// A 2x3 matrix times a 3x2 matrix of ones, computed by LibTorch through TorchSharp.
using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
using var b = ones(3, 2);
using var product = a.matmul(b);
Console.WriteLine($"TorchSharp {TorchSharp.torch.__version__} on {ModelGen.DeviceSelection.Resolve()}: [[1,2,3],[4,5,6]] x ones(3,2) = {product.ToString(TorchSharp.TensorStringStyle.Numpy)}");
