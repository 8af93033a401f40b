import { showUI } from '@create-figma-plugin/utilities'
import { registerHandlers } from './main-thread/register-handlers'
import { loadStartupData } from './main-thread/startup'

export default async function () {
  registerHandlers()
  showUI({ width: 380, height: 660, title: 'Promptframe' }, await loadStartupData())
}
