// The API docs page /api/docs in real headless Chromium with every address but tracuu's own
// refused, as on a provincial intranet with no internet: the vendored viewer renders the
// document's operations, and the page asks nothing of any other host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Tracuu, launchBrowser } from '../harness.mjs';

let tracuu;
let browser;

before(async () => {
  tracuu = new Tracuu({ dossiers: 50 });
  await tracuu.start();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (tracuu) await tracuu.cleanup();
});

test('the docs page renders every operation of the document with no internet', async () => {
  const document = await (await fetch(`${tracuu.address}/api/openapi.json`)).json();
  const operationIds = Object.values(document.paths)
    .flatMap((item) => Object.values(item).map((operation) => operation.operationId));
  assert.ok(operationIds.length > 0, 'the document has operations');

  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  const elsewhere = [];
  const problems = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(tracuu.address + '/') || url.startsWith('data:')) return route.continue();
    elsewhere.push(url);
    return route.abort('internetdisconnected');
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });

  const response = await page.goto(`${tracuu.address}/api/docs`);
  assert.equal(response.status(), 200);
  assert.match(await page.title(), /Tài liệu API tracuu/);
  await page.waitForSelector('.opblock', { timeout: 30000 });
  const shown = await page.$$eval('.opblock .opblock-summary-operation-id', (nodes) =>
    nodes.map((node) => node.textContent.trim()));
  assert.deepEqual([...shown].sort(), [...operationIds].sort(), 'every operation is listed by its id');
  const info = await page.textContent('.information-container');
  assert.match(info, /tra cứu hồ sơ/);

  assert.deepEqual(elsewhere, [], 'the page asked for nothing outside tracuu');
  assert.deepEqual(problems, [], 'no script or security-policy error');
  await context.close();
});
