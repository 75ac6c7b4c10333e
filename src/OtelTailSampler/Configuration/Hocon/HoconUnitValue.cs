using System.Globalization;

namespace OtelTailSampler.Configuration.Hocon;

/// <summary>
/// The HOCON "units format" shared by durations and sizes: optional whitespace, a number, optional
/// whitespace, an optional unit made only of letters, optional whitespace.
/// </summary>
internal static class HoconUnitValue
{
    /// <summary>Splits <paramref name="text"/> into its number and unit (empty when there is none).</summary>
    public static bool TrySplit(string? text, out decimal number, out string unit)
    {
        number = 0;
        unit = "";
        if (text is null)
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var numberLength = 0;
        if (numberLength < span.Length && (span[numberLength] == '-' || span[numberLength] == '+'))
        {
            numberLength++;
        }

        var digits = 0;
        while (numberLength < span.Length && char.IsAsciiDigit(span[numberLength]))
        {
            numberLength++;
            digits++;
        }

        if (numberLength < span.Length && span[numberLength] == '.')
        {
            numberLength++;
            while (numberLength < span.Length && char.IsAsciiDigit(span[numberLength]))
            {
                numberLength++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        var unitSpan = span[numberLength..].TrimStart();
        foreach (var c in unitSpan)
        {
            if (!char.IsLetter(c))
            {
                return false;
            }
        }

        // decimal keeps "1.5" exact and fails (rather than rounding) on numbers too long to represent.
        if (!decimal.TryParse(span[..numberLength], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        unit = unitSpan.ToString();
        return true;
    }

    /// <summary>
    /// Multiplies and truncates toward zero to a whole count, failing rather than wrapping when the result
    /// does not fit in a long.
    /// </summary>
    public static bool TryScale(decimal number, decimal factor, out long result)
    {
        result = 0;
        decimal scaled;
        try
        {
            scaled = decimal.Truncate(number * factor);
        }
        catch (OverflowException)
        {
            return false;
        }

        if (scaled < long.MinValue || scaled > long.MaxValue)
        {
            return false;
        }

        result = (long)scaled;
        return true;
    }
}
