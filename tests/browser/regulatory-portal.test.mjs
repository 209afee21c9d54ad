// The licensing portal in a real browser, on the demo world: a citizen applies for a retail
// pharmacy licence (choose the type; "check, pay and submit" on an empty form lists every problem,
// each linked to a field that exists; the form filled in; three documents uploaded, one a PDF
// whose text layer names the pharmacist; paid and submitted; the progress steps shown); a
// licensing officer sees the application list and the application, opens a demo licence and
// is told what is missing when suspending it without a reason; the holder of a licence that
// expires in 30 days renews it online. Zero axe-core violations on every page in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn, repo } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');
const submitted = {};

/** Runs SQL statements on the database the demo uses; returns the first column of the first
 * row of the last one (or ''). Values are written into the SQL by the test itself. */
function sql(...statements) {
  if (process.env.PHOS_TEST_DATABASE_URL) {
    let out = '';
    for (const s of statements) out = execFileSync('psql', [process.env.PHOS_TEST_DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-tAc', s]).toString().trim();
    return out.split('\n')[0];
  }
  const py = [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1], timeout=30)',
    'r = None',
    'for s in sys.argv[2:]:',
    '    r = c.execute(s).fetchone()',
    'c.commit()',
    "print('' if r is None else r[0])",
  ].join('\n');
  return execFileSync('python3', ['-c', py, join(phos.dataDir, 'phos.db'), ...statements]).toString().trim();
}

/** Hong Kong's date `days` from today. */
function hkDate(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

/** A one-page PDF whose text layer is `text` (pdftotext reads it). */
function pdfWithText(text) {
  const stream = `BT /F1 12 Tf 50 700 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64)]);

/** Signs a citizen in through the one-time-code form; the code is read from the outbox log. */
async function citizenSignIn(page, email) {
  const readLog = () => { try { return readFileSync(join(phos.dataDir, 'outbox.log'), 'utf8'); } catch { return ''; } };
  // Only messages written after this sign-in began, and only one that carries a code (the
  // citizen's other messages, e.g. a request for information, may arrive in between).
  const before = readLog().length;
  await page.goto(phos.url + '/signin');
  await page.fill('#contact', email);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/signin\/code/);
  let code;
  for (let i = 0; i < 150 && !code; i++) {
    const lines = readLog().slice(before).trim().split('\n').reverse();
    const match = lines.filter((l) => l.includes(email)).map((l) => JSON.parse(l).body.match(/\b(\d{6})\b/)).find(Boolean);
    code = match && match[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(code, 'code delivered to the outbox log');
  await page.fill('#code', code);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/me/);
}

/** POSTs JSON with the page's session and the CSRF token of its current page. */
async function postJson(page, path, body) {
  const csrf = await page.getAttribute('input[name=csrf]', 'value');
  const r = await page.request.post(phos.url + path, { data: body, headers: { 'x-csrf-token': csrf } });
  assert.ok(r.ok(), `${path}: ${r.status()} ${await r.text()}`);
  return r.json();
}

/** The open screening task of an application's process (waits for the process to reach it). */
async function screeningTask(caseRef) {
  const q = 'SELECT t.id FROM workflow_tasks t JOIN workflow_business_keys k ON k.instance_id = t.instance_id '
    + `WHERE k.business_key = '${caseRef}' AND t.node_id = 'screen' AND t.status IN ('open', 'claimed')`;
  for (let i = 0; i < 300; i++) {
    const id = sql(q);
    if (id) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no screening task for ${caseRef}`);
}

