import { ref, watchEffect } from 'vue';

export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'flotilla.theme';

function initialTheme(): Theme {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const theme = ref<Theme>(initialTheme());
watchEffect(() => {
  // Element Plus switches its variables on `html.dark`.
  document.documentElement.classList.toggle('dark', theme.value === 'dark');
  localStorage.setItem(STORAGE_KEY, theme.value);
});

/** Light or dark, chosen once per browser (the system's preference until then). */
export function useTheme() {
  function toggle(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
  }
  return { theme, toggle };
}
