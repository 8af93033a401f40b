/** Figma's theme variables for the plugin iframe (Figma injects these when themeColors is on). */
const LIGHT = {
  bg: '#ffffff',
  'bg-secondary': '#f5f5f5',
  'bg-tertiary': '#e6e6e6',
  'bg-brand': '#0d99ff',
  'bg-brand-pressed': '#007be5',
  'bg-selected': '#e5f4ff',
  'bg-onselected': '#bde3ff',
  'bg-pressed': '#e6e6e6',
  'bg-inverse': '#2c2c2c',
  'bg-disabled': '#d9d9d9',
  'bg-danger': '#f24822',
  'bg-danger-pressed': '#dc3412',
  'bg-danger-tertiary': '#ffe2e0',
  border: '#e6e6e6',
  'border-selected': '#0d99ff',
  'border-onbrand': '#007be5',
  'border-brand-strong': '#007be5',
  'border-disabled': '#e6e6e6',
  'border-disabled-strong': '#b3b3b3',
  'border-danger': '#ffc7c2',
  'border-danger-strong': '#dc3412',
  text: '#1e1e1e',
  'text-secondary': '#757575',
  'text-tertiary': '#b3b3b3',
  'text-onbrand': '#ffffff',
  'text-oninverse': '#ffffff',
  'text-disabled': '#b3b3b3',
  'text-ondisabled': '#ffffff',
  'text-danger': '#dc3412',
  'text-ondanger': '#ffffff',
  icon: '#1e1e1e',
  'icon-secondary': '#757575',
  'icon-onbrand': '#ffffff',
  'icon-disabled': '#b3b3b3',
  'icon-ondisabled': '#ffffff',
  'icon-ondanger': '#ffffff',
}

const DARK: typeof LIGHT = {
  ...LIGHT,
  bg: '#2c2c2c',
  'bg-secondary': '#383838',
  'bg-tertiary': '#444444',
  'bg-selected': '#4a5878',
  'bg-onselected': '#5b6c94',
  'bg-pressed': '#444444',
  'bg-inverse': '#ffffff',
  'bg-disabled': '#444444',
  'bg-danger-tertiary': '#5c2a22',
  border: '#444444',
  'border-disabled': '#444444',
  'border-danger': '#7a3a2e',
  text: '#ffffff',
  'text-secondary': '#b3b3b3',
  'text-tertiary': '#757575',
  'text-oninverse': '#1e1e1e',
  'text-disabled': '#757575',
  'text-danger': '#ff7b61',
  icon: '#ffffff',
  'icon-secondary': '#b3b3b3',
  'icon-disabled': '#757575',
}

export type Theme = 'light' | 'dark'

export function themeStyle(theme: Theme): string {
  const colours = theme === 'dark' ? DARK : LIGHT
  const variables = Object.entries(colours)
    .map(([name, value]) => `--figma-color-${name}:${value};`)
    .join('')
  return `<style>:root{${variables}color-scheme:${theme};}html,body{margin:0;height:100%;background:var(--figma-color-bg);color:var(--figma-color-text);}</style>`
}
