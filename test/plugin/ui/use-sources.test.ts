import { describe, expect, it } from 'vitest'
import { maySourcesPin } from '../../../plugin/ui/use-sources'

describe('pinning the layers a generation used', () => {
  it('pins while the canvas still shows the selection the generation started from', () => {
    expect(maySourcesPin(['card'], ['card'], ['result'])).toBe(true)
  })

  it('pins when the results are already reported as selected, in any order', () => {
    expect(maySourcesPin(['b', 'a'], ['card'], ['a', 'b'])).toBe(true)
  })

  it('does not pin once the designer has selected something else', () => {
    expect(maySourcesPin(['phone'], ['card'], ['result'])).toBe(false)
    expect(maySourcesPin([], ['card'], ['result'])).toBe(false)
    expect(maySourcesPin(['card', 'phone'], ['card'], ['result'])).toBe(false)
  })
})
