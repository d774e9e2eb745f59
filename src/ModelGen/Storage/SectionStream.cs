using Microsoft.Win32.SafeHandles;

namespace ModelGen.Storage;

/// <summary>
/// A read-only, seekable view of one section of an opened <see cref="ChecksummedFileReader"/>: reads stop
/// at the section's end. Disposing it leaves the file open.
/// </summary>
internal sealed class SectionStream(SafeFileHandle file, long start, long length) : Stream
{
    private long _position;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "A position cannot be negative.");
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var left = length - _position;
        if (left <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = RandomAccess.Read(file, buffer[..(int)Math.Min(buffer.Length, left)], start + _position);
        if (read == 0)
        {
            throw new EndOfStreamException("The file ended inside a section: it changed after it was checked.");
        }

        _position += read;
        return read;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
