// The web shell in a real browser: language switch, lang attribute, and zero axe-core
// violations on every kernel page in both languages. Saves screenshots for the README.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, axe, describeViolations, repo } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');

async function newPage(lang) {
  // bypassCSP only lets the test inject axe-core; the pages themselves carry a strict CSP.
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', viewport: { width: 1200, height: 900 } });
  if (lang) await context.addCookies([{ name: 'phos_lang', value: lang, url: phos.url }]);
  return context.newPage();
}

test('home page switches language and has no accessibility violations', async () => {
  const page = await newPage();
  await page.goto(phos.url + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('h1'), /Public health services/);
  assert.deepEqual(await axe(page), [], describeViolations(await axe(page)));
  await page.screenshot({ path: join(shots, 'home-en.png'), fullPage: true });

  await page.click('a[hreflang="zh-Hant-HK"]');
  await page.waitForURL(phos.url + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hant-HK');
  assert.equal(await page.textContent('h1'), '公共衞生服務');
  assert.match(await page.textContent('body'), /查找服務點/);
  const v = await axe(page);
  assert.deepEqual(v, [], describeViolations(v));
  await page.screenshot({ path: join(shots, 'home-zh.png'), fullPage: true });

  // The choice is remembered on the next page.
  await page.click('text=公眾假期及服務暫停');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hant-HK');
  await page.click('a[hreflang="en"]');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(page.url(), /\/calendar$/);
  await page.context().close();
});

test('the skip link moves focus to the main content', async () => {
  const page = await newPage();
  await page.goto(phos.url + '/');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  assert.ok(await page.isVisible('.skip-link'), 'visible when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => location.hash), '#main');
  await page.context().close();
});

for (const lang of ['en', 'zh-Hant-HK']) {
  test(`kernel pages have no accessibility violations (${lang})`, async () => {
    const page = await newPage(lang);
    for (const path of ['/calendar', '/calendar?year=2025', '/service-points', '/service-points?district=IS&kind=dental',
      '/service-points?kind=spa', '/staff/outbox', '/no/such/page']) {
      const res = await page.goto(phos.url + path);
      assert.ok(res.status() < 500, `${path}: ${res.status()}`);
      assert.equal(await page.getAttribute('html', 'lang'), lang, path);
      const v = await axe(page);
      assert.deepEqual(v, [], `${path}\n${describeViolations(v)}`);
    }
    // The error summary of an invalid filter takes focus and links to the field.
    await page.goto(phos.url + '/service-points?kind=spa');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    await page.click('.error-summary a');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'kind');
    const suffix = lang === 'en' ? 'en' : 'zh';
    await page.goto(phos.url + '/service-points?district=KT');
    await page.screenshot({ path: join(shots, `service-points-${suffix}.png`), fullPage: true });
    await page.context().close();
  });
}

test('pages work without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(phos.url + '/service-points');
  await page.selectOption('#district', 'IS');
  await page.selectOption('#kind', 'dental');
  await page.click('button[type=submit]');
  assert.match(page.url(), /district=IS&kind=dental/);
  assert.match(await page.textContent('main'), /Tai O/);
  await context.close();
});
