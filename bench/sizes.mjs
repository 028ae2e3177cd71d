// The sizes of every scenario of the benchmark: each as the full run's, or with `quick`
// (--quick) the smaller one beside it; `slotsTotal` (--slots-total=N) sets the many-slots
// scenario's slots.
export function benchConfig(quick, slotsTotal) {
  // The size of a full run, or `small` in a quick one.
  const size = (small, full) => (quick ? small : full);
  const config = {
    rounds: size(1, 3),
    jobs: size(500, 2000),
    drops: size(40, 200),
    backlog: size(5000, 100_000),
    submit: size(1000, 10_000),
    idleWorkers: size(8, 32),
    idleSeconds: size(3, 10),
    idleSettleSeconds: size(2, 30),
    idleSlots: {slots: size(8, 64), settleSeconds: size(2, 20), seconds: size(3, 20)},
    manySlots: {
      slots: slotsTotal ?? size(16, 1024),
      perHire: size(8, 64),
      jobsPerSlot: 4,
      sleepSeconds: size(1, 2),
    },
    serverCost: {
      workers: size(2, 8),
      backlogs: size([100, 1000], [1000, 20_000]),
      busySlots: 2,
      settleSeconds: size(2, 20),
      seconds: size(4, 10),
    },
    // A busy worker of 2 slots has an RSS of about 60 MB (57-64 MB measured on 2026-12-01).
    spawn: {jobs: size(200, 2000), rounds: size(1, 3), rssMb: 60},
    ended: size(2000, 100_000),
    dashboard: {jobs: size(300, 2000), rounds: size(1, 5), pollSeconds: 2, homeJobs: size(2000, 100_000)},
  };
  config.manySlots.jobs = config.manySlots.slots * config.manySlots.jobsPerSlot;
  return config;
}
