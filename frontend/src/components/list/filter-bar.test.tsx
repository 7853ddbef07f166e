import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { useListParams, type ListFilters } from '@/lib/use-list-params';
import { CheckboxFilter, DateFilter, FilterBar, SearchFilter, SelectFilter } from './filter-bar';

const STATUSES = [
  { value: 'pending', label: 'Pending' },
  { value: 'received', label: 'Received' },
];
let picked: ListFilters = {};

/** A list page in miniature: its filters, what it would query, and the URL they live in. */
function Harness({ defaults }: { defaults?: Record<string, string> }) {
  const list = useListParams(defaults);
  picked = list.pick(['search', 'status', 'overdue', 'from']);
  const location = useLocation();
  return (
    <>
      <FilterBar list={list}>
        <SearchFilter placeholder="Number" />
        <SelectFilter name="status" label="Status" options={STATUSES} />
        <CheckboxFilter name="overdue" label="Overdue only" />
        <DateFilter name="from" label="From" />
      </FilterBar>
      <output data-testid="url">{location.search}</output>
      <output data-testid="page">{list.page}</output>
    </>
  );
}

function open(url: string, defaults?: Record<string, string>) {
  render(
    <MemoryRouter initialEntries={[url]}>
      <Harness defaults={defaults} />
    </MemoryRouter>,
  );
}

const url = () => new URLSearchParams(screen.getByTestId('url').textContent ?? '');

describe('FilterBar', () => {
  it('shows the filters the URL holds, as a labelled group', () => {
    open('/list?search=QA-7&status=received&overdue=true&from=2026-01-31');
    expect(screen.getByRole('group', { name: 'Filters' })).toBeTruthy();
    expect((screen.getByLabelText('Search') as HTMLInputElement).value).toBe('QA-7');
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('received');
    expect((screen.getByLabelText('Overdue only') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2026-01-31');
    expect(picked).toEqual({
      search: 'QA-7',
      status: 'received',
      overdue: 'true',
      from: '2026-01-31',
    });
  });

  it('writes a changed filter to the URL and goes back to page 1', async () => {
    open('/list?page=3&search=old');
    expect(screen.getByTestId('page').textContent).toBe('3');
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'pending');
    expect(url().get('status')).toBe('pending');
    expect(url().get('search')).toBe('old');
    expect(url().has('page')).toBe(false);
    expect(screen.getByTestId('page').textContent).toBe('1');
    await userEvent.click(screen.getByLabelText('Overdue only'));
    expect(url().get('overdue')).toBe('true');
    await userEvent.click(screen.getByLabelText('Overdue only'));
    expect(url().has('overdue')).toBe(false);
  });

  it('clears a filter from the URL when set back to Any, and sends no empty filter', async () => {
    open('/list?status=received');
    await userEvent.selectOptions(screen.getByLabelText('Status'), '');
    expect(url().has('status')).toBe(false);
    expect(picked.status).toBeUndefined();
  });

  it('sends the search once typing pauses', async () => {
    open('/list');
    await userEvent.type(screen.getByLabelText('Search'), 'CR-1');
    expect(url().has('search')).toBe(false);
    await act(() => new Promise((resolve) => setTimeout(resolve, 400)));
    expect(url().get('search')).toBe('CR-1');
    expect(picked.search).toBe('CR-1');
  });

  it('keeps a default out of the URL, and Any over a default in it', async () => {
    open('/list', { status: 'pending' });
    const status = screen.getByLabelText('Status') as HTMLSelectElement;
    expect(status.value).toBe('pending');
    expect(picked.status).toBe('pending');
    await userEvent.selectOptions(status, '');
    // Without the empty value in the URL, the default would come straight back.
    expect(url().get('status')).toBe('');
    expect(status.value).toBe('');
    expect(picked.status).toBeUndefined();
    await userEvent.selectOptions(status, 'pending');
    expect(url().has('status')).toBe(false);
  });

  it('reads a page below 1 or not a number as page 1', () => {
    open('/list?page=-4');
    expect(screen.getByTestId('page').textContent).toBe('1');
    render(
      <MemoryRouter initialEntries={['/list?page=abc']}>
        <Harness />
      </MemoryRouter>,
    );
    expect(screen.getAllByTestId('page')[1].textContent).toBe('1');
  });
});
