using System;

namespace ModelGen.Build.Elf;

/// <summary>The bytes are not a well-formed ELF file of the kind this reader understands.</summary>
public sealed class ElfFormatException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong and where.</summary>
    public ElfFormatException(string message)
        : base(message)
    {
    }
}
