export const HELP: string
export const COMMANDS: Record<string, { usage: string; about: string }>
export function parseAdminArgs(
  args: string[],
):
  | { help: true }
  | { error: string }
  | { command: string; userId?: string; values: Record<string, string | boolean | undefined> }
