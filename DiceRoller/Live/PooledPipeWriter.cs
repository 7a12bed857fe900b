using System.Buffers;
using System.IO.Pipelines;

namespace DiceRoller.Live;

/// <summary>
/// A <see cref="PipeWriter"/> into one growing buffer rented from <see cref="ArrayPool{T}.Shared"/>, for rendering a template to
/// UTF-8 bytes in memory (<see cref="LiveEvent.RenderAsync"/>). Flushing does nothing: the bytes stay until read with
/// <see cref="WrittenSpan"/>; <see cref="Release"/> returns the buffer to the pool. Not thread-safe (one render writes it).
/// </summary>
internal sealed class PooledPipeWriter : PipeWriter
{
    private const int InitialSize = 4096;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_written + bytes > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
        new(new FlushResult(isCanceled: false, isCompleted: false));

    public override void CancelPendingFlush()
    {
        // Flushes complete at once: there is never one pending.
    }

    public override void Complete(Exception? exception = null)
    {
        // The bytes stay readable until Release.
    }

    /// <summary>Returns the buffer to the pool; the writer is not used after.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
