#!/usr/bin/env bash
# The example from the original fjd: create ten jobs, hire a worker with four slots, dispatch, fire.
# Its home is this folder; the jobs write their results to data/job0.dat … data/job9.dat.
set -euo pipefail
cd "$(dirname "$0")"
bin="${FJD_BIN:-../bin}"

# Start from a clean slate: remove what an earlier run of the example left here.
rm -rf jobqueue workerqueue done failed data .fjd

node create_jobs.mjs
"$bin/recruiter" hire 4
trap '"$bin/recruiter" fire >/dev/null' EXIT
status=0
"$bin/dispatcher" || status=$?
trap - EXIT
"$bin/recruiter" fire
echo "Results in data/:"
ls data/
exit "$status"
