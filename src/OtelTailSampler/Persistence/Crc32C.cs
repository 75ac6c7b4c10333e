using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace OtelTailSampler.Persistence;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of iSCSI, ext4 and RocksDB's WAL. System.IO.Hashing is not in the
/// registry this project builds from; CPUs have an instruction for this polynomial (SSE 4.2, ARMv8 CRC32),
/// so journal payloads of megabytes are checked at memory speed, with a table for CPUs without one.
/// </summary>
internal static class Crc32C
{
    /// <summary>The state to feed to the first <see cref="Append"/>.</summary>
    public const uint Start = 0xFFFFFFFF;

    private const uint ReversedPolynomial = 0x82F63B78;

    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    /// <summary>Feeds more bytes into a running CRC state.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = state;
            while (data.Length >= sizeof(ulong))
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[sizeof(ulong)..];
            }

            state = (uint)wide;
            foreach (var b in data)
            {
                state = Sse42.Crc32(state, b);
            }

            return state;
        }

        if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= sizeof(ulong))
            {
                state = Crc32.Arm64.ComputeCrc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[sizeof(ulong)..];
            }

            foreach (var b in data)
            {
                state = Crc32.ComputeCrc32C(state, b);
            }

            return state;
        }

        return AppendSoftware(state, data);
    }

    /// <summary>The final CRC of a running state.</summary>
    public static uint Finish(uint state) => ~state;

    /// <summary>The table-driven path, used where the CPU has no CRC32C instruction; internal for tests so both paths are checked.</summary>
    internal static uint AppendSoftware(uint state, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            state = Table[(byte)(state ^ b)] ^ (state >> 8);
        }

        return state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < table.Length; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReversedPolynomial : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
