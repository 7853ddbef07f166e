// Retention (issue 12): legal hold cases (place with a signature, the crates they cover, release)
// and the disposition review (select due crates, raise one destruction request; extend with a
// signature). Screenshots for the README's tour.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, DESKTOP, PASSWORD, Scenario, apiCall, assert, login, storedCrate } from './lib.mjs';

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
    await page.getByRole('button', { name: 'Place a legal hold' }).click();
    const dialog = page.getByTestId('place-hold');
    await dialog.getByLabel('Title').fill(`Litigation ${suffix}`);
    await dialog.getByLabel('Reason').fill('Court order 12/2026');
    await dialog.getByLabel('Recorded from').fill('1990-03-01');
    await dialog.getByLabel('Recorded until').fill('1990-03-31');
    await dialog.getByTestId('signature-meaning').waitFor();
    await dialog.locator('input[name="signature-password"]').fill('wrong-password');
    await dialog.getByRole('button', { name: 'Sign and place hold' }).click();
    await dialog
      .getByText(/password/i)
      .first()
      .waitFor();
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
    const crate = await apiCall(page, 'GET', `crates/${held.id}/`);
    assert(crate.legal_hold === true, 'the crate read says it is on hold');
    assert(
      crate.holds.some((h) => h.id === holdId),
      'the crate read names the hold',
    );
  });

  await t.step('the disposition review lists the due crate, not the held one', async () => {
    const page = roles.doc;
    await page.goto(`${BASE}/disposition?within_days=90`);
    const table = page.getByTestId('disposition');
    await table.getByText(due.number).waitFor();
    assert(!(await table.innerText()).includes(held.number), 'a held crate is not offered');
    await docShot(page, 'disposition-review');
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

  for (const context of contexts) await context.close();
}
