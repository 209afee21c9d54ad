// The inspection day plan page in a real browser: paste a problem (no JavaScript needed), the
// routes as ordered lists with times and distances, the visits left out with their reasons, the
// .ics download, and bad input in an error summary; zero axe-core violations in both languages at
// 1280 px and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const PROBLEM = JSON.stringify({
  date: '2026-12-08',
  depot: { lat: 22.2783, lon: 114.1747 },
  inspectors: [
    { id: 'INS-001', skills: ['pharmacy', 'clinic'], start: '09:00', end: '17:30' },
    { id: 'INS-002', skills: ['chinese_medicine'], start: '09:00', end: '13:00' },
  ],
  visits: [
    { id: 'V-Mong-Kok', lat: 22.319, lon: 114.169, duration_min: 45, skill: 'pharmacy', window: ['10:00', '12:00'], priority: 1 },
    { id: 'V-Sham-Shui-Po', lat: 22.330, lon: 114.160, duration_min: 30, skill: 'clinic', window: ['09:00', '17:00'], priority: 2 },
    { id: 'V-Tai-Po', lat: 22.450, lon: 114.170, duration_min: 30, skill: 'chinese_medicine', window: ['09:00', '09:15'], priority: 1 },
    { id: 'V-Devices', lat: 22.280, lon: 114.180, duration_min: 30, skill: 'devices', window: ['09:00', '17:00'], priority: 3 },
  ],
}, null, 1);

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';
  test(`plan page: routes, reasons, calendar and errors (${lang})`, async () => {
    const page = await openPage(browser, phos, lang);
    await staffSignIn(page, phos, 'inspector@phos.example');
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(phos.url + '/staff/regulatory/plan');
      await noViolations(page, `plan form ${width}`);
      await page.fill('#problem', PROBLEM);
      await page.click('main form[action="/staff/regulatory/plan"] button[type=submit]');
      await page.waitForSelector('ol.route');
      const stops = await page.locator('ol.route li').allTextContents();
      assert.equal(stops.length, 2, 'two visits planned');
      for (const s of stops) assert.match(s, en ? /^V-\S+: arrive \d\d:\d\d, depart \d\d:\d\d$/ : /^V-\S+: \d\d:\d\d 到達, \d\d:\d\d 離開$/);
      assert.ok(stops.some((s) => s.startsWith('V-Mong-Kok')) && stops.some((s) => s.startsWith('V-Sham-Shui-Po')));
      const text = await page.textContent('main');
      assert.match(text, en ? /No inspector has the skill/ : /沒有巡查人員具備所需專長/);
      assert.match(text, en ? /Cannot be reached within its time window/ : /無法在時段及值勤時間內到達/);
      await noViolations(page, `plan ${width}`);

      // The first route's calendar.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('form[action="/staff/regulatory/plan/ics"] button'),
      ]);
      assert.match(download.suggestedFilename(), /^plan-2026-12-08-INS-001\.ics$/);

      // A bad time: the error summary, the pasted text kept.
      await page.goto(phos.url + '/staff/regulatory/plan');
      await page.fill('#problem', PROBLEM.replace('"12:00"', '"25:00"'));
      await page.click('main form[action="/staff/regulatory/plan"] button[type=submit]');
      await page.waitForSelector('.error-summary');
      assert.match(await page.textContent('.error-summary'), en ? /window\[1\] "25:00" is not a time/ : /window\[1\]「25:00」不是/);
      assert.ok((await page.inputValue('#problem')).includes('25:00'));
      await noViolations(page, `plan error ${width}`);
    }
  });
}
