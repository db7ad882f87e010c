// The staff and hotline consoles in real headless Chromium at 1,280 × 800, the width of an
// office monitor: their own header (user, role, agency), a full-width inbox whose filters take
// one line and whose subjects read as lines, not a column of single words, and no citizen
// footer. Screenshots go under target/kiosk-screenshots/ (docs/screenshots/ keeps one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Tracuu, launchBrowser, repo } from '../harness.mjs';

const SHOTS = process.env.KIOSK_SCREENSHOTS || join(repo, 'target', 'kiosk-screenshots');
const OFFICE = { width: 1280, height: 800 };
const PASSWORD = 'mat-khau-thu-console-1';

let tracuu;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  tracuu = new Tracuu();
  await tracuu.start();
  browser = await launchBrowser();
  for (const [username, role] of [['motcua.thu', 'desk_head'], ['dtv.thu', 'operator']]) {
    await tracuu.run(['staff', 'add', '--username', username, '--name', 'Nguyễn Thị Thử', '--role', role], PASSWORD + '\n');
  }
  // Questions with subjects as citizens write them: long, many words.
  for (let i = 1; i <= 6; i++) {
    const response = await fetch(tracuu.address + '/api/v1/questions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'web', name: 'Lê Văn Công', phone: '0905 123 45' + i,
        subject: `Hỏi về thời hạn cấp giấy chứng nhận quyền sử dụng đất lần đầu cho hộ gia đình số ${i}`,
        body: 'Tôi nộp hồ sơ đã lâu mà chưa thấy kết quả, xin cho biết khi nào được nhận.',
      }),
    });
    assert.equal(response.status, 201, await response.text());
  }
});

after(async () => {
  if (browser) await browser.close();
  if (tracuu) await tracuu.cleanup();
});

async function signIn(username) {
  const context = await browser.newContext({ viewport: OFFICE, deviceScaleFactor: 1, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(`${tracuu.address}/can-bo/dang-nhap`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return page;
}

test('the inbox fills an office screen: one line of filters, subjects as lines, the staff header', async () => {
  const page = await signIn('motcua.thu');
  await page.goto(`${tracuu.address}/can-bo`);
  await page.waitForSelector('table tbody tr td.wide');
  await page.screenshot({ path: join(SHOTS, 'staff-inbox-1280.png'), fullPage: false });

  const header = await page.textContent('header.console');
  assert.match(header, /Nguyễn Thị Thử/);
  assert.match(header, /Phụ trách Bộ phận Một cửa/);
  assert.match(header, /Đăng xuất/);
  assert.doesNotMatch(await page.textContent('body'), /Cần hỗ trợ\? Gọi đường dây nóng/);

  const layout = await page.evaluate(() => {
    const box = (el) => el.getBoundingClientRect();
    const filters = document.querySelector('form.filters');
    // One line: every control's middle lies within the first line's band.
    const boxes = [...filters.querySelectorAll('label, select, input, button')].map(box);
    const top = Math.min(...boxes.map((b) => b.top));
    const band = Math.max(...boxes.map((b) => b.height));
    const middles = boxes.map((b) => Math.round(b.top + b.height / 2));
    const subject = document.querySelector('td.wide');
    const line = parseFloat(getComputedStyle(subject).lineHeight);
    return {
      filterLines: middles.every((m) => m <= top + band) ? 1 : 1 + middles.filter((m) => m > top + band).length,
      filterMiddles: middles,
      tableWidth: box(document.querySelector('main table')).width,
      subjectLines: Math.round((box(subject).height - 2 * parseFloat(getComputedStyle(subject).paddingTop)) / line),
      subjectWidth: box(subject).width,
      tableTop: box(document.querySelector('main table')).top,
    };
  });
  assert.equal(layout.filterLines, 1, `the filters take one line: ${JSON.stringify(layout)}`);
  assert.ok(layout.tableWidth >= 1200, `the inbox spans the screen: ${JSON.stringify(layout)}`);
  assert.ok(layout.subjectLines <= 2, `a subject reads in at most two lines: ${JSON.stringify(layout)}`);
  assert.ok(layout.tableTop < 400, `the items start on the first screen: ${JSON.stringify(layout)}`);
});

test('the hotline console wears the staff layout too', async () => {
  const page = await signIn('dtv.thu');
  await page.goto(`${tracuu.address}/can-bo/tong-dai`);
  await page.waitForSelector('#search');
  await page.screenshot({ path: join(SHOTS, 'hotline-console-1280.png') });
  assert.match(await page.textContent('header.console'), /Điện thoại viên 1022/);
  assert.doesNotMatch(await page.textContent('body'), /Cần hỗ trợ\? Gọi đường dây nóng/);
  const width = await page.evaluate(() => document.querySelector('main').getBoundingClientRect().width);
  assert.ok(width >= 1200, `full width: ${width}`);
});
