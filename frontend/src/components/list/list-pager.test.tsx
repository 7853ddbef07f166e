import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { useListParams } from '@/lib/use-list-params';
import { ListPager, type PageInfo } from './list-pager';

function Harness({ data, param }: { data: PageInfo | undefined; param?: string }) {
  const list = useListParams();
  const location = useLocation();
  return (
    <>
      <ListPager list={list} pageSize={25} data={data} param={param} />
      <output data-testid="url">{location.search}</output>
    </>
  );
}

function open(url: string, data: PageInfo | undefined, param?: string) {
  render(
    <MemoryRouter initialEntries={[url]}>
      <Harness data={data} param={param} />
    </MemoryRouter>,
  );
}

const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
const url = () => new URLSearchParams(screen.getByTestId('url').textContent ?? '');

describe('ListPager', () => {
  it('shows nothing before the first answer', () => {
    open('/list', undefined);
    expect(screen.queryByRole('navigation', { name: 'Pagination' })).toBeNull();
  });

  it('cannot go before the first page', () => {
    open('/list?status=stored', { count: 60, count_exact: true, next: '/api/crates/?page=2' });
    expect(screen.getByText('Page 1 of 3 · 60 total')).toBeTruthy();
    expect(button('‹ Previous').disabled).toBe(true);
    expect(button('Next ›').disabled).toBe(false);
  });

  it('moves through the URL and keeps the filters', async () => {
    open('/list?status=stored&page=2', {
      count: 60,
      count_exact: true,
      next: '/api/crates/?page=3',
    });
    await userEvent.click(button('Next ›'));
    expect(url().get('page')).toBe('3');
    expect(url().get('status')).toBe('stored');
    expect(screen.getByText('Page 3 of 3 · 60 total')).toBeTruthy();
    expect(button('Next ›').disabled).toBe(true);
    await userEvent.click(button('‹ Previous'));
    expect(url().get('page')).toBe('2');
  });

  it('past a capped count, follows the API next link and stops where there is none', () => {
    open('/list?page=41', { count: 1000, count_exact: false, next: null });
    expect(screen.getByText('Page 41 of 41+ · more than 1000')).toBeTruthy();
    expect(button('Next ›').disabled).toBe(true);
  });

  it('an answer without count_exact is an exact count', () => {
    open('/list?page=2', { count: 30 });
    expect(screen.getByText('Page 2 of 2 · 30 total')).toBeTruthy();
    expect(button('Next ›').disabled).toBe(true);
  });

  it('pages a second list on the screen under its own parameter, leaving the first', async () => {
    open(
      '/storage?location=4&crates_page=2',
      { count: 60, next: '/api/crates/?page=3' },
      'crates_page',
    );
    expect(screen.getByText('Page 2 of 3 · 60 total')).toBeTruthy();
    await userEvent.click(button('Next ›'));
    expect(url().get('crates_page')).toBe('3');
    expect(url().get('location')).toBe('4');
    expect(url().has('page')).toBe(false);
  });
});
