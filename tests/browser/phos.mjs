// Shared helpers for browser tests: start PHOS on a free port, launch Debian's Chromium,
// run axe-core on a page.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../..');
const axeSource = readFileSync(join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
    s.on('error', fail);
  });
}

/** Starts a real SMTP server (Python aiosmtpd) that stores mail in a Maildir. */
export async function startSmtpSink() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'phos-mail-'));
  const child = spawn('python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'maildir')],
    { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((res) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port, child,
    /** Polls the Maildir for a message to `to` and returns its decoded text. */
    async waitFor(to, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const newDir = join(dir, 'maildir', 'new');
        if (existsSync(newDir)) {
          for (const f of readdirSync(newDir)) {
            const raw = readFileSync(join(newDir, f), 'utf8');
            if (raw.includes(to)) return decodeMail(raw);
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no mail to ${to}`);
    },
    stop() { child.kill(); },
  };
}

/** Subject and body of a simple RFC 5322 message (base64 or plain body). */
function decodeMail(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const b64 = /Content-Transfer-Encoding: base64/i.test(head);
  return { head, body: b64 ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body };
}

/** Starts `phos demo` with a small synthetic world; resolves when /readyz answers. */
export async function startPhos(extraEnv = {}) {
  const bin = process.env.PHOS_BIN || join(repo, 'target/debug/phos');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'phos-browser-'));
  const env = { ...process.env, PHOS_LOG: 'warn', ...extraEnv };
  delete env.PHOS_DATABASE_URL;
  // PHOS_TEST_DATABASE_URL (a fresh PostgreSQL database) runs the browser suite on PostgreSQL.
  const db = process.env.PHOS_TEST_DATABASE_URL ? ['--database-url', process.env.PHOS_TEST_DATABASE_URL] : [];
  const child = spawn(bin, ['demo', '--citizens', '300', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...db],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return { url, child, dataDir, output: () => output };
    } catch { /* not yet */ }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`phos did not start:\n${output}`);
}

export async function stopPhos(phos) {
  if (phos && phos.child.exitCode === null) {
    const done = new Promise((r) => phos.child.once('exit', r));
    phos.child.kill('SIGTERM');
    await done;
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Runs axe-core (WCAG 2.0/2.1/2.2 A and AA) on the page; returns the violations. */
export async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

export function describeViolations(v) {
  return v.map((x) => `${x.id} (${x.impact}): ${x.help}\n    ${x.nodes.join('\n    ')}`).join('\n');
}

/** A fresh page in its own context (1200×900), in `lang` when given. */
export async function openPage(browser, phos, lang) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
  if (lang) await context.addCookies([{ name: 'phos_lang', value: lang, url: phos.url }]);
  return context.newPage();
}

/** Fails with the violations listed when axe-core finds any on the page. */
export async function noViolations(page, where) {
  const v = await axe(page);
  assert.deepEqual(v, [], `${where}\n${describeViolations(v)}`);
}

/** The TOTP key of the demo accounts that must use two-step sign-in (admin, auditor, data
 * steward), as `phos demo` prints it. */
export const DEMO_TOTP_SECRET = 'KBEE6U2EMVWW6VDPORYFA2DPON2GK43U';
const MFA_DEMO_ACCOUNTS = ['admin@phos.example', 'auditor@phos.example', 'data.steward@phos.example'];

/** Bytes of a base32 (RFC 4648) text. */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let acc = 0; const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    acc = (acc << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); acc &= (1 << bits) - 1; }
  }
  return Buffer.from(out);
}

/** The 6-digit TOTP (RFC 6238, HMAC-SHA1, 30 s) of a base32 key at a step. */
export function totp(secretBase32, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const o = mac[19] & 0x0f;
  const bin = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(bin % 1000000).padStart(6, '0');
}

const lastStep = new Map();
/** A code of `secret` for a step this process has not used for `account` yet (the server
 * refuses a step twice), waiting for the next step when the window is used up. */
export async function nextTotp(account, secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    // The current step first, not the previous one: the server accepts one step either side of
    // its own, and a previous-step code sent just before a boundary arrives two steps late on a
    // loaded machine (a sign-in then failed as a wrong code).
    const step = Math.max(now, (lastStep.get(account) ?? -Infinity) + 1);
    if (step <= now + 1) { lastStep.set(account, step); return totp(secret, step); }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Answers the code step of staff sign-in with the account's key. */
export async function passTotp(page, phos, account, secret = DEMO_TOTP_SECRET) {
  await page.waitForURL(/\/staff\/login\/code/);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.fill('#code', await nextTotp(account, secret));
    await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    // Refused (a step this server already saw from another process, or a step boundary
    // crossed): the form comes back with an error; try the next step.
    if (!/\/staff\/login\/code/.test(page.url()) || !(await page.isVisible('.error-summary'))) return;
  }
}

/** Signs in a demo staff account (the demo password, and the demo TOTP key when its role
 * requires two-step sign-in) and waits for the staff home. */
export async function staffSignIn(page, phos, email) {
  await page.goto(phos.url + '/staff/login');
  await page.fill('#email', email);
  await page.fill('#password', 'harbour-lights-at-dusk');
  await page.click('main button[type=submit]');
  if (MFA_DEMO_ACCOUNTS.includes(email)) await passTotp(page, phos, email);
  await page.waitForURL(phos.url + '/staff');
}
