#!/usr/bin/env python3
"""The PyTorch side of ModelGen's comparison; `dotnet run -c Release --project bench/ModelGen.Benchmarks -- compare` runs both.

Same work as `ModelGen.Benchmarks compare`: torchvision's resnet18 cut after layer3 (random weights:
speed does not depend on them), 128x128 inputs from the Fashion-MNIST mini images, batch 32, the same
thread count. Prints one JSON object of measurements.
"""
import json, os, random, resource, shutil, statistics, sys, tempfile, time

import torch
import torchvision
from PIL import Image
from torchvision import transforms

DATA = sys.argv[1]
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(THREADS)
torch.manual_seed(0)
SIZE, BATCH = 128, 32
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def files(split):
    classes = sorted(os.listdir(os.path.join(DATA, split)))
    return [(os.path.join(DATA, split, c, f), i) for i, c in enumerate(classes) for f in sorted(os.listdir(os.path.join(DATA, split, c)))]


def status(field):
    with open("/proc/self/status") as lines:
        for line in lines:
            if line.startswith(field):
                return int(line.split()[1]) / 1024


def rss_mb():
    return status("VmRSS:")


class Folder(torch.utils.data.Dataset):
    def __init__(self, items, transform):
        self.items, self.transform = items, transform

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, label = self.items[i]
        return self.transform(Image.open(path).convert("RGB")), label


plain = transforms.Compose([transforms.Resize((SIZE, SIZE)), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
augmented = transforms.Compose([
    transforms.Resize((SIZE, SIZE)),
    transforms.RandomAffine(degrees=10, translate=(0.1, 0.1)),
    transforms.RandomHorizontalFlip(),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD)])


def base():
    net = torchvision.models.resnet18()
    return torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3)


def head():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(256 * 8 * 8, 256), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(256, 10))


def loader(items, transform, shuffle, workers):
    return torch.utils.data.DataLoader(Folder(items, transform), batch_size=BATCH, shuffle=shuffle, num_workers=workers, persistent_workers=False)


results = {"threads": THREADS, "torch": torch.__version__}
trace, peaks = results["rss_trace_mb"], results["peak_trace_mb"] = {}, {}


def mark(stage):
    """Records the resident memory now and its peak since the last mark, then resets the peak."""
    trace[stage] = rss_mb()
    peaks[stage] = status("VmHWM:")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


mark("start")
train = files("train")

# Matrix multiply rate: the ceiling for convolutions and dense layers.
a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
torch.mm(a, b)
times = []
for _ in range(5):
    start = time.perf_counter()
    torch.mm(a, b)
    times.append(time.perf_counter() - start)
results["matmul_gflops"] = 2 * 2048 ** 3 / statistics.median(times) / 1e9
del a, b
mark("torch")

# The network alone, inference.
net = base().eval()
mark("model")
batch = torch.randn(BATCH, 3, SIZE, SIZE)
with torch.inference_mode():
    net(batch)
    times = []
    for _ in range(8):
        start = time.perf_counter()
        net(batch)
        times.append(time.perf_counter() - start)
results["network_images_per_s"] = BATCH / statistics.median(times)
mark("network")

# Extract: decode + resize + network over 1,000 images, and the features saved to disk (method 1 keeps
# them; ModelGen's Extract writes its feature cache); the faster of 0 and THREADS loader workers.
best = 0
store = tempfile.mkdtemp(prefix="modelgen-compare-")
for workers in (0, THREADS):
    start = time.perf_counter()
    features, labels = [], []
    with torch.inference_mode():
        for images, targets in loader(train, plain, False, workers):
            features.append(net(images))
            labels.append(targets)
    features, labels = torch.cat(features).clone(), torch.cat(labels).clone()
    torch.save({"features": features, "labels": labels}, os.path.join(store, "features.pt.tmp"))
    os.replace(os.path.join(store, "features.pt.tmp"), os.path.join(store, "features.pt"))
    elapsed = time.perf_counter() - start
    rate = len(train) / elapsed
    if rate > best:
        best, results["extract_workers"] = rate, workers
results["extract_images_per_s"] = best
shutil.rmtree(store)
mark("extract")

# A training epoch on cached features (the head alone).
classifier = head()
optimizer = torch.optim.Adam(classifier.parameters(), lr=1e-4)
loss_fn = torch.nn.CrossEntropyLoss()
times = []
for epoch in range(5):
    classifier.train()
    order = torch.randperm(len(features))
    start = time.perf_counter()
    for i in range(0, len(order), BATCH):
        index = order[i:i + BATCH]
        logits = classifier(features[index])
        loss = loss_fn(logits, labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    times.append(time.perf_counter() - start)
results["features_epoch_samples_per_s"] = len(features) / statistics.median(times[1:])
mark("features_epochs")


def image_epochs(trainable_layer3, epochs, workers):
    """Epochs on images with augmentation: the base frozen (no gradients) or layer3 trainable."""
    model_base, classifier = base(), head()
    for p in model_base.parameters():
        p.requires_grad = False
    parameters = list(classifier.parameters())
    if trainable_layer3:
        for p in model_base[6].parameters():
            p.requires_grad = True
        parameters += list(model_base[6].parameters())
    optimizer = torch.optim.Adam(parameters, lr=1e-4)
    rates, memory = [], []
    for epoch in range(epochs):
        model_base.eval()
        if trainable_layer3:
            model_base[6].train()
        classifier.train()
        start = time.perf_counter()
        for images, targets in loader(train, augmented, True, workers):
            if trainable_layer3:
                logits = classifier(model_base(images))
            else:
                with torch.no_grad():
                    feats = model_base(images)
                logits = classifier(feats)
            loss = loss_fn(logits, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()
        rates.append(len(train) / (time.perf_counter() - start))
        memory.append(rss_mb())
    return rates, memory


for name, trainable in (("augmented_epoch", False), ("finetune_epoch", True)):
    best, best_memory = None, None
    for workers in (0, THREADS):
        rates, memory = image_epochs(trainable, 3, workers)
        rate = statistics.median(rates[1:])
        if best is None or rate > best:
            best, best_memory, results[name + "_workers"] = rate, memory, workers
    results[name + "_images_per_s"] = best
    results[name + "_rss_mb"] = best_memory
    mark(name + "s")

# Predict: one image, decode to probabilities.
model = torch.nn.Sequential(base(), head()).eval()
path = train[0][0]
times = []
with torch.inference_mode():
    for i in range(30):
        start = time.perf_counter()
        x = plain(Image.open(path).convert("RGB")).unsqueeze(0)
        probabilities = torch.softmax(model(x), 1)
        probabilities.tolist()
        times.append(time.perf_counter() - start)
results["predict_ms"] = statistics.median(times[5:]) * 1000
times = []
for i in range(30):
    start = time.perf_counter()
    plain(Image.open(path).convert("RGB"))
    times.append(time.perf_counter() - start)
results["predict_decode_ms"] = statistics.median(times[5:]) * 1000
one, times = torch.randn(1, 3, SIZE, SIZE), []
with torch.inference_mode():
    for i in range(30):
        start = time.perf_counter()
        torch.softmax(model(one), 1)
        times.append(time.perf_counter() - start)
results["predict_network_ms"] = statistics.median(times[5:]) * 1000
mark("predict")
results["peak_rss_mb"] = max(peaks.values())
results["worker_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
results["rss_mb"] = rss_mb()
print(json.dumps(results))
