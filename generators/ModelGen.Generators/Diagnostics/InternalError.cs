using System;
using System.Diagnostics;
using System.Linq;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Diagnostics;

/// <summary>
/// A bug in ModelGen (an exception nothing expected) reported as MG0025 on the spec it happened with, so that
/// the build says what broke and whom to tell, instead of blaming the spec or losing the generator's output.
/// </summary>
internal static class InternalError
{
    public static SpecDiagnostic For(Exception exception, string specPath) =>
        SpecDiagnostic.Create(
            DiagnosticDescriptors.InternalError,
            SpecLocation.FileStart(specPath),
            exception.GetType().FullName ?? exception.GetType().Name,
            OneLine(exception.Message),
            Where(exception));

    // The innermost ModelGen method on the stack, which is what a bug report needs first.
    private static string Where(Exception exception)
    {
        var method = (new StackTrace(exception, fNeedFileInfo: false).GetFrames() ?? [])
            .Select(frame => frame.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType?.FullName?.StartsWith("ModelGen.", StringComparison.Ordinal) == true);
        return method is null ? "an unknown place" : method.DeclaringType!.FullName + "." + method.Name;
    }

    private static string OneLine(string text) => string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
