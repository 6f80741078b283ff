// Drives Debian's Chromium (through playwright-core) against live coordinators' plan pages:
// the login's refusals, the DAG's nodes and edges in the DOM, states changing as a plan
// runs, the details of a workstream, the plans list, a 1,000-workstream plan drawn, and
// one of 5,001 not laid out (said so).
// Screenshots go to ARTIFACTS. Run by plan_page_test.sh, which starts the fleet; it starts
// the worker when this script writes TMP/page-ready.
// Usage: node plan_page_test.cjs WSFLEET TMP ARTIFACTS  (env: SMALL, BIG, HUGE: coordinator sockets)
'use strict';
const {chromium} = require('playwright-core');
const {execFileSync} = require('child_process');
const fs = require('fs');

const [wsfleet, tmp, artifacts] = process.argv.slice(2);
let passes = 0;
let failures = 0;
function check(what, ok, detail) {
  if (ok) {
    passes += 1;
  } else {
    failures += 1;
    console.log(`FAIL: ${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
  }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function cli(coordinator, ...args) {
  return execFileSync(wsfleet, args, {encoding: 'utf8', env: {...process.env, WSFLEET_COORDINATOR: coordinator},
                                      stdio: ['ignore', 'pipe', 'pipe']});
}
const login = (coordinator) => cli(coordinator, 'ui').trim();
const statusOf = (coordinator, plan) => JSON.parse(cli(coordinator, 'status', '--plan', plan, '-o', 'json'));
const domStates = (page) => page.$$eval('g.node', (nodes) => Object.fromEntries(nodes.map((n) => [n.dataset.id, n.dataset.state])));
async function until(what, seconds, probe) {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    try {
      if (await probe()) return true;
    } catch (error) { /* not yet */ }
    await sleep(100);
  }
  check(what, false, `not within ${seconds} s`);
  return false;
}

async function smallPlan(browser) {
  const small = process.env.SMALL;
  const url = login(small);
  const base = url.slice(0, url.indexOf('/login'));
  check('wsfleet ui prints a login URL on the page\'s address', /^http:\/\/127\.0\.0\.1:\d+\/login\?token=[0-9a-f]{64}$/.test(url), url);

  // Refusals: no login, a wrong token, a token used already.
  const stranger = await (await browser.newContext()).newPage();
  let response = await stranger.goto(base + '/');
  check('the page without a login: 401', response.status() === 401, response.status());
  check('... saying what to do', (await stranger.textContent('body')).includes('wsfleet ui'));
  response = await stranger.goto(base + '/login?token=' + 'f'.repeat(64));
  check('a wrong token: 403', response.status() === 403, response.status());
  check('... an unknown login', (await stranger.textContent('#refusal')).includes('unknown login'));
  const api = await fetch(base + '/api/plans');
  check('the API without a session: 401', api.status === 401, api.status);

  const context = await browser.newContext({viewport: {width: 1400, height: 800}});
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  response = await page.goto(url);
  check('the login URL opens the page', response.status() === 200 && page.url() === base + '/', [response.status(), page.url()]);
  response = await stranger.goto(url);
  check('the same URL again: 403', response.status() === 403, response.status());
  check('... used already', (await stranger.textContent('#refusal')).includes('used already'));

  await until('the DAG drawn', 10, async () => (await page.getAttribute('body', 'data-nodes')) === '6');
  const ids = await page.$$eval('g.node', (nodes) => nodes.map((n) => n.dataset.id).sort());
  check('a node for each workstream', JSON.stringify(ids) === JSON.stringify(['WS-01', 'WS-02', 'WS-03', 'WS-04', 'WS-05', 'WS-06']), ids);
  const edges = await page.$$eval('path.edge', (paths) => paths.map((p) => `${p.dataset.from}>${p.dataset.to}`).sort());
  check('an edge for each dependency', JSON.stringify(edges) === JSON.stringify(['WS-01>WS-02', 'WS-01>WS-03', 'WS-02>WS-04', 'WS-03>WS-05']), edges);
  await until('states shown', 5, async () => (await page.getAttribute('body', 'data-updates')) !== null);
  let states = await domStates(page);
  check('nothing runs before a worker joins', Object.values(states).every((s) => s === 'PENDING' || s === 'READY'), states);
  const critical = await page.$$eval('g.node.critical', (nodes) => nodes.map((n) => n.dataset.id));
  check('the critical path marked: WS-01, WS-02, WS-04 (the 3-day chain)', JSON.stringify(critical) === JSON.stringify(['WS-01', 'WS-02', 'WS-04']), critical);
  const criticalEdges = await page.$$eval('path.edge.critical', (paths) => paths.map((p) => `${p.dataset.from}>${p.dataset.to}`).sort());
  check('... with its edges', JSON.stringify(criticalEdges) === JSON.stringify(['WS-01>WS-02', 'WS-02>WS-04']), criticalEdges);

  // A second plan while this one runs: listed within the page's 5 s refresh.
  const second = cli(small, 'submit', `${tmp}/second`).match(/submitted plan (\S+)/)[1];
  await until('the plans list shows both plans', 10, async () => (await page.$$('nav#plans a')).length === 2);
  check('... the one shown marked', (await page.getAttribute('nav#plans a.current', 'data-plan')) === await page.evaluate(() => window.wsfleetPage.plan));

  fs.writeFileSync(`${tmp}/page-ready`, '');  // the test starts the worker now
  await until('a workstream shown running', 30, async () => Object.values(await domStates(page)).includes('RUNNING'));
  await until('its running time shown', 5, async () =>
    /\d+s/.test(await page.textContent('g.node[data-state="RUNNING"] text.sub')));
  await page.screenshot({path: `${artifacts}/plan-page-running.png`});

  const plan = (await page.evaluate(() => window.wsfleetPage.plan));
  await until('the plan done', 60, async () => statusOf(small, plan).done);
  const final = statusOf(small, plan);
  const wanted = Object.fromEntries(final.workstreams.map((ws) => [ws.id, ws.state]));
  check('the plan ended as planned', JSON.stringify(wanted) === JSON.stringify(
      {'WS-01': 'SUCCEEDED', 'WS-02': 'SUCCEEDED', 'WS-03': 'FAILED', 'WS-04': 'SUCCEEDED', 'WS-05': 'BLOCKED', 'WS-06': 'SUCCEEDED'}), wanted);
  await until('the page shows every end state', 3, async () => JSON.stringify(await domStates(page)) === JSON.stringify(wanted));
  check('"done" shown', (await page.textContent('#eta')).startsWith('done'));
  const latencies = await page.evaluate(() => window.wsfleetPage.latencies);
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`page behind the coordinator (ms from a state's start or end time to the page showing it): ` +
              `n=${sorted.length} median=${sorted[Math.floor(sorted.length / 2)]} max=${sorted[sorted.length - 1]}`);
  fs.writeFileSync(`${artifacts}/update-latencies.json`, JSON.stringify(sorted));
  check('state changes seen live (starts and ends of six workstreams)', sorted.length >= 8, sorted.length);
  // The goal is one second (docs/benchmarks.md records the measure); this bound is for a busy CI machine.
  check('each shown within 3 s of its change', sorted.length > 0 && sorted[sorted.length - 1] < 3000, sorted);

  await page.click('g.node[data-id="WS-03"]');
  await until('WS-03\'s details', 5, async () => (await page.textContent('#detail-state')) === 'FAILED');
  check('... the end of its log', (await page.textContent('#detail-log')).includes('boom from WS-03'));
  check('... its summary', (await page.textContent('#detail-summary')).includes('WS-03'));
  check('... its tests', (await page.textContent('#detail-body')).includes('0 passed'));
  await page.screenshot({path: `${artifacts}/plan-page-details.png`});
  await page.click('g.node[data-id="WS-04"]');
  await until('WS-04\'s criteria and their verdicts', 5, async () =>
    (await page.textContent('#criteria')).includes('PASS') && (await page.textContent('#criteria')).includes('Throughput at least'));
  await page.click('g.node[data-id="WS-06"]');
  await until('WS-06\'s agent spend', 5, async () => /claude: \d+ turns, \d+ tokens/.test(await page.textContent('#detail-body')));

  await page.click(`nav#plans a[data-plan="${second}"]`);
  await until('the second plan drawn when picked', 10, async () => (await page.getAttribute('body', 'data-nodes')) === '3');
  check('no errors in the page', errors.length === 0, errors);
}

async function bigPlan(browser) {
  const big = process.env.BIG;
  const page = await (await browser.newContext({viewport: {width: 1600, height: 900}})).newPage();
  const started = Date.now();
  await page.goto(login(big));
  await until('1,000 workstreams drawn', 60, async () => (await page.getAttribute('body', 'data-nodes')) === '1000');
  const wall = Date.now() - started;
  const drawn = await page.$$eval('g.node', (nodes) => nodes.length);
  const edges = await page.$$eval('path.edge', (paths) => paths.length);
  const wantedEdges = Number(fs.readFileSync(`${tmp}/big-edges`, 'utf8'));
  check('1,000 nodes in the DOM', drawn === 1000, drawn);
  check('every dependency an edge', edges === wantedEdges, [edges, wantedEdges]);
  await until('its states shown', 10, async () => (await page.getAttribute('body', 'data-updates')) !== null);
  const renderMs = await page.evaluate(() => window.wsfleetPage.renderMs);
  console.log(`1,000 workstreams: graph asked, laid out and drawn in ${Math.round(renderMs)} ms; page open to drawn ${wall} ms`);
  fs.writeFileSync(`${artifacts}/render-1000.json`, JSON.stringify({render_ms: renderMs, open_to_drawn_ms: wall}));
  await page.screenshot({path: `${artifacts}/plan-page-1000.png`});
}

async function hugePlan(browser) {
  const page = await (await browser.newContext({viewport: {width: 1200, height: 700}})).newPage();
  await page.goto(login(process.env.HUGE));
  await until('5,001 workstreams: the page says it draws none', 30, async () =>
    (await page.textContent('body')).includes('5001 workstreams: too many to draw here (at most 5000)'));
  check('... and lays none out', (await page.$$eval('g.node', (nodes) => nodes.length)) === 0);
  await until('... its counts shown, live', 10, async () => /5001/.test(await page.textContent('#progress')));
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    await smallPlan(browser);
    await bigPlan(browser);
    await hugePlan(browser);
  } catch (error) {
    check('the browser test ran to its end', false, String(error && error.stack || error));
  } finally {
    await browser.close();
  }
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures === 0 ? 0 : 1);
})();
