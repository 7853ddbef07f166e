// The storage workflow of the issue: docmanager -> approver -> storehead, watched live by a
// viewer in a second browser context; the wrong-signature path changes nothing.
import {
  BASE,
  DESKTOP,
  PASSWORD,
  Scenario,
  TABLET,
  TIMEOUT,
  apiCall,
  assert,
  login,
  pickFirstFreeLocation,
  requestStatus,
  shot,
} from './lib.mjs';

export async function storageWorkflow(browser, results) {
  const t = new Scenario('storage', results);
  const suffix = Date.now().toString(36).toUpperCase();
  const state = {};
  await t.step('login shows a clear message for a wrong password', async () => {
    const context = await browser.newContext(DESKTOP);
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(`${BASE}/login`);
    await shot(page, '01-login');
    await page.getByLabel('Username').fill(`nobody-${suffix}`);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const message = await page.getByTestId('login-error').innerText();
    assert(/Wrong username or password/.test(message), `login error was "${message}"`);
    await context.close();
  });

  // The viewer watches the whole workflow in its own browser context, never reloading.
  state.viewerContext = await browser.newContext(DESKTOP);
  state.docContext = await browser.newContext(DESKTOP);
  state.approverContext = await browser.newContext(DESKTOP);
  state.storeContext = await browser.newContext(TABLET);

  await t.step('viewer signs in and the live connection opens', async () => {
    state.viewer = await login(state.viewerContext, 'viewer');
    await state.viewer.waitForSelector('[data-testid="connection-state"][data-state="open"]');
    await shot(state.viewer, '02-dashboard-viewer');
  });

  await t.step('document manager creates a crate with two documents', async () => {
    const page = await login(state.docContext, 'docmanager');
    state.doc = page;
    await page.goto(`${BASE}/crates/new`);
    const department = page.locator('select[name="department"]');
    await page.waitForFunction(
      () => document.querySelector('select[name="department"]')?.options.length > 1,
    );
    await department.selectOption({ index: 1 });
    await page.locator('textarea[name="description"]').fill(`E2E batch records ${suffix}`);
    await page.getByRole('button', { name: 'Add document' }).click();
    await page.waitForFunction(
      () => document.querySelector('select[name="doc-0-type"]')?.options.length > 1,
    );
    for (const index of [0, 1]) {
      await page.locator(`input[name="doc-${index}-number"]`).fill(`BMR-${suffix}-${index + 1}`);
      await page
        .locator(`input[name="doc-${index}-title"]`)
        .fill(`Batch manufacturing record ${index + 1}`);
      await page.locator(`select[name="doc-${index}-type"]`).selectOption({ index: 1 });
      await page.locator(`input[name="doc-${index}-date"]`).fill('2025-01-1' + index);
    }
    await shot(page, '03-crate-create');
    await page.getByRole('button', { name: 'Create crate' }).click();
    await page.waitForURL(/\/crates\/\d+$/);
    state.crateId = Number(page.url().match(/\/crates\/(\d+)$/)[1]);
    await page.locator('h1', { hasText: /^CRT-/ }).waitFor();
    state.crateNumber = (await page.locator('h1').innerText()).trim();
    await page.getByTestId('documents-table').locator('tbody tr').nth(1).waitFor();
    const rows = await page.getByTestId('documents-table').locator('tbody tr').count();
    assert(rows === 2, `crate has ${rows} documents`);
    assert(/^CRT-/.test(state.crateNumber), `crate number ${state.crateNumber}`);
  });

  await t.step('document manager raises and submits a storage request', async () => {
    const page = state.doc;
    await page.getByRole('link', { name: 'Request storage' }).click();
    await page.getByTestId('picked-crate').waitFor();
    await page.locator('textarea[name="purpose"]').fill(`Archive ${state.crateNumber}`);
    await shot(page, '04-request-create');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/requests\/\d+$/);
    state.requestId = Number(page.url().match(/\/requests\/(\d+)$/)[1]);
    await page.waitForFunction(() =>
      /Submitted/.test(document.querySelector('[data-testid="request-status"]')?.textContent ?? ''),
    );
  });

  await t.step('viewer opens the request and sees no action buttons', async () => {
    const page = state.viewer;
    await page.goto(`${BASE}/requests/${state.requestId}`);
    await page.getByTestId('request-status').waitFor();
    assert(/Submitted/.test(await requestStatus(page)), 'viewer sees Submitted');
    const buttons = await page.getByTestId('request-actions').locator('button, a').count();
    assert(buttons === 0, `viewer sees ${buttons} action buttons`);
    await page.waitForSelector('[data-testid="connection-state"][data-state="open"]');
    // Marks this document: it survives only if the page is never reloaded.
    await page.evaluate(() => {
      window.__e2eNoReload = 'still-here';
    });
  });

  await t.step('a wrong signature password shows an error and changes nothing', async () => {
    const page = await login(state.approverContext, 'approver');
    state.approver = page;
    await page.goto(`${BASE}/requests/${state.requestId}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByTestId('signature-dialog');
    await dialog.waitFor();
    assert(
      (await page.getByTestId('signature-meaning').innerText()) === 'Approved',
      'meaning shown',
    );
    await dialog.locator('input[name="signature-password"]').fill('Wrong@password1');
    await dialog.getByRole('button', { name: 'Sign and approve' }).click();
    await dialog.getByText('The password is not correct').waitFor();
    await shot(page, '05-signature-wrong-password');
    const data = await apiCall(page, 'GET', `requests/${state.requestId}/`);
    assert(data.status === 'submitted', `status after wrong password: ${data.status}`);
    assert((data.signatures ?? []).length === 0, 'no signature recorded');
    assert(/Submitted/.test(await requestStatus(state.viewer)), 'viewer still sees Submitted');
  });

  await t.step('approver approves with the signature dialog', async () => {
    const page = state.approver;
    const dialog = page.getByTestId('signature-dialog');
    await dialog.locator('input[name="signature-password"]').fill(PASSWORD);
    await dialog.locator('textarea[name="signature-comment"]').fill('Complete and labelled');
    await dialog.getByRole('button', { name: 'Sign and approve' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() =>
      /Approved/.test(document.querySelector('[data-testid="request-status"]')?.textContent ?? ''),
    );
    const signatures = await page.getByTestId('signatures-table').innerText();
    assert(/Approved/.test(signatures), 'signature listed with its meaning');
    await shot(page, '06-request-approved');
  });

  await t.step('viewer sees the approval live, without reloading', async () => {
    const page = state.viewer;
    await page.waitForFunction(
      () =>
        /Approved/.test(
          document.querySelector('[data-testid="request-status"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 15_000 },
    );
    assert(
      (await page.evaluate(() => window.__e2eNoReload)) === 'still-here',
      'page was not reloaded',
    );
    // The object on screen changed under the viewer: a toast says so.
    await page.getByTestId('toast').filter({ hasText: 'now approved' }).first().waitFor();
    const buttons = await page.getByTestId('request-actions').locator('button, a').count();
    assert(buttons === 0, `viewer sees ${buttons} action buttons after approval`);
    await shot(page, '07-viewer-live-update');
  });

  await t.step('store head executes with the location picker (tablet width)', async () => {
    const page = await login(state.storeContext, 'storehead');
    state.store = page;
    await page.goto(`${BASE}/requests/${state.requestId}`);
    await page.getByRole('button', { name: 'Execute: store crates' }).click();
    const dialog = page.getByTestId('allocation-dialog');
    await dialog.waitFor();
    const picker = dialog.locator('select.location-picker').first();
    await pickFirstFreeLocation(picker);
    const label = await picker.evaluate((el) => el.options[el.selectedIndex].textContent);
    assert(/free of/.test(label), `picker shows free capacity: ${label}`);
    await shot(page, '08-location-picker');
    await dialog.getByRole('button', { name: 'Store crates' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() =>
      /Completed/.test(document.querySelector('[data-testid="request-status"]')?.textContent ?? ''),
    );
  });

  await t.step('viewer sees the request completed live', async () => {
    const page = state.viewer;
    await page.waitForFunction(
      () =>
        /Completed/.test(
          document.querySelector('[data-testid="request-status"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 15_000 },
    );
    assert(
      (await page.evaluate(() => window.__e2eNoReload)) === 'still-here',
      'page was not reloaded',
    );
  });

  await t.step(
    'the scan box opens the crate; it shows as stored with its path and history',
    async () => {
      const page = state.doc;
      await page.goto(`${BASE}/crates`);
      // A barcode scanner in keyboard-wedge mode types the number and presses Enter.
      await page
        .getByRole('textbox', { name: 'Scan or type a crate number' })
        .fill(state.crateNumber);
      await page.getByRole('textbox', { name: 'Scan or type a crate number' }).press('Enter');
      await page.waitForURL(new RegExp(`/crates/${state.crateId}$`));
      const location = (await page.getByTestId('crate-location').innerText()).trim();
      assert(
        location && location !== 'Not stored' && location.includes('/'),
        `location path "${location}"`,
      );
      const body = await page.locator('.deflist').innerText();
      assert(/Stored/.test(body), 'crate status Stored');
      await page.getByTestId('history-timeline').waitFor();
      const events = await page.getByTestId('history-timeline').locator('li').count();
      assert(events >= 3, `history has ${events} events`);
      await shot(page, '09-crate-stored');
    },
  );

  await t.step('main screens render (screenshots)', async () => {
    const doc = state.doc;
    await doc.goto(`${BASE}/`);
    await doc.locator('.stat').first().waitFor();
    await shot(doc, '10-dashboard');
    await doc.goto(`${BASE}/crates`);
    await doc.getByTestId('crates-table').waitFor();
    await shot(doc, '11-crates');
    await doc.goto(`${BASE}/requests?view=all`);
    await doc.getByTestId('requests-table').waitFor();
    await shot(doc, '12-requests');
    const store = state.store;
    await store.goto(`${BASE}/storage`);
    await store.getByTestId('location-tree').locator('li').first().waitFor();
    await shot(store, '13-storage-tablet');
    const approver = state.approver;
    await approver.goto(`${BASE}/audit`);
    await approver.getByTestId('audit-table').waitFor();
    await approver.getByRole('button', { name: 'Verify chain' }).click();
    const verify = await approver.getByTestId('verify-result').innerText();
    assert(/intact/.test(verify), `audit chain: ${verify}`);
    await shot(approver, '14-audit');
    const viewerCrates = state.viewer;
    await viewerCrates.goto(`${BASE}/crates`);
    await viewerCrates.getByTestId('crates-table').waitFor();
    const newCrate = await viewerCrates.getByRole('link', { name: 'New crate' }).count();
    assert(newCrate === 0, 'viewer is not offered to create crates');
  });

  await t.step('unit admin sees the administration screens', async () => {
    const context = await browser.newContext(DESKTOP);
    const page = await login(context, 'unitadmin');
    await page.goto(`${BASE}/administration/users`);
    await page.getByTestId('users-table').waitFor();
    await shot(page, '15-admin-users');
    await context.close();
  });
  for (const key of ['viewerContext', 'docContext', 'approverContext', 'storeContext']) {
    await state[key]?.close().catch(() => undefined);
  }
}
