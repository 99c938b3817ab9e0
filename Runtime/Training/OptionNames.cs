using System;
using System.Collections.Generic;

namespace LayerDsl.Training;

/// <summary>The lower-case names of a training option's values (optimizers, schedules), in enum order.</summary>
internal static class OptionNames
{
    /// <summary>
    /// The index of <paramref name="name"/> among <paramref name="names"/>, ignoring case and surrounding spaces; an
    /// <see cref="ArgumentException"/> naming <paramref name="what"/> and the names there are otherwise.
    /// </summary>
    public static int IndexOf(IReadOnlyList<string> names, string name, string what)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], trimmed, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new ArgumentException($"unknown {what} '{name}': use one of {string.Join(", ", names)}", nameof(name));
    }
}
