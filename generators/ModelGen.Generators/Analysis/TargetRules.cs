using System;
using System.Collections.Generic;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Rules for <c>targets</c> (task: regression): each target is a manifest column as written and a property of the
/// generated prediction record, so it needs letters and must not collide with another target, written or as a property.
/// </summary>
internal static class TargetRules
{
    /// <summary>The targets with their property names; empty without <c>targets</c>; null when any target is wrong.</summary>
    public static List<TargetPlan>? Analyze(IReadOnlyList<Located<string>>? targets, DiagnosticBag diagnostics)
    {
        var plans = new List<TargetPlan>();
        if (targets is null)
        {
            return plans;
        }

        var ok = true;
        var byName = new HashSet<string>(StringComparer.Ordinal);
        var byMember = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            var name = target.Value.Trim();
            var member = Identifiers.Pascal(name, "");
            if (member.Length == 0)
            {
                diagnostics.Add(DiagnosticDescriptors.TargetWithoutLetters, target.Location, target.Value);
            }
            else if (!byName.Add(name))
            {
                diagnostics.Add(DiagnosticDescriptors.TargetGivenTwice, target.Location, target.Value);
            }
            else if (byMember.TryGetValue(member, out var clash))
            {
                diagnostics.Add(DiagnosticDescriptors.TargetsMakeOneMember, target.Location, clash, name, member);
            }
            else
            {
                byMember[member] = name;
                plans.Add(new TargetPlan(name, member));
                continue;
            }

            ok = false;
        }

        return ok ? plans : null;
    }
}
