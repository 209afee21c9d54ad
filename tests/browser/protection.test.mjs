// Health protection in a real browser: a doctor notifies measles through the web form (errors
// first, then a reference), an epidemiologist works the line list, a named and a pseudonymised
// case, the outbreak's transmission chain and a contact's follow-up; the lead's assignments and
// the data steward's catalogue — with zero axe-core violations in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn, repo } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');

const newPage = (lang) => openPage(browser, phos, lang);
const signIn = (page, email) => staffSignIn(page, phos, email);

const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.now() + 8 * 3600 * 1000 - n * 86400000).toISOString().slice(0, 10);

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';

  test(`a doctor notifies measles by web form (${lang})`, async () => {
    const page = await newPage(lang);
    await signIn(page, 'reporter@phos.example');
    await page.goto(phos.url + '/notify');
    await noViolations(page, 'choose the disease');
    await page.selectOption('#disease', 'measles');
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/notify\/new\?disease=measles/);
    assert.match(await page.textContent('main'), en ? /Date the rash began/ : /出疹日期/);
    await noViolations(page, 'notification form');

    // Sent with mistakes: the error summary, focused, names each one; nothing is sent.
    await page.fill('#hkid', 'A123456(4)');
    await page.fill('#onset_date', '2099-01-01');
    await page.click('main form button[type=submit]');
    await page.waitForSelector('.error-summary');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    const summary = await page.textContent('.error-summary');
    assert.match(summary, en ? /HKID number is not valid/ : /此香港身份證號碼無效/);
    assert.match(summary, en ? /cannot be in the future/ : /不可以是將來/);
    await noViolations(page, 'notification form with errors');

    // Corrected: a reference, and the phone reminder for an immediately notifiable disease.
    await page.fill('#hkid', en ? 'A123456(3)' : 'C668668(9)');
    await page.fill('#name_en', en ? 'CHAN Tai Man' : 'HO Ka Yan');
    await page.fill('#name_zh', en ? '陳大文' : '何家欣');
    await page.check(en ? '#sex-M' : '#sex-F');
    await page.fill('#birth_date', '1990-01-01');
    await page.selectOption('#district', 'ST');
    await page.fill('#onset_date', daysAgo(2));
    await page.fill('#f_rash_onset', daysAgo(1));
    await page.check('#f_vaccinated-no');
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/notify\/done\/NID-/);
    assert.match(await page.textContent('.reference'), /^NID-\d{4}-\d{6}$/);
    assert.match(await page.textContent('main'), en ? /Phone the Central Notification Office now/ : /請立即致電中央呈報辦公室/);
    await noViolations(page, 'notification received');
    if (en) await page.screenshot({ path: join(shots, 'notify-done-en.png'), fullPage: true });
    await page.context().close();
  });

  test(`an epidemiologist works cases, an outbreak and a contact (${lang})`, async () => {
    const page = await newPage(lang);
    await signIn(page, 'epidemiologist@phos.example');
    await page.goto(phos.url + '/staff/protection');
    await noViolations(page, 'health protection overview');

    // The line list, pseudonymised, filtered to what is assigned to me (the measles outbreak).
    await page.goto(phos.url + '/staff/protection/cases');
    await noViolations(page, 'line list');
    await page.selectOption('#assigned', 'mine');
    await page.click('main form.filters button[type=submit]');
    await page.waitForURL(/assigned=mine/);
    assert.match(await page.textContent('main [role=status]'), en ? /^7 cases/ : /^7 宗個案/);
    await noViolations(page, 'line list, filtered');

    // A case assigned to me: named; its notifications show the merge.
    await page.click('main table tbody tr:first-child a');
    await page.waitForURL(/\/staff\/protection\/cases\/CASE-/);
    const named = await page.textContent('main');
    assert.match(named, en ? /You see this person named/ : /你可看到當事人的姓名/);
    assert.match(named, en ? /Merged into case CASE-/ : /已合併至個案 CASE-/);
    await noViolations(page, 'named case');
    if (en) await page.screenshot({ path: join(shots, 'case-en.png'), fullPage: true });

    // A case nobody assigned to me: pseudonymised.
    await page.goto(phos.url + '/staff/protection/cases?assigned=none&disease=chickenpox');
    await page.click('main table tbody tr:first-child a');
    await page.waitForURL(/\/staff\/protection\/cases\/CASE-/);
    assert.match(await page.textContent('main'), en ? /pseudonymised record/ : /假名化紀錄/);
    await noViolations(page, 'pseudonymised case');

    // The outbreak: its chain as an SVG with a title and description, and the same as a table.
    await page.goto(phos.url + '/staff/protection/clusters');
    await noViolations(page, 'clusters');
    await page.locator('main table tr', { hasText: 'Measles at a primary school' }).locator('a').click();
    await page.waitForURL(/\/staff\/protection\/clusters\/CL-/);
    assert.equal(await page.locator('figure svg[role=img] > title').count(), 1, 'chain diagram with a title');
    assert.equal(await page.locator('figure svg[role=img] > desc').count(), 1, 'and a description');
    assert.equal(await page.locator('figure svg rect').count(), 7);
    assert.equal(await page.locator('main table').first().locator('tbody tr').count(), 6, 'six links in the table');
    await noViolations(page, 'cluster with chain');
    if (en) await page.screenshot({ path: join(shots, 'cluster-chain-en.png'), fullPage: true });

    // A contact under daily follow-up: record today's check.
    await page.goto(phos.url + '/staff/protection/cases?assigned=mine');
    await page.click('main table tbody tr:first-child a');
    await page.click('main a[href^="/staff/protection/contacts/"] >> nth=0');
    await page.waitForURL(/\/staff\/protection\/contacts\//);
    await noViolations(page, 'contact');
    await page.fill('#day', today);
    await page.check('#symptoms-no');
    await page.click('main form[action$="/follow-ups"] button[type=submit]');
    await page.waitForSelector('.error-summary, .success');
    // The demo already recorded today for this contact: a clear message; otherwise saved.
    const outcome = await page.textContent('main');
    assert.ok(en ? /already has a record|has been recorded/.test(outcome) : /已有紀錄|已記錄跟進/.test(outcome), outcome);
    await noViolations(page, 'contact after recording');
    await page.context().close();
  });

  test(`the lead assigns and the data steward keeps the catalogue (${lang})`, async () => {
    const page = await newPage(lang);
    await signIn(page, 'lead.epidemiologist@phos.example');
    await page.goto(phos.url + '/staff/protection/assignments');
    await noViolations(page, 'assignments');
    await page.fill('#reference', 'CASE-1999-000001');
    await page.click('main form button[type=submit]');
    await page.waitForSelector('.error-summary');
    await noViolations(page, 'assignments with an error');
    await page.context().close();

    const steward = await newPage(lang);
    await signIn(steward, 'data.steward@phos.example');
    await steward.goto(phos.url + '/staff/protection/diseases');
    assert.match(await steward.textContent('main'), en ? /52 diseases/ : /52 種疾病/);
    await noViolations(steward, 'disease catalogue');
    await steward.goto(phos.url + '/staff/protection/diseases/measles');
    await noViolations(steward, 'edit a disease');
    await steward.goto(phos.url + '/staff/protection/diseases/new');
    await steward.fill('#code', 'x');
    await steward.click('main form button[type=submit]');
    await steward.waitForSelector('.error-summary');
    await noViolations(steward, 'add a disease, with errors');
    await steward.context().close();
  });
}
