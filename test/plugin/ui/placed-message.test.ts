import { describe, expect, it } from 'vitest'
import { placedMessage } from '../../../plugin/ui/placed-message'

describe('what a finished generation tells the designer', () => {
  it('counts what is on the canvas', () => {
    expect(placedMessage({ placed: 1, notPlaced: 0, unreadable: 0 })).toBe(
      'Placed 1 image on the canvas.',
    )
    expect(placedMessage({ placed: 3, notPlaced: 0, unreadable: 0 })).toBe(
      'Placed 3 images on the canvas.',
    )
  })

  it('does not count an image Figma could not read as placed, and says to generate it again', () => {
    expect(placedMessage({ placed: 1, notPlaced: 0, unreadable: 1 })).toBe(
      'Placed 1 image on the canvas. Figma could not read 1 more, so it was not placed. It was still charged; generate it again.',
    )
    expect(placedMessage({ placed: 0, notPlaced: 0, unreadable: 2 })).toBe(
      'Figma could not read 2 images, so they were not placed. They were still charged; generate them again.',
    )
  })

  it('says when images that could not be downloaded come to History', () => {
    expect(placedMessage({ placed: 2, notPlaced: 1, unreadable: 0 })).toBe(
      'Placed 2 images on the canvas. 1 more could not be downloaded: it will be in History the next time you open Promptframe.',
    )
    expect(placedMessage({ placed: 0, notPlaced: 2, unreadable: 1 })).toBe(
      'Figma could not read 1 image, so it was not placed. It was still charged; generate it again. 2 images could not be downloaded: they will be in History the next time you open Promptframe.',
    )
  })
})
