'use client';

import { useCallback, useEffect, useState } from 'react';

type Theme = 'light' | 'dark';

/** Light/dark theme, remembered in localStorage, defaulting to the system preference. */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>('light');
  useEffect(() => {
    const saved = localStorage.getItem('netloom-theme');
    setTheme(saved === 'dark' || saved === 'light' ? saved : window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = useCallback(() => {
    setTheme((t) => {
      const next = t === 'dark' ? 'light' : 'dark';
      localStorage.setItem('netloom-theme', next);
      return next;
    });
  }, []);
  return [theme, toggle];
}
