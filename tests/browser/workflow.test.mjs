// Workflow pages in a real browser, on the demo world: the definitions list and a diagram with
// live counts, deploying a broken definition (every problem in an error summary), an overdue
// instance, the mining page (graph and tables) and the staffing what-if; zero axe-core
// violations in both languages at 1280 px and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPhos, stopPhos, launch, openPage, noViolations, staffSignIn, repo } from './phos.mjs';

let phos; let browser;
before(async () => { phos = await startPhos(); browser = await launch(); });
after(async () => { await browser?.close(); await stopPhos(phos); });

const shots = join(repo, 'docs/screenshots');

const BROKEN = `<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:phos="urn:phos:bpmn:1">
  <process id="broken" isExecutable="true">
    <startEvent id="s"/>
    <scriptTask id="Script"/>
    <userTask id="Review" phos:candidateRoles="wizard"/>
    <exclusiveGateway id="Decide"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="Review"/>
    <sequenceFlow id="f2" sourceRef="Review" targetRef="Decide"/>
    <sequenceFlow id="f3" sourceRef="Decide" targetRef="Script"/>
  </process>
</definitions>`;

for (const lang of ['en', 'zh-Hant-HK']) {
  const en = lang === 'en';
  test(`definitions, deploy errors, an instance, mining and simulation (${lang})`, async () => {
    const page = await openPage(browser, phos, lang);
    await staffSignIn(page, phos, 'admin@phos.example');
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const wide = width === 1280;

      // The list, then the complaint process drawn automatically, with counts.
      await page.goto(phos.url + '/staff/workflow/definitions');
      await noViolations(page, `definitions ${width}`);
      await page.click(`text=${en ? 'Complaint handling' : '投訴處理'}`);
      await page.waitForURL(/\/staff\/workflow\/definitions\/.+/);
      assert.ok(await page.isVisible('svg.bpmn[role=img]'), 'diagram');
      assert.ok((await page.locator('svg.bpmn .bpmn-count').count()) > 0, 'live counts on the diagram');
      assert.ok((await page.locator('#node-counts tbody tr').count()) >= 10, 'the counts as a table');
      await noViolations(page, `definition ${width}`);
      if (wide && en) await page.screenshot({ path: join(shots, 'workflow-definition-en.png'), fullPage: true });

      // The document review, drawn from its BPMN DI.
      await page.goto(phos.url + '/staff/workflow/definitions');
      await page.click(`text=${en ? 'Document review' : '文件審批'}`);
      assert.ok(await page.isVisible('svg.bpmn'));
      await noViolations(page, `definition with DI ${width}`);

      // Deploying a broken definition: every problem, in the page language.
      await page.goto(phos.url + '/staff/workflow/deploy');
      await noViolations(page, `deploy ${width}`);
      await page.fill('#bpmn', BROKEN);
      await page.click('main button[type=submit]');
      await page.waitForSelector('.error-summary');
      assert.ok((await page.locator('.error-summary li').count()) >= 4, 'every problem listed');
      assert.match(await page.textContent('.error-summary'), en ? /not supported/ : /不支援/);
      await noViolations(page, `deploy errors ${width}`);
      if (wide && !en) await page.screenshot({ path: join(shots, 'workflow-deploy-error-zh.png'), fullPage: false });

      // The overdue complaint.
      await page.goto(phos.url + '/staff/workflow/instances?definition=complaint_handling&status=running');
      await noViolations(page, `instances ${width}`);
      const overdue = page.locator('tr:has(strong.tag) a').first();
      await overdue.click();
      await page.waitForURL(/\/staff\/workflow\/instances\/.+/);
      assert.ok(await page.isVisible('#timeline'));
      await noViolations(page, `instance ${width}`);
      if (wide && en) await page.screenshot({ path: join(shots, 'workflow-instance-en.png'), fullPage: true });

      // Mining the engine's log.
      await page.goto(phos.url + '/staff/workflow/mining?definition=complaint_handling');
      assert.ok(await page.isVisible('figure svg[role=img]'), 'directly-follows graph');
      assert.ok((await page.locator('#bottlenecks tbody tr').count()) >= 4);
      assert.ok((await page.locator('#variants tbody tr').count()) >= 2);
      await noViolations(page, `mining ${width}`);
      if (wide && en) await page.screenshot({ path: join(shots, 'workflow-mining-en.png'), fullPage: true });

      // Staffing what-if: one manager against three.
      await page.goto(phos.url + '/staff/workflow/simulation?definition=document_approval');
      await page.fill('#p1_clinic_manager', '1');
      await page.fill('#p2_clinic_manager', '3');
      await page.fill('#cases', '300');
      await page.click('form:has(input[name=run]) button[type=submit]');
      await page.waitForSelector('#simulation-results');
      assert.equal(await page.locator('#simulation-results thead th').count(), 3);
      await noViolations(page, `simulation ${width}`);
      if (wide && en) await page.screenshot({ path: join(shots, 'workflow-simulation-en.png'), fullPage: true });
    }
    await page.context().close();
  });
}
