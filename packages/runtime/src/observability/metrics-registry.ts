/** Label set of a metric sample. */
export type Labels = Readonly<Record<string, string>>;

const DEFAULT_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

interface Series {
  readonly labels: Labels;
  value: number;
  buckets?: number[];
  count?: number;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly series: Map<string, Series>;
}

/** One counter series, bound once (no label work per increment). */
export interface CounterSeries {
  inc(by?: number): void;
}
/** One gauge series. */
export interface GaugeSeries {
  set(value: number): void;
}
/** One histogram series (seconds). */
export interface HistogramSeries {
  observe(valueSeconds: number): void;
}

/** A tiny in-process metrics store rendered in the Prometheus text format by `/metrics`. */
export interface MetricsRegistry {
  inc(name: string, help: string, labels?: Labels, by?: number): void;
  set(name: string, help: string, labels: Labels, value: number): void;
  observe(name: string, help: string, labels: Labels, valueSeconds: number): void;
  /** The series `name{labels}`, bound for hot paths (same effect as `inc`/`set`/`observe`). */
  counter(name: string, help: string, labels?: Labels): CounterSeries;
  gauge(name: string, help: string, labels: Labels): GaugeSeries;
  histogram(name: string, help: string, labels: Labels): HistogramSeries;
  /** Current value of a counter/gauge series (0 when absent). */
  get(name: string, labels?: Labels): number;
  render(): string;
}

/** Creates an empty {@link MetricsRegistry}. */
export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();
  const series = (name: string, help: string, type: Family["type"], labels: Labels): Series => {
    let family = families.get(name);
    if (family === undefined) {
      family = { name, help, type, series: new Map() };
      families.set(name, family);
    }
    const key = labelKey(labels);
    let entry = family.series.get(key);
    if (entry === undefined) {
      entry = { labels, value: 0 };
      if (type === "histogram") {
        entry.buckets = DEFAULT_BUCKETS_S.map(() => 0);
        entry.count = 0;
      }
      family.series.set(key, entry);
    }
    return entry;
  };
  const record = (entry: Series, valueSeconds: number): void => {
    entry.value += valueSeconds;
    entry.count = (entry.count ?? 0) + 1;
    const buckets = entry.buckets as number[];
    for (let index = 0; index < DEFAULT_BUCKETS_S.length; index += 1) {
      if (valueSeconds <= (DEFAULT_BUCKETS_S[index] as number)) buckets[index] = (buckets[index] ?? 0) + 1;
    }
  };
  return {
    inc(name, help, labels = {}, by = 1) {
      series(name, help, "counter", labels).value += by;
    },
    set(name, help, labels, value) {
      series(name, help, "gauge", labels).value = value;
    },
    observe(name, help, labels, valueSeconds) {
      record(series(name, help, "histogram", labels), valueSeconds);
    },
    counter(name, help, labels = {}) {
      const entry = series(name, help, "counter", labels);
      return {
        inc(by = 1) {
          entry.value += by;
        },
      };
    },
    gauge(name, help, labels) {
      const entry = series(name, help, "gauge", labels);
      return {
        set(value) {
          entry.value = value;
        },
      };
    },
    histogram(name, help, labels) {
      const entry = series(name, help, "histogram", labels);
      return { observe: (valueSeconds) => record(entry, valueSeconds) };
    },
    get(name, labels = {}) {
      return families.get(name)?.series.get(labelKey(labels))?.value ?? 0;
    },
    render() {
      const lines: string[] = [];
      for (const family of families.values()) {
        lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
        for (const entry of family.series.values()) {
          if (family.type !== "histogram") {
            lines.push(`${family.name}${formatLabels(entry.labels)} ${entry.value}`);
            continue;
          }
          DEFAULT_BUCKETS_S.forEach((bound, index) => {
            const labels = formatLabels({ ...entry.labels, le: String(bound) });
            lines.push(`${family.name}_bucket${labels} ${entry.buckets?.[index] ?? 0}`);
          });
          lines.push(`${family.name}_bucket${formatLabels({ ...entry.labels, le: "+Inf" })} ${entry.count}`);
          lines.push(`${family.name}_sum${formatLabels(entry.labels)} ${entry.value}`);
          lines.push(`${family.name}_count${formatLabels(entry.labels)} ${entry.count}`);
        }
      }
      return `${lines.join("\n")}\n`;
    },
  };
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(",");
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  const body = keys
    .map(
      (key) =>
        `${key}="${String(labels[key]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
    )
    .join(",");
  return `{${body}}`;
}
