// Regulatory field work in a real browser: a member of the public makes a complaint (search the
// register, choose the premises), a licensing officer sends it to an urgent inspection, and the
// inspector records it on the checklist page offline: the page comes from the service worker's
// cache, the record is queued, and when the browser is back online it is sent and the
// inspection shows as done. Zero axe-core violations on every page, in English and Chinese.
// Saves screenshots for docs/regulatory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn, repo } from './phos.mjs';

let phos; let browser;

/** The first column of the first row of a query, on the engine the app runs on. */
function sql(statement) {
  if (process.env.PHOS_TEST_DATABASE_URL) {
    return execFileSync('psql', [process.env.PHOS_TEST_DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-tAc', statement]).toString().trim().split('\n')[0];
  }
  const py = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=30)\nr = c.execute(sys.argv[2]).fetchone()\nprint('' if r is None or r[0] is None else r[0])";
  return execFileSync('python3', ['-c', py, join(phos.dataDir, 'phos.db'), statement]).toString().trim();
}

/** Who records an inspection: the inspector the day plan gave it to (an urgent complaint
 * re-plans its day at once, and only the assigned inspector may record), else the demo's first. */
async function recorderOf(checklist) {
  const id = checklist.split('/').at(-2).replace(/'/g, '');
  let email = '';
  for (let i = 0; i < 50 && !email; i++) {
    email = sql(`SELECT s.email FROM reg_inspections i JOIN staff_users s ON s.id = i.inspector WHERE i.id = '${id}'`);
    if (!email) await new Promise((r) => setTimeout(r, 200));
  }
  return email || 'inspector@phos.example';
}
const shots = join(repo, 'docs/screenshots');
before(async () => { mkdirSync(shots, { recursive: true }); phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

/** A public complaint about a premises of `district`; returns its reference. */
async function complain(lang, district, shot) {
  const page = await openPage(browser, phos, lang);
  await page.goto(`${phos.url}/complaints/new?district=${district}`);
  await noViolations(page, `complaint form with results (${lang})`);
  const choices = page.locator('input[name=premises_id]');
  assert.ok(await choices.count() > 1, 'the register search offers premises');
  await choices.first().check();
  // Bad input first: an error summary, in the page's language.
  await page.click('form[action="/complaints/new"][method=post] button[type=submit]');
  await page.waitForSelector('.error-summary');
  await noViolations(page, `complaint form with errors (${lang})`);
  await page.locator('input[name=premises_id]').first().check();
  await page.selectOption('#category', 'prescription');
  await page.fill('#description', lang === 'en' ? 'Antibiotics sold without a prescription.' : '無處方出售抗生素。');
  await page.fill('#email', `complainant-${lang}@example.hk`);
  if (shot) await page.screenshot({ path: join(shots, `regulatory-complaint-${lang === 'en' ? 'en' : 'zh'}.png`), fullPage: true });
  await page.click('form[action="/complaints/new"][method=post] button[type=submit]');
  await page.waitForSelector('#complaint-ref');
  await noViolations(page, `complaint received (${lang})`);
  const ref = (await page.textContent('#complaint-ref')).trim();
  assert.match(ref, /^CMP-\d{4}-[2-9A-Z]{6}$/);
  await page.context().close();
  return ref;
}

/** The licensing officer finds the complaint, triages it urgent and sends it to inspection;
 * returns the inspection's checklist path. */
async function sendToInspection(lang, ref) {
  const page = await openPage(browser, phos, lang);
  await staffSignIn(page, phos, 'licensing.officer@phos.example');
  await page.goto(`${phos.url}/staff/regulatory/complaints?q=${ref}`);
  await noViolations(page, `complaints list (${lang})`);
  await page.click(`a:text("${ref}")`);
  await noViolations(page, `complaint (${lang})`);
  if (await page.locator('#priority').count()) {
    await page.selectOption('#priority', '1');
    await page.check('#action-inspect');
    await page.click('form[action$="/triage"] button[type=submit]');
    await page.waitForSelector('.success');
  }
  const href = await page.getAttribute('a[href$="/checklist"]', 'href');
  assert.ok(href, 'the complaint links to its inspection');
  await page.context().close();
  return href;
}

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';
  test(`complaint to inspection, recorded offline and synced (${lang})`, async () => {
    const ref = await complain(lang, en ? 'YTM' : 'KC', true);
    const checklist = await sendToInspection(lang, ref);

    const page = await openPage(browser, phos, lang);
    await staffSignIn(page, phos, await recorderOf(checklist));
    await page.goto(phos.url + '/staff/regulatory/inspections/mine');
    await noViolations(page, `my inspections (${lang})`);
    await page.goto(phos.url + checklist);
    await noViolations(page, `checklist (${lang})`);
    // The service worker takes control; a reload online puts the page in its cache.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);

    // Offline: the page still opens (from the cache), and the record is queued.
    await page.context().setOffline(true);
    await page.reload();
    await page.waitForSelector('form[data-offline-record]');
    const items = await page.locator('fieldset[data-item]').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-item')));
    assert.ok(items.length >= 2);
    for (const [i, code] of items.entries()) {
      await page.check(`#item-${code}-${i === 0 ? 'not_compliant' : 'compliant'}`);
    }
    await page.fill(`#note-${items[0]}`, en ? 'Prescription-only medicines on open shelves' : '處方藥物放在開放式貨架');
    await page.check('#outcome-warning');
    await page.fill('#signed_by', en ? 'Chan Tai Man' : '陳大文');
    // The inspection is due tomorrow (urgent): recorded today, outside its window, with a reason.
    await page.check('#late');
    await page.fill('#late_reason', en ? 'Urgent complaint, inspected at once' : '緊急投訴，即時巡查');
    // A drawn signature.
    const pad = await page.locator('#signature-pad').boundingBox();
    await page.mouse.move(pad.x + 20, pad.y + 60);
    await page.mouse.down();
    await page.mouse.move(pad.x + 150, pad.y + 30, { steps: 5 });
    await page.mouse.move(pad.x + 280, pad.y + 90, { steps: 5 });
    await page.mouse.up();
    await page.click('form[data-offline-record] button[type=submit]');
    await page.waitForSelector('html[data-sync=queued]');
    assert.match(await page.textContent('#sync-status'), en ? /offline/ : /離線/);
    await noViolations(page, `checklist with a queued record (${lang})`);
    if (en) await page.screenshot({ path: join(shots, 'regulatory-checklist-offline-en.png'), fullPage: true });

    // Back online: sent and recorded.
    await page.context().setOffline(false);
    await page.waitForSelector('html[data-sync=synced]', { timeout: 15000 });
    await page.reload();
    await page.waitForSelector('#inspection-status');
    assert.equal((await page.textContent('#inspection-outcome')).trim(), en ? 'Warning' : '警告');
    await noViolations(page, `recorded inspection (${lang})`);
    if (!en) await page.screenshot({ path: join(shots, 'regulatory-checklist-done-zh.png'), fullPage: true });
    await page.context().close();

    // The complainant's status page shows the outcome.
    const pub = await openPage(browser, phos, lang);
    // (closed by the complaints job at once after the outcome is recorded)
    const closed = en ? /Closed/ : /已完結/;
    for (let i = 0; i < 40; i++) {
      await pub.goto(`${phos.url}/complaints/status?ref=${ref}`);
      if (closed.test(await pub.textContent('#complaint-status'))) break;
      await pub.waitForTimeout(250);
    }
    assert.match(await pub.textContent('#complaint-status'), closed);
    await noViolations(pub, `complaint status (${lang})`);
    await pub.context().close();
  });
}
