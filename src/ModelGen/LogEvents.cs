namespace ModelGen;

/// <summary>
/// The event ids of what ModelGen writes to <see cref="ModelOptions.Logger"/> (and <see cref="TrainOptions.Logger"/>),
/// for filtering; each event's name is the name of its constant. 1xxx: images and features; 2xxx: weights;
/// 3xxx: training. Every message is structured: its values (paths, reasons, metrics) are named properties.
/// </summary>
public static class LogEvents
{
    /// <summary>Warning: an image could not be read and is skipped (properties <c>ImagePath</c>, <c>Reason</c>); once per file.</summary>
    public const int ImageSkipped = 1001;

    /// <summary>Information: a pass of the backbone over an image folder ended (the features' shape, images, skipped, speed).</summary>
    public const int FeaturesExtracted = 1002;

    /// <summary>Information: <c>Train(FeatureSet)</c> without validation features held out the spec's <c>training.validation_split</c> of the training features.</summary>
    public const int ValidationSplitHeldOut = 1003;

    /// <summary>
    /// Information: <c>Train(directory)</c> without a validation folder held out the spec's <c>training.validation_split</c>
    /// of each class of the training images (properties <c>Held</c>, <c>Total</c>, <c>Split</c>, <c>Seed</c>, <c>PerClass</c>).
    /// </summary>
    public const int ValidationSplitImagesHeldOut = 1004;

    /// <summary>
    /// Error: a row of a manifest (CSV/TSV) cannot be used (a missing image, an unknown label, a path outside the
    /// manifest's folder, a missing or non-numeric target, the wrong number of fields; properties <c>ManifestPath</c>,
    /// <c>Row</c>, <c>Reason</c>); it is skipped and counted with the unreadable images.
    /// </summary>
    public const int ManifestRowSkipped = 1005;

    /// <summary>
    /// Information: the engine that runs an inference-only pass, LibTorch or ONNX Runtime, and why (properties <c>Pass</c>,
    /// <c>Engine</c>: torch or onnxruntime, <c>Reason</c>); see <see cref="ModelOptions.InferenceEngine"/>. So far only <c>Extract</c> asks.
    /// </summary>
    public const int InferenceEngineChosen = 1006;

    /// <summary>Debug: extracted features were found in the feature cache.</summary>
    public const int FeatureCacheHit = 1101;

    /// <summary>Debug: the feature cache has no entry for the images and backbone; they are extracted.</summary>
    public const int FeatureCacheMiss = 1102;

    /// <summary>Debug: extracted features were stored in the feature cache.</summary>
    public const int FeatureCacheStored = 1103;

    /// <summary>
    /// Warning: a feature cache entry is damaged, or does not fit the images and backbone it is stored for (forged);
    /// it is deleted and the features are extracted again.
    /// </summary>
    public const int FeatureCacheEntryDamaged = 1104;

    /// <summary>
    /// Warning: extracted features could not be stored in the feature cache (a file where its folder should be, no
    /// permission, a full disk; properties <c>CachePath</c>, <c>Reason</c>); they are returned all the same.
    /// </summary>
    public const int FeatureCacheNotStored = 1105;

    /// <summary>Warning: tensors of a weights file belong to no layer of the backbone's network and were ignored.</summary>
    public const int UnusedWeights = 2001;

    /// <summary>
    /// Information: a weights file (official, or a spec's URL or Hub file) is being downloaded (properties <c>Url</c>, <c>PartialPath</c>,
    /// <c>TotalBytes</c>, <c>ResumedFrom</c>: the bytes already in the partial file); once per attempt.
    /// </summary>
    public const int WeightsDownloadStarted = 2002;

    /// <summary>
    /// Information: a weights file was downloaded and verified (<c>Url</c>, <c>WeightsPath</c>, <c>Bytes</c>,
    /// <c>Seconds</c>, <c>Sha256</c>: the file's full SHA-256).
    /// </summary>
    public const int WeightsDownloaded = 2003;

    /// <summary>Warning: a weights download attempt failed (network, timeout, 5xx/408/429) and is retried after a delay.</summary>
    public const int WeightsDownloadRetrying = 2004;

    /// <summary>Information: another process is downloading the same weights file; this one waits for its lock.</summary>
    public const int WaitingForWeightsDownload = 2005;

    /// <summary>
    /// Warning: a Hugging Face Hub file was downloaded without <c>backbone.weights_sha256</c>, so nothing pins its
    /// bytes (properties <c>Reference</c>, <c>Sha256</c>: the value to write in the spec to pin it).
    /// </summary>
    public const int WeightsNotPinned = 2006;

    /// <summary>
    /// Warning: LibTorch's CPU convolution of the kind that oneDNN's AVX-512 kernel gets wrong is still wrong in
    /// this process (properties <c>Error</c>, <c>Decision</c>); set <c>ONEDNN_MAX_CPU_ISA=AVX2</c> before the process
    /// starts (see ModelGen.OneDnnIsa).
    /// </summary>
    public const int WrongConvolutions = 2010;

    /// <summary>Debug: what ModelGen decided about oneDNN's instruction set, and that the affected convolution checks out (properties <c>Decision</c>, <c>Error</c>).</summary>
    public const int ConvolutionsChecked = 2011;

    /// <summary>Information: an epoch ended, without validation data (loss, accuracy, learning rate, time, speed).</summary>
    public const int EpochCompleted = 3001;

