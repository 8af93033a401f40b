import { emit } from '@create-figma-plugin/utilities'
import { useEffect, useRef } from 'preact/hooks'
import type { ResizeWindowHandler } from '../events'
import { WINDOW_SIZE } from '../utilities/window-size'

/** How tall the scrolling part's content is, whether or not it is scrolled. */
function contentHeight(scroller: HTMLElement): number {
  const first = scroller.firstElementChild
  const last = scroller.lastElementChild
  if (!first || !last) return 0
  const style = getComputedStyle(scroller)
  return (
    last.getBoundingClientRect().bottom -
    first.getBoundingClientRect().top +
    Number.parseFloat(style.paddingTop) +
    Number.parseFloat(style.paddingBottom)
  )
}

/**
 * Grows the plugin window to its content, up to a height that fits a laptop screen, and back to
 * the default size when the content shrinks: the form scrolls only when it must.
 */
export function useFitWindow() {
  const page = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = page.current
    if (!element) return
    let asked = WINDOW_SIZE.height
    let frame = 0
    const fit = () => {
      frame = 0
      const scroller = element.querySelector<HTMLElement>('[data-scroll]')
      if (!scroller) return
      const fixed = window.innerHeight - scroller.clientHeight
      const wanted = Math.round(
        Math.min(
          WINDOW_SIZE.maxHeight,
          Math.max(WINDOW_SIZE.height, fixed + contentHeight(scroller)),
        ),
      )
      if (Math.abs(wanted - asked) < 2) return
      asked = wanted
      emit<ResizeWindowHandler>('RESIZE_WINDOW', WINDOW_SIZE.width, wanted)
    }
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(fit)
    }
    const observer = new MutationObserver(schedule)
    observer.observe(element, { childList: true, subtree: true, attributes: true })
    schedule()
    return () => {
      observer.disconnect()
      cancelAnimationFrame(frame)
    }
  }, [])
  return page
}
