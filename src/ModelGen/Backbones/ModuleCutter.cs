using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones;

/// <summary>
/// Cuts a chain of named modules after a layer given by its module path (<c>features.23</c>,
/// <c>layer3.1</c>): the chain up to that stage, with nested <c>Sequential</c>s shortened to the named
/// child. Names are kept, so parameter names still match the weight files.
/// </summary>
internal static class ModuleCutter
{
    /// <summary>The stages of <paramref name="stages"/> up to and including the module at <paramref name="path"/>.</summary>
    /// <param name="stages">The backbone's top-level modules in run order.</param>
    /// <param name="path">A dotted module path; null keeps everything.</param>
    /// <param name="discarded">Modules left out, for the caller to dispose.</param>
    /// <exception cref="ArgumentException">The path names no module, or runs through a module that is not a chain.</exception>
    public static List<(string Name, nn.Module<Tensor, Tensor> Module)> Cut(
        IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> stages,
        string? path,
        List<nn.Module> discarded)
    {
        if (path is null)
        {
            return stages.ToList();
        }

        var parts = path.Split('.');
        var index = stages.ToList().FindIndex(s => s.Name == parts[0]);
        if (index < 0)
        {
            throw new ArgumentException($"The backbone has no layer '{parts[0]}' (cut at '{path}'); its top-level layers are {string.Join(", ", stages.Select(s => s.Name))}.", nameof(path));
        }

        var kept = stages.Take(index).ToList();
        kept.Add((parts[0], CutInside(stages[index].Module, parts, 1, path, discarded)));
        discarded.AddRange(stages.Skip(index + 1).Select(s => (nn.Module)s.Module));
        return kept;
    }

    private static nn.Module<Tensor, Tensor> CutInside(nn.Module<Tensor, Tensor> module, string[] parts, int depth, string path, List<nn.Module> discarded)
    {
        if (depth == parts.Length)
        {
            return module;
        }

        if (module is not Sequential)
        {
            throw new ArgumentException($"Cannot cut at '{path}': '{string.Join(".", parts.Take(depth))}' is a {module.GetType().Name}, not a chain of layers; cut at '{string.Join(".", parts.Take(depth))}' instead.", nameof(path));
        }

        var children = module.named_children().ToList();
        var index = children.FindIndex(c => c.name == parts[depth]);
        if (index < 0)
        {
            throw new ArgumentException($"Cannot cut at '{path}': '{string.Join(".", parts.Take(depth))}' has no child '{parts[depth]}' (it has {children.Count}).", nameof(path));
        }

        var kept = children.Take(index)
            .Select(c => (c.name, (nn.Module<Tensor, Tensor>)c.module))
            .Append((parts[depth], CutInside((nn.Module<Tensor, Tensor>)children[index].module, parts, depth + 1, path, discarded)))
            .ToArray();
        discarded.AddRange(children.Skip(index + 1).Select(c => c.module));
        return nn.Sequential(kept);
    }
}
