// Signals in a real browser: the demo lead epidemiologist opens the signals list and a signal
// page (evidence chart, table, triage form), triages a new signal without JavaScript-only
// controls, sees a missing reason refused through the error summary, and dismisses one with a
// reason — with zero axe-core violations in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn, repo } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const newPage = (lang) => openPage(browser, phos, lang);
const signIn = (page, email) => staffSignIn(page, phos, email);

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';

  test(`the lead epidemiologist triages a signal (${lang})`, async () => {
    const page = await newPage(lang);
    await signIn(page, 'lead.epidemiologist@phos.example');
    await page.goto(phos.url + '/staff/protection');
    await page.click('a[href="/staff/protection/signals"]');
    await page.waitForURL(phos.url + '/staff/protection/signals');
    assert.match(await page.textContent('h1'), en ? /Signals/ : /訊號/);
    // The demo leaves signals to triage: new ones, one under assessment, one dismissed.
    const count = async (s) => Number(await page.textContent(`#signal-counts [data-status=${s}]`));
    assert.ok(await count('new') >= 1, 'new signals');
    assert.ok(await count('assessing') >= 1, 'a signal under assessment');
    assert.ok(await count('dismissed') >= 1, 'a dismissed signal');
    await noViolations(page, 'signals list');

    // Filter to the new ones and open the first.
    await page.selectOption('#f-status', 'new');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/status=new/);
    await noViolations(page, 'signals list, new');
    await page.click('main table tbody tr:first-child a');
    await page.waitForURL(/\/staff\/protection\/signals\/[0-9a-f-]+$/);
    assert.ok(await page.$('figure svg[role=img] title'), 'the chart has an accessible name');
    assert.ok(await page.$('#evidence-table'), 'the numbers as a table');
    await noViolations(page, 'signal page');
    if (en) await page.screenshot({ path: join(repo, 'docs/screenshots/signal-en.png'), fullPage: true });

    // Dismissing without a reason: the error summary names the reason field.
    await page.check('#status-dismissed');
    await page.click('main form[action$="/triage"] button[type=submit]');
    await page.waitForSelector('.error-summary');
    assert.match(await page.textContent('.error-summary'), en ? /Enter this information/ : /請/);
    await noViolations(page, 'signal page with errors');

    // Under assessment, then dismissed with a reason.
    await page.check('#status-assessing');
    await page.click('main form[action$="/triage"] button[type=submit]');
    await page.waitForURL(/saved=1/);
    assert.match(await page.textContent('#signal-status'), en ? /Under assessment/ : /評估中/);
    await page.check('#status-dismissed');
    await page.fill('#reason', en ? 'Counts within the usual range after checking the line list' : '查核個案列表後數字屬正常範圍');
    await page.click('main form[action$="/triage"] button[type=submit]');
    await page.waitForURL(/saved=1/);
    assert.match(await page.textContent('#signal-status'), en ? /Dismissed/ : /已排除/);
    assert.equal(await page.$$eval('#signal-history tbody tr', (r) => r.length), 3);
    await noViolations(page, 'signal decided');
    await page.context().close();
  });
}
