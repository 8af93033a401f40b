export function workerSocketUrl(wranglerPid: number, proxyPort: number): Promise<string | null>
