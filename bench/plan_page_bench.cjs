// The plan page in headless Chromium: how long a plan of N workstreams takes from the
// page asking for its graph to every node drawn (dagre's layout and the SVG), against a
// 6-workstream plan's in the same run (the baseline: page, fetch and script costs alone).
// Usage: node plan_page_bench.cjs WSFLEET LABEL=SOCKET...   (NODE_PATH: playwright-core)
'use strict';
const {chromium} = require('playwright-core');
const {execFileSync} = require('child_process');

const [wsfleet, ...plans] = process.argv.slice(2);
const ROUNDS = 5;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const rows = [];
  for (let round = 0; round < ROUNDS; ++round) {
    for (const plan of plans) {
      const [label, socket] = plan.split('=');
      const url = execFileSync(wsfleet, ['ui', '--coordinator', socket], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
      const page = await (await browser.newContext({viewport: {width: 1600, height: 900}})).newPage();
      const opened = Date.now();
      await page.goto(url);
      await page.waitForSelector('body[data-nodes]', {timeout: 60000});
      const drawnMs = Date.now() - opened;
      const renderMs = await page.evaluate(() => window.wsfleetPage.renderMs);
      rows.push({label, round, renderMs, drawnMs});
      await page.context().close();
    }
  }
  await browser.close();
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const base = median(rows.filter((r) => r.label === plans[0].split('=')[0]).map((r) => r.renderMs));
  console.log('plan           graph asked → drawn (median of 5, ms)   page opened → drawn (ms)   × baseline');
  for (const plan of plans) {
    const label = plan.split('=')[0];
    const mine = rows.filter((r) => r.label === label);
    const render = median(mine.map((r) => r.renderMs));
    console.log(`${label.padEnd(14)} ${render.toFixed(0).padStart(8)} (min ${Math.min(...mine.map((r) => r.renderMs)).toFixed(0)}, ` +
                `max ${Math.max(...mine.map((r) => r.renderMs)).toFixed(0)})${''.padStart(14)}` +
                `${String(median(mine.map((r) => r.drawnMs))).padStart(8)}${''.padStart(18)}${(render / base).toFixed(1)}`);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
