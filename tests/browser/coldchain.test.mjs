// Cold chain in a real browser: a clinic's fridges, a fridge's chart and alarms, acknowledging
// an alarm, quarantining a lot, registering a device; zero axe-core violations in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, axe, describeViolations, repo } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');

async function managerPage(lang) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
  await context.addCookies([{ name: 'phos_lang', value: lang, url: phos.url }]);
  const page = await context.newPage();
  await page.goto(phos.url + '/staff/login');
  await page.fill('#email', 'clinic.manager@phos.example');
  await page.fill('#password', 'harbour-lights-at-dusk');
  await page.click('main button[type=submit]');
  await page.waitForURL(phos.url + '/staff');
  return page;
}

async function noViolations(page, where) {
  const v = await axe(page);
  assert.deepEqual(v, [], `${where}\n${describeViolations(v)}`);
}

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';
  test(`fridges, chart, alarm acknowledgement and registration (${lang})`, async () => {
    const page = await managerPage(lang);
    await page.goto(phos.url + '/staff/clinics/MCHC-KT/fridges');
    await noViolations(page, 'fridge list');
    // Fridge B has been warming: an alarm is open.
    assert.match(await page.textContent('.notice'), en ? /Too warm/ : /過熱/);
    await page.click('text=Vaccine fridge B');
    await page.waitForURL(/\/staff\/fridges\//);
    assert.ok(await page.isVisible('figure svg[role=img]'), 'temperature chart');
    assert.match(await page.textContent('main'), en ? /Still going on/ : /仍在持續/);
    await noViolations(page, 'fridge page');
    if (en) {
      await page.screenshot({ path: join(shots, 'fridge-en.png'), fullPage: true });
      // Acknowledge without a note: an error summary; then with one.
      await page.click('form[action$="/acknowledge"] button');
      await page.waitForSelector('.error-summary');
      await noViolations(page, 'fridge page with an error');
      await page.fill('form[action$="/acknowledge"] input[name=note]', 'Moved vaccines to fridge A; engineer called');
      await page.click('form[action$="/acknowledge"] button');
      await page.waitForURL(/\/staff\/fridges\/[^?#]+$/);
      assert.match(await page.textContent('main'), /engineer called/);
    }
    // Quarantine a lot of this fridge: a reason is required.
    const form = page.locator('form:has(button[value=quarantine])').first();
    await form.locator('button[value=quarantine]').click();
    await page.waitForSelector('.error-summary');
    if (!en) await noViolations(page, 'lot quarantine error');
    const again = page.locator('form:has(button[value=quarantine])').first();
    await again.locator('input[name=reason]').fill(en ? 'Excursion above 9 °C' : '溫度超過攝氏9度');
    await again.locator('button[value=quarantine]').click();
    await page.waitForURL(/#lots$/);
    assert.match(await page.textContent('#lots + div'), en ? /Excursion above 9/ : /溫度超過攝氏9度/);
    await page.goto(page.url().replace(/#lots$/, '') + '?range=7d');
    await noViolations(page, 'fridge page, 7 days');

    // Every open alarm.
    await page.goto(phos.url + '/staff/fridges');
    await noViolations(page, 'all fridge alarms');

    // Register a fridge: a bad device id first.
    await page.goto(phos.url + '/staff/clinics/MCHC-KT/fridges');
    await page.fill('#name', 'Fridge C');
    await page.fill('#device_id', 'bad id');
    await page.click('form[action$="/fridges/register"] button');
    await page.waitForSelector('.error-summary');
    await noViolations(page, 'registration error');
    await page.fill('#device_id', `FR-MCHC-KT-C-${lang}`);
    await page.click('form[action$="/fridges/register"] button');
    await page.waitForSelector('.success code.secret');
    assert.equal((await page.textContent('.success code.secret')).trim().length, 64);
    await noViolations(page, 'registered fridge with its key');
    await page.context().close();
  });
}
