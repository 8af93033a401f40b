export const WORKER_VARIABLES: string[]
export function workerVarsFrom(
  environment: Record<string, string | undefined>,
): Record<string, string>
export function envFileText(vars: Record<string, string>): string
export function describeVars(vars: Record<string, string>): string
