using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelGen;

/// <summary>Writes an undefined figure (<see cref="double.NaN"/>) as JSON null, which JSON readers know, and reads null back as NaN.</summary>
internal sealed class NaNAsNullConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsNaN(value))
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }
}

/// <summary>As <see cref="NaNAsNullConverter"/> for an optional figure: NaN and null are both written as null, and null reads back as null.</summary>
internal sealed class NullableNaNAsNullConverter : JsonConverter<double?>
{
    public override double? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double? value, JsonSerializerOptions options)
    {
        if (value is not { } number || double.IsNaN(number))
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteNumberValue(number);
        }
    }
}
