namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// Reads HOCON sizes in bytes such as <c>512KiB</c>, <c>4 MB</c> or <c>1.5G</c>. As in the spec, the
/// <c>kB</c>/<c>MB</c>/... units are powers of ten and single letters and the <c>Ki</c>/<c>KiB</c> forms are
/// powers of two; a bare number is bytes.
/// </summary>
public static class HoconSize
{
    private static readonly Dictionary<string, decimal> BytesPerUnit = Build();

    /// <summary>
    /// Parses a number with an optional unit; fractions of a byte are truncated. Returns false for an
    /// unknown unit, a malformed number, or a size that does not fit in a long.
    /// </summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        return HoconUnitValue.TrySplit(text, out var number, out var unit)
            && BytesPerUnit.TryGetValue(unit, out var factor)
            && HoconUnitValue.TryScale(number, factor, out bytes);
    }

    private static Dictionary<string, decimal> Build()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            [""] = 1,
            ["B"] = 1,
            ["b"] = 1,
            ["byte"] = 1,
            ["bytes"] = 1,
            // Not in the spec, but people write it and mean kilobytes.
            ["KB"] = 1000,
        };

        (char Letter, string Decimal, string Binary)[] prefixes =
        [
            ('K', "kilo", "kibi"), ('M', "mega", "mebi"), ('G', "giga", "gibi"), ('T', "tera", "tebi"),
            ('P', "peta", "pebi"), ('E', "exa", "exbi"), ('Z', "zetta", "zebi"), ('Y', "yotta", "yobi"),
        ];
        decimal powerOfTen = 1;
        decimal powerOfTwo = 1;
        foreach (var (letter, decimalName, binaryName) in prefixes)
        {
            powerOfTen *= 1000;
            powerOfTwo *= 1024;
            var lower = char.ToLowerInvariant(letter);

            // The spec spells the kilo unit "kB" with a lowercase k; the others use the capital letter.
            units[(letter == 'K' ? "k" : letter.ToString()) + "B"] = powerOfTen;
            units[decimalName + "byte"] = powerOfTen;
            units[decimalName + "bytes"] = powerOfTen;

            units[letter.ToString()] = powerOfTwo;
            units[lower.ToString()] = powerOfTwo;
            units[letter + "i"] = powerOfTwo;
            units[letter + "iB"] = powerOfTwo;
            units[binaryName + "byte"] = powerOfTwo;
            units[binaryName + "bytes"] = powerOfTwo;
        }

        return units;
    }
}
