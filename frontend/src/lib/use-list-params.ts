import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

export type ListFilters = Record<string, string | undefined>;

export interface ListParams {
  /** Every parameter in the URL, over the list's defaults. */
  params: Record<string, string>;
  /** Set (or clear, with undefined or '') one parameter; any change but the page's goes back to page 1. */
  setParam: (key: string, value: string | undefined) => void;
  page: number;
  /** The named filters as the list's query and its export send them: an empty value is no filter. */
  pick: (keys: readonly string[]) => ListFilters;
}

/** A page number from the URL: 1 when absent, not a number, or below 1. */
export function pageNumber(value: string | undefined): number {
  return Math.max(1, Math.floor(Number(value ?? '1')) || 1);
}

/**
 * List filters live in the URL, so a filtered list can be bookmarked and survives reload.
 *
 * A filter with a default (Send-backs open on "pending") keeps its default out of the URL; choosing
 * "Any" there is written as an empty value (`?status=`), or the default would come straight back.
 */
export function useListParams(defaults: Record<string, string> = {}): ListParams {
  const [searchParams, setSearchParams] = useSearchParams();
  const params = useMemo(() => {
    const result: Record<string, string> = { ...defaults };
    searchParams.forEach((value, key) => {
      result[key] = value;
    });
    return result;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchParams]);

  // The defaults by value: callers pass a fresh object literal on every render.
  const defaultsKey = JSON.stringify(defaults);
  const setParam = useCallback(
    (key: string, value: string | undefined) => {
      const fallback = (JSON.parse(defaultsKey) as Record<string, string>)[key] ?? '';
      setSearchParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          const wanted = value ?? '';
          if (wanted === fallback) next.delete(key);
          else next.set(key, wanted);
          if (key !== 'page') next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setSearchParams, defaultsKey],
  );

  const pick = useCallback(
    (keys: readonly string[]) => {
      const picked: ListFilters = {};
      for (const key of keys) picked[key] = params[key] || undefined;
      return picked;
    },
    [params],
  );

  const page = pageNumber(params.page);
  return { params, setParam, page, pick };
}
