// Licence certificates in a real browser, on the demo world: a licensing officer opens a
// licence's printable certificate (QR code, conditions in both languages, print styles), then
// anyone checks its code on the public verify page (valid; an altered code is forged; an empty
// form gives an error summary); zero axe-core violations in both languages at 1280 px and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn, repo } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');

/** An active demo licence's number, read from the database the demo seeded. */
function activeLicence() {
  const sql = "SELECT number FROM reg_licences WHERE status = 'active' AND conditions <> '[]' ORDER BY number LIMIT 1";
  if (process.env.PHOS_TEST_DATABASE_URL) {
    return execFileSync('psql', [process.env.PHOS_TEST_DATABASE_URL, '-tAc', sql]).toString().trim();
  }
  const py = 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])';
  return execFileSync('python3', ['-c', py, join(phos.dataDir, 'phos.db'), sql]).toString().trim();
}

/** The same token with one character changed (still base64url). */
function altered(token) {
  const i = 30;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';
  test(`certificate and verification (${lang})`, async () => {
    const number = activeLicence();
    assert.match(number, /^[A-Z]+-\d{4}-[A-Z0-9]+$/);
    const staff = await openPage(browser, phos, lang);
    await staffSignIn(staff, phos, 'licensing.officer@phos.example');
    const visitor = await openPage(browser, phos, lang);
    for (const width of [1280, 390]) {
      await staff.setViewportSize({ width, height: 900 });
      await visitor.setViewportSize({ width, height: 900 });
      const wide = width === 1280;

      await staff.goto(`${phos.url}/licences/${number}/certificate`);
      assert.equal(await staff.textContent('h1'), en ? 'Licence certificate' : '牌照證明書');
      assert.ok(await staff.isVisible('.cert-qr svg'), 'QR code');
      assert.ok((await staff.locator('.cert-conditions li [lang=zh-Hant-HK]').count()) > 0, 'conditions in Chinese');
      assert.ok((await staff.locator('.cert-conditions li [lang=en]').count()) > 0, 'conditions in English');
      await noViolations(staff, `certificate ${width}`);
      if (wide && en) await staff.screenshot({ path: join(shots, 'regulatory-certificate-en.png'), fullPage: true });
      // Printed: no site header, footer or links around the certificate.
      await staff.emulateMedia({ media: 'print' });
      assert.equal(await staff.isVisible('.site-header'), false);
      assert.equal(await staff.isVisible('.cert-actions'), false);
      assert.ok(await staff.isVisible('.certificate'));
      await staff.emulateMedia({ media: 'screen' });
      const token = (await staff.textContent('#cert-token')).trim();
      assert.ok(token.length > 100 && token.length < 300, token);

      // The PDF link answers a PDF.
      const pdf = await staff.request.get(`${phos.url}/licences/${number}/certificate.pdf`);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-');

      // Anyone checks the code on the verify page.
      await visitor.goto(phos.url + '/verify');
      await noViolations(visitor, `verify form ${width}`);
      await visitor.fill('#token', token);
      await visitor.click('main button[type=submit]');
      await visitor.waitForSelector('.cert-result');
      assert.ok(await visitor.isVisible('.cert-result-valid'), 'valid');
      assert.equal(await visitor.textContent('#cert-result-title'), en ? 'Valid certificate' : '證明書有效');
      assert.ok((await visitor.textContent('.cert-result dl')).includes(number));
      await noViolations(visitor, `verify valid ${width}`);
      if (wide && en) await visitor.screenshot({ path: join(shots, 'regulatory-verify-en.png'), fullPage: true });

      await visitor.fill('#token', altered(token));
      await visitor.click('main button[type=submit]');
      await visitor.waitForSelector('.cert-result-forged');
      assert.equal(await visitor.textContent('#cert-result-title'), en ? 'Not a genuine certificate' : '並非真確的證明書');
      await noViolations(visitor, `verify forged ${width}`);

      await visitor.fill('#token', '');
      await visitor.click('main button[type=submit]');
      await visitor.waitForSelector('.error-summary');
      assert.ok((await visitor.textContent('.error-summary')).includes(en ? 'Enter the certificate code' : '請輸入證明書代碼'));
      await noViolations(visitor, `verify empty ${width}`);
    }
  });
}
