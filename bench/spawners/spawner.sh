#!/bin/bash
# A long-lived spawner for the spawn benchmark (bench/spawn.mjs), in bash. Request on stdin:
# NUL-terminated fields: id, cwd, stdout file, stderr file, argc, the argv, envc, the
# environment. Replies as spawner.pl's. bash cannot call setsid(2), so each job runs through
# /usr/bin/setsid (one more exec), from a subshell that waits for it and reports its status.
exec 3>&1
while IFS= read -r -d '' id; do
  IFS= read -r -d '' cwd
  IFS= read -r -d '' out
  IFS= read -r -d '' err
  IFS= read -r -d '' argc
  argv=()
  for ((i = 0; i < argc; i++)); do IFS= read -r -d '' a; argv+=("$a"); done
  IFS= read -r -d '' envc
  envs=()
  for ((i = 0; i < envc; i++)); do IFS= read -r -d '' a; envs+=("$a"); done
  (
    cd "$cwd" 2>/dev/null || { echo "E $id chdir $cwd" >&3; exit 0; }
    umask 077
    unset $(compgen -e)
    for kv in "${envs[@]}"; do export "$kv"; done
    setsid "${argv[@]}" </dev/null >"$out" 2>"$err" &
    p=$!
    echo "P $id $p" >&3
    wait "$p"
    echo "X $id code $?" >&3
  ) &
done
