namespace ModelGen.Onnx;

/// <summary>
/// Something that works through an imported graph's ops by kind, such as the ONNX exporter: each op
/// shows what it was imported as (its node, its module with the current weights, the attributes it read),
/// and the visitor decides what to make of it. A new kind of op needs a method here, so no visitor can
/// overlook it.
/// </summary>
/// <typeparam name="T">What a visit gives (for the exporter: the name of the value written).</typeparam>
internal interface IOnnxOpVisitor<out T>
{
    T Visit(ConvOp op);

    T Visit(BatchNormOp op);

    T Visit(LayerNormOp op);

    T Visit(LinearOp op);

    T Visit(MatMulOp op);

    T Visit(ActivationOp op);

    T Visit(ErfOp op);

    T Visit(BinaryOp op);

    T Visit(IdentityOp op);

    T Visit(ShapeOp op);

    T Visit(ShapeOfOp op);

    T Visit(GatherOp op);

    T Visit(PoolOp op);

    T Visit(GlobalPoolOp op);
}
