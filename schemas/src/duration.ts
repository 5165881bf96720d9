// Go duration strings (time.ParseDuration), the format of metav1.Duration fields such as holdTime.

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const PART = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses "90s", "1m30s", "1.5h", "500ms" or "0" into seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let consumed = 0;
  while (consumed < text.length) {
    PART.lastIndex = consumed;
    const m = PART.exec(text);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_SECONDS[m[2] as string] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Formats seconds the way Go prints a duration: "1m30s", "90ms", "0s". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${Math.round(seconds * 1e6) / 1e3}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds - h * 3600) / 60);
  const s = Math.round((seconds - h * 3600 - m * 60) * 1e9) / 1e9;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}
