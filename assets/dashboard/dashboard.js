// The page of `fjd dashboard`: polls /api/overview every POLL_MS (longer on a big home) and
// redraws. Every text from the home goes in as textContent, never as markup: job names and
// reasons are anyone's.
'use strict';

const POLL_MS = 2000;
const SVG = 'http://www.w3.org/2000/svg';
const STATES = ['open', 'assigned', 'running', 'finished', 'failed'];

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function rough(seconds) {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

function showCounts(status) {
  for (const state of STATES) {
    const node = $(`count-${state}`);
    node.textContent = String(status.counts[state]);
    node.dataset.count = String(status.counts[state]);
  }
  const {jobsPerSecond, windowSeconds} = status.rate;
  const left = status.counts.open + status.counts.assigned + status.counts.running;
  let line = 'Rate: none in the last 5 minutes';
  if (jobsPerSecond !== null) {
    const rate =
      jobsPerSecond >= 1 ? `${jobsPerSecond.toFixed(1)} jobs/s` : `${(jobsPerSecond * 60).toFixed(1)} jobs/min`;
    line = `Rate: ${rate} over the last ${Math.round(windowSeconds)} s`;
  }
  if (left === 0) line += '; nothing left';
  else if (status.etaSeconds !== null) line += `; about ${rough(status.etaSeconds)} left for ${left} jobs`;
  if (status.paused) line += `; paused${status.paused.by ? ` by ${status.paused.by}` : ''} (fjd resume goes on)`;
  $('rate').textContent = line;
  $('slots').textContent =
    `${status.workers.length} workers; slots: ${status.slots.busy} of ${status.slots.total} busy`;
}

// A bar per minute, the finished below and the failed stacked on them.
function showChart(points) {
  const box = $('chart');
  const width = Math.max(300, box.clientWidth || 800);
  const height = 200;
  const pad = {left: 40, right: 10, top: 10, bottom: 24};
  const chart = svg('svg', {viewBox: `0 0 ${width} ${height}`, 'data-points': points.length});
  const most = Math.max(1, ...points.map((p) => p.finished + p.failed));
  const step = (width - pad.left - pad.right) / Math.max(1, points.length);
  const bar = Math.max(1, Math.min(40, step * 0.8));
  const y = (n) => height - pad.bottom - (n / most) * (height - pad.top - pad.bottom);
  chart.append(svg('line', {class: 'axis', x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0)}));
  chart.append(svg('line', {class: 'axis', x1: pad.left, y1: y(0), x2: pad.left, y2: pad.top}));
  const top = svg('text', {x: 4, y: pad.top + 8});
  top.textContent = String(most);
  chart.append(top);
  points.forEach((p, i) => {
    const x = pad.left + i * step + (step - bar) / 2;
    const group = svg('g', {
      class: 'point',
      'data-minute': p.minute,
      'data-finished': p.finished,
      'data-failed': p.failed,
    });
    group.append(svg('rect', {class: 'finished', x, width: bar, y: y(p.finished), height: y(0) - y(p.finished)}));
    group.append(
      svg('rect', {
        class: 'failed',
        x,
        width: bar,
        y: y(p.finished + p.failed),
        height: y(p.finished) - y(p.finished + p.failed),
      }),
    );
    const tip = svg('title', {});
    tip.textContent = `${clock(new Date(p.minute).toISOString())}: ${p.finished} finished, ${p.failed} failed`;
    group.append(tip);
    chart.append(group);
  });
  const labels = points.length <= 1 ? [0] : [0, points.length - 1];
  for (const i of labels) {
    if (points[i] === undefined) continue;
    const label = svg('text', {x: pad.left + (i + 0.5) * step, y: height - 6, 'text-anchor': 'middle'});
    label.textContent = new Date(points[i].minute).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
    chart.append(label);
  }
  box.replaceChildren(chart);
}

// A failed job's row; a click opens the end of its stderr and stdout below it.
const opened = new Set();

async function outputOf(id, stream) {
  const response = await fetch(`/api/jobs/${encodeURIComponent(id)}/${stream}`);
  return response.ok ? await response.text() : `(no ${stream})`;
}

async function openOutput(id, cell) {
  const [stderr, stdout] = await Promise.all([outputOf(id, 'stderr'), outputOf(id, 'stdout')]);
  cell.replaceChildren(
    el('b', {}, 'stderr'),
    el('pre', {class: 'stderr'}, stderr || '(empty)'),
    el('b', {}, 'stdout'),
    el('pre', {class: 'stdout'}, stdout || '(empty)'),
  );
}

