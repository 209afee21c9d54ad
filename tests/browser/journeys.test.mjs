// The journeys of each role in a real browser: the staff home shows each role its own tools,
// an error page keeps the signed-in header, and every page of the main journeys in Traditional
// Chinese is fully Chinese (no English sentence, no raw message key), axe-clean at a phone's
// and a desktop's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPhos, stopPhos, startSmtpSink, launch, noViolations, staffSignIn, repo } from './phos.mjs';

let phos; let browser; let smtp;
before(async () => {
  smtp = await startSmtpSink();
  phos = await startPhos({ PHOS_NOTIFY_PROVIDER: 'smtp', PHOS_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopPhos(phos); smtp?.stop(); });

const shots = join(repo, 'docs/screenshots');
const WIDTHS = [390, 1280];

async function newPage(lang, width = 1280) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
  await context.addCookies([{ name: 'phos_lang', value: lang, url: phos.url }]);
  return context.newPage();
}

/** Fails when the page is wider than the window (a phone must never scroll sideways). */
async function fitsWidth(page, where) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${where}: ${scroll} px wide in a ${width} px window`);
}

async function cardLinks(page) {
  return (await page.$$eval('main ul.cards > li.card > h2 > a', (as) => as.map((a) => a.getAttribute('href')))).sort();
}

const CLINIC_STAFF = ['/staff/access', '/staff/clinics', '/staff/fridges', '/staff/workflow/tasks'];
const EPIDEMIOLOGIST = ['/staff/access', '/staff/protection', '/staff/protection/cases', '/staff/protection/clusters',
  '/staff/protection/dashboard', '/staff/protection/diseases', '/staff/protection/signals', '/staff/workflow/tasks'];

for (const lang of ['en', 'zh-Hant-HK']) {
  for (const width of WIDTHS) {
    test(`the staff home shows each role its own tools (${lang}, ${width} px)`, async () => {
      for (const [email, expected] of [['clinic.staff@phos.example', CLINIC_STAFF], ['epidemiologist@phos.example', EPIDEMIOLOGIST]]) {
        const page = await newPage(lang, width);
        await staffSignIn(page, phos, email);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.deepEqual(await cardLinks(page), expected, email);
        await noViolations(page, `staff home of ${email}`);
        await fitsWidth(page, `staff home of ${email}`);
        if (lang === 'en' && width === 1280 && email.startsWith('epidemiologist')) {
          await page.screenshot({ path: join(shots, 'staff-home-en.png'), fullPage: true });
        }
        // Every card opens.
        for (const href of expected) {
          const res = await page.goto(phos.url + href);
          assert.equal(res.status(), 200, `${email} ${href}`);
        }
        await page.context().close();
      }
    });

    test(`a 404 page keeps the signed-in header (${lang}, ${width} px)`, async () => {
      const page = await newPage(lang, width);
      await staffSignIn(page, phos, 'clinic.staff@phos.example');
      const res = await page.goto(phos.url + '/no/such/page');
      assert.equal(res.status(), 404);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.equal((await page.textContent('header .who')).trim(), 'Demo clinic staff');
      assert.equal(await page.getAttribute('header a[href="/staff"]', 'href'), '/staff');
      await noViolations(page, '404 signed in');
      await fitsWidth(page, '404 signed in');
      // Its sign-out button works.
      await page.click('header button.link-button');
      await page.waitForURL(phos.url + '/');
      assert.equal(await page.$('header .who'), null);
      await page.context().close();
    });
  }
}

// ---- Fully Chinese pages -------------------------------------------------------------------

/** Every message key of every catalogue (English side), to spot a key shown instead of a text. */
function catalogueKeys() {
  const keys = new Set();
  const crates = join(repo, 'crates');
  for (const c of readdirSync(crates)) {
    let files = [];
    try { files = readdirSync(join(crates, c, 'locales/en')); } catch { continue; }
    for (const f of files.filter((f) => f.endsWith('.ftl'))) {
      for (const line of readFileSync(join(crates, c, 'locales/en', f), 'utf8').split('\n')) {
        const m = line.match(/^([a-z][a-z0-9_-]*)\s*=/);
        if (m) keys.add(m[1]);
      }
    }
  }
  return keys;
}

// Lower-case English words allowed on a Chinese page: codes, units, names and brands. Anything
// else in a run of three or more lower-case words is an English sentence.
const ALLOWED_WORDS = new Set([
  'phos', 'example', 'api', 'json', 'csv', 'openapi', 'fhir', 'hkid', 'qr', 'sms', 'email', 'mqtt', 'id',
  'min', 'max', 'ms', 'km', 'kg', 'h', 's', 'am', 'pm',
]);

/** The visible texts of the page, and its title and accessible labels, except code and
 *  passages marked as another language (`lang="en"`). */
async function pageTexts(page) {
  return page.evaluate(() => {
    const out = [document.title];
    const skip = (el) => el.closest('code, pre, script, style, [lang]:not([lang^="zh"]), [translate="no"]');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!skip(n.parentElement) && n.textContent.trim()) out.push(n.textContent.trim());
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
      if (skip(el)) continue;
      for (const a of ['aria-label', 'title', 'alt', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v) out.push(v.trim());
      }
    }
    return out;
  });
}

// Names of records that staff typed in one language and PHOS shows as typed (the demo's
// clusters, fridges and staff accounts): names, not interface text.
const ALLOWED_NAMES = [
  'Food poisoning after a wedding banquet', 'Measles at a primary school', 'Influenza vaccine fridge',
  'Vaccine fridge',
];

/** English sentences (3+ lower-case words in a row, numbers between them allowed, not all
 *  allow-listed) and raw keys in `texts`. */
export function englishAndKeys(texts, keys) {
  const found = [];
  for (const raw of texts) {
    const t = ALLOWED_NAMES.reduce((acc, n) => acc.split(n).join(' · '), raw);
    // Numbers do not break a sentence ("about 2 minutes left"); only lower-case words count.
    for (const m of t.matchAll(/(?<![A-Za-z0-9])[a-z]+(?:[ ’'-]+(?:[a-z]+|[0-9]+))+(?![A-Za-z0-9])/g)) {
      const words = m[0].split(/[ ’'-]+/).filter((w) => /^[a-z]+$/.test(w));
      if (words.filter((w) => !ALLOWED_WORDS.has(w)).length >= 3 && !keys.has(m[0])) found.push(`English: “${m[0]}” in “${t.slice(0, 120)}”`);
    }
    for (const m of t.matchAll(/(?<![A-Za-z0-9_-])[a-z][a-z0-9_]*(?:-[a-z0-9_]+)+/g)) {
      if (keys.has(m[0])) found.push(`raw key: ${m[0]} in “${t.slice(0, 120)}”`);
    }
  }
  return found;
}

test('the English detector finds sentences and keys, and allows codes', () => {
  const keys = new Set(['staff-home-title']);
  assert.deepEqual(englishAndKeys(['預約 3 個', 'Hash chain intact', 'phos example api', '代碼 KT'], keys), []);
  assert.equal(englishAndKeys(['about 2 minutes left'], keys).length, 1);
  assert.equal(englishAndKeys(['staff-home-title'], keys).length, 1);
  assert.deepEqual(englishAndKeys(['Measles at a primary school, Kwai Tsing', 'Door left open'], keys), []);
  assert.equal(englishAndKeys(['Door left open after delivery'], keys).length, 1);
});

/** Visits `path` in Chinese and collects what is not Chinese. */
async function checkChinese(page, path, keys, problems) {
  const res = await page.goto(phos.url + path);
  assert.ok(res.status() < 400, `${path}: ${res.status()}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hant-HK', path);
  for (const p of englishAndKeys(await pageTexts(page), keys)) problems.push(`${path}: ${p}`);
}

