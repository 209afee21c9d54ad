// Smart clinics in a real browser: eligibility before booking, booking for oneself from the
// slot list, the confirmation with its QR code, my bookings, cancel, and the staff day list —
// with zero axe-core violations in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, axe, describeViolations, repo } from './phos.mjs';
import { readFileSync } from 'node:fs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');

async function newPage(lang) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
  if (lang) await context.addCookies([{ name: 'phos_lang', value: lang, url: phos.url }]);
  return context.newPage();
}

async function noViolations(page, where) {
  const v = await axe(page);
  assert.deepEqual(v, [], `${where}\n${describeViolations(v)}`);
}

/** Signs a citizen in through the one-time-code form; the code is read from the outbox log. */
async function signIn(page, email) {
  await page.goto(phos.url + '/signin');
  await page.fill('#contact', email);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/signin\/code/);
  let code;
  for (let i = 0; i < 100 && !code; i++) {
    const log = (() => { try { return readFileSync(join(phos.dataDir, 'outbox.log'), 'utf8'); } catch { return ''; } })();
    const line = log.trim().split('\n').reverse().find((l) => l.includes(email));
    code = line && JSON.parse(line).body.match(/\b(\d{6})\b/)[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(code, 'code delivered to the outbox log');
  await page.fill('#code', code);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/me/);
}

for (const lang of ['en', 'zh-Hant-HK']) {
  test(`book a dental session and cancel it (${lang})`, async () => {
    const page = await newPage(lang);
    await page.goto(phos.url + '/service-points?kind=dental&district=KC');
    await page.click('main table a');
    assert.match(page.url(), /\/clinics\/DC-KC$/);
    await noViolations(page, 'clinic page');
    await page.click('main section a');
    assert.match(page.url(), /\/clinics\/DC-KC\/dental_gp$/);
    const main = await page.textContent('main');
    assert.ok(main.indexOf(lang === 'en' ? 'Before you book' : '預約前請注意') < main.indexOf(lang === 'en' ? 'Available times' : '可預約時間'));
    await noViolations(page, 'slots page (signed out)');

    await signIn(page, `dental.${lang.toLowerCase()}@example.com`);
    await page.goto(phos.url + '/clinics/DC-KC/dental_gp');
    await noViolations(page, 'slots page (signed in)');
    await page.click('main form[action="/bookings"] button[type=submit] >> nth=0');
    // Check your answers, then confirm.
    assert.match(await page.textContent('h1'), lang === 'en' ? /Check your booking/ : /核對你的預約/);
    await noViolations(page, 'check your booking');
    await page.click('main form[action="/bookings"] button[type=submit]');
    await page.waitForURL(/\/bookings\/DH-/);
    assert.ok(await page.isVisible('figure.qr svg'), 'QR code shown');
    await noViolations(page, 'booking confirmation');
    if (lang === 'en') await page.screenshot({ path: join(shots, 'booking-en.png'), fullPage: true });

    // Booking the same service again is refused with a clear message.
    await page.goto(phos.url + '/clinics/DC-KC/dental_gp');
    await page.click('main form[action="/bookings"] button[type=submit] >> nth=1');
    await page.click('main form[action="/bookings"] button[type=submit]');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    assert.match(await page.textContent('.error-summary'), lang === 'en' ? /already an active booking/ : /已有此服務的有效預約/);
    await noViolations(page, 'booking refused');

    await page.goto(phos.url + '/bookings');
    await noViolations(page, 'my bookings');
    await page.click('main table a');
    // An .ics link to add the booking to a calendar; cancelling asks for confirmation first.
    assert.ok(await page.isVisible('main a[href$="/calendar"]'), 'add to calendar');
    await page.click('main a[href$="/cancel"]');
    await page.waitForURL(/\/cancel$/);
    assert.match(await page.textContent('h1'), lang === 'en' ? /Cancel this booking\?/ : /取消此預約？/);
    await noViolations(page, 'cancel: confirm');
    await page.click('main form button.button-warning');
    await page.waitForURL(/cancelled=1/);
    assert.match(await page.textContent('main'), lang === 'en' ? /Cancelled/ : /已取消/);
    await page.context().close();
  });

  test(`clinic staff day list (${lang})`, async () => {
    const page = await newPage(lang);
    await page.goto(phos.url + '/staff/login');
    await page.fill('#email', 'clinic.manager@phos.example');
    await page.fill('#password', 'harbour-lights-at-dusk');
    await page.click('main button[type=submit]');
    await page.waitForURL(phos.url + '/staff');
    await page.goto(phos.url + '/staff/clinics');
    await noViolations(page, 'clinic list');
    await page.goto(phos.url + '/staff/clinics/EHC-LT');
    await noViolations(page, 'day list');
    if (lang === 'zh-Hant-HK') await page.screenshot({ path: join(shots, 'staff-day-zh.png') });
    await page.context().close();
  });
}

for (const lang of ['en', 'zh-Hant-HK']) {
  test(`ballot pages: open and drawn, verified (${lang})`, async () => {
    const page = await newPage(lang);
    await page.goto(phos.url + '/ballots');
    await noViolations(page, 'ballot list');
    const links = await page.$$eval('main table a', (as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, 2, 'the demo has an open and a drawn ballot');
    let sawVerified = false;
    for (const href of links) {
      await page.goto(phos.url + href);
      await noViolations(page, href);
      const text = await page.textContent('main');
      if (/Verified|已核實/.test(text)) sawVerified = true;
    }
    assert.ok(sawVerified, 'the drawn ballot verifies');
    if (lang === 'en') await page.screenshot({ path: join(shots, 'ballot-en.png') });
    // A reminder link that is not valid: a clear page, accessible too.
    const res = await page.goto(phos.url + '/bookings/DH-AAAA-BBBB/answer?a=no&exp=1&sig=00');
    assert.equal(res.status(), 403);
    await noViolations(page, 'invalid answer link');
    await page.context().close();
  });
}
