using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ModelGen.Storage;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Storage;

/// <summary>
/// The container every ModelGen file uses: what is written reads back, and every damaged, truncated,
/// forged or foreign file is refused with a <see cref="ChecksummedFileException"/> that says why, before
/// anything it declares is allocated.
/// </summary>
public sealed class ChecksummedFileTests
{
    private static readonly FileFormat Format = new("TEST", Version: 3, "test file", "MGTEST01");
    private static readonly JsonSerializerOptions Json = ChecksummedFile.StrictJson();

    [Fact]
    public void WhatIsWritten_ReadsBack_AsHeaderAndSections()
    {
        using var temp = new TempFolder();
        var path = temp["a.bin"];
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();

        ChecksummedFile.Write(path, Format, new Header("hello", [1, 2, 3]), Json,
        [
            new FileSection("DATA", stream => stream.Write(payload)),
            new FileSection("EMPT", _ => { }),
            new FileSection("TEXT", stream =>
            {
                // A writer that disposes what it is given, as BinaryWriter does.
                using var writer = new BinaryWriter(stream);
                writer.Write("text");
            }),
        ]);

        using var file = ChecksummedFile.Open(path, Format);
        Assert.Equal(["HEAD", "DATA", "EMPT", "TEXT"], file.Tags);
        var header = file.Header<Header>(Json);
        Assert.Equal("hello", header.Name);
        Assert.Equal([1, 2, 3], header.Values);
        Assert.Equal(payload, file.ReadSection("DATA"));
        Assert.Empty(file.ReadSection("EMPT"));
        var into = new byte[payload.Length];
        file.ReadSection("DATA", into);
        Assert.Equal(payload, into);
        using var text = new BinaryReader(file.OpenSection("TEXT"));
        Assert.Equal("text", text.ReadString());
        Assert.Equal(-1, text.PeekChar());
        Assert.Equal(FileProblem.Damaged, ProblemOf(() => file.ReadSection("NONE")));
    }

    [Fact]
    public void EveryTruncation_IsRefusedAsDamaged()
    {
        using var temp = new TempFolder();
        var whole = Small(temp);
        for (var length = 1; length < whole.Length; length++)
        {
            File.WriteAllBytes(temp["cut"], whole.AsSpan(0, length).ToArray());
            Assert.Equal(FileProblem.Damaged, ProblemOf(() => ChecksummedFile.Open(temp["cut"], Format).Dispose()));
        }

        File.WriteAllBytes(temp["empty"], []);
        Assert.Equal(FileProblem.NotThisFormat, ProblemOf(() => ChecksummedFile.Open(temp["empty"], Format).Dispose()));
    }

    [Fact]
    public void EveryFlippedBit_IsRefused_WithTheProblemOfWhereItIs()
    {
        using var temp = new TempFolder();
        var whole = Small(temp);
        for (var position = 0; position < whole.Length; position++)
        {
            var flipped = whole.ToArray();
            flipped[position] ^= (byte)(1 << (position % 8));
            File.WriteAllBytes(temp["flipped"], flipped);

            var problem = ProblemOf(() => ChecksummedFile.Open(temp["flipped"], Format).Dispose());

            var expected = position switch
            {
                < 12 => FileProblem.NotThisFormat, // the container's magic or the kind
                < 16 => BinaryPrimitives.ReadInt32LittleEndian(flipped.AsSpan(12)) < Format.Version ? FileProblem.OlderFormat : FileProblem.NewerFormat,
                _ => FileProblem.Damaged,
            };
            Assert.True(expected == problem, $"byte {position}: {problem}, expected {expected}");
        }
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(-1L)]
    [InlineData(1L << 40)]
    public void AForgedSectionLength_IsRefused_BeforeAnythingIsAllocated(long length)
    {
        using var temp = new TempFolder();
        var whole = Small(temp);
        var data = ContainerBytes.Sections(whole).Single(s => s.Tag == "DATA");
        File.WriteAllBytes(temp["forged"], ContainerBytes.Forge(whole, bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(data.LengthField), length)));

        var error = Assert.Throws<ChecksummedFileException>(() => ChecksummedFile.Open(temp["forged"], Format));

