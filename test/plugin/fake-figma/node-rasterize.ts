import { encode } from 'fast-png'
import jpeg from 'jpeg-js'
import type { FakeSceneNode, Rasterize } from './fake-nodes'

export function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  return encode({ width, height, data: rgba, channels: 4, depth: 8 })
}

function fillColour(node: FakeSceneNode): [number, number, number] {
  const fills = (node as { fills?: readonly Paint[] }).fills
  const solid = fills?.find((paint): paint is SolidPaint => paint.type === 'SOLID')
  return solid ? [solid.color.r * 255, solid.color.g * 255, solid.color.b * 255] : [128, 128, 128]
}

/** A Node stand-in for Figma's renderer: a real PNG or JPEG of the requested size in the layer's colour. */
export const nodeRasterize: Rasterize = async (node, width, height, format) => {
  const [r, g, b] = fillColour(node)
  const rgba = new Uint8Array(width * height * 4)
  for (let i = 0; i < rgba.length; i += 4) rgba.set([r, g, b, 255], i)
  if (format === 'PNG') return encodeRgbaPng(width, height, rgba)
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, 80).data)
}
