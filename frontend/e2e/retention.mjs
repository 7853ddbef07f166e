// Retention (issue 12): legal hold cases (place with a signature, the crates they cover, release;
// the hold list updates live), the disposition review (select due crates, raise one destruction
// request; extend with a signature), retention schedules (a System Administrator's change with
// a reason and, when shorter, a signature showing what is signed; the recompute's progress) and
// retention events. axe and the width checks on every retention screen. Screenshots for the
// README's tour.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASE,
  DESKTOP,
  PASSWORD,
  Scenario,
  apiCall,
  assert,
  assertAccessibleAtAllWidths,
  login,
  storedCrate,
} from './lib.mjs';

const DOCS = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'docs', 'screenshots');

async function docShot(page, name) {
  await page.screenshot({ path: join(DOCS, `${name}.png`) });
}

export async function retention(browser, results) {
  const t = new Scenario('retention', results);
  const contexts = [];
  const roles = {};
  const signIn = async (username) => {
    const context = await browser.newContext(DESKTOP);
    contexts.push(context);
    return login(context, username);
  };
  const suffix = `R${Date.now() % 100000}`;
  let held;
  let due;
  let holdId;

  await t.step('sign in: Document Manager, Approver, Store Head', async () => {
    roles.doc = await signIn('docmanager');
    roles.approver = await signIn('approver');
    roles.store = await signIn('storehead');
    held = await storedCrate(roles, { suffix: `${suffix}H`, recordDate: '1990-03-03' });
    due = await storedCrate(roles, { suffix: `${suffix}D`, recordDate: '1990-01-01' });
  });

  await t.step('the Approver places a filter-scoped hold with a signature', async () => {
    const page = roles.approver;
    await page.goto(`${BASE}/holds`);
    await page.getByTestId('holds').or(page.getByText('No legal holds.')).first().waitFor();
    await assertAccessibleAtAllWidths(page, 'Legal holds');
    // The Document Manager's hold list is open meanwhile: the new hold appears there live.
    await roles.doc.goto(`${BASE}/holds`);
    await roles.doc.getByRole('heading', { name: 'Legal holds' }).waitFor();
    await page.getByRole('button', { name: 'Place a legal hold' }).click();
    const dialog = page.getByTestId('signature-dialog');
    const fields = dialog.getByTestId('place-hold');
    await fields.getByLabel('Title').fill(`Litigation ${suffix}`);
    await fields.getByLabel('Reason').fill('Court order 12/2026');
    await fields.getByLabel('Recorded from').fill('1990-03-01');
    await fields.getByLabel('Recorded until').fill('1990-03-31');
    assert(
      (await dialog.getByTestId('signature-meaning').innerText()) === 'Hold placed',
      'the shared signature dialog names the meaning',
    );
    // Exactly what is signed: the server's content for the form as filled in.
    const content = dialog.getByTestId('signature-content');
    await content.getByText(`"title": "Litigation ${suffix}"`).waitFor();
    await content.getByText('"record_date_from": "1990-03-01"').waitFor();
    await content.getByText('"covered_crates":').waitFor();
    await assertAccessibleAtAllWidths(page, 'Place a legal hold');
    await dialog.locator('input[name="signature-password"]').fill('wrong-password');
    await dialog.getByRole('button', { name: 'Sign and place hold' }).click();
    await dialog.getByText(/password is not correct/i).waitFor();
    await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign and place hold' }).click();
    await page.getByTestId('hold-crates').getByText(held.number).waitFor();
    holdId = Number(page.url().split('/').pop());
    const crates = await page.getByTestId('hold-crates').innerText();
    assert(!crates.includes(due.number), 'a crate outside the date range is not held');
    await page
      .getByTestId('hold-signatures')
      .getByText(/Hold placed/i)
      .waitFor();
    await docShot(page, 'legal-hold');
    await assertAccessibleAtAllWidths(page, 'A legal hold');
    const crate = await apiCall(page, 'GET', `crates/${held.id}/`);
    assert(crate.legal_hold === true, 'the crate read says it is on hold');
    assert(
      crate.holds.some((h) => h.id === holdId),
      'the crate read names the hold',
    );
    // No reload: the socket's legal_hold event refreshed the other user's list.
    await roles.doc.getByTestId('holds').getByText(`Litigation ${suffix}`).waitFor();
  });

  await t.step('the disposition review lists the due crate, not the held one', async () => {
    const page = roles.doc;
    await page.goto(`${BASE}/disposition?within_days=90`);
    const table = page.getByTestId('disposition');
    await table.getByText(due.number).waitFor();
    assert(!(await table.innerText()).includes(held.number), 'a held crate is not offered');
    await docShot(page, 'disposition-review');
    await assertAccessibleAtAllWidths(page, 'Disposition review');
  });

  await t.step('the Approver extends a due crate with a signature', async () => {
    const page = roles.approver;
    await page.goto(`${BASE}/disposition?within_days=90`);
    await page.getByRole('checkbox', { name: `Select ${due.number}` }).check();
    await page.locator('input[name="retain-until"]').fill('2099-12-31');
    await page.getByRole('button', { name: /Extend retention/ }).click();
    const dialog = page.getByTestId('signature-dialog');
    await dialog.getByTestId('signature-meaning').waitFor();
    await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
    await dialog.locator('textarea[name="signature-comment"]').fill('Pending CAPA review');
    await dialog.getByRole('button', { name: 'Sign and extend' }).click();
    await dialog.waitFor({ state: 'detached' });
    const crate = await apiCall(page, 'GET', `crates/${due.id}/`);
    assert(crate.retention_until === '2099-12-31', `extended: ${crate.retention_until}`);
  });

  await t.step(
    'the Approver releases the hold; the Document Manager raises one destruction request',
    async () => {
      const page = roles.approver;
      await page.goto(`${BASE}/holds/${holdId}`);
      await page.getByRole('button', { name: 'Release hold' }).click();
      const dialog = page.getByTestId('signature-dialog');
      await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
      await dialog.locator('textarea[name="signature-comment"]').fill('Case settled');
      // Exactly what is signed: the hold, its crates, the reason as typed.
      await dialog
        .getByTestId('signature-content')
        .getByText('"release_reason": "Case settled"')
        .waitFor();
      await dialog.getByRole('button', { name: 'Sign and release' }).click();
      await dialog.waitFor({ state: 'detached' });
      const crate = await apiCall(page, 'GET', `crates/${held.id}/`);
      assert(crate.legal_hold === false, 'released');

      const doc = roles.doc;
      await doc.goto(`${BASE}/disposition?within_days=0`);
      await doc.getByRole('checkbox', { name: `Select ${held.number}` }).check();
      await doc.getByRole('button', { name: /Raise destruction request/ }).click();
      await doc.waitForURL(/\/requests\/\d+$/);
      const request = await apiCall(doc, 'GET', `requests/${doc.url().split('/').pop()}/`);
      assert(request.request_type === 'destruction', 'a destruction request');
      assert(
        request.items.length === 1 && request.items[0].crate === held.id,
        'with the selected crate',
      );
    },
  );

  let scheduleType;
  const documentIds = [];
  await t.step(
    'the System Administrator shortens a schedule: reason, signature of what is signed, live recompute',
    async () => {
      roles.sysadmin = await signIn('sysadmin');
      const page = roles.sysadmin;
      // A type of its own: the demo types stay as the other scenarios expect them.
      scheduleType = await apiCall(page, 'POST', 'document-types/', {
        code: `ST${suffix}`.slice(0, 20),
        name: 'Stability study file',
        retention_years: 12,
        retention_trigger: 'record_date',
        reason: 'New record type',
      });
      const departments = await apiCall(roles.doc, 'GET', 'departments/?page_size=1');
      const crate = await apiCall(roles.doc, 'POST', 'crates/', {
        department: departments.results[0].id,
        description: `Stability ${suffix}`,
      });
      for (const index of [1, 2]) {
        const document = await apiCall(roles.doc, 'POST', 'documents/', {
          crate: crate.id,
          number: `STAB-${suffix}-${index}`,
          title: `Stability study ${index}`,
          document_type: scheduleType.id,
          record_date: '2015-01-01',
        });
        documentIds.push(document.id);
      }

      await page.goto(`${BASE}/schedules`);
      const row = page.locator(`tr[data-code="${scheduleType.code}"]`);
      await row.getByText('12 years from the record date').waitFor();
      await assertAccessibleAtAllWidths(page, 'Retention schedules');
      await row.getByRole('link', { name: `Change the schedule of ${scheduleType.code}` }).click();
      await page.getByLabel(/Kept for \(years\)/).fill('8');
      await page.getByRole('button', { name: 'Change schedule…' }).click();
      const reason = page.getByTestId('schedule-reason');
      await reason.getByText('retention years 12 → 8').waitFor();
      await reason.getByText(/This makes retention shorter/).waitFor();
      await reason.getByLabel(/Reason for the change/).fill('QA SOP-114 rev 4');
      await assertAccessibleAtAllWidths(page, 'Reason for a schedule change');
      await reason.getByRole('button', { name: 'Continue to signature' }).click();
      const dialog = page.getByTestId('signature-dialog');
      assert(
        (await dialog.getByTestId('signature-meaning').innerText()) === 'Retention changed',
        'the meaning is retention_changed',
      );
      const signed = JSON.parse(await dialog.getByTestId('signature-content').innerText());
      assert(signed.document_type === scheduleType.code, 'the content names the type');
      assert(
        JSON.stringify(signed.changes) === JSON.stringify({ retention_years: [12, 8] }),
        `the content has the change: ${JSON.stringify(signed.changes)}`,
      );
      assert(signed.comment === 'QA SOP-114 rev 4', 'the reason is the signed comment');
      assert(signed.documents === 2, 'and how many documents it recomputes');
      await docShot(page, 'schedule-change-signature');
      await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
      await dialog.getByRole('button', { name: 'Sign and change' }).click();
      await dialog.waitFor({ state: 'detached' });
      // Done (the socket said so), then what it changed (read once it ended).
      await page
        .getByTestId('recompute-progress')
        .getByText('2 of 2 documents and 1 crate got a new retention date')
        .waitFor();
      await docShot(page, 'schedule-recompute');
      const document = await apiCall(page, 'GET', `documents/${documentIds[0]}/`);
      assert(document.retention_until === '2023-01-01', `recomputed: ${document.retention_until}`);
      const signatures = await apiCall(page, 'GET', `document-types/${scheduleType.id}/`);
      assert(signatures.retention_years === 8, 'the schedule is shorter');

      // From the record date to an event: not shorter, so a reason and no signature.
      await page.getByLabel('Kept from').selectOption('event');
      await page.getByLabel(/^Event/).fill('stability study closure');
      await page.getByRole('button', { name: 'Change schedule…' }).click();
      await reason
        .getByLabel(/Reason for the change/)
        .fill('Kept from the study closure (SOP-120)');
      await reason.getByRole('button', { name: 'Save the change' }).click();
      await reason.waitFor({ state: 'detached' });
      await page.locator('[data-testid="recompute-progress"][data-status="done"]').waitFor();
      const waiting = await apiCall(page, 'GET', `documents/${documentIds[0]}/`);
      assert(waiting.retention_until === null, 'a document waiting for its event has no date');
      await page.goto(`${BASE}/schedules`);
      await page.getByTestId('recomputes').getByText('QA SOP-114 rev 4').waitFor();
    },
  );

  await t.step('a Unit Admin reads the schedules but is not offered a change', async () => {
    const page = await signIn('unitadmin');
    await page.goto(`${BASE}/schedules`);
    await page.locator(`tr[data-code="${scheduleType.code}"]`).waitFor();
    assert(
      (await page.getByRole('link', { name: /Change the schedule/ }).count()) === 0,
      'no change',
    );
    await page.goto(`${BASE}/schedules/${scheduleType.id}`);
    await page.getByTestId('forbidden').waitFor();
  });

  await t.step('the Document Manager records the study closure for chosen documents', async () => {
    const page = roles.doc;
    await page.goto(`${BASE}/retention-events`);
    await page.getByRole('heading', { name: 'Retention events' }).waitFor();
    await page.getByLabel(/Document type/).selectOption(String(scheduleType.id));
    const form = page.getByTestId('retention-event');
    await form.getByRole('checkbox', { name: `Choose STAB-${suffix}-1` }).check();
    await form.getByRole('checkbox', { name: `Choose STAB-${suffix}-2` }).check();
    await form.getByLabel(/^Reason/).fill('Study ST-7 closed');
    await assertAccessibleAtAllWidths(page, 'Retention events');
    const record = form.getByRole('button', { name: 'Record the stability study closure' });
    // A date in the future: said before anything is sent.
    await form.getByLabel(/Date of the stability study closure/).fill('2999-01-01');
    await record.click();
    await form.getByText('The event date cannot be in the future.').waitFor();
    // Before the documents' record date: the server refuses, naming the document.
    await form.getByLabel(/Date of the stability study closure/).fill('2014-06-30');
    await record.click();
    await form
      .getByTestId('documents-error')
      .getByText(/before its record date/)
      .waitFor();
    const untouched = await apiCall(page, 'GET', `documents/${documentIds[0]}/`);
    assert(untouched.trigger_date === null, 'a refused event changes nothing');
    await form.getByLabel(/Date of the stability study closure/).fill('2024-06-30');
    await record.click();
    await form
      .getByTestId('event-result')
      .getByText(/Recorded for 2 documents in 1 crate;/)
      .waitFor();
    // The list reads the documents again: the event's date and their new retention.
    await form.getByTestId('event-documents').getByText('Jun 30, 2032').first().waitFor();
    await docShot(page, 'retention-event');
    const document = await apiCall(page, 'GET', `documents/${documentIds[0]}/`);
    assert(document.trigger_date === '2024-06-30', 'the event date is recorded');
    assert(
      document.retention_until === '2032-06-30',
      `kept 8 years from it: ${document.retention_until}`,
    );
  });

  for (const context of contexts) await context.close();
}
