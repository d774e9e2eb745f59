using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace ModelGen.Weights;

/// <summary>
/// Reads the pickle (<c>data.pkl</c>) of a PyTorch state dict without running or constructing anything it
/// names: only the opcodes <c>torch.save</c> writes for dicts, lists, tuples, strings and numbers, and calls of
/// the few functions that rebuild a tensor (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>,
/// the <c>torch.*Storage</c> types). Like PyTorch's <c>weights_only</c> loading, any other global is refused by
/// name. Tensors come back as <see cref="TensorReference"/>s, checked against their storage, to be read later.
/// </summary>
internal sealed class StateDictPickle
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> Storages = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = (ScalarType.Float32, 4),
        ["DoubleStorage"] = (ScalarType.Float64, 8),
        ["HalfStorage"] = (ScalarType.Float16, 2),
        ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
        ["LongStorage"] = (ScalarType.Int64, 8),
        ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2),
        ["CharStorage"] = (ScalarType.Int8, 1),
        ["ByteStorage"] = (ScalarType.Byte, 1),
        ["BoolStorage"] = (ScalarType.Bool, 1),
    };

    private readonly byte[] _data;
    private readonly string _where;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;

    private StateDictPickle(byte[] data, string where)
    {
        _data = data;
        _where = where;
    }

    /// <summary>The storage types ModelGen reads, for messages.</summary>
    public static string SupportedStorages => string.Join(", ", Storages.Keys);

    /// <summary>A storage of the archive: its file name under <c>data/</c>, its element type and count.</summary>
    internal sealed record StorageReference(string Key, ScalarType Type, int ElementSize, long Elements);

    /// <summary>A tensor as a view of a storage, checked to lie inside it.</summary>
    internal sealed record TensorReference(StorageReference Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>A global the pickle names (only allowed ones get this far).</summary>
    private sealed record Global(string Module, string Name);

    /// <summary>A dict, in insertion order (the order of the state dict).</summary>
    internal sealed class Dict : List<KeyValuePair<object?, object?>>
    {
    }

    private sealed class Mark
    {
        public static readonly Mark Instance = new();
    }

    /// <summary>The object the pickle describes.</summary>
    /// <param name="data">The pickle's bytes.</param>
    /// <param name="where">The file and entry, for messages ("the weights file x.pth (archive/data.pkl)").</param>
    /// <exception cref="WeightsException">The pickle is damaged, names a global other than the tensor-rebuilding ones, or describes a tensor outside its storage.</exception>
    public static object? Load(byte[] data, string where) => new StateDictPickle(data, where).Run();

    /// <summary>
    /// The object of the pickle that starts at <paramref name="start"/> of <paramref name="data"/>, for files
    /// of several pickles one after another (PyTorch's format before 1.6); <paramref name="end"/> is where the
    /// pickle stopped. Each pickle has its own memo.
    /// </summary>
    /// <exception cref="WeightsException">As <see cref="Load(byte[], string)"/>.</exception>
    public static object? Load(byte[] data, int start, string where, out int end)
    {
        var pickle = new StateDictPickle(data, where) { _position = start };
        var value = pickle.Run();
        end = pickle._position;
        return value;
    }

    private object? Run()
    {
        while (true)
        {
            var at = _position;
            var opcode = Byte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    if (Byte() > 5)
                    {
                        throw Fail(at, "a pickle protocol above 5");
                    }

                    break;
                case 0x95: // FRAME
                    Bytes(8);
                    break;
                case (byte)'.': // STOP
                    return Pop(at);
                case (byte)'(': // MARK
                    _marks.Add(_stack.Count);
                    _stack.Add(Mark.Instance);
                    break;
                case (byte)'}':
                    _stack.Add(new Dict());
                    break;
                case (byte)']':
                    _stack.Add(new List<object?>());
                    break;
                case (byte)')':
                    _stack.Add(Array.Empty<object?>());
                    break;
                case (byte)'t':
                    _stack.Add(PopToMark(at).ToArray());
                    break;
                case 0x85:
                case 0x86:
                case 0x87:
                    {
                        var items = new object?[opcode - 0x84];
                        for (var i = items.Length - 1; i >= 0; i--)
                        {
                            items[i] = Pop(at);
                        }

                        _stack.Add(items);
                        break;
                    }

                case (byte)'q': // BINPUT
                    _memo[Byte()] = Peek(at);
                    break;
                case (byte)'r': // LONG_BINPUT
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))] = Peek(at);
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek(at);
                    break;
                case (byte)'h': // BINGET
                    _stack.Add(Memo(at, Byte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    _stack.Add(Memo(at, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))));
                    break;
                case (byte)'X': // BINUNICODE
                    _stack.Add(Utf8(at, Bytes(Length(at, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    _stack.Add(Utf8(at, Bytes(Byte())));
                    break;
                case 0x8d: // BINUNICODE8
                    _stack.Add(Utf8(at, Bytes(Length(at, BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8))))));
                    break;
                case (byte)'T': // BINSTRING: a Python 2 str (files saved from Python 2), read as UTF-8 as torch.load does
                    _stack.Add(Utf8(at, Bytes(Length(at, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))))));
                    break;
                case (byte)'U': // SHORT_BINSTRING: the same, up to 255 bytes
                    _stack.Add(Utf8(at, Bytes(Byte())));
                    break;
                case (byte)'B': // BINBYTES
                    _stack.Add(Bytes(Length(at, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    _stack.Add(Bytes(Byte()).ToArray());
                    break;
                case (byte)'J': // BININT
                    _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4)));
                    break;
                case (byte)'K': // BININT1
                    _stack.Add((long)Byte());
                    break;
                case (byte)'M': // BININT2
                    _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2)));
                    break;
                case 0x8a: // LONG1
                    _stack.Add(Long1(at));
                    break;
                case (byte)'I': // INT (text; "01" and "00" are True and False)
                case (byte)'L': // LONG (text, with a trailing L)
                    _stack.Add(TextInteger(at));
                    break;
                case (byte)'N':
                    _stack.Add(null);
                    break;
                case 0x88:
                    _stack.Add(true);
                    break;
                case 0x89:
                    _stack.Add(false);
                    break;
                case (byte)'G': // BINFLOAT
                    _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8)));
                    break;
                case (byte)'c': // GLOBAL
                    _stack.Add(Allowed(at, Line(at), Line(at)));
                    break;
                case 0x93: // STACK_GLOBAL
                    {
                        var name = Pop(at) as string ?? throw Fail(at, "a STACK_GLOBAL whose name is not a string");
                        var module = Pop(at) as string ?? throw Fail(at, "a STACK_GLOBAL whose module is not a string");
                        _stack.Add(Allowed(at, module, name));
                        break;
                    }

                case (byte)'R': // REDUCE
                    {
                        var arguments = Pop(at) as object?[] ?? throw Fail(at, "a call whose arguments are not a tuple");
                        var function = Pop(at) as Global ?? throw Fail(at, "a call of something that is not a function");
                        _stack.Add(Call(at, function, arguments));
                        break;
                    }

                case (byte)'b': // BUILD: an OrderedDict's attributes (the state dict's _metadata), which ModelGen does not need
                    Pop(at);
                    if (Peek(at) is not Dict)
                    {
                        throw Fail(at, "a BUILD of an object other than a dict");
                    }

                    break;
                case (byte)'s': // SETITEM
                    {
                        var value = Pop(at);
                        var key = Pop(at);
                        DictAt(at).Add(new(key, value));
                        break;
                    }

                case (byte)'u': // SETITEMS
                    {
                        var items = PopToMark(at);
                        if (items.Count % 2 != 0)
                        {
                            throw Fail(at, "a SETITEMS with an odd number of items");
                        }

                        var dict = DictAt(at);
                        for (var i = 0; i < items.Count; i += 2)
                        {
                            dict.Add(new(items[i], items[i + 1]));
                        }

                        break;
                    }

                case (byte)'a': // APPEND
                    {
                        var value = Pop(at);
                        ListAt(at).Add(value);
                        break;
                    }

                case (byte)'e': // APPENDS
                    {
                        var items = PopToMark(at);
                        ListAt(at).AddRange(items);
                        break;
                    }

                case (byte)'Q': // BINPERSID
                    _stack.Add(Storage(at, Pop(at)));
                    break;
                case (byte)'0': // POP
                    Pop(at);
                    break;
                case (byte)'1': // POP_MARK
                    PopToMark(at);
                    break;
                case (byte)'2': // DUP
                    _stack.Add(Peek(at));
                    break;
                default:
                    throw Fail(at, $"the pickle opcode 0x{opcode:x2} ('{(char)opcode}'), which torch.save does not write for a state dict");
            }
        }
    }

    private Global Allowed(int at, string module, string name)
    {
        if ((module, name) is ("collections", "OrderedDict") or ("torch._utils", "_rebuild_tensor_v2") or ("torch._utils", "_rebuild_tensor")
            || (module == "torch" && Storages.ContainsKey(name)))
        {
            return new Global(module, name);
        }

        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal))
        {
            throw Fail(at, $"a tensor stored as torch.{name}; ModelGen reads {SupportedStorages}. Convert the tensors first (for example tensor.float())");
        }

        if (name.StartsWith("_rebuild_parameter", StringComparison.Ordinal) || module == "__main__"
            || module.StartsWith("torch.nn", StringComparison.Ordinal) || module.StartsWith("torchvision", StringComparison.Ordinal))
        {
            throw new WeightsException(
                $"{_where} holds a whole pickled model (it names {module}.{name} at byte {at:N0}), not a state dict: it was saved with torch.save(model, path). "
                + "Re-save it with torch.save(model.state_dict(), path).");
        }

        throw Fail(at, $"the Python global {module}.{name}; a state dict names only collections.OrderedDict, torch._utils._rebuild_tensor_v2 and the torch storage types, and ModelGen runs nothing else. "
            + "Save the state dict alone: torch.save(model.state_dict(), path)");
    }

    private object Call(int at, Global function, object?[] arguments)
    {
        if (function.Name == "OrderedDict")
        {
            // OrderedDict() as torch writes it, or OrderedDict([(key, value), ...]) as other picklers do.
            var dict = new Dict();
            var pairs = arguments.Length switch
            {
                0 => [],
                1 when arguments[0] is IEnumerable<object?> items => items,
                _ => throw Fail(at, "an OrderedDict made from more than one argument"),
            };
            foreach (var pair in pairs)
            {
                dict.Add(pair switch
                {
                    object?[] { Length: 2 } tuple => new(tuple[0], tuple[1]),
                    List<object?> { Count: 2 } list => new(list[0], list[1]),
                    _ => throw Fail(at, "an OrderedDict made from something other than (key, value) pairs"),
                });
            }

            return dict;
        }

        if (function.Name is "_rebuild_tensor_v2" or "_rebuild_tensor")
        {
            return RebuildTensor(at, arguments);
        }

        throw Fail(at, $"a call of {function.Module}.{function.Name}, which is a type, not a function");
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private TensorReference RebuildTensor(int at, object?[] arguments)
    {
        if (arguments.Length < 4 || arguments[0] is not StorageReference storage || arguments[1] is not long offset
            || Longs(arguments[2]) is not { } shape || Longs(arguments[3]) is not { } stride)
        {
            throw Fail(at, "a tensor whose storage, offset, size or stride is not what torch writes");
        }

        if (shape.Length != stride.Length || shape.Length > 64 || offset < 0 || shape.Any(s => s < 0) || stride.Any(s => s < 0))
        {
            throw Fail(at, $"a tensor of size [{string.Join(", ", shape)}], stride [{string.Join(", ", stride)}] and offset {offset}; sizes, strides and offset must be non-negative, one stride per size");
        }

        // The last element the view reads must lie inside the storage, which the archive backs byte for byte.
        if (shape.All(s => s > 0))
        {
            try
            {
                var last = offset + shape.Zip(stride, (s, t) => checked((s - 1) * t)).Aggregate(0L, (a, b) => checked(a + b));
                if (last >= storage.Elements)
                {
                    throw Fail(at, $"a tensor of size [{string.Join(", ", shape)}] reading element {last:N0} of a storage of {storage.Elements:N0}");
                }
            }
            catch (OverflowException)
            {
                throw Fail(at, $"a tensor of size [{string.Join(", ", shape)}] and stride [{string.Join(", ", stride)}] that no storage holds");
            }
        }

        return new TensorReference(storage, offset, shape, stride);
    }

    // The persistent id of a storage: ('storage', storage_type, key, location, numel), and before PyTorch 1.6
    // a sixth item, the view metadata, None unless the tensor was saved from a storage view (PyTorch 0.3).
    private StorageReference Storage(int at, object? id)
    {
        if (id is object?[] { Length: 6 } legacy && legacy[5] is not null)
        {
            throw Fail(at, "a storage view (a tensor saved by PyTorch 0.3 or older from a slice of a storage); load and re-save the file with a current PyTorch");
        }

        if (id is not object?[] { Length: 5 or 6 } parts || parts[0] is not "storage" || parts[1] is not Global type || parts[2] is not string key || parts[4] is not long elements || elements < 0)
        {
            throw Fail(at, "a persistent id that is not a torch storage ('storage', type, key, location, size)");
        }

        var (scalar, size) = Storages[type.Name];
        return new StorageReference(key, scalar, size, elements);
    }

    private static long[]? Longs(object? value) =>
        value is object?[] items && items.All(i => i is long) ? items.Select(i => (long)i!).ToArray() : null;

    private Dict DictAt(int at) => Peek(at) as Dict ?? throw Fail(at, "items set on something that is not a dict");

    private List<object?> ListAt(int at) => Peek(at) as List<object?> ?? throw Fail(at, "items appended to something that is not a list");

    private object? Memo(int at, long index) => _memo.TryGetValue(index, out var value) ? value : throw Fail(at, $"a reference to memo entry {index}, which was never stored");

    private object? Pop(int at)
    {
        if (_stack.Count == 0 || _stack[^1] is Mark)
        {
            throw Fail(at, "an opcode that needs a value where the stack has none");
        }

        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek(int at) => _stack.Count > 0 && _stack[^1] is not Mark ? _stack[^1] : throw Fail(at, "an opcode that needs a value where the stack has none");

    private List<object?> PopToMark(int at)
    {
        if (_marks.Count == 0)
        {
            throw Fail(at, "an opcode that needs a MARK where there is none");
        }

        var mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte Byte() => Bytes(1)[0];

    private ReadOnlySpan<byte> Bytes(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new WeightsException($"{_where} ends at byte {_data.Length:N0} in the middle of a value that needs {count:N0} more bytes from byte {_position:N0}; the file is truncated or damaged.");
        }

        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private int Length(int at, ulong length) => length <= (ulong)(_data.Length - _position) ? (int)length : throw Fail(at, $"a string of {length:N0} bytes in the {_data.Length - _position:N0} bytes left");

    private string Utf8(int at, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(at, "a string that is not UTF-8");
        }
    }

    private string Line(int at)
    {
        var end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0 || end - _position > 256)
        {
            throw Fail(at, "a GLOBAL whose name does not end within 256 bytes");
        }

        var text = Encoding.ASCII.GetString(_data, _position, end - _position);
        _position = end + 1;
        return text;
    }

    private long Long1(int at)
    {
        var length = Byte();
        if (length > 8)
        {
            throw Fail(at, $"an integer of {length} bytes (at most 8)");
        }

        var bytes = Bytes(length);
        long value = 0;
        for (var i = length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        // Two's complement: sign-extend from the highest byte given.
        return length is > 0 and < 8 && (bytes[length - 1] & 0x80) != 0 ? value - (1L << (8 * length)) : value;
    }

    private object TextInteger(int at)
    {
        var text = Line(at).TrimEnd('L');
        return text switch
        {
            "01" => true,
            "00" => false,
            _ => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw Fail(at, $"the integer '{text}', which does not fit 64 bits"),
        };
    }

    private WeightsException Fail(int at, string what) =>
        new($"{_where} is not a state dict ModelGen can read: at byte {at:N0} it has {what}.");
}
