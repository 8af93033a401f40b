export function startHarnessServer(
  port?: number,
  host?: string,
): Promise<{ url: string; close(): Promise<void> }>
