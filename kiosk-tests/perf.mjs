// Kiosk performance, measured in real headless Chromium against tracuu on loopback (bench/kiosk.sh
// runs it against the release build). Prints, over KIOSK_PERF_RUNS fresh browser contexts (empty
// cache each time):
//   - time to first interactive home screen: navigation start → the app's 'kiosk-interactive'
//     mark (tiles rendered, handlers attached);
//   - time to a shown lookup result: submit → the 'kiosk-result' mark (a dossier on screen);
//   - bytes transferred for the home screen: the document plus every resource it loaded
//     (transferSize: headers and bodies, as on the wire).
// Targets (issue 7): under 1 s and under 200 KB. Prints figures only; asserts nothing.
import { Tracuu, launchBrowser } from './harness.mjs';

const runs = Number(process.env.KIOSK_PERF_RUNS || 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (ms) => ms.toFixed(1).padStart(7) + ' ms';

const tracuu = new Tracuu({ dossiers: Number(process.env.KIOSK_PERF_DOSSIERS || 2000) });
let browser;
try {
  await tracuu.start();
  browser = await launchBrowser();
  const dossier = tracuu.dossier(4);
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
    const page = await context.newPage();
    await page.goto(`${tracuu.address}/kiosk/?kiosk=perf`, { waitUntil: 'load' });
    await page.waitForFunction(() => performance.getEntriesByName('kiosk-interactive').length > 0);
    await page.waitForLoadState('networkidle');
    const home = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource');
      return {
        interactive: performance.getEntriesByName('kiosk-interactive')[0].startTime,
        bytes: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
        requests: 1 + resources.length,
      };
    });
    await page.click('[data-tile="lookup"]');
    await page.fill('#code', dossier.code);
    const lookup = await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      new PerformanceObserver((list, observer) => {
        const mark = list.getEntries().find((e) => e.name === 'kiosk-result');
        if (mark) { observer.disconnect(); resolve(mark.startTime - t0); }
      }).observe({ type: 'mark', buffered: false });
      document.getElementById('lookup-submit').click();
    }));
    rows.push({ ...home, lookup });
    console.log(`run ${i + 1}: home interactive ${fmt(home.interactive)}, lookup shown ${fmt(lookup)}, home ${home.bytes} bytes in ${home.requests} requests`);
    await context.close();
  }
  const worst = (key) => Math.max(...rows.map((r) => r[key]));
  console.log('');
  console.log(`time to first interactive home screen: median ${fmt(median(rows.map((r) => r.interactive)))}, max ${fmt(worst('interactive'))}  (target < 1000 ms)`);
  console.log(`time to a shown lookup result:          median ${fmt(median(rows.map((r) => r.lookup)))}, max ${fmt(worst('lookup'))}  (target < 1000 ms)`);
  console.log(`bytes transferred for the home screen:  median ${median(rows.map((r) => r.bytes))} B (${(median(rows.map((r) => r.bytes)) / 1024).toFixed(1)} KiB)  (target < 200 KB)`);
} finally {
  if (browser) await browser.close();
  await tracuu.cleanup();
}