function showFailed(failed, total) {
  const body = $('failed').tBodies[0];
  const rows = [];
  for (const job of failed) {
    const row = el(
      'tr',
      {class: 'job', 'data-id': job.id},
      el('td', {}, job.id),
      el('td', {class: 'reason'}, job.reason ?? '–'),
      el('td', {}, job.host ?? '–'),
      el('td', {}, clock(job.endedAt)),
    );
    const more = el('tr', {class: 'output'}, el('td', {colspan: '4'}));
    more.hidden = !opened.has(job.id);
    row.addEventListener('click', () => {
      if (opened.has(job.id)) opened.delete(job.id);
      else opened.add(job.id);
      more.hidden = !opened.has(job.id);
      if (!more.hidden) void openOutput(job.id, more.firstChild);
    });
    if (!more.hidden) void openOutput(job.id, more.firstChild);
    rows.push(row, more);
  }
  body.replaceChildren(...rows);
  $('failed-note').textContent =
    total > failed.length
      ? `the newest ${failed.length} of ${total}; click one for its output`
      : failed.length > 0
        ? 'click one for its output'
        : 'none';
}

function showHosts(status, ages) {
  const hosts = new Map();
  for (const worker of status.workers) {
    const host = worker.host ?? '(unknown host)';
    hosts.set(host, [...(hosts.get(host) ?? []), worker]);
  }
  const blocks = [];
  for (const [host, workers] of [...hosts].sort(([a], [b]) => a.localeCompare(b))) {
    const busy = workers.reduce((n, w) => n + w.running.length, 0);
    const slots = workers.reduce((n, w) => n + (w.capacity?.slots ?? 1), 0);
    const block = el('div', {class: 'host', 'data-host': host}, el('b', {}, `${host}: ${busy} of ${slots} slots busy`));
    for (const w of workers) {
      const age = ages[w.id];
      const jobs = w.running.map((r) => r.job).join(', ');
      const parts = [
        w.id,
        w.state,
        `${w.running.length}/${w.capacity?.slots ?? 1} slots`,
        age === undefined ? 'no heartbeat yet' : `heartbeat ${rough(age / 1000)} ago`,
      ];
      if (jobs !== '') parts.push(`runs ${jobs}`);
      if (w.problem !== null) parts.push(`trouble: ${w.problem}`);
      block.append(
        el('div', {class: `worker ${w.state}`}, w.state === 'lost' ? `LOST ${parts.join(' · ')}` : parts.join(' · ')),
      );
    }
    blocks.push(block);
  }
  $('hosts').replaceChildren(...(blocks.length > 0 ? blocks : [el('p', {}, 'No workers.')]));
}

// Why an open job waits, in words (a WaitReason of fjd status JOB --json).
function reasonText(r) {
  switch (r.kind) {
    case 'dispatcher':
      return 'no dispatcher runs on this home';
    case 'dependency':
      return `waits for ${r.name} (${r.state})`;
    case 'limit':
      return r.limit === 0
        ? `group ${r.group} has a limit of 0`
        : `group ${r.group} at its limit (${r.out} of ${r.limit} out)`;
    case 'unfittable':
      return `no worker hired can run it: ${r.reason}`;
    case 'resources':
      return `waiting for room: ${r.reason}`;
    case 'worker':
      return r.workers === 0 ? 'no worker is hired' : `no worker free (${r.busy} of ${r.workers} busy)`;
    default:
      return r.kind;
  }
}

// The held jobs grouped by why they wait, the first names of each group shown.
function showHeld(held, open) {
  const groups = new Map();
  for (const job of held) {
    const why = job.waiting.map(reasonText).join('; ') || 'about to be handed out';
    groups.set(why, [...(groups.get(why) ?? []), job.name]);
  }
  const rows = [...groups].map(([why, names]) => {
    const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
    return el('tr', {}, el('td', {}, why), el('td', {}, String(names.length)), el('td', {class: 'names'}, shown));
  });
  $('held').tBodies[0].replaceChildren(...rows);
  $('held-note').textContent =
    open > held.length ? `the first ${held.length} of ${open} open` : held.length === 0 ? 'none' : '';
}

// The pause after a poll: POLL_MS, or four times what the poll took when that is longer, so
// that a page left open on a big home costs its server at most a fifth of a core.
async function poll() {
  const started = performance.now();
  try {
    const response = await fetch('/api/overview', {cache: 'no-store'});
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const view = await response.json();
    $('home').textContent = view.status.home;
    showCounts(view.status);
    showChart(view.perMinute);
    showFailed(view.failed, view.status.counts.failed);
    showHosts(view.status, view.heartbeatAgeMs);
    showHeld(view.held, view.status.counts.open);
    $('updated').textContent = `updated ${clock(view.now)}`;
    document.body.dataset.updated = view.now;
    $('trouble').hidden = true;
  } catch (error) {
    $('trouble').hidden = false;
    $('trouble').textContent = `Cannot reach fjd dashboard: ${error.message}`;
  }
  setTimeout(poll, Math.max(POLL_MS, 4 * (performance.now() - started)));
}

void poll();
