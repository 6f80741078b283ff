// The plan page: the plan's DAG laid out by dagre, each node coloured by its state and the
// remaining critical path marked, kept live by the coordinator's server-sent events.
// Read-only. What tests read is exposed as window.wsfleetPage.
'use strict';

const STATES = ['PENDING', 'READY', 'ASSIGNED', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'BLOCKED', 'CANCELLED'];
const ENDED = new Set(['SUCCEEDED', 'SKIPPED', 'FAILED', 'BLOCKED', 'CANCELLED']);
const NODE_WIDTH = 190;
const NODE_HEIGHT = 42;
const SVG = 'http://www.w3.org/2000/svg';
// Past this many workstreams the layout would hold the browser for tens of seconds (3,000
// take 3.5 s: docs/benchmarks.md): the page then shows counts and ETA only.
const MOST_LAID_OUT = 5000;

const page = {
  plan: null,          // the plan shown
  graph: null,         // /api/graph's answer
  nodes: new Map(),    // id -> {group, rect, sub, data}
  edges: [],           // {from, to, path}
  status: new Map(),   // id -> the live status of each workstream
  critical: [],
  selected: null,
  events: null,
  renderMs: null,      // from asking for the graph to its nodes drawn
  latencies: [],       // ms from a state change (its start or end time) to the page showing it
  updates: 0,
  view: {x: 0, y: 0, scale: 1},
  size: {width: 0, height: 0},
};
window.wsfleetPage = page;

const $ = (id) => document.getElementById(id);

