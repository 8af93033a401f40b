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
  'bg-hover': '#f5f5f5',
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
  'bg-hover': '#383838',
  'bg-inverse': '#ffffff',
  'bg-brand': '#0c8ce9',
  'bg-brand-pressed': '#105cad',
  'bg-disabled': '#757575',
  'bg-danger': '#e03e1a',
  'bg-danger-pressed': '#963323',
  'bg-danger-tertiary': '#60332a',
  border: '#444444',
  'border-selected': '#0c8ce9',
  'border-onbrand': '#0a6dc2',
  'border-brand-strong': '#7cc4f8',
  'border-disabled': '#444444',
  'border-disabled-strong': '#ffffff66',
  'border-danger': '#864537',
  'border-danger-strong': '#fca397',
  text: '#ffffff',
  'text-secondary': '#ffffffb3',
  'text-tertiary': '#ffffff66',
  'text-oninverse': '#000000e6',
  'text-disabled': '#ffffff66',
  'text-ondisabled': '#2c2c2c',
  'text-danger': '#fca397',
  icon: '#ffffff',
  'icon-secondary': '#ffffffb3',
  'icon-disabled': '#ffffff66',
  'icon-ondisabled': '#2c2c2c',
}

export type Theme = 'light' | 'dark'

export function themeCss(theme: Theme): string {
  const colours = theme === 'dark' ? DARK : LIGHT
  const variables = Object.entries(colours)
    .map(([name, value]) => `--figma-color-${name}:${value};`)
    .join('')
  return `:root{${variables}color-scheme:${theme};}html,body{margin:0;height:100%;background:var(--figma-color-bg);color:var(--figma-color-text);}`
}

export function themeStyle(theme: Theme): string {
  return `<style id="figma-style">${themeCss(theme)}</style>`
}

/**
 * Figma changes an open plugin's theme in place: new variables, and the figma-light/figma-dark
 * class on <html>, without reloading it. This script does the same inside the harness's iframe.
 */
export const THEME_LISTENER = `<script>addEventListener('message',function(event){var theme=event.data&&event.data.harnessTheme;if(!theme||event.source!==parent)return;document.documentElement.classList.remove('figma-light','figma-dark');document.documentElement.classList.add('figma-'+theme.name);document.getElementById('figma-style').textContent=theme.css})</script>`
