"""The command line and the training loop, with the cadence and output of Netloom's (`npm run train`).

Grids are drawn before iterations 0, K, 2K, ... and at the end; a log line
(or, with --json, a JSON object {"step", "losses", "itPerSec"}) every
--log-every iterations and at the last one; a NaN or infinite loss stops
the run, naming the loss and the iteration. With --eval-every E, the samples
are scored before iterations 0, E, 2E, ... and at the end.
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from . import blas, philox


class Mode:
    """What a forward pass is: training (batch norm normalises by the batch) and which networks the step trains (their layers' moving statistics follow it), or an evaluation."""

    def __init__(self, training=False, trains=(), site=philox.EVALUATION_SITE):
        self.training = training
        self.trains = frozenset(trains)
        # Where random layers (dropout) draw in a training iteration (a philox.DrawSite); calls extend it down to each layer.
        self.site = site


EVALUATION = Mode()

#: The losses are read from the device at log lines and checkpoints, and at least this often.
READ_EVERY = 100
#: Whether the networks replay as CUDA graphs (--cuda-graphs, where it can be used).
CUDA_GRAPHS = False

#: Where tensors live: set by prepare() from --device (under torchrun, the rank's GPU).
DEVICE = torch.device("cpu")
#: Under torchrun: how many processes share each global batch, and which one this is.
WORLD = 1
RANK = 0
_wrapped = {}

# Names from the graph may hold what the terminal cannot encode (a lone surrogate): printed escaped instead of failing.
for _stream in (sys.stdout, sys.stderr):
    if hasattr(_stream, "reconfigure"):
        _stream.reconfigure(errors="backslashreplace")


# --samples at most, as `npm run train` generates.
MAX_SAMPLES = 100_000


def parse_args(graph_name, iterations, batch_size, seed, sample_every, log_every, data_dir, out_dir, eval_every=0, eval_samples=1000):
    # argparse %-formats a description that holds "%(prog)": the graph's name must not.
    parser = argparse.ArgumentParser(description=f"%(prog)s trains {graph_name.replace('%', '%%')} (exported from Netloom).")
    parser.add_argument("--iterations", type=int, default=iterations, help=f"training iterations (default {iterations})")
    parser.add_argument("--batch-size", type=int, default=batch_size, help=f"batch size (default {batch_size})")
    parser.add_argument("--seed", type=int, default=seed, help=f"seed of the initial weights, the data order and the noise (default {seed})")
    parser.add_argument("--sample-every", type=int, default=sample_every, help=f"write sample grids every N iterations (default {sample_every})")
    parser.add_argument("--log-every", type=int, default=log_every, help=f"print the losses every N iterations (default {log_every})")
    parser.add_argument("--data", default=data_dir, help=f"the datasets, one folder each (default {data_dir})")
    parser.add_argument("--out", default=out_dir, help=f"sample grids, checkpoint/ and summary.json (default {out_dir})")
    parser.add_argument("--checkpoint-every", type=int, default=sample_every, help=f"save a checkpoint every N iterations (default {sample_every})")
    parser.add_argument("--eval-every", type=int, default=eval_every, help=f"score the samples (Fréchet distance, class entropy, confidence, diversity) every N iterations, 0: never (default {eval_every})")
    parser.add_argument("--eval-samples", type=int, default=eval_samples, help=f"generated (and real) images each score compares, 2 to 10000 (default {eval_samples})")
    parser.add_argument("--resume", help="continue from a checkpoint folder (e.g. out/checkpoint), Netloom's format")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", help="cpu, cuda or cuda:N (default: cuda when there is one)")
    parser.add_argument("--compile", action="store_true", help="compile each network with torch.compile (PyTorch 2 or later)")
    parser.add_argument("--cuda-graphs", action="store_true", help="replay each network's kernels as CUDA graphs (torch.compile's reduce-overhead mode): small models on a GPU are bound by kernel launches; where it cannot be used it says why and runs without")
    parser.add_argument("--tf32", action="store_true", help="let NVIDIA GPUs multiply in TF32 (faster, about 3 decimals): off, float32 as the app computes")
    parser.add_argument("--json", action="store_true", help="print one JSON object per log line")
    parser.add_argument("--samples", type=int, default=0, help=f"after training, generate N new images from the samples preview, up to {MAX_SAMPLES} (float32 [N, h, w, c] in [0, 1], .npy)")
    parser.add_argument("--samples-out", help="where --samples go (default OUT/samples.npy)")
    parser.add_argument("--labels-out", help="with --samples, the class each sample was asked to be (uint8 [N], .npy), for a model conditioned on class labels")
    args = parser.parse_args()
    if not 0 <= args.samples <= MAX_SAMPLES:
        parser.error(f"--samples: from 0 to {MAX_SAMPLES}, got {args.samples}")
    if args.labels_out and args.samples == 0:
        parser.error("--labels-out: the class of each sample goes with --samples N")
    for name in ("iterations", "batch_size", "sample_every", "log_every", "checkpoint_every"):
        if getattr(args, name) < (0 if name == "iterations" else 1):
            parser.error(f"--{name.replace('_', '-')} must be {'0 or more' if name == 'iterations' else 'at least 1'}")
    if args.eval_every < 0:
        parser.error("--eval-every must be 0 or more")
    if not 2 <= args.eval_samples <= 10000:
        parser.error(f"--eval-samples: from 2 to 10000, got {args.eval_samples}")
    return args


def prepare(model, args, host_draws=False):
    """The model on --device, its networks compiled with --compile or --cuda-graphs where PyTorch can, and under torchrun each wrapped in DistributedDataParallel.

    `host_draws`: the graph's random layers draw on the host inside the step (dropout's masks), which a CUDA graph cannot replay.
    """
    global DEVICE, WORLD, RANK
    DEVICE = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # torchrun: one process per device; NCCL between GPUs, gloo between CPUs.
        dist.init_process_group("nccl" if DEVICE.type == "cuda" else "gloo")
        WORLD, RANK = dist.get_world_size(), dist.get_rank()
        if DEVICE.type == "cuda":
            DEVICE = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(DEVICE)
        if args.batch_size % WORLD:
            raise SystemExit(f"--batch-size {args.batch_size} must divide among {WORLD} processes")
    model = model.to(DEVICE)
    options = _compile_options(args, host_draws)
    if options is not None:
        for name, network in list(model.named_children()):
            setattr(model, name, torch.compile(network, **options))
    if WORLD > 1:
        for network in model.children():
            # Unused weights are normal here (a dead branch of a graph), so the reducer looks for them.
            _wrapped[id(network)] = DistributedDataParallel(network, find_unused_parameters=True)
    return model


def _compile_options(args, host_draws):
    """torch.compile's options for --cuda-graphs or --compile, or None to run eagerly (saying why, where a flag asked for more)."""
    global CUDA_GRAPHS
    if args.cuda_graphs:
        if not hasattr(torch, "compile"):
            why = f"they need PyTorch 2 or later (this is {torch.__version__})"
        elif DEVICE.type != "cuda":
            why = f"they need a CUDA device (this is {DEVICE})"
        elif host_draws:
            why = "this graph's random layers draw their masks on the host inside the step, which a CUDA graph cannot replay"
        elif WORLD > 1:
            why = "under torchrun, DistributedDataParallel's all-reduce runs between the networks' kernels"
        else:
            CUDA_GRAPHS = True
            return {"mode": "reduce-overhead"}
        log(f"--cuda-graphs: not used, {why}; running {'with --compile' if args.compile and hasattr(torch, 'compile') else 'eagerly'}")
    if args.compile:
        if hasattr(torch, "compile"):
            return {}
        log(f"--compile needs PyTorch 2 or later (this is {torch.__version__}): running without it")
    return None


def begin_iteration():
    """Marks a new training iteration for CUDA graphs, whose outputs of the last iteration may then be overwritten."""
    if CUDA_GRAPHS:
        torch.compiler.cudagraph_mark_step_begin()


def trained(network):
    """A network as a step that trains it calls it: under torchrun its DistributedDataParallel wrapper, which all-reduces its gradients."""
    return _wrapped.get(id(network), network)


def share(values):
    """This process's rows of a global batch drawn identically by every process (all of them in one process)."""
    if WORLD == 1 or values.dim() == 0:
        return values
    rows = values.shape[0] // WORLD
    return values[RANK * rows : (RANK + 1) * rows]


def reduce_gradients(parameters):
    """Averages gradients across processes, for weights no DistributedDataParallel wrapper reduced (networks called inside networks)."""
    if WORLD > 1:
        for p in parameters:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
            dist.all_reduce(p.grad)
            p.grad /= WORLD


def global_loss(loss):
    """A loss as one process would compute it on the whole batch: the mean of the processes' (sum-like losses are scaled by WORLD already)."""
    value = loss.detach()
    if WORLD > 1:
        value = value.clone()
        dist.all_reduce(value)
        value /= WORLD
    return value


def format_rate(it_per_sec):
    """Iterations per second as lines show them: one decimal, two significant digits below 1."""
    return f"{it_per_sec:.1f}" if it_per_sec >= 1 or it_per_sec == 0 else f"{it_per_sec:.2g}"


def log(text):
    if RANK == 0:
        print(text, flush=True)


def write_samples(args, generate):
    """--samples N: N new images and, with --labels-out, the class each was asked to be; returns where the images went."""
    import numpy as np

    images, classes = generate(args.samples)
    path = args.samples_out or os.path.join(args.out, "samples.npy")
    for file, values in ((path, images.cpu().numpy().astype(np.float32)), (args.labels_out, None if classes is None else classes.cpu().numpy())):
        if file and values is not None:
            os.makedirs(os.path.dirname(os.path.abspath(file)), exist_ok=True)
            with open(file, "wb") as f:
                np.save(f, values)
    return path


def run(args, iteration, grids, save, start=0, evaluate=None, results=None, generate=None):
    """Trains from iteration `start` up to args.iterations, logging, drawing grids and saving checkpoints as Netloom does.

    `iteration(step)` runs training iteration `step` and returns its losses. `evaluate(step)` scores the samples before every iteration that is a multiple of args.eval_every and after the
    last (on rank 0; its time is summed as evaluationSeconds); `results()` gives more entries for the summary.
    """
    evaluate = evaluate if args.eval_every > 0 and RANK == 0 else None
    # The iteration last scored (a run resumed at a multiple of --eval-every scores it once), and the seconds scoring took.
    last_scored, scoring_seconds = None, 0.0

    def score(step):
        nonlocal last_scored, scoring_seconds
        last_scored = step
        began = time.perf_counter()
        evaluate(step)
        scoring_seconds += time.perf_counter() - began

    os.makedirs(args.out, exist_ok=True)
    blas_name, reference = blas.describe()
    if not args.json:
        processes = f" in {WORLD} processes" if WORLD > 1 else ""
        multiplies = f", BLAS {blas_name}" if DEVICE.type == "cpu" else ""
        log(f"Training on {DEVICE}{processes} with PyTorch {torch.__version__}{multiplies}: {args.iterations} iterations, batch {args.batch_size}, seed {args.seed}")
    if reference and DEVICE.type == "cpu" and RANK == 0:
        print(f"Warning: {blas.ADVICE}.", file=sys.stderr, flush=True)
    started = window_start = time.perf_counter()
    window_steps = 0
    losses = {}
    # The losses stay on the device until they are read, at most every READ_EVERY iterations: a read per iteration would
    # stall a GPU. A NaN or infinite loss is still found and named with its iteration; the run stops at that read.
    unread = []

    def read():
        nonlocal losses
        if not unread:
            return
        names = list(unread[0][1])
        values = torch.stack([torch.stack([step_losses[name] for name in names]) for _, step_losses in unread]).tolist()
        for (step, _), row in zip(unread, values):
            for name, value in zip(names, row):
                if not math.isfinite(value):
                    raise SystemExit(f"{name} is {value} at iteration {step}: training stopped (diverged)")
        losses = dict(zip(names, values[-1]))
        unread.clear()

    for step in range(start, args.iterations):
        if step % args.sample_every == 0 and RANK == 0:
            grids(step // args.sample_every)
        if evaluate and step % args.eval_every == 0 and last_scored != step:
            score(step)
        begin_iteration()
        step_losses = iteration(step)
        if step_losses:
            unread.append((step, step_losses))
        window_steps += 1
        logged = step % args.log_every == 0 or step == args.iterations - 1
        saved = (step + 1) % args.checkpoint_every == 0 and RANK == 0
        if logged or saved or len(unread) >= READ_EVERY:
            read()
        if logged:
            now = time.perf_counter()
            it_per_sec = window_steps / max(now - window_start, 1e-9)
            window_start, window_steps = now, 0
            if args.json:
                log(json.dumps({"step": step, "losses": losses, "itPerSec": it_per_sec}))
            else:
                shown = "; ".join(f"{name}: {value:.4g}" for name, value in losses.items())
                log(f"Iter: {step}; {shown}; {format_rate(it_per_sec)} it/s")
        if saved:
            save(step + 1)
    read()
    end = max(start, args.iterations)
    if RANK == 0:
        grids(math.ceil(end / args.sample_every))
        if evaluate and last_scored != end:
            score(end)
        save(end)
    seconds = time.perf_counter() - started
    steps = end - start
    summary = {"device": str(DEVICE), "blas": blas_name, "processes": WORLD, "seed": args.seed, "steps": steps, "seconds": seconds, "itPerSec": steps / seconds if seconds > 0 else 0, "losses": losses}
    if evaluate:
        summary["evaluationSeconds"] = scoring_seconds
    if results:
        summary.update(results())
    if RANK == 0 and generate and args.samples > 0:
        summary["samples"] = write_samples(args, generate)
    if RANK == 0:
        with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
    if args.json:
        log(json.dumps({"done": True, **summary}))
    else:
        final = ", ".join(f"{name} {value:.4f}" for name, value in losses.items())
        scoring = f" Scoring took {scoring_seconds:.1f} s of it ({100 * scoring_seconds / max(seconds, 1e-9):.1f}%)." if evaluate else ""
        log(f"Done: {steps} iterations in {seconds:.1f} s ({format_rate(summary['itPerSec'])} it/s). Final losses: {final}.{scoring} Grids and checkpoint in {args.out}")
    if WORLD > 1:
        # Every process waits for rank 0's last grids and checkpoint: a process that leaves while another still talks aborts it.
        dist.barrier()
        dist.destroy_process_group()
