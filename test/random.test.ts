import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { MT19937, RandomState, TorchGenerator, fma, fmaf } from "../src/tensor/random/index.js";
import { log } from "../src/tensor/random/log.js";

// ---------------------------------------------------------------- the oracle

interface OracleCall {
  fn: string;
  [key: string]: unknown;
}
interface OracleCase {
  lib: string;
  seed: number;
  note?: string;
  calls: OracleCall[];
}

// Tests run compiled from dist/test/, so the fixture is two levels up.
const oracle = JSON.parse(fs.readFileSync(new URL("../../test/fixtures/rng.json", import.meta.url), "utf8")) as {
  cases: OracleCase[];
};

const num = (call: OracleCall, key: string): number => {
  const v = call[key];
  assert.equal(typeof v, "number", `${call.fn}: ${key} must be a number`);
  return v as number;
};
const nums = (call: OracleCall, key: string): number[] => {
  const v = call[key];
  assert.ok(Array.isArray(v), `${call.fn}: ${key} must be an array`);
  return v as number[];
};
const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Exact equality, element by element, with a readable failure message. */
function assertExact(got: ArrayLike<number>, want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Object.is(got[i], want[i]) || got[i] === want[i], `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

/** `init.kaiming_uniform_(w, a=sqrt(5))`'s bound, computed as torch/nn/init.py does in Python floats. */
function kaimingUniformBound(fanIn: number): number {
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2 / (1 + a * a)); // calculate_gain("leaky_relu", a)
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3) * std;
}

const numpyCases = oracle.cases.filter((c) => c.lib === "numpy-legacy");
const torchCases = oracle.cases.filter((c) => c.lib === "torch-1.13-cpu");

test("the oracle holds only known libraries", () => {
  assert.equal(numpyCases.length + torchCases.length, oracle.cases.length);
  assert.ok(numpyCases.length > 0 && torchCases.length > 0);
});

for (const c of numpyCases) {
  test(`numpy oracle: seed ${c.seed}${c.note ? " (generate_data)" : ""}`, () => {
    const rs = new RandomState(c.seed);
    for (const call of c.calls) {
      switch (call.fn) {
        case "uniform":
          assertExact(rs.uniform(num(call, "low"), num(call, "high"), num(call, "size")), nums(call, "out"), "uniform");
          break;
        case "normal":
          assertExact(rs.normal(num(call, "loc"), num(call, "scale"), num(call, "size")), nums(call, "out"), "normal");
          break;
        case "random_sample":
          assertExact(rs.randomSample(num(call, "size")), nums(call, "out"), "random_sample");
          break;
        case "generate_data": {
          // The article's data: x = uniform(-10, 10, n); y = m*x + b + normal(0, 0.15, n); both float32.
          const n = num(call, "n");
          const m = num(call, "m");
          const b = num(call, "b");
          const x = rs.uniform(-10, 10, n);
          const noise = rs.normal(0, 0.15, n);
          const y = x.map((xi, i) => m * xi + b + noise[i]!);
          assertExact(Float32Array.from(x), nums(call, "x"), "generate_data x");
          assertExact(Float32Array.from(y), nums(call, "y"), "generate_data y");
          break;
        }
        default:
          assert.fail(`unknown numpy oracle call ${call.fn}`);
      }
    }
  });
}

for (const c of torchCases) {
  test(`torch oracle: manual_seed(${c.seed})`, () => {
    const g = new TorchGenerator(c.seed);
    for (const call of c.calls) {
      const linear = /^nn\.Linear\((\d+),\s*(\d+)\) init$/.exec(call.fn);
      if (linear) {
        // reset_parameters: kaiming_uniform_(weight, a=sqrt(5)), then bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        const fanIn = Number(linear[1]);
        const fanOut = Number(linear[2]);
        const wb = kaimingUniformBound(fanIn);
        assertExact(g.uniform_(fanOut * fanIn, -wb, wb), nums(call, "weight"), `${call.fn} weight`);
        const bb = 1 / Math.sqrt(fanIn);
        assertExact(g.uniform_(fanOut, -bb, bb), nums(call, "bias"), `${call.fn} bias`);
        continue;
      }
      const n = count(nums(call, "shape"));
      switch (call.fn) {
        case "rand":
          assertExact(g.rand(n), nums(call, "out"), "rand");
          break;
        case "randn":
          assertExact(g.randn(n), nums(call, "out"), `randn(${n})`);
          break;
        case "uniform_":
          assertExact(g.uniform_(n, num(call, "from"), num(call, "to")), nums(call, "out"), "uniform_");
          break;
        case "normal_":
          assertExact(g.normal_(n, num(call, "mean"), num(call, "std")), nums(call, "out"), `normal_(${n})`);
          break;
        default:
          assert.fail(`unknown torch oracle call ${call.fn}`);
      }
    }
  });
}

// ------------------------------------------------- NumPy beyond the oracle
// Values printed by NumPy 2.4.6's legacy RandomState; its stream is frozen, so
// they are also NumPy 1.24's.

test("numpy randint, permutation, shuffle and array seeds match NumPy", () => {
  const rs = new RandomState(123);
  assertExact(rs.randint(0, 10, 12), [2, 2, 6, 1, 3, 9, 6, 1, 0, 1, 9, 0], "randint(0, 10)");
  assert.equal(rs.randint(5), 0);
  assertExact(rs.randint(-3, 1000000, 5), [196716, 757142, 410960, 559947, 462074], "randint(-3, 1e6)");
  assertExact(rs.randint(0, 2 ** 40, 4), [706084223584, 896522863684, 211237193527, 838272182274], "randint(0, 2^40)");
  assertExact(rs.randint(0, 2 ** 32, 3), [359602516, 2282995751, 3059434818], "randint(0, 2^32)");
  assertExact(rs.randint(-5, 2 ** 32 - 4, 3), [1837659690, 1278957496, 2113488002], "randint(-5, 2^32-4)");
  assertExact(rs.randint(7, 8, 3), [7, 7, 7], "randint(7, 8)"); // a single value draws nothing
  assert.equal(rs.randomSample(), 0.7244553248606352);
  assertExact(rs.permutation(10), [8, 9, 0, 7, 2, 3, 5, 1, 6, 4], "permutation(10)");
  assertExact(rs.permutation(new Float64Array([10, 20, 30, 40, 50])), [50, 10, 20, 30, 40], "permutation(array)");
  assert.deepEqual(rs.shuffle([0, 1, 2, 3, 4, 5, 6, 7]), [7, 0, 1, 4, 5, 6, 2, 3]);
  const a = Int32Array.from({ length: 300 }, (_, i) => i);
  rs.shuffle(a);
  assertExact(a.subarray(0, 10), [181, 64, 214, 213, 170, 111, 287, 201, 220, 31], "shuffle(arange(300))");
  // normal() caches its pair's second value across other calls.
  assert.equal(rs.normal(), 1.8946758775379107);
  assert.equal(rs.uniform(), 0.4010122763696481);
  assertExact(rs.standardNormal(3), [1.1051014837640443, -0.5989187741870943, 1.4827193151139315], "standard_normal");

  assertExact(new RandomState([1, 2, 3]).randomSample(3), [0.6098612722867289, 0.8866970434146851, 0.47633673750662764], "seed([1,2,3])");
  assertExact(new RandomState(4294967295).randomSample(2), [0.0976320289940138, 0.9123828453026218], "seed(2^32-1)");
});

test("numpy seeds are validated like NumPy's", () => {
  assert.throws(() => new RandomState(-1), RangeError);
  assert.throws(() => new RandomState(2 ** 32), RangeError);
  assert.throws(() => new RandomState(1.5), RangeError);
  assert.throws(() => new RandomState(0).randint(3, 3), RangeError);
});

// ------------------------------------------------------------- properties

test("mt19937 reproduces the reference outputs of both seedings", () => {
  assert.equal(new MT19937(5489).nextUint32(), 3499211612); // the C++ std::mt19937 check value...
  const mt = new MT19937(5489);
  for (let i = 0; i < 9999; i++) mt.nextUint32();
  assert.equal(mt.nextUint32(), 4123659995); // ...is its 10000th output
  const byArray = new MT19937();
  byArray.seedByArray([0x123, 0x234, 0x345, 0x456]);
  assert.equal(byArray.nextUint32(), 1067595299); // mt19937ar.c's reference output
});

test("same seed, same sequence; state snapshots and clones continue identically", () => {
  const a = new RandomState(7);
  const b = new RandomState(7);
  assertExact(a.normal(0, 1, 5), Array.from(b.normal(0, 1, 5)), "numpy same seed");
  a.normal(); // leaves a cached value
  const fork = a.clone();
  const snap = a.getState();
  const next = Array.from(a.normal(0, 1, 700)); // crosses a twist of the 624-word block
  assertExact(fork.normal(0, 1, 700), next, "numpy clone");
  a.setState(snap);
  assertExact(a.normal(0, 1, 700), next, "numpy setState");

  const g = new TorchGenerator(3);
  g.randn(3); // leaves a cached double normal
  const gf = g.clone();
  const gs = g.getState();
  const gnext = Array.from(g.randn(5));
  assertExact(gf.randn(5), gnext, "torch clone");
  g.setState(gs);
  assertExact(g.randn(5), gnext, "torch setState");
  assertExact(new TorchGenerator(3).rand(40), Array.from(new TorchGenerator(3).rand(40)), "torch same seed");
});

test("torch manual_seed keeps the low 32 bits and drops the cached normal", () => {
  assertExact(new TorchGenerator(2 ** 32 + 5).rand(4), Array.from(new TorchGenerator(5).rand(4)), "seed mod 2^32");
  assertExact(new TorchGenerator(-1).rand(4), Array.from(new TorchGenerator(0xffffffffn).rand(4)), "negative seed");
  const g = new TorchGenerator(11);
  g.randn(1);
  g.manualSeed(11);
  assertExact(g.randn(1), Array.from(new TorchGenerator(11).randn(1)), "cache dropped");
});

test("torch randint and randperm follow ATen's formulas", () => {
  const g = new TorchGenerator(0);
  const words = new MT19937(0);
  const r = g.randint(1000, -4, 9);
  for (let i = 0; i < r.length; i++) {
    assert.equal(r[i], (words.nextUint32() % 13) - 4);
    assert.ok(Number.isInteger(r[i]) && r[i]! >= -4 && r[i]! < 9);
  }
  // Ranges of 2^32 or more take two words (random64).
  const wide = new TorchGenerator(1).randint(50, 0, 2 ** 40);
  const w = new MT19937(1);
  for (let i = 0; i < wide.length; i++) {
    const hi = BigInt(w.nextUint32());
    const lo = BigInt(w.nextUint32());
    assert.equal(wide[i], Number(((hi << 32n) | lo) % 2n ** 40n));
  }
  const p = new TorchGenerator(0).randperm(50);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.equal(new TorchGenerator(0).randperm(0).length, 0);
  assert.deepEqual([...new TorchGenerator(0).randperm(1)], [0]);
});

test("numpy randint stays in range and permutations are permutations", () => {
  const rs = new RandomState(99);
  for (const [lo, hi] of [[0, 1], [0, 2], [-7, 3], [5, 6], [0, 1000], [-(2 ** 40), 2 ** 41]] as const) {
    const v = rs.randint(lo, hi, 2000);
    for (const x of v) assert.ok(Number.isInteger(x) && x >= lo && x < hi, `${x} outside [${lo}, ${hi})`);
  }
  const small = rs.randint(0, 3, 3000);
  for (const k of [0, 1, 2]) assert.ok(small.filter((x) => x === k).length > 800, "all values occur");
  for (const n of [0, 1, 2, 17, 1000]) {
    const p = rs.permutation(n);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  }
  const xs = ["a", "b", "c", "d"];
  const shuffled = rs.permutation(xs);
  assert.deepEqual(xs, ["a", "b", "c", "d"], "permutation copies");
  assert.deepEqual([...shuffled].sort(), xs);
});

test("uniform values stay in [from, to) and normals look normal", () => {
  const g = new TorchGenerator(5);
  for (const x of g.uniform_(5000, -2, 3)) assert.ok(x >= -2 && x < 3);
  for (const x of g.uniform_(5000, -2, 3, "float64")) assert.ok(x >= -2 && x < 3);
  const samples: ArrayLike<number>[] = [g.randn(20000), g.randn(20000, "float64"), new RandomState(5).standardNormal(20000)];
  for (const s of samples) {
    const sample = Array.from(s);
    const mean = sample.reduce((a, b) => a + b, 0) / sample.length;
    const variance = sample.reduce((a, b) => a + (b - mean) ** 2, 0) / sample.length;
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `mean ${mean}, variance ${variance}`);
  }
  const filled = new Float32Array(33);
  assert.equal(g.normal_(filled, 1, 0.5), filled, "normal_ fills in place");
  assert.throws(() => g.uniform_(3, 1, 0), RangeError);
  assert.throws(() => g.normal_(3, 0, -1), RangeError);
});

test("a million draws take milliseconds", () => {
  const g = new TorchGenerator(0);
  const rs = new RandomState(0);
  const t0 = performance.now();
  g.rand(1e6);
  g.randn(1e6);
  rs.uniform(0, 1, 1e6);
  rs.normal(0, 1, 1e6);
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `4e6 draws took ${ms.toFixed(0)} ms`);
});

// ------------------------------------------------------------------- FMA

const view = new DataView(new ArrayBuffer(8));
/** x = m * 2^e exactly. */
function decompose(x: number): [bigint, number] {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expField = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = expField === 0 ? frac : frac | (1n << 52n);
  const e = (expField === 0 ? 1 : expField) - 1075;
  return [bits >> 63n ? -m : m, e];
}
/** a*b + c rounded once to `bits` significant bits (nearest, ties to even), by exact integer arithmetic. */
function exactFma(a: number, b: number, c: number, bits: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const e = Math.min(ea + eb, ec);
  let n = ma * mb * (1n << BigInt(ea + eb - e)) + mc * (1n << BigInt(ec - e));
  if (n === 0n) return 0;
  const negative = n < 0n;
  if (negative) n = -n;
  const shift = Math.max(0, n.toString(2).length - bits);
  let q = n >> BigInt(shift);
  if (shift > 0) {
    const rem = n - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
  }
  const r = Number(q) * 2 ** (e + shift);
  return negative ? -r : r;
}

test("fmaf and fma round a*b + c once", () => {
  // A double-rounding trap: a*b + c is just below a float midpoint, the double sum lands on it.
  const a = Math.fround(2 ** -24 * (1 + 2 ** -23));
  const b = Math.fround(1 - 2 ** -23);
  const c = Math.fround(1 + 2 ** -23);
  assert.equal(Math.fround(a * b + c), 1 + 2 ** -22, "the naive form rounds twice");
  assert.equal(fmaf(a, b, c), 1 + 2 ** -23);

  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const f32 = (): number => Math.fround((rand() - 0.5) * 2 ** Math.floor(rand() * 40 - 20));
  const f64 = (): number => (rand() - 0.5) * 2 ** Math.floor(rand() * 80 - 40) * (1 + rand() * 2 ** -30);
  for (let i = 0; i < 20000; i++) {
    const [x, y, z] = [f32(), f32(), f32()];
    assert.equal(fmaf(x, y, z), exactFma(x, y, z, 24), `fmaf(${x}, ${y}, ${z})`);
    const [u, v] = [f64(), f64()];
    // Half the addends nearly cancel the product, where a fused and an unfused result differ most.
    const w = i % 2 === 0 ? f64() : -u * v * (1 + (rand() - 0.5) * 2 ** -40);
    assert.equal(fma(u, v, w), exactFma(u, v, w, 53), `fma(${u}, ${v}, ${w})`);
  }
});

test("log is correctly rounded (where V8's Math.log is not)", () => {
  // [x, log(x) correctly rounded], from Python's decimal at 60 digits. The first
  // twelve are inputs where Math.log is one ulp off.
  const cases: [number, number][] = [
    [0.8379242351013972, -0.17682759416093832],
    [0.8085337718827973, -0.21253282980112437],
    [1.1046261874004717, 0.0995069857908134],
    [0.9999993627292767, -6.372709263597368e-7],
    [1.0000009203369022, 9.203364787339432e-7],
    [0.5890022579825517, -0.5293252617512233],
    [0.39325509496422606, -0.9332967810838743],
    [0.5396174484497788, -0.6168948192747793],
    [0.1772112589385827, -1.7304127048014923],
    [0.7555867752521982, -0.28026064582108084],
    [0.7115899271852729, -0.34025347845467696],
    [0.3220017663873259, -1.1331982477778497],
    [1e-310, -713.8013788281542],
    [5e-324, -744.4400719213812],
    [1.7976931348623157e308, 709.782712893384],
    [1 - 2 ** -53, -1.1102230246251565e-16],
    [1 + 2 ** -52, 2.2204460492503128e-16],
    [0.75, -0.2876820724517809],
    [1.4999999999999998, 0.4054651081081642],
    [2 ** -1022, -708.3964185322641],
    [3, 1.0986122886681098],
  ];
  for (const [x, want] of cases) assert.equal(log(x), want, `log(${x})`);
  assert.equal(log(1), 0);
  assert.equal(log(0), -Infinity);
  assert.ok(Number.isNaN(log(-1)));
});
