using System;
using System.Collections.Generic;
using System.Linq;
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
    /// <param name="targets">The spec's targets; null without the key.</param>
    /// <param name="className">The model's class, whose prediction record holds the properties; null when the name is wrong.</param>
    /// <param name="diagnostics">Where problems go.</param>
    public static List<TargetPlan>? Analyze(IReadOnlyList<Located<string>>? targets, string? className, DiagnosticBag diagnostics)
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
            else if (GeneratedNames.RecordMembers.Contains(member))
            {
                // Every record declares these (C# synthesises them), so a property of that name would not compile.
                diagnostics.Add(DiagnosticDescriptors.TargetIsRecordMember, target.Location, target.Value, member, "every C# record declares a member of that name");
            }
            else if (className is not null && member == GeneratedNames.PredictionRecord(className))
            {
                // CS0542: a member cannot be named like the type that declares it.
                diagnostics.Add(DiagnosticDescriptors.TargetIsRecordMember, target.Location, target.Value, member, "it is the name of the prediction record itself");
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
