/**
 * Copies text to the clipboard. The plugin window is a sandboxed iframe where the Clipboard API is
 * usually refused, so the copy goes through a selected, off-screen textarea, as Figma plugins do.
 */
export function copyText(text: string): boolean {
  const field = document.createElement('textarea')
  field.value = text
  field.setAttribute('readonly', '')
  field.style.position = 'fixed'
  field.style.opacity = '0'
  document.body.append(field)
  const focused = document.activeElement as HTMLElement | null
  field.select()
  let copied = false
  try {
    copied = document.execCommand('copy')
  } catch {
    copied = false
  }
  field.remove()
  focused?.focus()
  return copied
}
