// Types of round-trips.mjs, for the test that asserts its counts (test/bench/round-trips.test.ts).
export type Counts = Record<string, number>;
export interface RoundTrips {
  jobs: number;
  slots: number;
  dispatcher: Counts;
  worker: Counts;
}
export function straceUnavailable(): string | undefined;
export function countCalls(text: string, home: string): Counts;
export function measureRoundTrips(options: {
  bin: string;
  home: string;
  jobs: number;
  slots: number;
}): Promise<RoundTrips>;
export function roundTripsTable(result: RoundTrips): string;
export function totalCalls(counts: Counts): number;
