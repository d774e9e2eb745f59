#if MODELGEN_RUNTIME
namespace ModelGen.Backbones;
#else
namespace ModelGen.Generators.Vocabulary;
#endif

/// <summary>How a backbone's batch-norm layers behave while it trains (spec key: <c>batch_norm</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum BatchNormMode
{
    /// <summary>Layers whose parameters are frozen keep their running statistics (evaluation mode); the others train.</summary>
    Frozen,

    /// <summary>Every batch-norm layer updates its statistics in training mode, frozen or not.</summary>
    Trainable,

    /// <summary>
    /// Every batch-norm layer normalises with its running statistics, even where its scale and shift train:
    /// Keras' advice for fine-tuning, which keeps the features the head was trained on.
    /// </summary>
    Inference,
}