function el(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function html(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

async function getJson(url) {
  const response = await fetch(url, {credentials: 'same-origin', cache: 'no-store'});
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${url}: HTTP ${response.status}`);
  return body;
}

function shorten(text, length) {
  return text.length <= length ? text : text.slice(0, length - 1) + '…';
}

function duration(seconds) {
  if (!(seconds > 0)) return '';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

function showMessage(text) {
  $('message').textContent = text || '';
}

// The plans list: every plan the coordinator holds, newest last, the one shown marked.
async function loadPlans() {
  const {plans} = await getJson('/api/plans');
  const nav = $('plans');
  nav.replaceChildren();
  for (const plan of plans) {
    const link = html('a', `${plan.name || plan.plan_id} ${plan.workstreams.succeeded}/${plan.workstreams.total}`);
    link.href = `/?plan=${encodeURIComponent(plan.plan_id)}`;
    link.dataset.plan = plan.plan_id;
    link.title = plan.done ? (plan.succeeded ? 'done: succeeded' : 'done: not all succeeded') : 'running';
    if (plan.plan_id === page.plan) link.className = 'current';
    nav.appendChild(link);
  }
  return plans;
}

function choosePlan(plans) {
  const asked = new URLSearchParams(location.search).get('plan');
  if (asked) return asked;
  const running = plans.filter((plan) => !plan.done);
  const pick = running.length ? running[running.length - 1] : plans[plans.length - 1];
  return pick ? pick.plan_id : '';
}

function layout(graph) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({rankdir: 'LR', nodesep: 14, ranksep: 56, marginx: 20, marginy: 20});
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, {width: NODE_WIDTH, height: NODE_HEIGHT});
  for (const node of graph.nodes) for (const dep of node.deps) g.setEdge(dep, node.id);
  dagre.layout(g);
  return g;
}

function draw(graph, laidOut) {
  const edges = document.createDocumentFragment();
  const nodes = document.createDocumentFragment();
  page.nodes.clear();
  page.edges = [];
  for (const e of laidOut.edges()) {
    const points = laidOut.edge(e).points;
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const path = el('path', {d, class: 'edge', 'data-from': e.v, 'data-to': e.w}, edges);
    page.edges.push({from: e.v, to: e.w, path});
  }
  for (const node of graph.nodes) {
    const box = laidOut.node(node.id);
    const group = el('g', {class: 'node', 'data-id': node.id, 'data-state': 'PENDING',
                           transform: `translate(${(box.x - NODE_WIDTH / 2).toFixed(1)},${(box.y - NODE_HEIGHT / 2).toFixed(1)})`}, nodes);
    const rect = el('rect', {width: NODE_WIDTH, height: NODE_HEIGHT}, group);
    const title = el('title', {}, group);
    title.textContent = `${node.id} ${node.name}`;
    const label = el('text', {x: 8, y: 17}, group);
    label.textContent = shorten(`${node.id} ${node.name}`, 27);
    const sub = el('text', {x: 8, y: 33, class: 'sub'}, group);
    group.addEventListener('click', () => select(node.id));
    page.nodes.set(node.id, {group, rect, sub, data: node});
  }
  $('edges').replaceChildren(edges);
  $('nodes').replaceChildren(nodes);
  const size = laidOut.graph();
  page.size = {width: size.width || 1, height: size.height || 1};
  fit(true);
}

function drawLegend() {
  const legend = $('legend');
  legend.replaceChildren();
  for (const state of STATES) {
    const item = html('span');
    const swatch = html('i');
    swatch.style.background = `var(--${state})`;
    item.append(swatch, state.toLowerCase());
    legend.appendChild(item);
  }
  const critical = html('span');
  critical.append(html('i', null, 'critical'), 'critical path');
  legend.appendChild(critical);
}

function applyView() {
  const {x, y, scale} = page.view;
  $('viewport').setAttribute('transform', `translate(${x},${y}) scale(${scale})`);
}

// The whole graph in the window (`readable`: no smaller than labels can be read, from its
// start, the rest a pan or the fit button away).
const READABLE_SCALE = 0.45;
function fit(readable) {
  const box = $('dag').getBoundingClientRect();
  let scale = Math.min(1.2, box.width / page.size.width, box.height / page.size.height);
  if (readable === true && scale < READABLE_SCALE) {
    scale = READABLE_SCALE;
    page.view = {scale, x: 0, y: Math.max(0, (box.height - page.size.height * scale) / 2)};
  } else {
    page.view = {scale, x: (box.width - page.size.width * scale) / 2, y: Math.max(0, (box.height - page.size.height * scale) / 2)};
  }
  applyView();
}

function enablePanAndZoom() {
  const svg = $('dag');
  let drag = null;
  svg.addEventListener('wheel', (event) => {
    event.preventDefault();
    const factor = Math.exp(-event.deltaY * 0.0015);
    const box = svg.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    const view = page.view;
    const scale = Math.min(4, Math.max(0.02, view.scale * factor));
    view.x = px - (px - view.x) * (scale / view.scale);
    view.y = py - (py - view.y) * (scale / view.scale);
    view.scale = scale;
    applyView();
  }, {passive: false});
  svg.addEventListener('pointerdown', (event) => {
    if (event.target.closest('.node')) return;
    drag = {x: event.clientX - page.view.x, y: event.clientY - page.view.y};
    svg.classList.add('dragging');
  });
  window.addEventListener('pointermove', (event) => {
    if (!drag) return;
    page.view.x = event.clientX - drag.x;
    page.view.y = event.clientY - drag.y;
    applyView();
  });
  window.addEventListener('pointerup', () => {
    drag = null;
    svg.classList.remove('dragging');
  });
  $('fit').addEventListener('click', () => fit(false));
}

function subtitle(ws, now) {
  const state = ws.s;
  if (state === 'RUNNING') {
    const elapsed = ws.t0 ? duration((now - ws.t0) / 1000) : '';
    return shorten(`${ws.w || ''} ${elapsed}`.trim(), 30);
  }
  if (state === 'SUCCEEDED' && ws.t0 && ws.t1) return `succeeded in ${duration((ws.t1 - ws.t0) / 1000) || '0s'}`;
  return state.toLowerCase();
}

// One event from /api/events: every workstream's state now.
function applyStatus(live) {
  const now = Date.now();
  for (const ws of live.ws) {
    const shown = page.nodes.get(ws.id);
    if (!shown) continue;
    const before = page.status.get(ws.id);
    page.status.set(ws.id, ws);
    if (!before || before.s !== ws.s) {
      shown.group.dataset.state = ws.s;
      shown.rect.style.fill = `var(--${ws.s})`;
      // How late the page is: from when the coordinator says it happened to now.
      const when = ENDED.has(ws.s) ? ws.t1 : (ws.s === 'RUNNING' ? ws.t0 : 0);
      if (before && when) page.latencies.push(now - when);
    }
    shown.sub.textContent = subtitle(ws, now);
  }
  const critical = new Set(live.critical);
  const order = new Map(live.critical.map((id, i) => [id, i]));
  for (const [id, shown] of page.nodes) shown.group.classList.toggle('critical', critical.has(id));
  for (const edge of page.edges) {
    const on = order.has(edge.from) && order.get(edge.to) === order.get(edge.from) + 1;
    edge.path.classList.toggle('critical', on);
  }
  page.critical = live.critical;
  const progress = $('progress');
  progress.replaceChildren();
  for (const state of STATES) {
    if (!live.counts[state]) continue;
    const chip = html('span', `${live.counts[state]} ${state.toLowerCase()}`, 'count');
    chip.dataset.state = state;
    chip.style.background = `var(--${state})`;
    progress.appendChild(chip);
  }
  $('eta').textContent = live.done ? (live.succeeded ? 'done' : 'done, not all succeeded')
                                   : (live.eta > 0 ? `ETA ${duration(live.eta)}` : '');
  page.updates += 1;
  document.body.dataset.updates = String(page.updates);
  if (page.selected && page.status.get(page.selected)) refreshDetails(false);
}

function follow(planId) {
  if (page.events) page.events.close();
  const events = new EventSource(`/api/events?plan=${encodeURIComponent(planId)}`);
  page.events = events;
  events.addEventListener('status', (message) => applyStatus(JSON.parse(message.data)));
  events.onopen = () => {
    $('live').className = 'live-on';
    $('live').textContent = '● live';
  };
  events.onerror = () => {
    $('live').className = 'live-off';
    // Closed for good: the coordinator refused the stream (a restart forgets sessions).
    $('live').textContent = events.readyState === EventSource.CLOSED
        ? '● not live: run `wsfleet ui` again' : '● reconnecting';
  };
}

function fact(list, name, value) {
  if (value === undefined || value === null || value === '') return;
  list.append(html('dt', name), html('dd', String(value)));
}

function time(ms) {
  return ms > 0 ? new Date(ms).toLocaleString() : '';
}

let detailsAsked = 0;
async function refreshDetails(scroll) {
  const id = page.selected;
  const asked = ++detailsAsked;
  let detail;
  try {
    detail = await getJson(`/api/workstream?plan=${encodeURIComponent(page.plan)}&id=${encodeURIComponent(id)}`);
  } catch (error) {
    $('detail-body').replaceChildren(html('p', error.message));
    return;
  }
  if (asked !== detailsAsked) return;  // a newer answer is on its way
  const ws = detail.workstream;
  const body = document.createDocumentFragment();
  body.appendChild(html('h2', `${ws.id} ${ws.name}`));
  const chip = html('span', ws.state, 'state-chip');
  chip.id = 'detail-state';
  chip.style.background = `var(--${ws.state})`;
  body.appendChild(chip);
  const facts = html('dl', null, 'facts');
  fact(facts, 'worker', ws.worker_id);
  fact(facts, 'attempts', ws.attempts);
  fact(facts, 'started', time(ws.started_unix_ms));
  fact(facts, 'finished', time(ws.finished_unix_ms));
  fact(facts, 'message', ws.message);
  fact(facts, 'merge', ws.merge);
  fact(facts, 'tests', `${ws.tests.passed} passed, ${ws.tests.failed} failed, ${ws.tests.skipped} skipped`);
  const spent = ws.agent_spent;
  if (spent) {
    const cost = spent.cost_usd === null ? 'cost not reported' : `$${spent.cost_usd.toFixed(4)}`;
    fact(facts, 'agent', `${spent.type}: ${spent.turns} turns, ${spent.input_tokens + spent.output_tokens} tokens, ${cost}`);
  }
  fact(facts, 'why not done', (ws.verdict_reasons || []).join('; '));
  body.appendChild(facts);
  if (ws.criteria.length) {
    body.appendChild(html('h3', 'acceptance criteria'));
    const table = html('table', null, 'criteria');
    table.id = 'criteria';
    for (const criterion of ws.criteria) {
      const row = table.insertRow();
      row.insertCell().appendChild(html('span', criterion.verdict, `verdict-${criterion.verdict}`));
      row.insertCell().textContent = criterion.text;
      row.insertCell().textContent = criterion.detail;
    }
    body.appendChild(table);
  }
  body.appendChild(html('h3', 'summary'));
  const summary = html('pre', detail.summary || '(none yet)', 'summary');
  summary.id = 'detail-summary';
  body.appendChild(summary);
  body.appendChild(html('h3', 'log (its end)'));
  const log = html('pre', detail.log || '(no output yet)');
  log.id = 'detail-log';
  body.appendChild(log);
  $('detail-body').replaceChildren(body);
  log.scrollTop = log.scrollHeight;
  if (scroll) $('details').scrollTop = 0;
}

function select(id) {
  if (page.selected && page.nodes.get(page.selected)) page.nodes.get(page.selected).group.classList.remove('selected');
  page.selected = id;
  page.nodes.get(id).group.classList.add('selected');
  if ($('details').hidden) {
    $('details').hidden = false;
    fit(true);  // the panel took part of the window
  }
  refreshDetails(true);
}

async function showPlan(planId) {
  const asked = performance.now();
  page.plan = planId;
  const graph = await getJson(`/api/graph?plan=${encodeURIComponent(planId)}`);
  page.plan = graph.plan;
  page.graph = graph;
  document.title = `wsfleet: ${graph.name || graph.plan}`;
  if (!graph.nodes.length) {
    showMessage('This plan has no workstreams.');
    return;
  }
  if (graph.nodes.length > MOST_LAID_OUT) {
    showMessage(`${graph.nodes.length} workstreams: too many to draw here (at most ${MOST_LAID_OUT}); ` +
                'the counts above stay live, and `wsfleet status` lists them.');
    document.body.dataset.nodes = '0';
    follow(graph.plan);
    return;
  }
  draw(graph, layout(graph));
  page.renderMs = performance.now() - asked;
  document.body.dataset.nodes = String(graph.nodes.length);
  follow(graph.plan);
}

async function start() {
  drawLegend();
  enablePanAndZoom();
  $('close').addEventListener('click', () => {
    $('details').hidden = true;
    if (page.selected) page.nodes.get(page.selected).group.classList.remove('selected');
    page.selected = null;
    fit(true);
  });
  window.addEventListener('resize', () => fit(true));
  try {
    const plans = await loadPlans();
    const planId = choosePlan(plans);
    if (!planId) {
      showMessage('No plan yet: submit one (wsfleet submit PLAN) and reload.');
      return;
    }
    await showPlan(planId);
    await loadPlans();  // marks the one shown
    setInterval(() => loadPlans().catch(() => {}), 5000);
    setInterval(() => {  // running times move
      const now = Date.now();
      for (const [id, ws] of page.status) if (ws.s === 'RUNNING') page.nodes.get(id).sub.textContent = subtitle(ws, now);
    }, 1000);
  } catch (error) {
    showMessage(error.message);
  }
}

start();
