export const LOCAL_WORKER_URL: string
export function pluginNetwork(env?: Record<string, string | undefined>): {
  defaultWorkerUrl: string
  allowedDomains: string[]
  devAllowedDomains: string[]
}
export function pluginId(env?: Record<string, string | undefined>): string | null
export function networkDefine(env?: Record<string, string | undefined>): Record<string, string>
