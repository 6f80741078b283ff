// Screenshots for docs/: a plan page, or a terminal's screen (text tmux read back) drawn
// as a terminal would. Run by scripts/docs-screenshots.sh with playwright-core from the
// build tree (NODE_PATH) and Debian's Chromium.
// Usage: node screenshot.cjs page URL OUT.png [running]   (running: wait for a running node)
//        node screenshot.cjs terminal SCREEN.txt OUT.png
'use strict';
const {chromium} = require('playwright-core');
const fs = require('fs');

async function main() {
  const [mode, input, out, wait] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    if (mode === 'page') {
      const page = await (await browser.newContext({viewport: {width: 1400, height: 760}})).newPage();
      await page.goto(input);
      await page.waitForSelector('body[data-updates]', {timeout: 30000});
      if (wait === 'running') await page.waitForSelector('g.node[data-state="RUNNING"]', {timeout: 60000});
      await page.waitForTimeout(300);  // what the first running state brought drawn
      await page.screenshot({path: out});
    } else {
      const text = fs.readFileSync(input, 'utf8').replace(/\s+$/, '');
      const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const page = await (await browser.newContext({viewport: {width: 1000, height: 200}})).newPage();
      await page.setContent(`<body style="margin:0;background:#0c111d"><pre id=screen style="display:inline-block;` +
                            `margin:0;padding:14px 18px;font:13px/1.35 'DejaVu Sans Mono',monospace;color:#e4e7ec;` +
                            `background:#0c111d">${escaped}</pre></body>`);
      await (await page.$('#screen')).screenshot({path: out});
    }
  } finally {
    await browser.close();
  }
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
