import { useEffect, useRef, useState, type InputHTMLAttributes } from 'react';

interface SearchInputProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'onChange' | 'value'
> {
  value: string;
  onSearch: (value: string) => void;
  delayMs?: number;
}

/** A text filter that asks the server only once typing pauses. */
export function SearchInput({ value, onSearch, delayMs = 300, ...rest }: SearchInputProps) {
  const [text, setText] = useState(value);
  const callback = useRef(onSearch);
  useEffect(() => {
    callback.current = onSearch;
  });
  useEffect(() => {
    if (text === value) return;
    const timer = window.setTimeout(() => callback.current(text), delayMs);
    return () => window.clearTimeout(timer);
  }, [text, value, delayMs]);
  return <input {...rest} value={text} onChange={(e) => setText(e.target.value)} />;
}
