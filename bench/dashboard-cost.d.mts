// Types of bench/dashboard-cost.mjs, for the test that holds its figures.
export interface DashboardConfig {
  jobs: number;
  rounds: number;
  pollSeconds: number;
  homeJobs: number;
}
export interface DashboardCost {
  alone: number;
  polled: number;
  polls: number;
  homeJobs: number;
  startMs: number;
  firstLoadMs: number;
  pageBytes: number;
  reloadMs: number;
  browserMs: number | null;
  browserFirstMs: number | null;
  statusMs: number;
  statusBytes: number;
  peakRssMb: number;
}
export function dashboardScenario(config: DashboardConfig): Promise<DashboardCost>;
export function dashboardLines(result: DashboardCost, config: DashboardConfig): string[];
