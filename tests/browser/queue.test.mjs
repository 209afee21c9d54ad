// The walk-in queue in a real browser: take a ticket at the kiosk, follow it live (server-sent
// events) while staff call it from the console, the display board and analytics; zero axe-core
// violations in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, axe, describeViolations, repo } from './phos.mjs';

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

async function staffSignIn(page) {
  await page.goto(phos.url + '/staff/login');
  await page.fill('#email', 'clinic.manager@phos.example');
  await page.fill('#password', 'harbour-lights-at-dusk');
  await page.click('main button[type=submit]');
  await page.waitForURL(phos.url + '/staff');
}

for (const lang of ['en', 'zh-Hant-HK']) {
  test(`take a ticket, follow it live, get called (${lang})`, async () => {
    const en = lang === 'en';
    // The kiosk at Kwun Tong Maternal and Child Health Centre (the demo has a live queue there).
    const kiosk = await newPage(lang);
    await kiosk.goto(phos.url + '/queue/MCHC-KT');
    await noViolations(kiosk, 'kiosk');
    // Submitting without a choice shows the error summary, focused.
    await kiosk.click('main button[type=submit]');
    await kiosk.waitForSelector('.error-summary');
    assert.match(await kiosk.textContent('.error-summary'), en ? /Choose what you are here for/ : /請選擇你需要的服務/);
    await noViolations(kiosk, 'kiosk with an error');
    // Antenatal check-up, aged 65+ is not it: general.
    await kiosk.check('input[name=service][value=mchc_antenatal]');
    await kiosk.check('input[name=priority][value=general]');
    await kiosk.click('main button[type=submit]');
    await kiosk.waitForURL(/\/queue\/t\/[0-9a-f]+\?new=1/);
    const number = (await kiosk.textContent('#live .ticket-number')).replace(/\D*([A-Z]\d+).*/s, '$1').trim();
    assert.match(number, /^A\d{3}$/);
    assert.ok(await kiosk.isVisible('.qr svg'), 'QR code to follow on a phone');
    await noViolations(kiosk, 'new ticket');
    if (en) await kiosk.screenshot({ path: join(shots, 'queue-ticket-en.png'), fullPage: true });

    // The same ticket on the phone: live updates, no manual refresh.
    const phone = await newPage(lang);
    await phone.goto(kiosk.url().replace('?new=1', ''));
    await phone.waitForFunction(() => document.querySelector('[data-live-hide]')?.hidden === true);

    // Staff call antenatal tickets at Room 1 until this one comes up.
    const staff = await newPage(lang);
    await staffSignIn(staff);
    await staff.goto(phos.url + '/staff/clinics/MCHC-KT/queue?room=demo-MCHC-KT-1');
    await noViolations(staff, 'queue console');
    if (en) await staff.screenshot({ path: join(shots, 'queue-console-en.png'), fullPage: true });
    let called = false;
    for (let i = 0; i < 80 && !called; i++) {
      await staff.click('form[action$="/queue/call"] button');
      await staff.waitForLoadState();
      called = (await staff.textContent('#serving-heading + p.ticket-number').catch(() => '')).trim() === number;
    }
    assert.ok(called, `ticket ${number} was called`);
    // The phone shows "go to Room 1" by itself.
    await phone.waitForFunction((t) => document.querySelector('#live').textContent.includes(t),
      en ? 'Please go to Room 1 now.' : '請即前往一號房', { timeout: 10000 });
    await noViolations(phone, 'called ticket');

    // Recall, then done, from the console.
    await staff.click('button[value=recall]');
    await staff.waitForLoadState();
    assert.match(await staff.textContent('main'), en ? /called 2 times/ : /已叫 2 次/);
    await staff.click('button[value=done]');
    await staff.waitForLoadState();
    await phone.waitForFunction((t) => document.querySelector('#live').textContent.includes(t),
      en ? 'You have been seen' : '你已完成診症', { timeout: 10000 });

    // The board and the analytics.
    const board = await newPage(lang);
    await board.goto(phos.url + '/queue/MCHC-KT/board');
    assert.match(await board.textContent('main'), new RegExp(number));
    await noViolations(board, 'display board');
    if (en) await board.screenshot({ path: join(shots, 'queue-board-en.png'), fullPage: true });
    await staff.goto(phos.url + '/staff/clinics/MCHC-KT/queue/stats');
    assert.match(await staff.textContent('main'), en ? /90th percentile/ : /第90百分位數/);
    await noViolations(staff, 'queue analytics');
    for (const p of [kiosk, phone, staff, board]) await p.context().close();
  });

  test(`leave the queue from the ticket page (${lang})`, async () => {
    const page = await newPage(lang);
    await page.goto(phos.url + '/queue/EHC-WC');
    await page.check('input[name=service][value=enquiry]');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/queue\/t\//);
    page.once('dialog', (d) => d.accept());
    await page.click('#leave button');
    await page.waitForURL(/left=1/);
    assert.match(await page.textContent('main'), lang === 'en' ? /You have left the queue/ : /你已離開隊伍/);
    await noViolations(page, 'left the queue');
    await page.context().close();
  });
}
