"""Trains a LayerDsl model's PyTorch twin on Fashion-MNIST with DistributedDataParallel.

Written by `compare --export DIR` next to each model's model.py and weights.pt. Needs PyTorch 1.13 or newer (no
torchvision). Runs under torchrun, which sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT:

    torchrun --nproc_per_node=2 train_ddp.py --model StandardCnn/model.py --class StandardCnn

and equally with those variables set by hand, one process per rank, or without them as a single process. The backend
is gloo on CPUs and nccl when CUDA is available (one GPU per process, cuda:LOCAL_RANK); --backend overrides it.

The data and the training match LayerDsl's `compare`: the same four IDX files, found in the same places (--data, then
$FASHION_MNIST_DIR, then /usr/share/datasets/fashion-mnist, then the per-user cache), the same images (bytes divided
by 255 in float32, [N, 1, 28, 28]), the first --train-limit / --test-limit images, cross-entropy on the model's
forward_logits, and the same optimizers and defaults (RMSprop lr 1e-3 alpha 0.99 eps 1e-8; Adam; SGD without
momentum). --batch-size is global, as in compare: the images of one optimisation step over all processes, split
evenly between them. No image transforms and no augmentation.

Rank 0 then scores the model on the test images (accuracy and mean cross-entropy, 1000 images at a time, as LayerDsl's
Evaluator does), prints the result, and writes OUT/weights.pt (the bare model's state_dict, on the CPU, in torch.save's
zip format: LoadFromPyTorch reads it) and OUT/result.json. Exit codes: 0 done, 1 a data or model problem, 2 a usage
error.
"""

import argparse
import gzip
import importlib.util
import json
import math
import os
import sys
import time
from collections import OrderedDict
from datetime import timedelta

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

IMAGE_SIZE = 28
CLASSES = 10
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
DATA_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
SYSTEM_DATA = "/usr/share/datasets/fashion-mnist"
EVALUATION_BATCH = 1000


class Failure(Exception):
    """A problem the user can fix, reported as one line and exit code 1 (2 for a usage error)."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Train a LayerDsl model's PyTorch twin on Fashion-MNIST with DistributedDataParallel "
        "(under torchrun, with RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT/LOCAL_RANK set by hand, or as one process).")
    parser.add_argument("--model", required=True, metavar="FILE", help="the model.py written by compare --export")
    parser.add_argument("--class", dest="class_name", metavar="NAME",
                        help="the model's class in that file (default: the name of the file's folder)")
    parser.add_argument("--data", metavar="DIR",
                        help="folder of the four Fashion-MNIST files; default: $FASHION_MNIST_DIR, then "
                        f"{SYSTEM_DATA}, then the per-user cache ($XDG_CACHE_HOME or ~/.cache)/layerdsl/fashion-mnist")
    parser.add_argument("--epochs", type=positive, default=1, help="passes over the training set (default 1)")
    parser.add_argument("--batch-size", type=positive, default=128,
                        help="global batch: images per optimisation step over all processes, split evenly between "
                        "them (default 128, as compare)")
    parser.add_argument("--lr", type=positive_number, default=1e-3, help="learning rate (default 1e-3)")
    parser.add_argument("--optimizer", choices=("rmsprop", "adam", "sgd"), default="rmsprop",
                        help="rmsprop (alpha 0.99, eps 1e-8, the default), adam or sgd (no momentum)")
    parser.add_argument("--seed", type=non_negative, default=0,
                        help="seed of the initial weights (without --init) and of the shuffling (default 0)")
    parser.add_argument("--train-limit", type=positive, metavar="N", help="train on the first N training images only")
    parser.add_argument("--test-limit", type=positive, metavar="N", help="score on the first N test images only")
    parser.add_argument("--init", metavar="FILE", help="start from these weights (the weights.pt compare --export wrote)")
    parser.add_argument("--out", metavar="DIR",
                        help="where rank 0 writes weights.pt and result.json (default: ddp/ beside the model file)")
    parser.add_argument("--backend", choices=("auto", "gloo", "nccl"), default="auto",
                        help="process-group backend: auto is nccl when CUDA is available, else gloo; nccl trains on "
                        "the GPU cuda:LOCAL_RANK, gloo on the CPU")
    parser.add_argument("--threads", type=positive, metavar="N", help="intra-op CPU threads per process")
    return parser.parse_args(argv)


def whole_number(minimum):
    """An argparse type: a whole number of at least `minimum`, with an error that says so."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text}: not a whole number; give a whole number of at least {minimum}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text}: must be at least {minimum}")
        return value
    return parse


