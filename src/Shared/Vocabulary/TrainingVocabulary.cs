#if MODELGEN_RUNTIME
namespace ModelGen.Training;
#else
namespace ModelGen.Generators.Vocabulary;
#endif

/// <summary>The optimizers of the spec (<c>optimizer.type</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum OptimizerKind
{
    /// <summary>Stochastic gradient descent, with momentum and optionally Nesterov momentum.</summary>
    Sgd,

    /// <summary>Adam.</summary>
    Adam,

    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,

    /// <summary>RMSprop with Keras' defaults (rho 0.9, epsilon 1e-7).</summary>
    RmsProp,
}

/// <summary>How the learning rate changes over a phase (<c>schedule.type</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum ScheduleKind
{
    /// <summary>Multiply by gamma every step_size epochs.</summary>
    Step,

    /// <summary>Cosine annealing down to min_lr over the phase.</summary>
    Cosine,

    /// <summary>Multiply by factor when the loss has not improved for patience epochs.</summary>
    Plateau,

    /// <summary>The rate stays as set (after the warmup, if there is one).</summary>
    Constant,

    /// <summary>PyTorch's OneCycleLR: up from max_lr / div_factor to max_lr, then down to a tiny rate, stepped every optimizer step.</summary>
    OneCycle,
}

/// <summary>What early stopping watches (<c>early_stopping.monitor</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum EarlyStoppingMonitor
{
    /// <summary>The validation loss (lower is better).</summary>
    ValLoss,

    /// <summary>The validation accuracy (higher is better).</summary>
    ValAccuracy,

    /// <summary>The training loss (lower is better).</summary>
    Loss,

    /// <summary>The training accuracy (higher is better).</summary>
    Accuracy,
}

/// <summary>The loss a model trains with (<c>training.loss</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum LossKind
{
    /// <summary>One logit per image, two classes: binary cross-entropy on the logit.</summary>
    BinaryCrossEntropy,

    /// <summary>One logit per class: softmax cross-entropy with class indexes as labels.</summary>
    CategoricalCrossEntropy,

    /// <summary>Regression: the mean squared error over the targets.</summary>
    MeanSquaredError,

    /// <summary>Regression: the Huber loss (squared below <c>huber_delta</c>, linear above), averaged over the targets.</summary>
    Huber,
}

/// <summary>What a model predicts (<c>task</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum TaskKind
{
    /// <summary>One class per image, from <c>labels</c> (the default).</summary>
    Classification,

    /// <summary>Any number of the labels per image: a sigmoid per label, binary cross-entropy, a threshold per label.</summary>
    MultiLabel,

    /// <summary>One or more named numbers per image (<c>targets</c>).</summary>
    Regression,
}

/// <summary>The metrics a spec may ask for (<c>training.metrics</c>).</summary>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
enum Metric
{
    /// <summary>The share of images classified right.</summary>
    Accuracy,

    /// <summary>Per-class precision.</summary>
    Precision,

    /// <summary>Per-class recall.</summary>
    Recall,
}

/// <summary><c>optimizer</c>: which optimizer, at what learning rate, with its settings.</summary>
/// <param name="Kind">The optimizer.</param>
/// <param name="LearningRate">The head's learning rate (and the backbone's, without <paramref name="BackboneLearningRate"/>).</param>
/// <param name="Momentum">Momentum (SGD, RMSprop).</param>
/// <param name="WeightDecay">L2 penalty (decoupled for AdamW).</param>
/// <param name="Nesterov">Nesterov momentum (SGD).</param>
/// <param name="BackboneLearningRate">A learning rate of its own for the backbone's trainable parameters (discriminative fine-tuning).</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record OptimizerSettings(OptimizerKind Kind, double LearningRate, double Momentum = 0, double WeightDecay = 0, bool Nesterov = false, double? BackboneLearningRate = null);

/// <summary>
/// <c>schedule</c>: how the learning rate changes over a phase. Step, cosine and plateau are stepped once per epoch;
/// the warmup and one-cycle schedules set the rate before every optimizer step.
/// </summary>
/// <param name="Kind">The schedule.</param>
/// <param name="StepSize">Step: epochs between reductions.</param>
/// <param name="Gamma">Step: the factor at each reduction.</param>
/// <param name="Factor">Plateau: the factor at each reduction.</param>
/// <param name="Patience">Plateau: epochs without improvement before a reduction.</param>
/// <param name="MinLearningRate">Cosine and plateau: the lowest rate.</param>
/// <param name="WarmupEpochs">
/// Epochs of linear warmup before the schedule (not with one-cycle): the rate climbs step by step from the base rate /
/// n to the base rate over the n optimizer steps of these epochs, then the schedule runs over the epochs left.
/// </param>
/// <param name="MaxLearningRate">One-cycle: the peak rate; null for the optimizer's rate.</param>
/// <param name="PctStart">One-cycle: the share of the steps spent climbing to the peak.</param>
/// <param name="DivFactor">One-cycle: the first rate is the peak / this.</param>
/// <param name="FinalDivFactor">One-cycle: the last rate is the first / this.</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record ScheduleSettings(
    ScheduleKind Kind,
    int StepSize = 10,
    double Gamma = 0.1,
    double Factor = 0.1,
    int Patience = 5,
    double MinLearningRate = 0,
    int WarmupEpochs = 0,
    double? MaxLearningRate = null,
    double PctStart = 0.3,
    double DivFactor = 25,
    double FinalDivFactor = 1e4);

/// <summary>
/// How a phase turns batches into optimizer steps (<c>accumulate_batches</c>, <c>grad_clip_norm</c>), and its batch
/// size, from which the steps of an epoch are counted for the schedules that step every optimizer step.
/// </summary>
/// <param name="BatchSize">Images (or feature vectors) per batch.</param>
/// <param name="AccumulateBatches">Batches whose gradients add up (each loss divided by this) before one optimizer step.</param>
/// <param name="GradClipNorm">The largest global L2 norm of the gradients at a step (PyTorch's clip_grad_norm_); null for no clipping.</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record StepSettings(int BatchSize, int AccumulateBatches = 1, double? GradClipNorm = null);

/// <summary><c>training.ema</c>: an exponential moving average of the trained weights, which validation scores and the trained model keeps.</summary>
/// <param name="Decay">After each optimizer step, average = decay * average + (1 - decay) * weight.</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record EmaSettings(double Decay);

/// <summary><c>training.early_stopping</c>.</summary>
/// <param name="Monitor">What is watched.</param>
/// <param name="Patience">Epochs without improvement before the phase stops.</param>
/// <param name="RestoreBest">Whether the phase ends with the weights of its best epoch.</param>
/// <param name="MinDelta">The smallest change that counts as an improvement.</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record EarlyStoppingSettings(EarlyStoppingMonitor Monitor, int Patience, bool RestoreBest, double MinDelta);

/// <summary><c>training.checkpoints</c>: where checkpoints go and how many are kept.</summary>
/// <param name="Directory">The folder (relative to the working directory, or absolute).</param>
/// <param name="Keep">How many of the newest checkpoints to keep.</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed record CheckpointSettings(string Directory, int Keep);
