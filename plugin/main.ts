import { showUI } from '@create-figma-plugin/utilities'
import { registerHandlers } from './main-thread/register-handlers'
import { WINDOW_SIZE } from './utilities/window-size'

export default function () {
  registerHandlers()
  // No startup data here: the UI asks for it once it is ready (see main-thread/startup.ts).
  showUI({ width: WINDOW_SIZE.width, height: WINDOW_SIZE.height, title: 'Promptframe' })
}
