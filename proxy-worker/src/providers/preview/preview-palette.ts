export type Rgb = [number, number, number]

const NAMED_COLOURS: Record<string, Rgb> = {
  red: [220, 50, 47],
  crimson: [180, 20, 60],
  orange: [240, 140, 40],
  citrus: [250, 190, 40],
  yellow: [245, 210, 60],
  gold: [212, 175, 55],
  green: [60, 160, 90],
  lime: [160, 210, 60],
  teal: [30, 150, 150],
  cyan: [40, 190, 220],
  blue: [45, 110, 220],
  navy: [25, 40, 100],
  purple: [130, 70, 190],
  violet: [150, 90, 220],
  pink: [240, 120, 170],
  magenta: [210, 50, 160],
  brown: [130, 85, 50],
  black: [25, 25, 30],
  white: [240, 240, 236],
  grey: [140, 140, 145],
  gray: [140, 140, 145],
  silver: [190, 195, 200],
  neon: [60, 255, 180],
  pastel: [240, 200, 220],
  sunset: [250, 120, 80],
  ocean: [20, 110, 160],
  forest: [35, 90, 50],
  night: [20, 25, 60],
}

/** FNV-1a: a small, stable hash so the same words always give the same picture. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const a = saturation * Math.min(lightness, 1 - lightness)
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))))
  }
  return [channel(0), channel(8), channel(4)]
}

export function promptWords(prompt: string): string[] {
  return prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
}

/** Four colours from the prompt: colour words it names first, then hues hashed from its other words. */
export function previewPalette(prompt: string): Rgb[] {
  const words = promptWords(prompt)
  const named = words.filter((word) => word in NAMED_COLOURS).map((word) => NAMED_COLOURS[word])
  const hashed = words
    .filter((word) => !(word in NAMED_COLOURS) && word.length > 2)
    .map((word) => hslToRgb(hashText(word) % 360, 0.6, 0.5))
  const palette = [...named, ...hashed]
  let filler = hashText(prompt)
  while (palette.length < 4) {
    palette.push(hslToRgb(filler % 360, 0.55, 0.45))
    filler = Math.imul(filler ^ 0x9e3779b9, 0x85ebca6b) >>> 0
  }
  return palette.slice(0, 4)
}
