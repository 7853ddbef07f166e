import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/** List filters live in the URL, so a filtered list can be bookmarked and survives reload. */
export function useListParams(defaults: Record<string, string> = {}) {
  const [searchParams, setSearchParams] = useSearchParams();
  const params = useMemo(() => {
    const result: Record<string, string> = { ...defaults };
    searchParams.forEach((value, key) => {
      result[key] = value;
    });
    return result;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchParams]);

  const setParam = useCallback(
    (key: string, value: string | undefined) => {
      setSearchParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) next.set(key, value);
          else next.delete(key);
          if (key !== 'page') next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setSearchParams],
  );

  const page = Number(params.page ?? '1') || 1;
  return { params, setParam, page };
}
