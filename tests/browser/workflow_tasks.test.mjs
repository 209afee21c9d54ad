// Workflow tasks in a real browser: an inspector claims a task from the worklist, comments,
// attaches a file, completes it with form data; a licensing officer's second claim is refused
// with a clear message. In both languages, at a phone's width (390 px) and a desktop's
// (1280 px), with zero axe-core violations on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn } from './phos.mjs';

let phos; let browser;
after(async () => { await browser?.close(); await stopPhos(phos); });

const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:phos="urn:phos:bpmn:1" id="BT" targetNamespace="x">
  <bpmn:process id="site_check" name="Site check" phos:nameZh="實地檢查" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="check" name="Check the site" phos:nameZh="檢查現場" phos:candidateRoles="inspector,licensing_officer"/>
    <bpmn:boundaryEvent id="late" attachedToRef="check">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT8H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="done"/>
    <bpmn:endEvent id="escalated"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="done"/>
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="escalated"/>
  </bpmn:process>
</bpmn:definitions>`;

/** POSTs JSON with the page's session and the CSRF token of its current page. */
async function postJson(page, path, body) {
  const csrf = await page.getAttribute('input[name=csrf]', 'value');
  const r = await page.request.post(phos.url + path, { data: body, headers: { 'x-csrf-token': csrf } });
  assert.ok(r.ok(), `${path}: ${r.status()} ${await r.text()}`);
  return r.json();
}

before(async () => {
  phos = await startPhos();
  browser = await launch();
  const page = await openPage(browser, phos, 'en');
  await staffSignIn(page, phos, 'admin@phos.example');
  await postJson(page, '/api/v1/workflow/deployments', { bpmn: BPMN });
  await page.context().close();
});

async function newPage(lang, width) {
  const page = await openPage(browser, phos, lang);
  await page.setViewportSize({ width, height: 900 });
  return page;
}

let n = 0;
for (const lang of ['en', 'zh-Hant-HK']) {
  for (const width of [1280, 390]) {
    const en = lang === 'en';
    test(`claim, comment, attach, complete; a second claim refused (${lang}, ${width} px)`, async () => {
      const ref = `SITE-${lang}-${width}-${++n}`;
      const inspector = await newPage(lang, width);
      await staffSignIn(inspector, phos, 'inspector@phos.example');
      const inst = await postJson(inspector, '/api/v1/workflow/instances', { definition: 'site_check', variables: { ref } });
      const taskId = inst.tasks[0].id;

      // The worklist: the home card leads there; the unassigned view finds the case by its reference.
      await inspector.goto(phos.url + '/staff');
      await inspector.click('a[href="/staff/workflow/tasks"]');
      await inspector.waitForURL(/\/staff\/workflow\/tasks$/);
      await noViolations(inspector, 'worklist');
      await inspector.goto(phos.url + `/staff/workflow/tasks?view=unassigned&q=${ref}`);
      assert.match(await inspector.textContent('main h2'), en ? /Unassigned/ : /未指派/);
      await noViolations(inspector, 'worklist, unassigned, searched');
      await inspector.click(`a[href="/staff/workflow/tasks/${taskId}"]`);
      await inspector.waitForURL(new RegExp(`/staff/workflow/tasks/${taskId}$`));
      assert.match(await inspector.textContent('main h1'), en ? /Check the site/ : /檢查現場/);
      assert.match(await inspector.textContent('main'), new RegExp(ref));
      await noViolations(inspector, 'task page, open');

      // Claim.
      await inspector.click(`form[action$="/claim"] button`);
      await inspector.waitForURL(/done=claimed/);
      assert.match(await inspector.textContent('.success'), en ? /You have claimed this task/ : /你已認領這項任務/);
      await noViolations(inspector, 'task page, claimed');

      // A licensing officer (also a candidate role) tries to claim it too: a clear refusal.
      const officer = await newPage(lang, width);
      await staffSignIn(officer, phos, 'licensing.officer@phos.example');
      await officer.goto(phos.url + `/staff/workflow/tasks?view=team&q=${ref}`);
      assert.match(await officer.textContent('main table'), en ? /Check the site/ : /檢查現場/);
      await officer.goto(phos.url + `/staff/workflow/tasks/${taskId}`);
      assert.match(await officer.textContent('main'), en ? /Someone else is working on this task/ : /另一位同事正在處理這項任務/);
      // The form a stale page would still show: posted straight away.
      const csrf = await officer.getAttribute('input[name=csrf]', 'value');
      await officer.setContent(`<!DOCTYPE html><html lang="en"><head><title>stale</title></head><body><main>
        <form method="post" action="${phos.url}/staff/workflow/tasks/${taskId}/claim"><input type="hidden" name="csrf" value="${csrf}">
        <button type="submit">Claim</button></form></main></body></html>`);
      await Promise.all([officer.waitForNavigation(), officer.click('button')]);
      await officer.waitForSelector('.error-summary');
      assert.match(await officer.textContent('.error-summary'), en ? /Someone else has already claimed this task/ : /另一位同事已認領這項任務/);
      await noViolations(officer, 'second claim refused');
      await officer.context().close();

      // Comment: blank first (error summary), then a real one.
      await inspector.click('form[action$="/comments"] button');
      await inspector.waitForSelector('.error-summary');
      assert.match(await inspector.textContent('.error-summary'), en ? /Write a comment/ : /請輸入備註/);
      await noViolations(inspector, 'comment refused');
      await inspector.fill('#comment', en ? 'Owner met on site.' : '已在現場與東主會面。');
      await inspector.click('form[action$="/comments"] button');
      await inspector.waitForURL(/done=commented/);
      assert.match(await inspector.textContent('main'), en ? /Owner met on site\./ : /已在現場與東主會面。/);

      // Attach: a program named .pdf is refused by its content; a real PDF is kept.
      await inspector.setInputFiles('#file', { name: 'report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03') });
      await inspector.click('form[action$="/attachments"] button');
      await inspector.waitForSelector('.error-summary');
      assert.match(await inspector.textContent('.error-summary'), en ? /must be a PDF, PNG/ : /必須是 PDF/);
      await noViolations(inspector, 'attachment refused');
      await inspector.setInputFiles('#file', { name: 'site-photo-notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
      await inspector.click('form[action$="/attachments"] button');
      await inspector.waitForURL(/done=attached/);
      const link = inspector.locator('a[href^="/staff/workflow/attachments/"]');
      assert.equal(await link.textContent(), 'site-photo-notes.pdf');
      const file = await inspector.request.get(phos.url + await link.getAttribute('href'));
      assert.equal(file.status(), 200);
      assert.equal((await file.body()).toString(), '%PDF-1.4\n%%EOF\n');
      await noViolations(inspector, 'task page with comment and attachment');

      // Complete with form data: a bad name first, then the outcome.
      await inspector.fill('#key1', 'bad name');
      await inspector.fill('#value1', 'x');
      await inspector.click('form[action$="/complete"] button');
      await inspector.waitForSelector('.error-summary');
      await noViolations(inspector, 'completion refused');
      await inspector.fill('#key1', 'outcome');
      await inspector.fill('#value1', 'satisfactory');
      await inspector.click('form[action$="/complete"] button');
      await inspector.waitForURL(/\/staff\/workflow\/tasks\?done=completed/);
      assert.match(await inspector.textContent('.success'), en ? /Task completed/ : /任務已完成/);
      await noViolations(inspector, 'worklist after completion');
      await inspector.goto(phos.url + `/staff/workflow/tasks/${taskId}`);
      assert.match(await inspector.textContent('main'), /satisfactory/);
      assert.match(await inspector.textContent('main'), en ? /This task is finished/ : /這項任務已經結束/);
      await noViolations(inspector, 'finished task');
      await inspector.context().close();
    });
  }
}

test('a team lead selects tasks and reassigns them (en and zh-Hant-HK, 390 px)', async () => {
  for (const lang of ['en', 'zh-Hant-HK']) {
    const ref = `LEAD-${lang}`;
    const lead = await newPage(lang, 390);
    await staffSignIn(lead, phos, 'team.lead@phos.example');
    const inst = await postJson(lead, '/api/v1/workflow/instances', { definition: 'site_check', variables: { ref } });
    const taskId = inst.tasks[0].id;
    await lead.goto(phos.url + `/staff/workflow/tasks?view=unassigned&q=${ref}`);
    await noViolations(lead, 'team lead worklist');
    // Nothing selected, nobody chosen: both named in the error summary.
    await lead.click('form[action="/staff/workflow/tasks/reassign"] button[type=submit]');
    await lead.waitForSelector('.error-summary');
    await noViolations(lead, 'reassignment refused');
    await lead.check(`input[value="${taskId}"]`);
    await lead.selectOption('#to', { label: 'Demo inspector (inspector@phos.example)' });
    await lead.click('form[action="/staff/workflow/tasks/reassign"] button[type=submit]');
    await lead.waitForURL(/done=reassigned/);
    assert.match(await lead.textContent('.success'), lang === 'en' ? /reassigned/ : /重新指派/);
    await lead.goto(phos.url + `/staff/workflow/tasks?view=team&q=${ref}`);
    assert.match(await lead.textContent('main table'), /Demo inspector/);
    await noViolations(lead, 'team view after reassignment');
    await lead.context().close();
  }
});
