// Dashboards and open data in a real browser: the public surveillance page (signed out) with its
// curve, table and downloads, and the epidemiologists' dashboard with its epidemic curve, tile
// map, top diseases and timeliness — in both languages, with zero axe-core violations.
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

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';

  test(`the public surveillance page, signed out (${lang})`, async () => {
    const page = await newPage(lang);
    await page.goto(phos.url + '/');
    await page.click('a[href="/surveillance"]');
    await page.waitForURL(/\/surveillance/);
    assert.match(await page.textContent('h1'), en ? /Infectious disease surveillance/ : /傳染病監測/);
    assert.equal(await page.getAttribute('figure svg', 'role'), 'img');
    assert.match(await page.textContent('#suppression-heading'), en ? /Small numbers are hidden/ : /細小數字不予顯示/);
    // The demo has measles in Kwai Tsing: choose it for 26 weeks.
    await page.selectOption('#disease', 'measles');
    await page.selectOption('#weeks', '26');
    await page.click('main form button[type=submit]');
    await page.waitForURL(/disease=measles/);
    const rows = await page.$$eval('#open-table tbody tr', (trs) => trs.length);
    assert.equal(rows, 26);
    const body = await page.textContent('#open-table');
    assert.match(body, /<5/, 'the outbreak\'s small weekly numbers are hidden');
    const csv = await page.getAttribute('a[href*="format=csv"]', 'href');
    const res = await fetch(phos.url + csv);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^disease,week_start,iso_week,district,cases,suppressed,display\n/);
    await noViolations(page, 'public surveillance page');
    if (en) await page.screenshot({ path: join(shots, 'surveillance-en.png'), fullPage: true });
    await page.context().close();
  });

  test(`the epidemiologists' dashboard (${lang})`, async () => {
    const page = await newPage(lang);
    await signIn(page, 'epidemiologist@phos.example');
    await page.goto(phos.url + '/staff/protection');
    await page.click('a[href="/staff/protection/dashboard"]');
    await page.waitForURL(/\/staff\/protection\/dashboard/);
    assert.match(await page.textContent('h1'), en ? /Surveillance dashboard/ : /監測儀表板/);
    assert.equal(await page.$$eval('svg[role=img]', (s) => s.length), 2, 'curve and map');
    assert.equal(await page.$$eval('svg.tile-map g', (g) => g.length), 18, 'one tile per district');
    assert.ok(await page.$$eval('#top-table tbody tr', (t) => t.length) > 0, 'the demo has cases this week or last');
    assert.match(await page.textContent('#kpi-table'), en ? /All diseases/ : /所有疾病/);
    assert.ok(await page.$$eval('#signals tbody tr[data-signal]', (t) => t.length) > 0, 'the demo has open signals');
    await noViolations(page, 'dashboard');
    // Filters: 52 weeks, by region, one district.
    await page.selectOption('#weeks', '52');
    await page.selectOption('#stack', 'region');
    await page.click('main form button[type=submit]');
    await page.waitForURL(/weeks=52/);
    await page.click('#curve-table >> xpath=ancestor::details/summary');
    assert.equal(await page.$$eval('#curve-table tbody tr', (t) => t.length), 52);
    await noViolations(page, 'dashboard, 52 weeks by region, table open');
    if (en) await page.screenshot({ path: join(shots, 'dashboard-en.png'), fullPage: true });
    await page.context().close();
  });
}