positive = whole_number(1)
non_negative = whole_number(0)


def positive_number(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: not a number; give a positive number such as 0.001 or 1e-3")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text}: must be a positive number, such as 0.001 or 1e-3")
    return value


# ---------------------------------------------------------------------------------------------------------------------
# Fashion-MNIST, read and checked as LayerDsl's IdxReader does

def find_file(directory, name):
    """The .gz file, or the same file already decompressed (without .gz); None when neither exists."""
    compressed = os.path.join(directory, name)
    if os.path.isfile(compressed):
        return compressed
    plain = os.path.join(directory, name[:-len(".gz")])
    return plain if os.path.isfile(plain) else None


def missing_files(directory):
    if not os.path.isdir(directory):
        return list(DATA_FILES)
    return [name for name in DATA_FILES if find_file(directory, name) is None]


def locate_data(option):
    """The folder holding all four files, looked for where compare looks (without downloading)."""
    if option:
        directory = os.path.abspath(option)
        missing = missing_files(directory)
        if missing:
            raise Failure(f"--data {directory} lacks {', '.join(missing)}; point --data at the folder holding the "
                          "four Fashion-MNIST files")
        return directory
    candidates = []
    from_environment = os.environ.get("FASHION_MNIST_DIR")
    if from_environment:
        candidates.append(from_environment)
    candidates.append(SYSTEM_DATA)
    cache_root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append(os.path.join(cache_root, "layerdsl", "fashion-mnist"))
    for candidate in candidates:
        directory = os.path.abspath(candidate)
        if not missing_files(directory):
            return directory
    raise Failure(f"Fashion-MNIST not found (looked in {', '.join(candidates)}); install the Debian package "
                  "dataset-fashion-mnist, point --data or FASHION_MNIST_DIR at the four files, or run LayerDsl's "
                  "compare once with network access to download them")


def read_idx(path):
    with open(path, "rb") as file:
        start = file.read(2)
    opener = gzip.open if start == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as file:
            return file.read()
    except (OSError, EOFError) as error:
        raise Failure(f"{path}: corrupt gzip data: {error}")


def header(data, path, fields):
    if len(data) < 4 * fields:
        raise Failure(f"{path}: file truncated: it ends inside the header")
    return [int.from_bytes(data[4 * i:4 * i + 4], "big") for i in range(fields)]


def read_images(path):
    data = read_idx(path)
    magic, count, rows, columns = header(data, path, 4)
    if magic != IMAGES_MAGIC:
        raise Failure(f"{path}: not an IDX images file: magic number 0x{magic:08X}, expected 0x{IMAGES_MAGIC:08X}")
    if (rows, columns) != (IMAGE_SIZE, IMAGE_SIZE):
        raise Failure(f"{path}: images are {rows}x{columns}, expected {IMAGE_SIZE}x{IMAGE_SIZE}")
    expected = 16 + count * rows * columns
    if len(data) != expected:
        raise Failure(f"{path}: the header promises {count} images ({expected} bytes) but the file has {len(data)}")
    return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(count, 1, rows, columns)


def read_labels(path):
    data = read_idx(path)
    magic, count = header(data, path, 2)
    if magic != LABELS_MAGIC:
        raise Failure(f"{path}: not an IDX labels file: magic number 0x{magic:08X}, expected 0x{LABELS_MAGIC:08X}")
    if len(data) != 8 + count:
        raise Failure(f"{path}: the header promises {count} labels but the file has {len(data) - 8}")
    labels = torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8)
    if count and int(labels.max()) >= CLASSES:
        index = int((labels >= CLASSES).nonzero()[0])
        raise Failure(f"{path}: label {int(labels[index])} at index {index} is outside 0-{CLASSES - 1}")
    return labels


def load_split(directory, images_file, labels_file, limit):
    """The first `limit` images of a split as float32 [N, 1, 28, 28] in [0, 1] (bytes / 255) and int64 labels."""
    images_path = find_file(directory, images_file)
    labels_path = find_file(directory, labels_file)
    images = read_images(images_path)
    labels = read_labels(labels_path)
    if len(images) != len(labels):
        raise Failure(f"{labels_path}: has {len(labels)} labels but {images_path} has {len(images)} images")
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images.to(torch.float32).div_(255), labels.to(torch.int64)


