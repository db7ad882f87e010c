// Starts and stops a real tracuu for the browser tests and the performance script: the built
// binary (`KIOSK_TEST_TRACUU`, default ../target/debug/tracuu) serving on a free loopback port, on its own
// private PostgreSQL cluster in a temporary directory, with a small demo province. Also launches
// Debian's headless Chromium through playwright-core (no browser download).
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '..');

export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--font-render-hinting=none',
];

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One tracuu process (restartable on the same port and data directory, to test an outage).
export class Tracuu {
  constructor({ dossiers = 300, env = {} } = {}) {
    this.bin = process.env.KIOSK_TEST_TRACUU || join(repo, 'target', 'debug', 'tracuu');
    this.dataRoot = mkdtempSync(join(tmpdir(), 'tracuu-kiosk-'));
    // The private cluster runs as the postgres system user, which must reach its directory.
    chmodSync(this.dataRoot, 0o755);
    this.dossiers = dossiers;
    this.extraEnv = env;
    this.showcase = [];
    this.logPath = join(this.dataRoot, 'tracuu.log');
    this.log = createWriteStream(this.logPath);
  }

  get address() { return `http://127.0.0.1:${this.port}`; }

  // The environment of this instance (also for its commands: same cluster, same QR keys).
  environment() {
    // tracuu reads every TRACUU_* variable as a setting: pass none of the caller's on.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TRACUU_') && k !== 'DATABASE_URL'));
    return Object.assign(inherited, {
      TRACUU_HTTP__HOST: '127.0.0.1',
      TRACUU_HTTP__PORT: String(this.port),
      TRACUU_HTTP__WORKERS: '2',
      TRACUU_DATABASE__DATA_DIR: join(this.dataRoot, 'postgres'),
      TRACUU_DEMO__DOSSIERS: String(this.dossiers),
      TRACUU_PROVINCE__PUBLIC_BASE_URL: `http://127.0.0.1:${this.port}`,
      RUST_LOG: process.env.RUST_LOG || 'info',
    }, this.extraEnv);
  }

