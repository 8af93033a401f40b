const imagesWord = (count: number) => (count === 1 ? '1 image' : `${count} images`)

/**
 * What a finished generation tells the designer: what is on the canvas, what Figma could not
 * read, and what comes later.
 */
export function placedMessage(outcome: {
  placed: number
  notPlaced: number
  unreadable: number
}): string {
  const { placed, notPlaced, unreadable } = outcome
  const parts: string[] = []
  if (placed > 0 || notPlaced + unreadable === 0)
    parts.push(`Placed ${imagesWord(placed)} on the canvas.`)
  const counted = (count: number) => (placed > 0 ? `${count} more` : imagesWord(count))
  if (unreadable > 0) {
    const one = unreadable === 1
    parts.push(
      `Figma could not read ${counted(unreadable)}, so ${one ? 'it was' : 'they were'} not placed. ${one ? 'It was' : 'They were'} still charged; generate ${one ? 'it' : 'them'} again.`,
    )
  }
  if (notPlaced > 0)
    parts.push(
      `${counted(notPlaced)} could not be downloaded: ${notPlaced === 1 ? 'it' : 'they'} will be in History the next time you open Promptframe.`,
    )
  return parts.join(' ')
}