# ---------------------------------------------------------------------------------------------------------------------
# The model

def load_model_class(path, class_name):
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise Failure(f"--model {path}: no such file; give the model.py that compare --export wrote", code=2)
    if class_name is None:
        class_name = os.path.basename(os.path.dirname(path)).split(".")[-1]
    spec = importlib.util.spec_from_file_location(f"layerdsl_twin_{class_name}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise Failure(f"--model {path}: cannot be imported: {type(error).__name__}: {error}")
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        defined = sorted(name for name, value in vars(module).items()
                         if isinstance(value, type) and issubclass(value, nn.Module) and value.__module__ == module.__name__)
        raise Failure(f"--model {path} defines no model class {class_name}; give --class, one of: {', '.join(defined)}",
                      code=2)
    if not callable(getattr(cls, "forward_logits", None)):
        raise Failure(f"{class_name} in {path} has no forward_logits(x); the training loss needs logits, which every "
                      "model.py written by compare --export provides")
    return cls


class Logits(nn.Module):
    """Runs the model's forward_logits as its forward, so DistributedDataParallel's hooks see the training step."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.forward_logits(x)


def create_optimizer(kind, parameters, lr):
    if kind == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, alpha=0.99, eps=1e-8)
    if kind == "adam":
        return torch.optim.Adam(parameters, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    return torch.optim.SGD(parameters, lr=lr, momentum=0)


def evaluate(model, images, labels, device):
    """Accuracy, mean cross-entropy per image and the number right, in eval mode without gradients."""
    was_training = model.training
    model.eval()
    correct = 0
    loss_sum = 0.0
    with torch.no_grad():
        for start in range(0, len(images), EVALUATION_BATCH):
            x = images[start:start + EVALUATION_BATCH].to(device)
            y = labels[start:start + EVALUATION_BATCH].to(device)
            logits = model.forward_logits(x)
            loss_sum += float(F.cross_entropy(logits, y, reduction="sum").double())
            correct += int((logits.argmax(1) == y).sum())
    model.train(was_training)
    count = len(images)
    return (correct / count if count else 0.0), (loss_sum / count if count else 0.0), correct


def write_atomically(path, write):
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


# ---------------------------------------------------------------------------------------------------------------------
# Training

def process_group():
    """(rank, world size, local rank) from the variables torchrun sets; a single process without them."""
    if "WORLD_SIZE" not in os.environ:
        return 0, 1, 0
    names = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
    missing = [name for name in names if name not in os.environ]
    if missing:
        raise Failure(f"WORLD_SIZE is set but {', '.join(missing)} is not; start the script with torchrun, or set "
                      "RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (and LOCAL_RANK) for every process", code=2)
    rank = int(os.environ["RANK"])
    world = int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    return rank, world, local_rank


def run(arguments):
    rank, world, local_rank = process_group()
    backend = arguments.backend
    if backend == "auto":
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl" and not torch.cuda.is_available():
        raise Failure("--backend nccl needs CUDA, which this PyTorch cannot use; use --backend gloo on CPUs", code=2)
    if arguments.batch_size % world != 0:
        raise Failure(f"--batch-size {arguments.batch_size} does not split evenly over {world} processes; give a "
                      f"multiple of {world}, such as {arguments.batch_size - arguments.batch_size % world or world}",
                      code=2)
    per_process = arguments.batch_size // world
    if arguments.threads:
        torch.set_num_threads(arguments.threads)
    if backend == "nccl":
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")

    model_class = load_model_class(arguments.model, arguments.class_name)
    model_path = os.path.abspath(arguments.model)
    out = os.path.abspath(arguments.out or os.path.join(os.path.dirname(model_path), "ddp"))
    data = locate_data(arguments.data)
    train_images, train_labels = load_split(data, TRAIN_IMAGES, TRAIN_LABELS, arguments.train_limit)
    test_images, test_labels = load_split(data, TEST_IMAGES, TEST_LABELS, arguments.test_limit)

    torch.manual_seed(arguments.seed)
    model = model_class()
    if arguments.init:
        try:
            state = torch.load(arguments.init, map_location="cpu")
            model.load_state_dict(state)
        except (OSError, RuntimeError) as error:
            raise Failure(f"--init {arguments.init}: {error}")
    model.to(device)

    distributed = world > 1
    if distributed:
        dist.init_process_group(backend, rank=rank, world_size=world, timeout=timedelta(minutes=10))
    try:
        step = Logits(model)
        if distributed:
            step = DistributedDataParallel(step, device_ids=[local_rank] if device.type == "cuda" else None)
        optimizer = create_optimizer(arguments.optimizer, step.parameters(), arguments.lr)
        sampler = DistributedSampler(range(len(train_images)), num_replicas=world, rank=rank, shuffle=True,
                                     seed=arguments.seed, drop_last=False)
        if rank == 0:
            print(f"{model_class.__name__}: {len(train_images)} training and {len(test_images)} test images from {data}; "
                  f"{world} process(es), {backend} on {device.type}, global batch {arguments.batch_size} "
                  f"({per_process} per process), {arguments.optimizer} lr {arguments.lr:g}, seed {arguments.seed}"
                  f"{', from ' + arguments.init if arguments.init else ''}", flush=True)

        history = []
        started = time.perf_counter()
        for epoch in range(1, arguments.epochs + 1):
            sampler.set_epoch(epoch - 1)
            indices = torch.tensor(list(sampler), dtype=torch.int64)
            step.train()
            loss_sum = torch.zeros((), dtype=torch.float64, device=device)
            seen = 0
            for start in range(0, len(indices), per_process):
                batch = indices[start:start + per_process]
                x = train_images[batch].to(device)
                y = train_labels[batch].to(device)
                optimizer.zero_grad(set_to_none=True)
                loss = F.cross_entropy(step(x), y)
                loss.backward()
                optimizer.step()
                loss_sum += loss.detach().double() * len(batch)
                seen += len(batch)
            totals = torch.stack([loss_sum, torch.tensor(float(seen), dtype=torch.float64, device=device)])
            if distributed:
                dist.all_reduce(totals)
            train_loss = float(totals[0] / totals[1])
            history.append({"epoch": epoch, "train_loss": train_loss})
            if rank == 0:
                print(f"epoch {epoch}/{arguments.epochs}: training loss {train_loss:.4f}, "
                      f"{time.perf_counter() - started:.1f} s", flush=True)
        train_seconds = time.perf_counter() - started

        if rank == 0:
            accuracy, loss, correct = evaluate(model, test_images, test_labels, device)
            os.makedirs(out, exist_ok=True)
            weights = os.path.join(out, "weights.pt")
            state = OrderedDict((key, value.detach().cpu()) for key, value in model.state_dict().items())
            write_atomically(weights, lambda path: torch.save(state, path))
            result = {
                "model": model_class.__name__,
                "model_file": model_path,
                "weights": weights,
                "test_accuracy": accuracy,
                "test_loss": loss,
                "test_correct": correct,
                "test_images": len(test_images),
                "train_images": len(train_images),
                "epochs": arguments.epochs,
                "batch_size": arguments.batch_size,
                "batch_size_per_process": per_process,
                "optimizer": arguments.optimizer,
                "lr": arguments.lr,
                "seed": arguments.seed,
                "init": os.path.abspath(arguments.init) if arguments.init else None,
                "world_size": world,
                "backend": backend,
                "device": device.type,
                "train_seconds": round(train_seconds, 2),
                "history": history,
                "data": data,
                "torch": torch.__version__,
            }
            result_path = os.path.join(out, "result.json")

            def dump(path):
                with open(path, "w", encoding="utf-8") as file:
                    json.dump(result, file, indent=2)
                    file.write("\n")

            write_atomically(result_path, dump)
            print(f"test accuracy {accuracy:.4f} ({correct}/{len(test_images)}), test loss {loss:.4f}", flush=True)
            print(f"weights: {weights}", flush=True)
            print(f"result:  {result_path}", flush=True)
        if distributed:
            # The other ranks wait for rank 0's evaluation, so no process leaves the group while one still works.
            dist.barrier()
    finally:
        if distributed:
            dist.destroy_process_group()


def main(argv=None):
    arguments = parse_arguments(argv)
    try:
        run(arguments)
    except Failure as failure:
        print(f"error: {failure}", file=sys.stderr, flush=True)
        return failure.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
