/**
 * Minimal Prometheus metrics for the hot path. prom-client validates and hashes label objects on
 * every observation; measured on the gateway's request path that was a few microseconds per
 * request, so hot metrics use pre-bound series here: an observation is an array increment.
 */

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function fmt(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
}

export interface Metric {
  expose(): string;
}

const MAX_SERIES = 10_000;

let generation = 0;
/** Bumped whenever a family drops its series (the cardinality cap): cached series handles are stale then. */
export function seriesGeneration(): number {
  return generation;
}

/** A series family: one bound series per label-value tuple, created on first use. */
abstract class Family<S> implements Metric {
  readonly #series = new Map<string, { values: readonly string[]; s: S }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  protected abstract create(): S;

  /** The series for these label values (same order as labelNames). */
  labels(...values: string[]): S {
    // Concatenation, not join: join showed up in the request-path profile; two or three labels are the norm.
    const n = values.length;
    const key = n === 1 ? values[0]! : n === 2 ? `${values[0]}\u0000${values[1]}` : n === 3 ? `${values[0]}\u0000${values[1]}\u0000${values[2]}` : values.join('\u0000');
    let e = this.#series.get(key);
    if (!e) {
      // Bounded cardinality: label values come from the route table, but never trust that blindly.
      if (this.#series.size >= MAX_SERIES) {
        this.#series.clear();
        generation++;
      }
      e = { values, s: this.create() };
      this.#series.set(key, e);
    }
    return e.s;
  }

  protected entries(): Iterable<{ values: readonly string[]; s: S }> {
    return this.#series.values();
  }

  abstract expose(): string;
}

export class CounterSeries {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class CounterFamily extends Family<CounterSeries> {
  protected create(): CounterSeries {
    return new CounterSeries();
  }
  expose(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const { values, s } of this.entries()) out += `${this.name}${labelText(this.labelNames, values)} ${fmt(s.value)}\n`;
    return out;
  }
}

export class GaugeSeries {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class GaugeFamily extends Family<GaugeSeries> {
  protected create(): GaugeSeries {
    return new GaugeSeries();
  }
  expose(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n`;
    for (const { values, s } of this.entries()) out += `${this.name}${labelText(this.labelNames, values)} ${fmt(s.value)}\n`;
    return out;
  }
}

export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length);
  }
  observe(v: number): void {
    const b = this.buckets;
    // Buckets are few (≤ 16): a linear scan beats a binary search here.
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
}

export class HistogramFamily extends Family<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }
  protected create(): HistogramSeries {
    return new HistogramSeries(this.buckets);
  }
  expose(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const { values, s } of this.entries()) {
      let cum = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cum += s.counts[i]!;
        out += `${this.name}_bucket${labelText(this.labelNames, values, `le="${fmt(this.buckets[i]!)}"`)} ${cum}\n`;
      }
      out += `${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, values)} ${fmt(s.sum)}\n`;
      out += `${this.name}_count${labelText(this.labelNames, values)} ${s.count}\n`;
    }
    return out;
  }
}
