// Browser tests: playwright-core driving Debian's Chromium against a running server with the
// demo data of `manage.py initial_setup --demo`.
// Usage: E2E_BASE_URL=http://127.0.0.1:8000 npm run test:e2e   (E2E_ONLY=storage|workflows|newcomer|shelf|features|counts|part11|retention)
import { counts } from './counts.mjs';
import { features } from './features.mjs';
import { launchBrowser, summarize } from './lib.mjs';
import { newcomer } from './newcomer.mjs';
import { otherWorkflows } from './other-workflows.mjs';
import { part11 } from './part11.mjs';
import { retention } from './retention.mjs';
import { shelf } from './shelf.mjs';
import { storageWorkflow } from './storage-workflow.mjs';

const only = process.env.E2E_ONLY;
const results = [];
const browser = await launchBrowser();
try {
  if (!only || only === 'storage') await storageWorkflow(browser, results);
  if (!only || only === 'workflows') await otherWorkflows(browser, results);
  if (!only || only === 'newcomer') await newcomer(browser, results);
  if (!only || only === 'shelf') await shelf(browser, results);
  if (!only || only === 'features') await features(browser, results);
  if (!only || only === 'counts') await counts(browser, results);
  if (!only || only === 'part11') await part11(browser, results);
  if (!only || only === 'retention') await retention(browser, results);
} finally {
  await browser.close().catch(() => undefined);
}
process.exit(summarize(results) ? 0 : 1);