  async start() {
    if (!this.port) this.port = await freePort();
    const env = this.environment();
    this.child = spawn(this.bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((r) => this.child.once('exit', (code, signal) => r({ code, signal })));
    let stderr = '';
    this.child.stdout.on('data', (d) => this.log.write(d));
    this.child.stderr.on('data', (d) => {
      this.log.write(d);
      stderr += d.toString();
      // "  CODE | LOOKUP NUMBER | STATUS | PHONE4 | note" lines, printed after the first demo load.
      for (const m of stderr.matchAll(/^ {2}(\S+) \| (\d{10}) \| (\d+) \| (\d{4}|-) \| (.*)$/gm)) {
        if (!this.showcase.some((s) => s.code === m[1])) {
          this.showcase.push({ code: m[1], number: m[2], status: Number(m[3]), phone4: m[4], note: m[5] });
        }
      }
    });
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const exited = await Promise.race([this.exited, sleep(200).then(() => null)]);
      if (exited) throw new Error(`tracuu exited (${JSON.stringify(exited)}); log: ${this.logPath}`);
      try {
        const response = await fetch(this.address + '/readyz');
        if (response.ok) {
          const ready = await response.json();
          if (!ready.cache || ready.cache.warmed !== false) return this;
        }
      } catch (e) { /* not listening yet */ }
    }
    throw new Error('tracuu did not become ready; log: ' + this.logPath);
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited, sleep(20_000).then(() => null)]);
    if (!done) { this.child.kill('SIGKILL'); await this.exited; }
  }

  async cleanup() {
    await this.stop();
    this.log.end();
    if (!process.env.KEEP_KIOSK_TMP) rmSync(this.dataRoot, { recursive: true, force: true });
  }

  // Runs `tracuu <args>` against this instance (its cluster must be running); `input` goes to
  // standard input. Resolves to standard output; rejects with the output on a non-zero exit.
  run(args, input = '') {
    return new Promise((ok, fail) => {
      const child = spawn(this.bin, args, { env: Object.assign(this.environment(), { RUST_LOG: 'warn' }), stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('error', fail);
      child.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`tracuu ${args.join(' ')} exited ${code}: ${err}`))));
      // A command that does not read its standard input may exit before it is written (EPIPE):
      // its exit status decides, not the write.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    });
  }

  // The signed QR link a receipt of `code` carries (`tracuu qr link`).
  async qrLink(code) {
    return (await this.run(['qr', 'link', code])).trim();
  }

  // Publishes an answer to a public question routed to `agency`, as the staff console does:
  // a desk head account (`tracuu staff add`), its login, the answer and the publication.
  // Returns the tracking code.
  async publishAnswer({ agency, subject, body, answer }) {
    const password = 'mat-khau-thu-kiosk-1';
    if (!this.deskHead) {
      await this.run(['staff', 'add', '--username', 'kiosk.test', '--name', 'Cán bộ thử', '--role', 'desk_head'], password + '\n');
      const form = await fetch(this.address + '/can-bo/dang-nhap');
      const csrfCookie = cookieOf(form, 'tracuu_csrf');
      const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(await form.text())[1];
      const login = await fetch(this.address + '/can-bo/dang-nhap', {
        method: 'POST', redirect: 'manual',
        headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, username: 'kiosk.test', password }),
      });
      if (login.status !== 303) throw new Error('staff login failed: HTTP ' + login.status);
      const cookie = cookieOf(login, 'tracuu_staff');
      const session = await (await fetch(this.address + '/api/v1/staff/session', { headers: { cookie } })).json();
      this.deskHead = { cookie, csrf: session.csrf_token };
    }
    const created = await fetch(this.address + '/api/v1/questions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'web', name: 'Lê Văn Công', phone: '0905 123 456', subject, body, agency_code: agency, public: true }),
    });
    if (created.status !== 201) throw new Error('question refused: ' + await created.text());
    const { tracking_code: code } = await created.json();
    for (const [action, fields] of [['answer', { text: answer }], ['publish', {}]]) {
      const response = await fetch(`${this.address}/can-bo/muc/${code}/${action}`, {
        method: 'POST', redirect: 'manual',
        headers: { cookie: this.deskHead.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(Object.assign({ csrf: this.deskHead.csrf }, fields)),
      });
      if (response.status !== 303) throw new Error(`${action} of ${code} failed: HTTP ${response.status} ${await response.text()}`);
    }
    return code;
  }

  // Pushes dossier snapshots as the main store does (POST /sync/v1/dossiers, signed with the
  // instance's TRACUU_SYNC__SECRETS; docs/sync/signing.md). Resolves to the push report.
  async push(items) {
    const secret = this.environment().TRACUU_SYNC__SECRETS;
    if (!secret) throw new Error('start this instance with TRACUU_SYNC__SECRETS to push');
    const body = JSON.stringify(items);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = 'sha256=' + createHmac('sha256', secret.split(',')[0]).update(timestamp + '.' + body).digest('hex');
    const response = await fetch(this.address + '/sync/v1/dossiers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tracuu-timestamp': timestamp, 'x-tracuu-signature': signature },
      body,
    });
    const report = await response.json();
    if (response.status !== 200) throw new Error('push refused: HTTP ' + response.status + ' ' + JSON.stringify(report));
    return report;
  }

  // A showcase dossier with this status that has a phone (for the detailed view).
  dossier(status) {
    const found = this.showcase.find((s) => s.status === status && s.phone4 !== '-');
    if (!found) throw new Error(`no showcase dossier with status ${status}: ${JSON.stringify(this.showcase)}`);
    return found;
  }
}

// `name=value` of the cookie `name` a response sets.
function cookieOf(response, name) {
  const found = response.headers.getSetCookie().find((c) => c.startsWith(name + '='));
  if (!found) throw new Error('no cookie ' + name);
  return found.split(';')[0];
}
