import { render } from '@create-figma-plugin/ui'
import { App } from './ui/app'

export default render(App)
