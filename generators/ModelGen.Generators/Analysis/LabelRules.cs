using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Analysis;

/// <summary>Rules for <c>labels</c>: folder names, enum members, duplicates, at least two classes.</summary>
internal static class LabelRules
{
    /// <summary>The labels as enum members; empty without <c>labels</c>; null when any label is wrong.</summary>
    public static List<LabelPlan>? Analyze(IReadOnlyList<Located<string>>? labels, DiagnosticBag diagnostics)
    {
        var plans = new List<LabelPlan>();
        if (labels is null)
        {
            return plans;
        }

        var ok = true;
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var byMember = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var name = label.Value.Trim();
            var member = Identifiers.Pascal(name, "");
            if (Problem(label.Value, name, member, byName, byMember) is { } problem)
            {
                diagnostics.Add(problem.Descriptor, label.Location, problem.Arguments);
                ok = false;
                continue;
            }

            byName[name] = name;
            byMember[member] = name;
            plans.Add(new LabelPlan(name, member));
        }

        if (ok && plans.Count == 1)
        {
            diagnostics.Add(DiagnosticDescriptors.TooFewLabels, labels[0].Location);
            ok = false;
        }

        return ok ? plans : null;
    }

    /// <summary>What is wrong with one label given the ones before it, or null.</summary>
    private static (DiagnosticDescriptor Descriptor, string[] Arguments)? Problem(
        string written, string name, string member, Dictionary<string, string> byName, Dictionary<string, string> byMember)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name is "." or "..")
        {
            return (DiagnosticDescriptors.LabelNotAFolderName, [written]);
        }

        if (member.Length == 0)
        {
            return (DiagnosticDescriptors.LabelWithoutLetters, [written]);
        }

        if (byName.TryGetValue(name, out var earlier))
        {
            return earlier == name
                ? (DiagnosticDescriptors.LabelGivenTwice, [written])
                : (DiagnosticDescriptors.LabelGivenTwiceIgnoringCase, [written, earlier, name]);
        }

        return byMember.TryGetValue(member, out var clash)
            ? (DiagnosticDescriptors.LabelsMakeOneMember, [clash, name, member])
            : null;
    }
}
