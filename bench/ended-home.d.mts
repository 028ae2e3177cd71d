// Types of ended-home.mjs, for the test that holds its counts (test/bench/ended-home.test.ts).
export type Counts = Record<string, number>;
export function middleJob(count: number): string;
export function writeEndedHome(home: string, count: number): void;
export function tracedCalls(
  bin: string,
  command: string,
  args: string[],
  home: string,
  traceFile: string,
): {calls: Counts; stdout: string; stderr: string};
export function measureReport(options: {
  bin: string;
  home: string;
  runs?: number;
}): {format: string; ms: number; rssMb: number; lines: number}[];
