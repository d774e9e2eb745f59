using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ModelGen.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.TestHost;

/// <summary>
/// Writes, as text, the state a run starts an epoch with (from ModelGen's <c>EpochStarting</c> diagnostic event):
/// which parameters train, each batch norm's mode, the optimizer's type, parameter groups, options and per-parameter
/// state, the weight average, early stopping and the step counters. Every number is written exactly (a double as
/// its bits, a tensor as the SHA-256 of its bytes), so two dumps are equal only when the states are bit for bit.
/// </summary>
internal sealed class StateDump : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _path;
    private readonly string _phase;
    private readonly int _epoch;
    private readonly List<IDisposable> _subscriptions = [];

    private StateDump(string path, string phase, int epoch)
    {
        _path = path;
        _phase = phase;
        _epoch = epoch;
    }

    /// <summary>Writes the dump to <paramref name="path"/> when epoch <paramref name="epoch"/> (from 0) of <paramref name="phase"/> starts.</summary>
    public static StateDump At(string path, string phase, int epoch)
    {
        var dump = new StateDump(path, phase, epoch);
        dump._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(dump));
        return dump;
    }

    /// <summary>Every entry of the model's state dict (parameters and buffers), each as the SHA-256 of its bytes.</summary>
    public static string Weights(nn.Module model) =>
        string.Concat(model.state_dict().OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"weight {e.Key} {Hash(e.Value)}\n"));

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == TrainingDiagnostics.ListenerName)
        {
            _subscriptions.Add(value.Subscribe(this));
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == TrainingDiagnostics.EpochStartingName && value.Value is EpochStarting e && e.Phase == _phase && e.Epoch == _epoch)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            File.WriteAllText(_path, Describe(e));
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }

    private static string Describe(EpochStarting e)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"epoch {e.Phase} {e.Epoch}\n");
        var names = e.Network.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        foreach (var (name, parameter) in e.Network.named_parameters())
        {
            text.Append(CultureInfo.InvariantCulture, $"parameter {name} {(parameter.requires_grad ? "trains" : "frozen")}\n");
        }

        foreach (var (name, module) in e.Network.named_modules())
        {
            if (module is BatchNorm2d or Dropout)
            {
                text.Append(CultureInfo.InvariantCulture, $"mode {name} {module.GetType().Name} {(module.training ? "train" : "eval")}\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"optimizer {e.Optimizer.GetType().FullName}\n");
        var group = 0;
        foreach (var controller in e.Optimizer.ParamGroups)
        {
            var parameters = ((ParamGroup)controller).Parameters.Select(p => names.TryGetValue(p.Handle, out var n) ? n : "?").ToList();
            text.Append(CultureInfo.InvariantCulture, $"group {group++} lr {Exact(controller.LearningRate)} initial_lr {Exact(controller.InitialLearningRate)} parameters {string.Join(",", parameters)}\n");
        }

        var state = ((OptimizerHelper)e.Optimizer).state_dict();
        foreach (var options in state.Options)
        {
            text.Append(CultureInfo.InvariantCulture, $"options {options.GetType().FullName} {Hash(options.SaveStateDict)}\n");
        }

        var order = e.Optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(g => g.Parameters).Select(p => names.TryGetValue(p.Handle, out var n) ? n : "?").ToList();
        for (var i = 0; i < state.State.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"state {order[i]} {Fields(state.State[i])}{Hash(state.State[i].SaveStateDict)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"average {(e.Average is null ? "none" : Hash(w => w.Write(e.Average.ToBytes())))}\n");
        text.Append(CultureInfo.InvariantCulture, $"early_stopping best {(e.EarlyStopping.BestValue is { } best ? Exact(best) : "none")} epoch {e.EarlyStopping.BestEpoch} wait {e.EarlyStopping.Wait}\n");
        text.Append(CultureInfo.InvariantCulture, $"steps next {e.NextStep?.ToString(CultureInfo.InvariantCulture) ?? "none"} pending {e.PendingBatches}\n");
        text.Append(Weights(e.Network));
        return text.ToString();
    }

    // What an optimizer keeps per parameter, named: Adam's step, exp_avg and exp_avg_sq, RMSprop's square_avg.
    private static string Fields(OptimizerState state) => state switch
    {
        Adam.State adam => $"step {adam.step} exp_avg {Hash(adam.exp_avg)} exp_avg_sq {Hash(adam.exp_avg_sq)} all ",
        RMSProp.State rms => $"step {rms.step} square_avg {Hash(rms.square_avg)} all ",
        _ => "",
    };

    private static string Exact(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:R}/{BitConverter.DoubleToInt64Bits(value):X16}");

    private static string Hash(Tensor tensor) => Hash(writer => tensor.Save(writer));

    private static string Hash(Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()))[..32];
    }
}
