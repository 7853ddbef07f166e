// What a newcomer tripped over (issue 10): accessibility (axe-core) and width of every screen at
// desktop, tablet and phone, route guards by capability, and the fixes to the broken items.
import {
  BASE,
  DESKTOP,
  PASSWORD,
  Scenario,
  apiCall,
  assert,
  assertAccessibleAtAllWidths,
  login,
} from './lib.mjs';

/** Every screen a role reaches from the menu, and the forms behind it. */
const SCREENS = [
  ['/', 'Dashboard'],
  ['/crates', 'Crates'],
  ['/crates/new', 'New crate'],
  ['/documents', 'Documents'],
  ['/requests', 'Requests'],
  ['/requests/new', 'New request'],
  ['/sendbacks', 'Send-backs'],
  ['/storage', 'Storage'],
  ['/reports', 'Reports'],
  ['/audit', 'Audit trail'],
  ['/administration', 'Administration'],
  ['/account/password', 'Change password'],
];

async function settle(page) {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .spinner'));
}

export async function newcomer(browser, results) {
  const t = new Scenario('newcomer', results);
  const context = await browser.newContext(DESKTOP);
  let admin;
  await t.step('the sign-in page is accessible at every width', async () => {
    const page = await context.newPage();
    await page.goto(`${BASE}/login`);
    await assertAccessibleAtAllWidths(page, 'Sign in', {
      ready: (p) => p.getByRole('button', { name: 'Sign in' }).waitFor(),
    });
    await page.close();
  });
  await t.step('sign in as the System Administrator', async () => {
    admin = await login(context, 'sysadmin');
  });
  for (const [path, label] of SCREENS) {
    await t.step(`${label} (${path}) is accessible at every width`, async () => {
      await admin.goto(`${BASE}${path}`);
      await settle(admin);
      await assertAccessibleAtAllWidths(admin, label, { ready: settle });
    });
  }
  await context.close();

  const viewerContext = await browser.newContext(DESKTOP);
  let viewer;
  await t.step('sign in as a Viewer', async () => {
    viewer = await login(viewerContext, 'viewer');
  });
  for (const path of ['/crates/new', '/requests/new', '/audit', '/administration']) {
    await t.step(`a Viewer opening ${path} is told it is not for their role`, async () => {
      await viewer.goto(`${BASE}${path}`);
      await viewer.getByTestId('forbidden').waitFor();
      assert((await viewer.locator('main form').count()) === 0, `${path} shows a form`);
      assert(
        (await viewer.getByRole('button', { name: /Export|Verify/ }).count()) === 0,
        `${path} offers Export or Verify`,
      );
    });
  }
  await t.step('Reports offers a Viewer no audit-trail export', async () => {
    await viewer.goto(`${BASE}/reports`);
    const options = await viewer.getByLabel('Report').locator('option').allInnerTexts();
    assert(options.length > 0 && !options.includes('Audit trail'), `options: ${options}`);
  });
  await t.step('the not-available screen is accessible at every width', async () => {
    await viewer.goto(`${BASE}/audit`);
    await assertAccessibleAtAllWidths(viewer, 'Not available', {
      ready: (p) => p.getByTestId('forbidden').waitFor(),
    });
  });
  await viewerContext.close();

  await accounts(browser, t);
}

/** Users as a Unit Admin manages them, and what the sign-in page says about a lock. */
async function accounts(browser, t) {
  const context = await browser.newContext(DESKTOP);
  const suffix = Date.now().toString(36);
  let admin;
  const names = { leaver: `leaver${suffix}`, guesser: `guesser${suffix}` };
  await t.step(
    'a Unit Admin is offered no Edit or Deactivate on a System Administrator',
    async () => {
      admin = await login(context, 'unitadmin');
      const me = await apiCall(admin, 'GET', 'auth/me/');
      for (const username of Object.values(names)) {
        await apiCall(admin, 'POST', 'users/', {
          username,
          full_name: `E2E ${username}`,
          password: PASSWORD,
          unit: me.unit,
          roles: ['Viewer'],
        });
      }
      await admin.goto(`${BASE}/administration/users`);
      const table = admin.getByTestId('users-table');
      await table.waitFor();
      const row = table.locator('tr', {
        has: admin.getByRole('cell', { name: 'sysadmin', exact: true }),
      });
      await row.waitFor();
      assert((await row.getByRole('button').count()) === 0, 'buttons on the sysadmin row');
      const own = table.locator('tr', {
        has: admin.getByRole('cell', { name: names.leaver, exact: true }),
      });
      await own.getByRole('button', { name: `Edit ${names.leaver}` }).waitFor();
    },
  );
  await t.step(
    'deactivating a user asks first, and the user stays listed as deactivated',
    async () => {
      const table = admin.getByTestId('users-table');
      const row = table.locator('tr', {
        has: admin.getByRole('cell', { name: names.leaver, exact: true }),
      });
      await row.getByRole('button', { name: `Deactivate ${names.leaver}` }).click();
      const dialog = admin.getByRole('dialog', { name: 'Deactivate user' });
      await dialog.getByTestId('deactivate-confirm').waitFor();
      await dialog.getByRole('button', { name: 'Keep active' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert(
        (await row.getByTestId('user-inactive').count()) === 0,
        'deactivated without confirming',
      );
      await row.getByRole('button', { name: `Deactivate ${names.leaver}` }).click();
      await dialog.getByRole('button', { name: 'Deactivate' }).click();
      await dialog.waitFor({ state: 'detached' });
      await row.getByTestId('user-inactive').waitFor();
      assert(
        (await row.getByRole('button', { name: `Deactivate ${names.leaver}` }).count()) === 0,
        'a deactivated user still offers Deactivate',
      );
      await assertAccessibleAtAllWidths(admin, 'Users', { ready: () => table.waitFor() });
    },
  );
  await t.step('the fifth wrong password says the account is now locked', async () => {
    const page = await browser.newPage();
    await page.goto(`${BASE}/login`);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await page.getByLabel('Username').fill(names.guesser);
      await page.getByLabel('Password').fill(`Wrong-${attempt}-password`);
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/auth/login/')),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const message = await page.getByTestId('login-error').innerText();
      assert(/now locked/.test(message) === (attempt === 5), `attempt ${attempt}: ${message}`);
    }
    await page.close();
  });
  await context.close();
}
