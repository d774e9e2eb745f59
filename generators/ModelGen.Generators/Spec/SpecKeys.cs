using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Generators.Spec;

/// <summary>The keys each part of a spec accepts (case-sensitive snake_case); the value words are in <see cref="ModelGen.Shared.SpecWords"/>.</summary>
internal static class SpecKeys
{
    public static readonly string[] Root = ["model", "namespace", "description", "input", "task", "labels", "targets", "backbone", "freeze", "batch_norm", "head", "training"];
    public static readonly string[] Input = ["size", "channels"];
    public static readonly string[] Backbone = ["architecture", "weights", "weights_sha256", "path", "truncate_at", "feature_shape"];
    public static readonly string[] Freeze = ["trainable_from", "frozen_through"];
    public static readonly string[] Dense = ["dense", "activation"];
    public static readonly string[] Dropout = ["dropout"];
    public static readonly string[] HeadKinds = ["flatten", "global_avg_pool", "global_max_pool", "dense", "dropout"];
    public static readonly string[] Training = ["batch_size", "seed", "loss", "metrics", "feature_cache", "augment", "early_stopping", "checkpoints", "epochs", "optimizer", "phases", "schedule", "validation_split", "label_smoothing", "class_weights", "focal_gamma", "grad_clip_norm", "accumulate_batches", "ema", "huber_delta"];
    public static readonly string[] Phase = ["name", "epochs", "freeze", "optimizer", "augment", "batch_size", "feature_cache", "schedule", "grad_clip_norm", "accumulate_batches"];
    public static readonly string[] Optimizer = ["type", "lr", "momentum", "weight_decay", "nesterov", "backbone_lr"];
    public static readonly string[] Augment = ["rotation", "width_shift", "height_shift", "shear", "zoom", "horizontal_flip", "vertical_flip", "brightness", "fill", "rand_augment", "trivial_augment", "random_erasing", "mixup", "cutmix", "mix_probability"];
    public static readonly string[] Mixing = ["alpha"];
    public static readonly string[] RandAugment = ["n", "magnitude"];
    public static readonly string[] RandomErasing = ["p", "scale", "ratio", "value"];
    public static readonly string[] EarlyStopping = ["monitor", "patience", "restore_best", "min_delta"];
    public static readonly string[] Checkpoints = ["dir", "keep"];
    public static readonly string[] Schedule = ["type", "step_size", "gamma", "factor", "patience", "min_lr", "warmup_epochs", "max_lr", "pct_start", "div_factor", "final_div_factor"];
    public static readonly string[] Ema = ["decay"];

    /// <summary>The mappings a key is written in, by their path in the spec, for "belongs under" hints.</summary>
    private static readonly (string Path, string[] Keys)[] Mappings =
    [
        ("the top level", Root),
        ("input", Input),
        ("backbone", Backbone),
        ("freeze", Freeze),
        ("training", Training),
        ("training.phases[]", Phase),
        ("training.optimizer", Optimizer),
        ("training.augment", Augment),
        ("training.augment.rand_augment", RandAugment),
        ("training.augment.random_erasing", RandomErasing),
        ("training.augment.mixup", Mixing),
        ("training.augment.cutmix", Mixing),
        ("training.early_stopping", EarlyStopping),
        ("training.checkpoints", Checkpoints),
        ("training.schedule", Schedule),
        ("training.ema", Ema),
    ];

    /// <summary>The mappings where <paramref name="key"/> is valid, for a key written in the wrong one: empty when none.</summary>
    public static List<string> ValidUnder(string key) => Mappings.Where(m => Array.IndexOf(m.Keys, key) >= 0).Select(m => m.Path).ToList();
}
