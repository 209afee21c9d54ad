// Administrators' tools and staff two-step sign-in in a real browser, in both languages, on a
// phone (390 px) and a desktop (1280 px): the TOTP sign-in journey (a wrong code, then the
// right one), staff accounts (search, paging, an account's page), the audit log with a date
// error, the outbox, and enrolling from one's account page; axe-clean and no sideways scroll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, noViolations, repo, totp, nextTotp, DEMO_TOTP_SECRET } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');
const WIDTHS = [390, 1280];

async function newPage(lang, width) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
  await context.addCookies([{ name: 'phos_lang', value: lang, url: phos.url }]);
  return context.newPage();
}

/** Fails when the page scrolls sideways at its width. */
async function fits(page, where) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${where}: ${scroll}px wide in a ${inner}px window`);
}

/** Checks the page at every width (axe-clean, no sideways scroll). */
async function check(page, where) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await noViolations(page, `${where} @${width}`);
    await fits(page, `${where} @${width}`);
  }
}

test('the TOTP of the RFC 6238 / 4226 vectors (the helper the journeys use)', () => {
  const key = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"
  assert.equal(totp(key, 1), '287082');
  assert.equal(totp(key, Math.floor(1111111109 / 30)), '081804');
  assert.equal(totp(key, Math.floor(1234567890 / 30)), '005924');
});

for (const lang of ['en', 'zh-Hant-HK']) {
  const zh = lang !== 'en';
  test(`administrator: two-step sign-in, staff accounts, audit log and outbox (${lang})`, async () => {
    const page = await newPage(lang, 390);
    await page.goto(phos.url + '/staff/login?next=/staff/users');
    await page.fill('#email', 'admin@phos.example');
    await page.fill('#password', 'harbour-lights-at-dusk');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/staff\/login\/code/);
    await check(page, 'code step');
    // A wrong code: the error summary, focused, in the page's language.
    const now = Math.floor(Date.now() / 30000);
    const near = [-1, 0, 1].map((d) => totp(DEMO_TOTP_SECRET, now + d));
    await page.fill('#code', ['000000', '111111', '222222'].find((c) => !near.includes(c)));
    await page.click('main button[type=submit]');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    assert.match(await page.textContent('.error-summary'), zh ? /驗證碼不正確/ : /The code is not right/);
    await check(page, 'code step with an error');
    await page.fill('#code', await nextTotp('admin@phos.example', DEMO_TOTP_SECRET));
    await page.click('main button[type=submit]');
    await page.waitForURL(phos.url + '/staff/users');
    // Staff accounts: paged, searchable; an account's page.
    assert.match(await page.textContent('main'), zh ? /顯示第 1–\d+ 項/ : /Showing 1–\d+ of \d+/);
    await check(page, 'staff accounts');
    await page.fill('#q', 'clinic');
    await page.click('form[role=search] button');
    await page.waitForURL(/q=clinic/);
    await page.click('main table a');
    await page.waitForURL(/\/staff\/users\/[^/]+$/);
    assert.match(await page.textContent('h1'), /clinic/i);
    await check(page, 'staff account page');
    if (!zh) await page.screenshot({ path: join(shots, 'staff-user-en.png'), fullPage: true });
    // One's own account cannot be disabled: a field error.
    await page.goto(phos.url + '/staff/users?q=admin%40phos');
    await page.click('main table a');
    await page.click('#status button');
    assert.match(await page.textContent('.error-summary'), zh ? /你不能停用自己的帳戶/ : /You cannot disable your own account/);
    await check(page, 'own account refused');
    // The audit log: names and readable actions; an impossible date is a field error.
    await page.goto(phos.url + '/staff/audit?actor=admin');
    assert.match(await page.textContent('main table'), zh ? /職員登入/ : /Staff signed in/);
    assert.match(await page.textContent('main table'), /Demo admin/);
    await check(page, 'audit log');
    await page.fill('#from', '30/02/2025');
    await page.click('form.filters button');
    await page.waitForURL(/from=30/);
    assert.match(await page.textContent('.error-summary'), zh ? /請輸入真實的日期/ : /Enter a real date/);
    await check(page, 'audit log with a date error');
    if (zh) await page.screenshot({ path: join(shots, 'staff-audit-error-zh.png'), fullPage: false });
    // The outbox, with a link to read each message.
    await page.goto(phos.url + '/staff/outbox');
    await check(page, 'outbox');
    await page.context().close();
  });
}

// The service agent's account is used by no other browser test (grep for its name, also built as `${role}@phos.example`): on PostgreSQL the files share one
// database, and an account enrolled here would ask every later test for a code.
test('any member of staff can set up two-step sign-in from their account page', async () => {
  const page = await newPage('en', 390);
  await page.goto(phos.url + '/staff/login');
  await page.fill('#email', 'service.agent@phos.example');
  await page.fill('#password', 'harbour-lights-at-dusk');
  await page.click('main button[type=submit]');
  await page.waitForURL(phos.url + '/staff');
  await page.goto(phos.url + '/staff/account/mfa');
  assert.ok(await page.isVisible('.qr svg'), 'a QR code');
  await check(page, 'enrolment');
  const key = (await page.textContent('#totp-secret')).replace(/\s/g, '');
  await page.fill('#code', await nextTotp('service.agent@phos.example', key));
  await page.click('main button[type=submit]');
  assert.equal(await page.locator('#recovery-codes li').count(), 10);
  await check(page, 'recovery codes');
  // The next sign-in asks for the code, in Chinese too.
  const zh = await newPage('zh-Hant-HK', 390);
  await zh.goto(phos.url + '/staff/login');
  await zh.fill('#email', 'service.agent@phos.example');
  await zh.fill('#password', 'harbour-lights-at-dusk');
  await zh.click('main button[type=submit]');
  await zh.waitForURL(/\/staff\/login\/code/);
  await check(zh, 'code step (zh)');
  await zh.fill('#code', await nextTotp('service.agent@phos.example', key));
  await zh.click('main button[type=submit]');
  await zh.waitForURL(phos.url + '/staff');
  await page.context().close();
  await zh.context().close();
});