        Assert.Equal(FileProblem.Damaged, error.Problem);
        Assert.Contains("DATA", error.Message);
    }

    [Fact]
    public void LengthsThatMoveBytesBetweenSections_AreCaughtByTheHeaderOrTheFormat()
    {
        using var temp = new TempFolder();
        var whole = Small(temp);
        var sections = ContainerBytes.Sections(whole);
        var forged = ContainerBytes.Forge(whole, bytes =>
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(sections[0].LengthField), sections[0].Length + 3);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(sections[1].LengthField), sections[1].Length - 3);
        });
        File.WriteAllBytes(temp["forged"], forged);

        using var file = ChecksummedFile.Open(temp["forged"], Format);

        Assert.Equal(FileProblem.Damaged, Assert.Throws<ChecksummedFileException>(() => file.Header<Header>(Json)).Problem);
        Assert.Equal(FileProblem.Damaged, Assert.Throws<ChecksummedFileException>(() => file.ReadSection("DATA", new byte[sections[1].Length])).Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(17)]
    [InlineData(int.MaxValue)]
    public void AForgedSectionCount_IsRefused(int count)
    {
        using var temp = new TempFolder();
        var whole = Small(temp);
        File.WriteAllBytes(temp["forged"], ContainerBytes.Forge(whole, bytes => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(ContainerBytes.CountOffset(bytes)), count)));

        Assert.Equal(FileProblem.Damaged, ProblemOf(() => ChecksummedFile.Open(temp["forged"], Format).Dispose()));
    }

    [Fact]
    public void AHeaderOverTheLimit_IsRefused_WithoutReadingIt()
    {
        using var temp = new TempFolder();
        ChecksummedFile.Write(temp["big"], Format, new Header(new string('x', ChecksummedFile.MaxHeaderLength), []), Json, []);
        using var file = ChecksummedFile.Open(temp["big"], Format);

        var error = Assert.Throws<ChecksummedFileException>(() => file.Header<Header>(Json));

        Assert.Equal(FileProblem.Damaged, error.Problem);
        Assert.Contains("more than", error.Message);
    }

    [Fact]
    public void AHeaderWithAMissingOrNullValue_IsDamaged()
    {
        using var temp = new TempFolder();
        var whole = Small(temp);
        File.WriteAllBytes(temp["null"], ContainerBytes.ReplaceSection(whole, "HEAD", """{"Name":null,"Values":[1]}"""u8.ToArray()));
        File.WriteAllBytes(temp["missing"], ContainerBytes.ReplaceSection(whole, "HEAD", """{"Name":"a"}"""u8.ToArray()));
        File.WriteAllBytes(temp["text"], ContainerBytes.ReplaceSection(whole, "HEAD", "not json"u8.ToArray()));

        foreach (var name in new[] { "null", "missing", "text" })
        {
            using var file = ChecksummedFile.Open(temp[name], Format);
            Assert.Equal(FileProblem.Damaged, Assert.Throws<ChecksummedFileException>(() => file.Header<Header>(Json)).Problem);
        }
    }

    [Fact]
    public void ForeignFiles_AreNamedForWhatTheyAre()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["text"], "just some text, long enough to look like anything at all");
        File.WriteAllBytes(temp["legacy"], ContainerBytes.StartingWith("MGTEST01", 100));
        ChecksummedFile.Write(temp["other-kind"], Format with { Kind = "OTHR" }, new Header("a", []), Json, []);
        ChecksummedFile.Write(temp["older"], Format with { Version = 2 }, new Header("a", []), Json, []);
        ChecksummedFile.Write(temp["newer"], Format with { Version = 4 }, new Header("a", []), Json, []);

        Assert.Contains("not a ModelGen test file", Refused(temp["text"], FileProblem.NotThisFormat));
        Assert.Contains("older ModelGen (format MGTEST01)", Refused(temp["legacy"], FileProblem.OlderFormat));
        Assert.Contains("another kind (OTHR)", Refused(temp["other-kind"], FileProblem.NotThisFormat));
        Assert.Contains("older ModelGen (format TEST 2", Refused(temp["older"], FileProblem.OlderFormat));
        Assert.Contains("newer ModelGen (format TEST 4", Refused(temp["newer"], FileProblem.NewerFormat));
        Assert.Contains(temp["missing"], Refused(temp["missing"], FileProblem.Unreadable));
    }

    [Fact]
    public void AFailedWrite_LeavesThePreviousFileAndNoTemporaryFile()
    {
        using var temp = new TempFolder();
        var whole = Small(temp);

        Assert.Throws<InvalidOperationException>(() => ChecksummedFile.Write(temp["small"], Format, new Header("b", []), Json, [new FileSection("DATA", _ => throw new InvalidOperationException("disk gone"))]));

        Assert.Equal(whole, File.ReadAllBytes(temp["small"]));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    private static string Refused(string path, FileProblem problem)
    {
        var error = Assert.Throws<ChecksummedFileException>(() => ChecksummedFile.Open(path, Format));
        Assert.Equal(problem, error.Problem);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    private static FileProblem ProblemOf(Action open)
    {
        try
        {
            open();
        }
        catch (ChecksummedFileException e)
        {
            return e.Problem;
        }

        throw new Xunit.Sdk.XunitException("the file was accepted");
    }

    /// <summary>A small file of two sections, written to temp["small"]; returns its bytes.</summary>
    private static byte[] Small(TempFolder temp)
    {
        ChecksummedFile.Write(temp["small"], Format, new Header("small", [4, 5]), Json, [new FileSection("DATA", stream => stream.Write(Encoding.ASCII.GetBytes("some data")))]);
        return File.ReadAllBytes(temp["small"]);
    }

    private sealed record Header(string Name, int[] Values);
}
