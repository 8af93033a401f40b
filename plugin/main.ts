import { showUI } from '@create-figma-plugin/utilities'
import { registerHandlers } from './main-thread/register-handlers'

export default function () {
  registerHandlers()
  // No startup data here: the UI asks for it once it is ready (see main-thread/startup.ts).
  showUI({ width: 380, height: 660, title: 'Promptframe' })
}