    /// <summary>Information: an epoch ended, with validation loss and accuracy.</summary>
    public const int EpochCompletedWithValidation = 3002;

    /// <summary>Information: progress within long work (an epoch, an extraction), about every 30 seconds in <see cref="ProgressMode.Lines"/>.</summary>
    public const int Progress = 3003;

    /// <summary>Information: a phase ended, without validation data (its epochs, time, speed, last loss and accuracy).</summary>
    public const int PhaseFinished = 3004;

    /// <summary>Information: a phase ended, with its last validation loss and accuracy and its best validation accuracy.</summary>
    public const int PhaseFinishedWithValidation = 3005;

    /// <summary>Information: a regression model's epoch ended (task: regression; loss and mean absolute error in place of accuracy).</summary>
    public const int RegressionEpochCompleted = 3006;

    /// <summary>Information: a regression model's epoch ended, with the validation loss, mean absolute error and R².</summary>
    public const int RegressionEpochCompletedWithValidation = 3007;

    /// <summary>Information: a regression model's phase ended (epochs, time, speed, last loss and mean absolute error).</summary>
    public const int RegressionPhaseFinished = 3008;

    /// <summary>Information: a regression model's phase ended, with the last validation figures and the best validation R².</summary>
    public const int RegressionPhaseFinishedWithValidation = 3009;

    /// <summary>Information: a run resumes from a checkpoint.</summary>
    public const int Resuming = 3010;

    /// <summary>Warning: resuming was asked for but there is no checkpoint (or checkpoints are off); the run starts fresh.</summary>
    public const int NothingToResume = 3011;

    /// <summary>
    /// Information: a run's checkpoint took the place of checkpoints of older runs of the model (or of an older
    /// ModelGen) in its folder, which were removed to keep the folder's number of checkpoints.
    /// </summary>
    public const int CheckpointsOfOtherRunsRemoved = 3012;

    /// <summary>
    /// Information, once per run: where its checkpoints go, how large each is and how many are kept. A
    /// checkpoint holds what trains (the head, the unfrozen layers, batch-norm statistics), not the frozen layers.
    /// </summary>
    public const int CheckpointsWritten = 3013;

    /// <summary>Information: the spec says <c>checkpoints: none</c>, but <see cref="TrainOptions.CheckpointDirectory"/> names a folder, which wins.</summary>
    public const int CheckpointsDespiteSpec = 3014;

    /// <summary>Information: early stopping ended a phase.</summary>
    public const int EarlyStopped = 3020;

    /// <summary>Information: a phase ended with the weights of its best epoch (early stopping's <c>restore_best</c>).</summary>
    public const int BestWeightsRestored = 3021;

    /// <summary>Warning: early stopping monitors a validation value but there is no validation data; it watches the training value instead.</summary>
    public const int MonitorWithoutValidation = 3022;

    /// <summary>Warning: the best weights a stopped run kept cannot be used (damaged, truncated, another run's); they are not loaded.</summary>
    public const int BestWeightsUnusable = 3023;

    /// <summary>Warning, once per model: Evaluate or Predict on a head that was never trained nor loaded (its weights are random).</summary>
    public const int HeadNotTrained = 3040;

    /// <summary>Information: a run finished; the history and curves are written, and the report (report.html) of a generated model.</summary>
    public const int TrainingFinished = 3030;

    /// <summary>Warning: a run ended without finishing (training threw); the history of the epochs run so far is written.</summary>
    public const int TrainingInterrupted = 3031;

    /// <summary>Error: the history of an interrupted run could not be written.</summary>
    public const int HistoryNotWritten = 3032;

    /// <summary>Training weighs the loss per class (training.class_weights): the weights used.</summary>
    public const int ClassWeightsUsed = 3045;

    /// <summary>
    /// Information, once per phase: how the phase mixes its training batches (augment.mixup, augment.cutmix), or that it
    /// does not because it trains on fixed features.
    /// </summary>
    public const int BatchesMixed = 3046;

    /// <summary>
    /// Information: a generated <c>FindLearningRate</c> (the learning-rate range test) starts: steps, range and when it
    /// stops early.
    /// </summary>
    public const int LearningRateFinderStarted = 3060;

    /// <summary>Debug: one step of the learning-rate finder (<c>Step</c>, <c>LearningRate</c>, <c>Loss</c>, <c>SmoothedLoss</c>).</summary>
    public const int LearningRateFinderStep = 3061;

    /// <summary>Information: the learning-rate finder stopped early: its smoothed loss diverged (or was not a number).</summary>
    public const int LearningRateFinderStoppedEarly = 3062;

    /// <summary>Information: the learning-rate finder ended: its steps, time, suggestion, lowest loss and plot; the model is as it was.</summary>
    public const int LearningRateFinderFinished = 3063;

    /// <summary>Warning: the learning-rate finder's smoothed loss never fell, so it suggests no learning rate.</summary>
    public const int LearningRateFinderNoSuggestion = 3064;

    /// <summary>Information: <c>Evaluate</c> wrote its report (report.html) where the caller asked.</summary>
    public const int ReportWritten = 3050;

    /// <summary>
    /// Warning: a run report (report.html) could not be made or written (the disk, an image, the plotting library); the
    /// training or evaluation it reports on is unaffected.
    /// </summary>
    public const int ReportNotWritten = 3051;
}
