// The public register and the premises risk page in a real browser: search signed out, a
// premises' public record, bad parameters with an error summary; staff: the due list, a
// premises with its risk factors, the weights page with refused numbers — in both languages,
// with zero axe-core violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const newPage = (lang) => openPage(browser, phos, lang);

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';

  test(`the public register, signed out (${lang})`, async () => {
    const page = await newPage(lang);
    await page.goto(phos.url + '/register');
    assert.match(await page.textContent('h1'), en ? /Register of licensed premises/ : /持牌處所登記冊/);
    await noViolations(page, 'register, before searching');
    await page.selectOption('#status', 'active');
    await page.click('main form button[type=submit]');
    await page.waitForURL(/status=active/);
    const rows = await page.$$eval('#results tbody tr', (trs) => trs.length);
    assert.equal(rows, 20, 'the demo has more than a page of active licences');
    assert.ok(await page.isVisible('nav.pager a[rel=next]'));
    await noViolations(page, 'register results');
    // Search by a part of a name in Chinese.
    await page.fill('#q', '藥');
    await page.click('main form button[type=submit]');
    await page.waitForURL(/q=/);
    assert.ok(await page.$$eval('#results tbody tr', (trs) => trs.length) > 0);
    const csv = await page.getAttribute('a[href^="/register.csv"]', 'href');
    const res = await fetch(phos.url + csv);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^\uFEFF?licence_number,licence_type,/);
    // A premises' public record.
    await page.click('#results tbody tr a');
    await page.waitForURL(/\/register\/premises\//);
    assert.ok(await page.isVisible('#licences'));
    await noViolations(page, 'register premises record');
    // Bad parameters: an error summary.
    await page.goto(phos.url + '/register?district=XX&status=open');
    assert.ok(await page.isVisible('.error-summary'));
    assert.equal(await page.$$eval('.error-summary li', (li) => li.length), 2);
    await noViolations(page, 'register with errors');
    await page.context().close();
  });

  test(`the due list, a premises' risk score and the weights (${lang})`, async () => {
    const page = await newPage(lang);
    await staffSignIn(page, phos, 'licensing.manager@phos.example');
    await page.goto(phos.url + '/staff/regulatory/inspections/due');
    assert.match(await page.textContent('h1'), en ? /Inspections due/ : /到期巡查/);
    assert.ok(await page.$$eval('#due tbody tr', (trs) => trs.length) > 0, 'the demo has inspections due');
    await noViolations(page, 'due list');
    await page.click('#due tbody tr a');
    await page.waitForURL(/\/staff\/regulatory\/premises\//);
    assert.equal(await page.$$eval('#risk-factors tbody tr', (trs) => trs.length), 6);
    assert.match(await page.textContent('#risk-band'), /^[ABC]/);
    await noViolations(page, 'premises risk page');
    await page.goto(phos.url + '/staff/regulatory/risk/weights');
    await noViolations(page, 'weights page');
    await page.fill('#complaints', 'many');
    await page.click('main form button[type=submit]');
    assert.ok(await page.isVisible('.error-summary'));
    assert.equal(await page.$$eval('.error-summary li', (li) => li.length), 2, 'the number and the missing reason');
    await noViolations(page, 'weights page with errors');
    await page.context().close();
  });
}
