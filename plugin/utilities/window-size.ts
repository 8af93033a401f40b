/** The plugin window: the size it opens at, and the tallest it grows to for a long form. */
export const WINDOW_SIZE = { width: 380, height: 660, maxHeight: 860 }
