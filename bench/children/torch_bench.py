"""The benchmark workloads in PyTorch (CPU), run by bench/run.ts in a process of its own.

Prints one `ROW {json}` line per measured row, like the JavaScript children. One thread unless a
row says otherwise (torch.set_num_threads), the setting the issue's targets compare against.
"""
import json
import sys
import time

import torch

ONLY = set(sys.argv[1].split(",")) if len(sys.argv) > 1 and sys.argv[1] else None
LIB = "pytorch"
W4_SIZES = [64, 128, 256, 512, 1024]
W4_VARIANTS = ["A·B", "Aᵀ·B", "A·Bᵀ"]
LR = 0.01


def emit(row_id, m, note=None):
    row = {"id": row_id, "lib": LIB, **m}
    if note:
        row["note"] = note
    print("ROW " + json.dumps(row, ensure_ascii=False), flush=True)


def skip(row_id, why):
    print("SKIP " + json.dumps({"id": row_id, "lib": LIB, "why": why}, ensure_ascii=False), flush=True)


def measure(fn, budget=0.8, samples=9, scale=lambda s: s * 1e6, unit="µs"):
    """Median and range of per-call times over `samples` batches, after a warm-up (as measure.ts)."""
    calls, t0 = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - t0 < 0.3:
        fn()
        calls += 1
        if time.perf_counter() - t0 > 3:
            break
    per_call = (time.perf_counter() - t0) / calls
    if per_call * samples > budget * 3:
        samples = max(3, int(budget * 3 / per_call))
    batch = max(1, round(budget / samples / per_call))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        times.append(scale((time.perf_counter() - start) / batch))
    times.sort()
    return {"unit": unit, "median": times[len(times) // 2], "lo": times[0], "hi": times[-1], "samples": len(times)}


def uniform_data(n, seed):
    """The same numbers as bench/measure.ts uniformData (an LCG), so every library sees one dataset."""
    s = seed & 0xFFFFFFFF
    out = []
    for _ in range(n):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(s / 2147483648 - 1)
    return torch.tensor(out, dtype=torch.float32)


def article_data():
    u = uniform_data(400, 7)
    x = 10 * u[:200]
    y = 0.1 * x + 0.3 + 0.15 * u[200:]
    return x, y


def labels_data(n, classes):
    u = uniform_data(n, 11)
    return torch.clamp(((u + 1) / 2 * classes).floor(), max=classes - 1).long()


X, Y = article_data()


def w1():
    inputs, labels = X.reshape(-1, 1), Y.reshape(-1, 1)
    w = torch.tensor([[0.05]], requires_grad=True)
    b = torch.tensor([0.02], requires_grad=True)

    def step():
        loss = torch.mean(torch.square(inputs @ w + b - labels))
        loss.backward()
        with torch.no_grad():
            w.sub_(w.grad * LR)  # the article's `w -= w.grad * learning_rate`
            b.sub_(b.grad * LR)
            w.grad.zero_()
            b.grad.zero_()

    emit("W1 article raw loop, per step", measure(step))


def w2():
    inputs, labels = X.reshape(-1, 1), Y.reshape(-1, 1)
    model = torch.nn.Linear(1, 1)
    criterion = torch.nn.MSELoss(reduction="mean")
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def step():
        loss = criterion(model(inputs), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()

    emit("W2 Linear(1,1) + MSELoss + SGD, per step", measure(step))


def w3():
    a, b = torch.tensor([1.5]), torch.tensor([2.5])
    ns = {"scale": lambda s: s * 1e9, "unit": "ns"}
    emit("W3 1-element add, no grad", measure(lambda: a + b, **ns))
    ag = torch.tensor([1.5], requires_grad=True)
    emit("W3 1-element add, recorded for grad", measure(lambda: ag + b, **ns))


def w4():
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for n in W4_SIZES:
            a = uniform_data(n * n, 1).reshape(n, n) if n <= 256 else torch.rand(n, n) * 2 - 1
            b = uniform_data(n * n, 2).reshape(n, n) if n <= 256 else torch.rand(n, n) * 2 - 1
            for v in W4_VARIANTS:
                # Transposed operands are views: torch reads them in place, as backward does.
                f = (lambda: a @ b) if v == "A·B" else (lambda: a.t() @ b) if v == "Aᵀ·B" else (lambda: a @ b.t())
                row_id = f"W4 matmul {n}, {v}, {threads} thread{'s' if threads > 1 else ''}"
                emit(row_id, measure(f, budget=0.4, scale=lambda s, n=n: 2 * n**3 / s / 1e9, unit="GFLOP/s"))
    torch.set_num_threads(1)


def w5():
    xb = uniform_data(128 * 784, 3).reshape(128, 784)
    yb = labels_data(128, 10)
    for name in ("SGD", "Adam"):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
        criterion = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=LR) if name == "SGD" else torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()

        emit(f"W5 MLP 784-256-10 b128, {name} step", measure(step, budget=1, scale=lambda s: s * 1e3, unit="ms"))


def w6():
    n = 1 << 20
    a, b, c = torch.rand(n), torch.rand(n), torch.rand(n)
    emit("W6 a*b + c, 1M float32", measure(lambda: a * b + c))


def w7():
    skip("W7 Keras fit, Dense(1), 200 points, batch 32, per epoch", "Keras fit has no PyTorch counterpart")


def blas_library():
    """The BLAS shared library torch's matmul runs on (Linux: read from /proc/self/maps)."""
    torch.rand(8, 8) @ torch.rand(8, 8)
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split("/")[-1].strip() for line in f if "blas" in line.lower() or "mkl" in line.lower()}
        return ", ".join(sorted(libs)) or "unknown"
    except OSError:
        return "unknown"


print("META " + json.dumps({"lib": LIB, "blas": blas_library()}), flush=True)
torch.set_num_threads(1)
torch.set_num_interop_threads(1)
for name, fn in [("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4), ("W5", w5), ("W6", w6), ("W7", w7)]:
    if ONLY is None or name in ONLY:
        try:
            fn()
        except Exception as e:  # a failing workload is reported, the others still run
            skip(name, f"{type(e).__name__}: {e}"[:160])
