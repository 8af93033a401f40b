/**
 * Figma's SegmentedControl and Tabs pass extra props on to each of their radio inputs; a shared
 * name makes those inputs one native radio group: a single Tab stop that arrow keys move within.
 * Their prop types leave `name` out, so it is spread in.
 */
export const radioGroupName = (name: string): object => ({ name })
