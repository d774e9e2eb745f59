using System.Security.Cryptography;

namespace ModelGen.Storage;

/// <summary>
/// A write-only stream that passes bytes on to the file while hashing and counting them, so that a
/// section is written once, straight from where it lives. Disposing it leaves the file and the hash open:
/// a section's writer may wrap it in a writer that disposes it.
/// </summary>
internal sealed class HashingWriteStream(Stream inner, IncrementalHash sha) : Stream
{
    /// <summary>The bytes written so far.</summary>
    public long Written { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        sha.AppendData(buffer);
        Written += buffer.Length;
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    public override void Flush() => inner.Flush();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}
