using System;
using System.Collections.Generic;
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
            string? problem = null;
            if (name.Length == 0 || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name is "." or "..")
            {
                problem = $"The label '{label.Value}' cannot be a folder name; labels name the class folders of the data, so use letters, digits, '-' or '_'";
            }
            else if (member.Length == 0)
            {
                problem = $"The label '{label.Value}' has no letters or digits to make an enum member from; use a name such as 'class1'";
            }
            else if (byName.TryGetValue(name, out var earlier))
            {
                problem = $"The label '{label.Value}' is given twice{(earlier == name ? "" : $" (as '{earlier}' and '{name}'; folder names match labels ignoring case)")}; list each class once";
            }
            else if (byMember.TryGetValue(member, out var clash))
            {
                problem = $"The labels '{clash}' and '{name}' both become the enum member '{member}'; rename one of them";
            }

            if (problem is not null)
            {
                diagnostics.Add(DiagnosticDescriptors.InvalidLabel, label.Location, problem);
                ok = false;
                continue;
            }

            byName[name] = name;
            byMember[member] = name;
            plans.Add(new LabelPlan(name, member));
        }

        if (ok && plans.Count == 1)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidLabel, labels[0].Location, "A classifier needs at least two labels; add the other classes, or leave 'labels' out to take them from the data folders");
            ok = false;
        }

        return ok ? plans : null;
    }
}