/** The first link on `path` whose href matches `re` (to follow into real records). */
async function firstLink(page, path, re) {
  await page.goto(phos.url + path);
  const hrefs = await page.$$eval('main a[href]', (as) => as.map((a) => a.getAttribute('href')));
  return hrefs.find((h) => re.test(h));
}

test('every page of the main journeys is fully Chinese in zh-Hant (no English sentence, no raw key)', async () => {
  const keys = catalogueKeys();
  assert.ok(keys.size > 500, `only ${keys.size} keys`);
  const problems = [];
  const page = await newPage('zh-Hant-HK');
  // The public's journeys.
  const clinic = await firstLink(page, '/service-points', /^\/clinics\/[^/]+$/);
  assert.ok(clinic, 'a clinic link');
  const service = await firstLink(page, clinic, /^\/clinics\/[^/]+\/[^/?]+$/);
  const publicPages = ['/', '/service-points', '/calendar', clinic, '/signin', '/staff/login', '/ballots', '/surveillance'];
  if (service) publicPages.push(service);
  const code = clinic.split('/')[2];
  publicPages.push(`/queue/${code}`, `/queue/${code}/board`);
  for (const p of publicPages) await checkChinese(page, p, keys, problems);
  // A member of the public signed in (a one-time code from the SMTP server): their account,
  // with a dependant recorded in English, their bookings and waiting-list places.
  {
    const en = await newPage('en');
    const email = `journeys.${Date.now()}@example.com`;
    await en.goto(phos.url + '/signin');
    await en.fill('#contact', email);
    await en.click('main button[type=submit]');
    await en.waitForURL(/\/signin\/code/);
    const code = (await smtp.waitFor(email)).body.match(/\b(\d{6})\b/)[1];
    await en.fill('#code', code);
    await en.click('main button[type=submit]');
    await en.waitForURL(/\/me/);
    await en.goto(phos.url + '/me/dependants');
    await en.fill('#name', 'CHAN Ah Po');
    await en.fill('#birth_date', '1940-05-06');
    await en.check('#rel-parent');
    await en.check('#consent-yes');
    await en.click('main button[type=submit]');
    await en.waitForURL(/added=1/);
    const cookies = await en.context().cookies();
    const zh = await newPage('zh-Hant-HK');
    await zh.context().addCookies(cookies.filter((c) => c.name !== 'phos_lang'));
    for (const p of ['/me', '/me/dependants', '/bookings', '/waitlist']) await checkChinese(zh, p, keys, problems);
    await en.context().close();
    await zh.context().close();
  }
  // Each role's home, and the tools of the roles.
  const roles = ['clinic.staff', 'clinic.manager', 'epidemiologist', 'lead.epidemiologist', 'reporter', 'auditor',
    'data.steward', 'comms.officer', 'admin'];
  for (const role of roles) {
    const p = await newPage('zh-Hant-HK');
    await staffSignIn(p, phos, `${role}@phos.example`);
    await checkChinese(p, '/staff', keys, problems);
    if (role === 'reporter') await checkChinese(p, '/notify', keys, problems);
    if (role === 'lead.epidemiologist') {
      const staffPages = ['/staff/protection', '/staff/protection/cases', '/staff/protection/clusters',
        '/staff/protection/signals', '/staff/protection/dashboard', '/staff/protection/diseases',
        '/staff/protection/assignments'];
      const caseLink = await firstLink(p, '/staff/protection/cases', /^\/staff\/protection\/cases\/[^/?]+$/);
      const clusterLink = await firstLink(p, '/staff/protection/clusters', /^\/staff\/protection\/clusters\/[^/?]+$/);
      const signalLink = await firstLink(p, '/staff/protection/signals', /^\/staff\/protection\/signals\/[^/?]+$/);
      for (const l of [caseLink, clusterLink, signalLink]) if (l) staffPages.push(l);
      for (const s of staffPages) await checkChinese(p, s, keys, problems);
    }
    if (role === 'clinic.manager') {
      const staffClinic = await firstLink(p, '/staff/clinics', /^\/staff\/clinics\/[^/]+$/);
      const pages = ['/staff/clinics', '/staff/fridges', staffClinic, `${staffClinic}/counter`, `${staffClinic}/queue`,
        `${staffClinic}/waitlist`, `${staffClinic}/fridges`, `${staffClinic}/queue/stats`];
      for (const s of pages) await checkChinese(p, s, keys, problems);
    }
    if (role === 'admin') {
      // Not the audit log: its details are recorded text (the audit page is being rewritten to
      // show readable actions, issue 11 item 8).
      for (const s of ['/staff/users', '/staff/outbox', '/staff/partners', '/staff/closures', '/staff/access']) {
        await checkChinese(p, s, keys, problems);
      }
    }
    await p.context().close();
  }
  await page.context().close();
  assert.deepEqual(problems, [], `English or raw keys on Chinese pages:\n${problems.join('\n')}`);
});
