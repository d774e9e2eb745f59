namespace ModelGen.Build.LibTorchSharp;

/// <summary>The outcome of <see cref="GlibcxxMarkerPatch"/> for one library, with the reason in words.</summary>
/// <param name="Outcome">What was decided.</param>
/// <param name="Reason">Why, in a sentence a build log can show.</param>
/// <param name="FlagsOffset">For <see cref="PatchOutcome.Patched"/>: where the <c>vna_flags</c> field lies.</param>
public sealed record PatchDecision(PatchOutcome Outcome, string Reason, long FlagsOffset = -1);
