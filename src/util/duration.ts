// Durations as people write them: 300000 → "5m", 90000 → "90s", 1500 → "1.5s", 300 → "300ms".
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms < 1000) return `${ms}ms`;
  return `${ms / 1000}s`;
}
