using System.ComponentModel;
using Microsoft.Extensions.Logging;
using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Explain;
using ModelGen.Export;
using ModelGen.Heads;
using ModelGen.Reports;
using ModelGen.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Runtime;

/// <summary>
/// The runtime's entry points for generated model classes: every static call their code makes goes through
/// here, so the machinery behind it (backbone factory, image decoding and batching, the feature cache, model
/// files, the ONNX exporter, optimizers) stays internal and can change without breaking a user's build.
/// Not meant to be called by hand: use the generated class's members.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ModelRuntime
{
    /// <summary>The device a model runs on: the options', else <c>MODELGEN_DEVICE</c>, else CUDA when available, else CPU.</summary>
    public static Device ResolveDevice(ModelOptions options) => DeviceSelection.Resolve(options);

    /// <summary>Builds, cuts and (when <paramref name="pretrained"/>) loads the backbone; checks its output shape.</summary>
    public static Backbone CreateBackbone(BackboneDefinition definition, ModelOptions options, bool pretrained) =>
        BackboneFactory.Create(definition, options, pretrained);

    /// <summary>Seeds TorchSharp's random generator until the result is disposed, then puts the caller's state back.</summary>
    public static IDisposable EnterSeed(long seed) => SeedScope.Enter(seed);

    /// <summary>Class names for a model that has not seen its data yet: class0, class1, ...</summary>
    public static IReadOnlyList<string> PlaceholderClasses(int count) => ClassNames.Placeholder(count);

    /// <summary>The classes of the data, checked against the declared labels and the head's output count.</summary>
    public static IReadOnlyList<string> CheckClasses(IReadOnlyList<string> found, IReadOnlyList<string> declared, int classCount, string model) =>
        ClassNames.Check(found, declared, classCount, model);

    /// <summary>An image folder (one subfolder per class); skipped images go to <paramref name="logger"/>.</summary>
    public static ImageFolder OpenImages(string directory, IReadOnlyList<string>? classes, ILogger logger) =>
        ImageFolder.Open(directory, classes, logger);

    /// <summary>The images of a model of <paramref name="task"/>: an image folder (classification) or a manifest (.csv/.tsv, any task).</summary>
    public static ImageFolder OpenImages(string path, TaskKind task, IReadOnlyList<string>? names, ILogger logger) =>
        ImageFolder.OpenForTask(path, task, names, logger);

    /// <summary>The training and validation images of a run of a model of <paramref name="task"/> (folders or manifests).</summary>
    public static TrainingData OpenTrainingData(string trainPath, string? validationPath, TaskKind task, IReadOnlyList<string> names, double? validationSplit, int seed, ILogger logger) =>
        TrainingData.OpenForTask(trainPath, validationPath, task, names, validationSplit, seed, logger);

    /// <summary>The training and validation images of a run.</summary>
    public static TrainingData OpenTrainingData(string trainDirectory, string? validationDirectory, IReadOnlyList<string> declaredClasses, double? validationSplit, int seed, ILogger logger) =>
        TrainingData.Open(trainDirectory, validationDirectory, declaredClasses, validationSplit, seed, logger);

    /// <summary>The features <c>Train(FeatureSet)</c> trains and validates on: with the spec's validation split when no validation features are given.</summary>
    public static FeatureSplit SplitFeatures(FeatureSet train, FeatureSet? validation, double? validationSplit, int seed, ILogger logger) =>
        FeatureSplit.Of(train, validation, validationSplit, seed, logger);

    /// <summary>The backbone's features for every image of the folder, from the feature cache when possible.</summary>
    public static FeatureSet Extract(Backbone backbone, ImageFolder images, ModelOptions options, Device device) =>
        FeatureExtractor.Extract(backbone, images, options, device, engine: () => Inference.InferenceEngines.Forward(options, backbone, device, "Extract"));

    /// <summary>Batches of preprocessed images, optionally shuffled and augmented with a seed.</summary>
    public static IEnumerable<ImageBatch> ReadImages(ImageFolder images, ImageInput input, int batchSize, bool shuffle = false, int seed = 0, Augmentation? augmentation = null) =>
        ImageBatches.Read(images, input, batchSize, shuffle, seed, augmentation);

    /// <summary>One image file, preprocessed for the backbone.</summary>
    /// <exception cref="ImageLoadException">The file is missing, not an image, or too large.</exception>
    public static Tensor DecodeImage(string path, ImageInput input) => ImageDecoder.Decode(path, input);

    /// <summary>One image from a stream, preprocessed for the backbone.</summary>
    /// <exception cref="ImageLoadException">The stream does not hold a readable image.</exception>
    public static Tensor DecodeImage(Stream stream, ImageInput input, string name) => ImageDecoder.Decode(stream, input, name);

    /// <summary>One image file as RGB planes [3 * H * W] in [0, 1] at the backbone's input size, not yet normalised (for Explain).</summary>
    /// <exception cref="ImageLoadException">The file is missing, not an image, or too large.</exception>
    public static float[] DecodePixels(string path, ImageInput input) => ImageDecoder.DecodePixels(path, input);

    /// <summary>One image from a stream as RGB planes [3 * H * W] in [0, 1] at the backbone's input size, not yet normalised.</summary>
    /// <exception cref="ImageLoadException">The stream does not hold a readable image.</exception>
    public static float[] DecodePixels(Stream stream, ImageInput input, string name) => ImageDecoder.DecodePixels(stream, input, name);

    /// <summary>
    /// The Grad-CAM explanation of one image (RGB planes from <see cref="DecodePixels(string, ImageInput)"/>) for the
    /// class <paramref name="classIndex"/>, or the predicted class when null; the modules' training modes, the
    /// parameters' gradients and <c>requires_grad</c> are left as they were.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class of the model.</exception>
    /// <exception cref="InvalidOperationException">The backbone's output is not feature maps [N, C, h, w].</exception>
    public static Explanation<TLabel> Explain<TLabel>(Backbone backbone, Head head, float[] pixels, int? classIndex, IReadOnlyList<string> classes, Func<int, TLabel> labelOf, Device device) =>
        GradCam.Explain(backbone, head, pixels, classIndex, classes, labelOf, device);

    /// <summary>The index of the class called <paramref name="className"/> (exactly, else ignoring case).</summary>
    /// <exception cref="ArgumentException">No class has that name.</exception>
    public static int ClassIndex(string className, IReadOnlyList<string> classes) => ClassNames.IndexOf(className, classes);

    /// <summary>The optimizer the settings describe, over the head's and the backbone's trainable parameters.</summary>
    public static optim.Optimizer CreateOptimizer(OptimizerSettings settings, IEnumerable<Parameter> head, IEnumerable<Parameter>? backbone = null) =>
        Optimizers.Create(settings, head, backbone);

    /// <summary>The learning-rate schedule the settings describe, over a phase of <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule CreateSchedule(ScheduleSettings settings, optim.Optimizer optimizer, int epochs) =>
        LearningRateSchedule.Create(settings, optimizer, epochs);

    /// <summary>Saves a model's weights and class names to one checksummed file, atomically.</summary>
    public static void SaveModel(nn.Module model, string path, string modelName, string fingerprint, IReadOnlyList<string> classes) =>
        ModelFile.Save(model, path, modelName, fingerprint, classes);

    /// <summary>Loads weights saved by <see cref="SaveModel"/> and returns the class names.</summary>
    /// <exception cref="ModelFileException">The file is missing, damaged, older, or saved by another model.</exception>
    public static IReadOnlyList<string> LoadModel(nn.Module model, string path, string modelName, string fingerprint) =>
        LoadModel(model, path, modelName, fingerprint, declaredClasses: []);

    /// <summary>
    /// Loads weights saved by <see cref="SaveModel"/> and returns the class names, which must be
    /// <paramref name="declaredClasses"/> (the spec's labels, in output order, ignoring case) when the spec declares any.
    /// </summary>
    /// <exception cref="ModelFileException">The file is missing, damaged, older, saved by another model, or saved with other classes.</exception>
    public static IReadOnlyList<string> LoadModel(nn.Module model, string path, string modelName, string fingerprint, IReadOnlyList<string> declaredClasses)
    {
        var classes = ModelFile.Load(model, path, modelName, fingerprint, declaredClasses);
        foreach (var head in model.modules().OfType<Head>())
        {
            head.IsTrained = true;
        }

        return classes;
    }

    /// <summary>
    /// Before Evaluate or Predict: a warning (<see cref="LogEvents.HeadNotTrained"/>, once per model) when the
    /// head was never trained nor loaded, so that its random outputs are not taken for a result.
    /// </summary>
    public static void WarnIfUntrained(Head head, string modelName, string operation, ILogger logger)
    {
        if (!head.IsTrained && !head.UntrainedReported)
        {
            head.UntrainedReported = true;
            logger.HeadNotTrained(modelName, operation);
        }
    }

    /// <summary>What a run on image folders trains on, for its <see cref="RunIdentity"/>: the folders, their image counts and the classes.</summary>
    public static string DataIdentity(TrainingData data) => Training.DataIdentity.Of(data);

    /// <summary>What a run on extracted features trains on, for its <see cref="RunIdentity"/>: their sizes, a hash of their content, and the classes.</summary>
    public static string DataIdentity(FeatureSet train, FeatureSet? validation) => Training.DataIdentity.Of(train, validation);

    /// <summary>
    /// The class weights of a run (<c>training.class_weights</c>) as a [K] tensor on <paramref name="device"/>,
    /// from the class counts of the training features; logged (event 3045).
    /// </summary>
    public static Tensor ClassWeights(ClassWeighting weighting, FeatureSet train, IReadOnlyList<string> classes, Device device, string modelName, ILogger logger)
    {
        using var counts = train.Labels.bincount(null, minlength: classes.Count);
        return ClassWeights(weighting, counts.data<long>().ToArray(), classes, device, modelName, logger);
    }

    /// <summary>The class weights of a run on image folders, from the class counts of the training images; logged (event 3045).</summary>
    public static Tensor ClassWeights(ClassWeighting weighting, ImageFolder train, IReadOnlyList<string> classes, Device device, string modelName, ILogger logger)
    {
        var counts = new long[classes.Count];
        foreach (var sample in train.Samples)
        {
            counts[sample.Label]++;
        }

        return ClassWeights(weighting, counts, classes, device, modelName, logger);
    }

    /// <summary>The categorical loss with class weights and focal loss (<see cref="Losses.Categorical"/>).</summary>
    public static Tensor CategoricalLoss(Tensor logits, Tensor labels, Tensor? weights, double focalGamma, double labelSmoothing) =>
        Losses.Categorical(logits, labels, weights, focalGamma, labelSmoothing);

    /// <summary>The binary loss with class weights and focal loss (<see cref="Losses.Binary"/>).</summary>
    public static Tensor BinaryLoss(Tensor logits, Tensor labels, Tensor? weights, double focalGamma, double labelSmoothing) =>
        Losses.Binary(logits, labels, weights, focalGamma, labelSmoothing);

    /// <summary>
    /// The categorical loss on mixed targets (augment.mixup, augment.cutmix): <paramref name="targets"/> [N, K] rows of class
    /// shares (<see cref="ImageBatch.Targets"/>); see <see cref="Losses.SoftCategorical"/>.
    /// </summary>
    public static Tensor MixedCategoricalLoss(Tensor logits, Tensor targets, Tensor? weights, double labelSmoothing) =>
        Losses.SoftCategorical(logits, targets, weights, labelSmoothing);

    /// <summary>
    /// The binary loss on mixed targets: <paramref name="targets"/> [N, 2] rows of the shares of class 0 and class 1
    /// (<see cref="ImageBatch.Targets"/>), of which the share of class 1 is the target; see <see cref="Losses.SoftBinary"/>.
    /// </summary>
    public static Tensor MixedBinaryLoss(Tensor logits, Tensor targets, Tensor? weights, double labelSmoothing)
    {
        using var positive = targets.select(1, 1);
        return Losses.SoftBinary(logits, positive, weights, labelSmoothing);
    }
    /// <summary><c>loss: mse</c> of a regression model: the mean squared error over predictions and targets [N, T] (<see cref="RegressionLosses.MeanSquaredError"/>).</summary>
    public static Tensor MeanSquaredErrorLoss(Tensor predictions, Tensor targets) =>
        RegressionLosses.MeanSquaredError(predictions, targets);

    /// <summary><c>loss: huber</c> of a regression model: PyTorch's Huber loss with δ <paramref name="delta"/> (<see cref="RegressionLosses.Huber"/>).</summary>
    public static Tensor HuberLoss(Tensor predictions, Tensor targets, double delta) =>
        RegressionLosses.Huber(predictions, targets, delta);

    /// <summary>Writes the backbone and head to ONNX (opset 17), atomically.</summary>
    public static void ExportOnnx(Backbone backbone, Head head, OnnxExportInfo info, string path, bool includePreprocessing) =>
        OnnxExporter.Export(backbone, head, info, path, includePreprocessing);

    /// <summary>
    /// Evaluate with a report: scores the images once, writes report.html to <paramref name="reportPath"/> (a failure
    /// to write it is a warning) and returns the evaluation.
    /// </summary>
    public static EvaluationResult EvaluateWithReport(ReportSubject subject, ImageFolder images, int batchSize, string reportPath, ILogger logger) =>
        EvaluationReport.Evaluate(subject, images, batchSize, reportPath, logger);

    /// <summary>
    /// <c>Evaluate</c> with test-time augmentation: every image's probabilities averaged over its views; the loss is the
    /// cross-entropy of the averaged probabilities. With <paramref name="reportPath"/>, also the report page.
    /// </summary>
    public static EvaluationResult EvaluateAugmented(ReportSubject subject, ImageFolder images, int batchSize, TestTimeAugmentation augmentation, string? reportPath, ILogger logger) =>
        reportPath is null
            ? ScoredSet.Of(subject, images, batchSize, augmentation).Evaluation
            : EvaluationReport.Evaluate(subject, images, batchSize, reportPath, logger, augmentation);

    /// <summary>The input images are read at for <paramref name="augmentation"/>: larger than the model's for 5 crops.</summary>
    public static ImageInput TestTimeInput(ImageInput input, TestTimeAugmentation augmentation) => TestTimeViews.ReadInput(input, augmentation);

    /// <summary>
    /// The probabilities [N, classes] of <paramref name="score"/> averaged over the views of <paramref name="images"/>
    /// (read at <see cref="TestTimeInput"/>).
    /// </summary>
    public static Tensor TestTimeProbabilities(Func<Tensor, Tensor> score, Tensor images, ImageInput input, TestTimeAugmentation augmentation) =>
        TestTimeViews.Probabilities(score, images, input, augmentation);

    private static Tensor ClassWeights(ClassWeighting weighting, long[] counts, IReadOnlyList<string> classes, Device device, string modelName, ILogger logger)
    {
        var weights = weighting.WeightsFor(classes, counts);
        logger.ClassWeightsUsed(modelName, weighting.IsBalanced ? "balanced" : "explicit", string.Join(", ", classes.Select((name, i) => $"{name} {weights[i]:0.###} ({counts[i]} images)")));
        return tensor(weights.Select(w => (float)w).ToArray(), device: device);
    }
}
