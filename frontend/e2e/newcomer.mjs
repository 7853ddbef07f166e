// What a newcomer tripped over (issue 10): accessibility (axe-core) and width of every screen at
// desktop, tablet and phone, route guards by capability, and the fixes to the broken items.
import { BASE, DESKTOP, Scenario, assert, assertAccessibleAtAllWidths, login } from './lib.mjs';

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
}
