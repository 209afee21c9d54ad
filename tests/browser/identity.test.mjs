// People and trust in a real browser: staff sign-in and citizen one-time-code sign-in (the
// code read from a real SMTP server), with zero axe-core violations in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, startSmtpSink, launch, axe, describeViolations, repo, passTotp } from './phos.mjs';

let phos; let browser; let smtp;
before(async () => {
  smtp = await startSmtpSink();
  phos = await startPhos({ PHOS_NOTIFY_PROVIDER: 'smtp', PHOS_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopPhos(phos); smtp?.stop(); });

const shots = join(repo, 'docs/screenshots');
const DEMO_PASSWORD = 'harbour-lights-at-dusk';

async function newPage(lang) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
  if (lang) await context.addCookies([{ name: 'phos_lang', value: lang, url: phos.url }]);
  return context.newPage();
}

async function noViolations(page, where) {
  const v = await axe(page);
  assert.deepEqual(v, [], `${where}\n${describeViolations(v)}`);
}

for (const lang of ['en', 'zh-Hant-HK']) {
  test(`staff sign in, use the staff pages and sign out (${lang})`, async () => {
    const page = await newPage(lang);
    await page.goto(phos.url + '/staff/users');
    assert.match(page.url(), /\/staff\/login\?next=/);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await noViolations(page, 'login page');
    // A wrong password shows the error summary, focused.
    await page.fill('#email', 'admin@phos.example');
    await page.fill('#password', 'not the right password');
    await page.click('button[type=submit]');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    await noViolations(page, 'login error');
    if (lang === 'en') await page.screenshot({ path: join(shots, 'staff-login-error-en.png') });
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    // An administrator gives the code of the demo's TOTP key next.
    await passTotp(page, phos, 'admin@phos.example');
    await page.waitForURL(phos.url + '/staff/users');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'phos_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Lax', JSON.stringify(session));
    for (const path of ['/staff/users', '/staff', '/staff/audit', '/staff/partners', '/staff/access', '/staff/outbox', '/staff/closures']) {
      const res = await page.goto(phos.url + path);
      assert.equal(res.status(), 200, path);
      await noViolations(page, path);
    }
    if (lang === 'zh-Hant-HK') await page.screenshot({ path: join(shots, 'staff-audit-zh.png'), fullPage: false });
    await page.goto(phos.url + '/staff');
    await page.click('header button.link-button');
    await page.waitForURL(phos.url + '/');
    const res = await page.goto(phos.url + '/staff/users');
    assert.match(page.url(), /\/staff\/login/, `signed out: ${res.status()}`);
    await page.context().close();
  });

  test(`citizen signs in with a code from the SMTP server (${lang})`, async () => {
    const page = await newPage(lang);
    const email = `browser.${lang.toLowerCase()}.${Date.now()}@example.com`;
    await page.goto(phos.url + '/signin');
    await noViolations(page, 'signin page');
    await page.fill('#contact', 'not-an-address');
    await page.click('button[type=submit]');
    await noViolations(page, 'signin error');
    await page.fill('#contact', email);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/signin\/code/);
    await noViolations(page, 'code page');
    const mail = await smtp.waitFor(email);
    const code = mail.body.match(/\b(\d{6})\b/)[1];
    assert.ok(lang === 'en' ? /sign-in code/.test(mail.body) : /登入驗證碼/.test(mail.body), mail.body);
    await page.fill('#code', code);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/me/);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await noViolations(page, 'my account');
    // Profile with a wrong HKID: error summary; then a right one, shown masked.
    await page.fill('#name_en', 'CHAN Mei Ling');
    await page.fill('#hkid', 'A123456(4)');
    await page.click('form[action="/me"] button[type=submit]');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    await noViolations(page, 'profile error');
    await page.fill('#name_en', 'CHAN Mei Ling');
    await page.fill('#hkid', lang === 'en' ? 'C668668(9)' : 'Z683365(A)');
    await page.click('form[action="/me"] button[type=submit]');
    await page.waitForURL(/saved=1/);
    assert.match(await page.textContent('main'), lang === 'en' ? /C668\*\*\*\(9\)/ : /Z683\*\*\*\(A\)/);
    await page.goto(phos.url + '/me/dependants');
    await noViolations(page, 'dependant form');
    await page.fill('#name', 'CHAN Ah Po');
    await page.fill('#birth_date', '1940-05-06');
    await page.check('#rel-parent');
    await page.check('#consent-yes');
    await page.click('main button[type=submit]');
    await page.waitForURL(/added=1/);
    assert.match(await page.textContent('main'), /CHAN Ah Po/);
    await noViolations(page, 'my account with a dependant');
    await page.screenshot({ path: join(shots, `citizen-me-${lang === 'en' ? 'en' : 'zh'}.png`), fullPage: true });
    await page.context().close();
  });
}