/** The error summary's links: each must point at an element that exists on the page. */
async function summaryLinks(page) {
  const links = await page.$$eval('.error-summary a', (as) => as.map((a) => ({
    href: a.getAttribute('href'),
    exists: !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))),
  })));
  for (const l of links) assert.ok(l.exists, `error summary link ${l.href} points nowhere`);
  return links.map((l) => l.href);
}

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';
  const tag = en ? 'en' : 'zh';

  test(`a citizen applies for a retail pharmacy licence (${lang})`, async () => {
    // A pharmacist on the register who answers for no premises yet.
    const number = en ? 'P99101' : 'P99102';
    sql(`INSERT INTO reg_professionals (register, number, name_en, name_zh, status) VALUES ('pharmacist', '${number}', 'LAM Ka Yan', '林嘉欣', 'registered') ON CONFLICT DO NOTHING`);
    const page = await openPage(browser, phos, lang);
    await page.setViewportSize({ width: 1280, height: 900 });
    await citizenSignIn(page, `applicant.${tag}@example.com`);

    await page.goto(phos.url + '/licensing');
    await noViolations(page, 'licensing home');
    await page.click('main a[href="/licensing/apply"]');
    await page.waitForURL(/\/licensing\/apply$/);
    await noViolations(page, 'choose a licence type');
    // Nothing chosen: the choice is asked for.
    await page.click('main button[type=submit]');
    await page.waitForSelector('.error-summary');
    assert.deepEqual(await summaryLinks(page), ['#licence_type']);
    await noViolations(page, 'choose: nothing chosen');
    await page.goto(phos.url + '/licensing/apply');
    if (en) await page.screenshot({ path: join(shots, 'regulatory-apply-choose-en.png'), fullPage: true });
    await page.check('#type-pharmacy_retail');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/licensing\/applications\/REG-/);
    const caseRef = page.url().split('/').pop();
    assert.equal((await page.textContent('#status')).trim(), en ? 'Draft' : '草稿');
    await noViolations(page, 'empty draft');

    // "Check, pay and submit" on the empty form (a company is the preset licensee kind) lists
    // every problem, each linked to its field.
    assert.ok(await page.isChecked('#kind-company'));
    await page.click('#action button[value=submit]');
    await page.waitForSelector('.error-summary');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    const links = await summaryLinks(page);
    assert.equal(links.length, 10, `every problem listed: ${links}`);
    // Each link says what it is about: no two read the same (the documents are named).
    const texts = await page.$$eval('.error-summary a', (as) => as.map((a) => a.textContent.trim()));
    assert.equal(new Set(texts).size, texts.length, `link texts alike: ${texts}`);
    for (const f of ['#licensee_name_en', '#br_number', '#premises_name_en', '#address_en', '#start_date',
      '#responsible_name', '#responsible_number', '#doc_br_certificate', '#doc_floor_plan', '#doc_pharmacist_certificate']) {
      assert.ok(links.includes(f), `${f} in ${links}`);
    }
    // Each field in error carries its message, tied to the field for screen readers.
    for (const f of ['licensee_name_en', 'br_number', 'start_date', 'responsible_number', 'doc_floor_plan']) {
      assert.ok((await page.getAttribute(`#${f}`, 'aria-describedby') ?? '').split(' ').includes(`${f}-error`), f);
      assert.ok(await page.isVisible(`#${f}-error`));
    }
    assert.equal((await page.textContent('#status')).trim(), en ? 'Draft' : '草稿', 'nothing submitted');
    await noViolations(page, 'empty form with the error summary');
    if (en) await page.screenshot({ path: join(shots, 'regulatory-apply-errors-en.png'), fullPage: true });

    // Fill in the form and save.
    await page.check('#kind-company');
    await page.fill('#licensee_name_en', 'Harbour Pharmacy Limited');
    await page.fill('#licensee_name_zh', '海港藥房有限公司');
    await page.fill('#br_number', '12345678');
    await page.fill('#premises_name_en', 'Harbour Pharmacy');
    await page.fill('#premises_name_zh', '海港藥房');
    await page.fill('#address_en', 'Shop 3, G/F, 120 Nathan Road, Tsim Sha Tsui');
    await page.selectOption('#district', 'YTM');
    const start = hkDate(60).split('-').reverse().join('/');
    await page.fill('#start_date', start);
    await page.fill('#responsible_name', 'LAM Ka Yan');
    await page.fill('#responsible_number', number);
    await page.click('#action button[value=save]');
    await page.waitForURL(/\?saved/);
    assert.equal(await page.inputValue('#start_date'), start);
    await noViolations(page, 'saved draft');

    // Upload the three documents (an empty upload is refused first).
    const uploadForm = (code) => `form:has(input[name=requirement][value=${code}])`;
    await page.click(`${uploadForm('floor_plan')} button[type=submit]`);
    await page.waitForSelector('.error-summary');
    assert.deepEqual(await summaryLinks(page), ['#doc_floor_plan']);
    await noViolations(page, 'upload without a file');
    // A certificate naming someone else is read as not matching.
    await page.setInputFiles('#doc_pharmacist_certificate', { name: 'other.pdf', mimeType: 'application/pdf',
      buffer: pdfWithText('Pharmacy and Poisons Board - Certificate of Registration - WONG Siu Ming - Reg. No. P77002') });
    await Promise.all([page.waitForNavigation(), page.click(`${uploadForm('pharmacist_certificate')} button[type=submit]`)]);
    assert.match(page.url(), /\?uploaded$/);
    assert.ok((await page.textContent(`${uploadForm('pharmacist_certificate')} .hint`))
      .includes(en ? 'the name or registration number was not found' : '證明書上找不到姓名或註冊編號'));
    const files = [
      ['br_certificate', { name: 'br.png', mimeType: 'image/png', buffer: png }],
      ['floor_plan', { name: 'plan.png', mimeType: 'image/png', buffer: png }],
      ['pharmacist_certificate', { name: 'cert.pdf', mimeType: 'application/pdf',
        buffer: pdfWithText(`Pharmacy and Poisons Board - Certificate of Registration - LAM KA YAN - Reg. No. ${number}`) }],
    ];
    for (const [code, file] of files) {
      await page.setInputFiles(`#doc_${code}`, file);
      await Promise.all([page.waitForNavigation(), page.click(`${uploadForm(code)} button[type=submit]`)]);
      assert.match(page.url(), /\?uploaded$/);
      assert.ok((await page.textContent(`${uploadForm(code)} .hint`)).includes(file.name), `${file.name} shown as uploaded`);
    }
    // The certificate was read (pdftotext, installed by scripts/setup) and names the pharmacist.
    assert.ok((await page.textContent(`${uploadForm('pharmacist_certificate')} .hint`))
      .includes(en ? 'name and registration number found on the certificate' : '證明書上找到姓名及註冊編號'));
    await noViolations(page, 'documents uploaded');

    // Check, pay (the fake provider) and submit: the progress steps follow.
    await page.click('#action button[value=submit]');
    await page.waitForURL(/\?submitted/);
    assert.equal(await page.isVisible('.error-summary'), false);
    assert.ok(await page.isVisible('.notice[role=status]'));
    const steps = page.locator('#progress li');
    assert.equal(await steps.count(), 5, 'progress steps: submitted, screening, assessment, inspection, decision');
    assert.equal(await page.locator('#progress li[aria-current=step]').count(), 1);
    assert.equal(await page.locator('#answers').count(), 0, 'no form once submitted');
    assert.match(await page.textContent('main'), /HK\$3,730\.00/);
    await noViolations(page, 'submitted application');
    if (en) await page.screenshot({ path: join(shots, 'regulatory-application-submitted-en.png'), fullPage: true });

    // The portal home lists it.
    await page.goto(phos.url + '/licensing');
    assert.ok(await page.isVisible(`#my-applications a[href="/licensing/applications/${caseRef}"]`));
    await noViolations(page, 'licensing home with an application');
    submitted[lang] = caseRef;
    await page.context().close();
  });

  test(`a licensing officer sees applications and acts on a licence (${lang})`, async () => {
    const page = await openPage(browser, phos, lang);
    await page.setViewportSize({ width: 1280, height: 900 });
    await staffSignIn(page, phos, 'licensing.officer@phos.example');
    await page.goto(phos.url + '/staff/regulatory/applications');
    const caseRef = submitted[lang];
    assert.ok(caseRef, 'the citizen test submitted an application');
    assert.ok(await page.isVisible(`#applications a[href="/staff/regulatory/applications/${caseRef}"]`), 'listed');
    await noViolations(page, 'staff application list');
    await page.click(`#applications a[href="/staff/regulatory/applications/${caseRef}"]`);
    await page.waitForURL(new RegExp(`/staff/regulatory/applications/${caseRef}$`));
    assert.match(await page.textContent('main'), /cert\.pdf/);
    await noViolations(page, 'staff application page');

    const number = sql("SELECT number FROM reg_licences WHERE status = 'active' ORDER BY number LIMIT 1 OFFSET 3");
    assert.match(number, /^[A-Z]+-\d{4}-[A-Z0-9]+$/);
    await page.goto(`${phos.url}/staff/regulatory/licences/${number}`);
    assert.ok(await page.isVisible('#action button[value=suspend]'));
    await noViolations(page, 'licence page');
    if (en) await page.screenshot({ path: join(shots, 'regulatory-licence-en.png'), fullPage: true });
    // Suspending without a reason or a legal basis: both asked for, nothing changed.
    await page.click('#action button[value=suspend]');
    await page.waitForSelector('.error-summary');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    assert.deepEqual(await summaryLinks(page), ['#reason', '#legal_basis']);
    assert.equal(await page.getAttribute('#reason', 'aria-describedby'), 'reason-error');
    assert.equal(sql(`SELECT status FROM reg_licences WHERE number = '${number}'`), 'active');
    await noViolations(page, 'licence page: suspend without a reason');

    // Screening asks the applicant for more information (the workflow task, through the API).
    const task = await screeningTask(caseRef);
    await postJson(page, `/api/v1/workflow/tasks/${task}/claim`, {});
    await postJson(page, `/api/v1/workflow/tasks/${task}/complete`,
      { variables: { complete: false, missing: 'A copy of the tenancy agreement' } });
    await page.context().close();
  });

  test(`the applicant answers a request for information (${lang})`, async () => {
    const caseRef = submitted[lang];
    assert.ok(caseRef, 'the citizen test submitted an application');
    for (let i = 0; i < 300 && sql(`SELECT status FROM reg_applications WHERE case_ref = '${caseRef}'`) !== 'info_requested'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await openPage(browser, phos, lang);
    await page.setViewportSize({ width: 1280, height: 900 });
    await citizenSignIn(page, `applicant.${tag}@example.com`);
    await page.goto(`${phos.url}/licensing/applications/${caseRef}`);
    assert.equal((await page.textContent('#status')).trim(), en ? 'Waiting for your information' : '等待你提供資料');
    assert.equal((await page.textContent('#waiting-for')).trim(), 'A copy of the tenancy agreement');
    await noViolations(page, 'information requested');
    await page.click('form[action$="/answer"] button[type=submit]');
    await page.waitForSelector('.error-summary');
    assert.deepEqual(await summaryLinks(page), ['#answer']);
    assert.equal(await page.getAttribute('#answer', 'aria-describedby'), 'answer-error');
    await noViolations(page, 'empty answer');
    await page.fill('#answer', 'Sent by post today');
    await page.click('form[action$="/answer"] button[type=submit]');
    await page.waitForURL(/\?answered$/);
    assert.ok(await page.isVisible('.notice[role=status]'));
    await noViolations(page, 'answered');
    await page.context().close();
  });

  test(`the holder renews a licence that expires in 30 days (${lang})`, async () => {
    const email = `holder.${tag}@example.com`;
    const page = await openPage(browser, phos, lang);
    await page.setViewportSize({ width: 1280, height: 900 });
    await citizenSignIn(page, email);
    const me = sql(`SELECT id FROM citizens WHERE email = '${email}'`);
    assert.ok(me, 'the citizen is on the register');
    const number = sql(`SELECT number FROM reg_licences WHERE status = 'active' ORDER BY number LIMIT 1 OFFSET ${en ? 10 : 11}`);
    const expires = hkDate(30);
    sql(`INSERT INTO reg_licensees (id, kind, name_en, name_zh, br_number, account, created_at) VALUES ('lic-portal-${tag}', 'individual', 'LEE Siu Ling', '李小玲', NULL, '${me}', 0) ON CONFLICT (id) DO UPDATE SET account = excluded.account`,
      `UPDATE reg_licences SET licensee_id = 'lic-portal-${tag}', expires_on = '${expires}' WHERE number = '${number}'`);

    await page.goto(phos.url + '/licensing');
    assert.ok(await page.isVisible(`#my-licences a[href="/licensing/licences/${number}/renew"]`));
    await noViolations(page, 'licensing home with a licence');
    await page.click(`#my-licences a[href="/licensing/licences/${number}/renew"]`);
    await page.waitForURL(/\/renew$/);
    assert.equal((await page.textContent('#expires')).trim(), expires);
    assert.ok(await page.isVisible('form#renew button[type=submit]'));
    await noViolations(page, 'renewal page');
    if (en) await page.screenshot({ path: join(shots, 'regulatory-renew-en.png'), fullPage: true });
    await page.click('form#renew button[type=submit]');
    await page.waitForURL(/\?renewed$/);
    assert.ok(await page.isVisible('#renewed'));
    const after = (await page.textContent('#expires')).trim();
    assert.ok(after > expires, `${after} after ${expires}`);
    assert.equal(sql(`SELECT expires_on FROM reg_licences WHERE number = '${number}'`), after);
    // Renewed: the window is closed until the next term.
    assert.equal(await page.locator('form#renew').count(), 0);
    await noViolations(page, 'renewed');
    await page.context().close();
  });
}
