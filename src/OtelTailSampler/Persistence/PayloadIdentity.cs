using System.Runtime.InteropServices;

namespace OtelTailSampler.Persistence;

/// <summary>
/// Which bytes in memory a payload is: the array, offset and length it views. Two payloads share an identity only
/// when they are the same bytes (one request's bytes handed to the events of many shards), never merely equal ones.
/// </summary>
internal readonly record struct PayloadIdentity(byte[]? Array, int Offset, int Length)
{
    /// <summary>The payload's identity; one that does not view an array gets <paramref name="unique"/>, which the caller keeps distinct.</summary>
    public static PayloadIdentity Of(ReadOnlyMemory<byte> payload, int unique) =>
        MemoryMarshal.TryGetArray(payload, out var array) ? new(array.Array, array.Offset, array.Count) : new(null, unique, -1);
}
