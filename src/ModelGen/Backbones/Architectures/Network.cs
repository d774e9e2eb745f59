using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// A whole torchvision network as named top-level children (its convolutional base, classifier and auxiliary
/// classifiers), for the catalog to take the base from and to read every tensor name of the weight files.
/// It is never run as a whole.
/// </summary>
internal sealed class Network : nn.Module
{
    public Network(string name, params (string Name, nn.Module Module)[] children)
        : base(name)
    {
        foreach (var (child, module) in children)
        {
            register_module(child, module);
        }
    }
}
