import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { page, renderScreen, stubApi } from '@/test/render';
import { makeDocumentType, makeRecompute, makeUser } from '@/test/factories';
import { SchedulesPage } from './schedules-page';

const sysadmin = makeUser({
  username: 'sysadmin',
  roles: ['System Administrator'],
  capabilities: ['manage_document_types'],
});
const unitAdmin = makeUser({ username: 'unitadmin', roles: ['Unit Admin'], capabilities: [] });

const TYPES = [
  makeDocumentType(),
  makeDocumentType({
    id: 8,
    code: 'STAB',
    name: 'Stability study',
    retention_years: 1,
    retention_trigger: 'event',
    event_name: 'study closure',
    is_active: false,
  }),
];
const RECOMPUTE = makeRecompute({
  status: 'done',
  done: 1200,
  documents_changed: 1200,
  crates_changed: 40,
  finished_at: '2026-12-03T10:01:00Z',
});

const headers = (table: HTMLElement) =>
  within(table)
    .getAllByRole('columnheader')
    .map((th) => [th.textContent, th.getAttribute('scope')]);

describe('SchedulesPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists the schedules and the recomputes in the shared scrolling tables', async () => {
    stubApi({
      'auth/me/': sysadmin,
      'document-types/': page(TYPES),
      'retention-recomputes/': page([RECOMPUTE]),
    });
    renderScreen(<SchedulesPage />, { path: '/schedules', user: sysadmin });

    const schedules = await screen.findByTestId('schedules');
    expect(headers(schedules)).toEqual([
      ['Code', 'col'],
      ['Name', 'col'],
      ['Kept', 'col'],
      ['Trigger', 'col'],
      ['Change', 'col'],
    ]);
    const stab = schedules.querySelector('tr[data-code="STAB"]') as HTMLElement;
    expect(stab.textContent).toContain('Stability study (inactive)');
    expect(stab.textContent).toContain('1 year from the study closure');
    expect(stab.textContent).toContain('Event: study closure');
    expect(
      within(schedules)
        .getByRole('link', { name: 'Change the schedule of BMR' })
        .getAttribute('href'),
    ).toBe('/schedules/7');

    const recomputes = await screen.findByTestId('recomputes');
    expect(headers(recomputes).map(([label]) => label)).toEqual([
      'Type',
      'Change',
      'Reason',
      'By',
      'Recompute',
    ]);
    const row = within(recomputes).getAllByRole('row')[1];
    expect(row.textContent).toContain('retention years 7 → 5');
    expect(row.textContent).toContain('SOP-114 rev 4');
    expect(within(row).getByTestId('recompute-progress').dataset.status).toBe('done');
    // Each table sits in its own region that scrolls sideways on a narrow screen.
    expect(screen.getAllByRole('region', { name: 'Table (scrolls sideways)' })).toHaveLength(2);
    expect(screen.queryByText('No schedule changes yet.')).toBeNull();
  });

  it('offers no change column to a user who may not change schedules, and says when nothing changed yet', async () => {
    stubApi({
      'auth/me/': unitAdmin,
      'document-types/': page(TYPES),
      'retention-recomputes/': page([]),
    });
    renderScreen(<SchedulesPage />, { path: '/schedules', user: unitAdmin });

    const schedules = await screen.findByTestId('schedules');
    expect(headers(schedules).map(([label]) => label)).toEqual(['Code', 'Name', 'Kept', 'Trigger']);
    expect(within(schedules).queryByRole('link')).toBeNull();
    expect(await screen.findByText('No schedule changes yet.')).toBeTruthy();
    expect(screen.queryByTestId('recomputes')).toBeNull();
  });
});
