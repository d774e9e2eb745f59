using ModelGen.Storage;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Storage;

/// <summary>Atomic writes: the temporary files of interrupted writes are recognised and removed by the next write beside them.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public void AWrite_RemovesStaleTemporaryFilesBesideIt_AndNothingElse()
    {
        using var temp = new TempFolder();
        var stale = temp[".fashion.mgmodel.4242.0123456789abcdef0123456789abcdef.mgtmp"];
        var fresh = temp[".fashion.mgmodel.4243.fedcba9876543210fedcba9876543210.mgtmp"];
        var notOurs = temp["notes.mgtmp"];
        var notOursEither = temp[".notes.x.mgtmp"];
        foreach (var file in new[] { stale, fresh, notOurs, notOursEither })
        {
            File.WriteAllText(file, "left behind");
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow.AddMinutes(-5));

        AtomicFile.Write(temp["other.txt"], stream => stream.WriteByte(1));

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh), "a temporary file younger than an hour may belong to a write in progress");
        Assert.True(File.Exists(notOurs));
        Assert.True(File.Exists(notOursEither));
        Assert.True(File.Exists(temp["other.txt"]));
    }

    [Theory]
    [InlineData(".a.b.1.0123456789abcdef0123456789abcdef.mgtmp", true)]
    [InlineData(".a.1.0123456789abcdef0123456789abcdef.mgtmp", true)]
    [InlineData("a.1.0123456789abcdef0123456789abcdef.mgtmp", false)]
    [InlineData(".a.x.0123456789abcdef0123456789abcdef.mgtmp", false)]
    [InlineData(".a.1.0123456789ABCDEF0123456789abcdef.mgtmp", false)]
    [InlineData(".a.1.0123.mgtmp", false)]
    [InlineData(".a.1.0123456789abcdef0123456789abcdef.tmp", false)]
    public void TemporaryNames_AreRecognisedExactly(string name, bool temporary) => Assert.Equal(temporary, AtomicFile.IsTemporary(name));
}
