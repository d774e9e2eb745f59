namespace ModelGen.Training;

/// <summary>
/// What a generated <c>Train</c> knows of the run it starts, recorded in every checkpoint so that resuming
/// continues only the same training: a checkpoint of another model shape, plan or data is never restored.
/// </summary>
/// <param name="Shape">The generated class's shape fingerprint (architecture, cut, input size, head), as <c>Save</c> writes it.</param>
/// <param name="Plan">
/// The generated class's fingerprint of the training plan (phases, epochs, freezing, batch sizes, optimizers,
/// schedules, augmentation, early stopping, validation split, loss).
/// </param>
/// <param name="Data">What the run trains on, in words (see <c>ModelRuntime.DataIdentity</c>).</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record RunIdentity(string Shape, string Plan, string Data)
{
    /// <summary>A run started without its identity (by hand, not by generated code): only the weights' layout and the seed tell runs apart.</summary>
    internal static RunIdentity Unknown { get; } = new("", "", "");
}
